"""The shape of `lup`'s code: the figures issue 13 ("walls inside lup") asks for.

Usage:  .venv/bin/python benchmarks/structure.py

Prints the five largest modules of `lup` (lines, migrations left out) and every module over
400 lines; the import cycles among lup's modules, found by import-linter's own graph
library (grimp), which sees imports inside functions too; the modules that hold permission
checks (`has_perm(` or an `is_superuser` test); and, where the `duplicates` tool is on the
PATH, its count of repeated blocks of six lines or more. `--scales` and `--runs` are taken
and ignored, so the benchmark smoke test can run it like the others.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "lup"
PERMISSION_CHECK = re.compile(r"has_perm\(|\.is_superuser\b")


def modules() -> dict[str, int]:
    """Lines of each module of lup, by path, without migrations."""
    return {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts
    }


def import_cycles() -> list[list[str]]:
    """Strongly connected groups of more than one lup module in the import graph."""
    import grimp

    # The tree this script sits in, not an installed copy of lup.
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph("lup", include_external_packages=False)
    names = sorted(graph.modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    def visit(module: str) -> None:  # Tarjan's algorithm, iterative enough for this size
        nonlocal counter
        index[module] = low[module] = counter
        counter += 1
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for name in names:
        if name not in index:
            visit(name)
    return cycles


def permission_check_modules() -> list[str]:
    return [
        str(path.relative_to(ROOT))
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts and PERMISSION_CHECK.search(path.read_text("utf-8"))
    ]


def duplicate_pairs() -> str:
    tool = shutil.which("duplicates")
    if tool is None:
        return "not measured (the duplicates tool is not on this machine)"
    output = subprocess.run(
        [tool, "--repo", str(PACKAGE), "--seconds", "120"],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    ).stdout
    return output.splitlines()[0] if output else "no output"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", nargs="*", help="ignored")
    parser.add_argument("--runs", help="ignored")
    parser.parse_args()

    lines = modules()
    largest = sorted(lines.items(), key=lambda item: -item[1])
    print("largest modules of lup (lines):")
    for path, count in largest[:5]:
        print(f"  {count:5d}  {path}")
    print(f"modules over 400 lines: {sum(1 for _p, n in largest if n > 400)}")
    for path, count in largest:
        if count > 400:
            print(f"  {count:5d}  {path}")
    print(f"median module length: {statistics.median(lines.values()):.0f} lines")
    cycles = import_cycles()
    print(f"import cycles among lup's modules: {len(cycles)}")
    for group in cycles:
        print("  " + " <-> ".join(group))
    checks = permission_check_modules()
    print(f"modules holding permission checks: {len(checks)}")
    for path in checks:
        print(f"  {path}")
    print(f"repeated blocks (duplicates): {duplicate_pairs()}")


if __name__ == "__main__":
    main()
