"""The wheel's one build step beyond pyproject.toml: the H5P player's files go into it.

Two npm packages: the player itself (h5p-standalone) and MathJax 2, which older
H5P.MathDisplay libraries load for formulas (courses.h5p_player.library_config).

The player (h5p-standalone) is an npm package: the standalone site serves it straight from
node_modules (config/settings.py, STATICFILES_DIRS). A host project installs the apps from
the wheel and has no node_modules, so the build copies the player into the wheel's
`courses/static/vendor/h5p-standalone/`, the static path the templates name
(`{% static "vendor/h5p-standalone/main.bundle.js" %}`); Django's AppDirectoriesFinder
finds it there like any app's static files. The copy goes into the build directory only,
never into the source tree, so the standalone site does not find the files twice.

An editable install (`uv sync` for development) needs no copy: the site serves node_modules.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PLAYER_PACKAGE = ROOT / "node_modules" / "h5p-standalone"
# Inside the wheel, under the `courses` package: served as static "vendor/h5p-standalone/...".
PLAYER_TARGET = Path("courses", "static", "vendor", "h5p-standalone")
# What the templates and courses/h5p_player.py load: the build fails without any of them.
PLAYER_ENTRY_POINTS = ("main.bundle.js", "frame.bundle.js", "styles/h5p.css")

MATHJAX_PACKAGE = ROOT / "node_modules" / "mathjax"
MATHJAX_TARGET = Path("courses", "static", "vendor", "mathjax")
# The parts of MathJax 2 (73 MB unpacked) that the configuration in
# courses/h5p_player.py (MATHJAX_CONFIG: TeX in, HTML-CSS out, TeX web fonts) loads,
# about 6 MB. tests/e2e/test_h5p_mathjax.py checks that every file a browser asks for
# while typesetting is among them.
MATHJAX_KEPT = (
    "MathJax.js",
    "LICENSE",
    "extensions/",
    "jax/input/TeX/",
    "jax/element/",
    "jax/output/HTML-CSS/config.js",
    "jax/output/HTML-CSS/jax.js",
    "jax/output/HTML-CSS/autoload/",
    "jax/output/HTML-CSS/fonts/TeX/",
    "fonts/HTML-CSS/TeX/woff/",
    "fonts/HTML-CSS/TeX/otf/",
    "localization/",
)


def mathjax_keeps(relative: str) -> bool:
    """Whether the wheel carries this file of MathJax's package (a path with "/")."""
    return any(
        relative == kept or (kept.endswith("/") and relative.startswith(kept))
        for kept in MATHJAX_KEPT
    )


class BuildPyWithPlayer(build_py):
    """setuptools' build_py, then the player from node_modules into the built `courses`."""

    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            self._copy_player()
            self._copy_mathjax()

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        for folder in (PLAYER_TARGET, MATHJAX_TARGET):
            target = Path(self.build_lib) / folder
            if not getattr(self, "editable_mode", False) and target.is_dir():
                outputs += [str(path) for path in sorted(target.rglob("*")) if path.is_file()]
        return outputs

    def _copy_player(self) -> None:
        dist = PLAYER_PACKAGE / "dist"
        missing = [name for name in PLAYER_ENTRY_POINTS if not (dist / name).is_file()]
        if missing:
            raise SystemExit(
                "error: the H5P player is not in node_modules "
                f"({', '.join(str(dist / name) for name in missing)} missing).\n"
                "The wheel carries it as the courses app's static files: run `npm ci` "
                "(or `make setup`) first, then build the wheel again."
            )
        target = Path(self.build_lib) / PLAYER_TARGET
        shutil.rmtree(target, ignore_errors=True)  # nothing left over from an older build
        shutil.copytree(dist, target, ignore=shutil.ignore_patterns("*.d.ts"))
        shutil.copy2(PLAYER_PACKAGE / "LICENSE", target / "LICENSE")  # MIT: ships with it
        self.announce(f"copied the H5P player from {dist} to {target}", level=2)

    def _copy_mathjax(self) -> None:
        if not (MATHJAX_PACKAGE / "MathJax.js").is_file():
            raise SystemExit(
                f"error: MathJax is not in node_modules ({MATHJAX_PACKAGE / 'MathJax.js'} "
                "missing): run `npm ci` (or `make setup`) first, then build the wheel again."
            )
        target = Path(self.build_lib) / MATHJAX_TARGET
        shutil.rmtree(target, ignore_errors=True)
        copied = 0
        for path in sorted(MATHJAX_PACKAGE.rglob("*")):
            relative = path.relative_to(MATHJAX_PACKAGE).as_posix()
            if path.is_file() and mathjax_keeps(relative):
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target / relative)
                copied += 1
        self.announce(f"copied {copied} files of MathJax from {MATHJAX_PACKAGE}", level=2)


if __name__ == "__main__":  # setuptools runs this file as __main__; tests import the lists
    setup(cmdclass={"build_py": BuildPyWithPlayer})
