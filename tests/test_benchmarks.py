"""The benchmark scripts keep working (their figures are read by people, not asserted: a
script fails only for a functional problem, such as a query count that grows with the data)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.parametrize(
    "script",
    sorted(p for p in (ROOT / "benchmarks").glob("*.py") if not p.name.startswith("_")),
    ids=lambda p: p.name,
)
def test_benchmark_runs(script):
    completed = subprocess.run(
        [sys.executable, str(script), "--scales", "1", "--runs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "median" in completed.stdout
