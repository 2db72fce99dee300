"""The wheel's one build step beyond pyproject.toml: the H5P player's files go into it.

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


class BuildPyWithPlayer(build_py):
    """setuptools' build_py, then the player from node_modules into the built `courses`."""

    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            self._copy_player()

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        target = Path(self.build_lib) / PLAYER_TARGET
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


setup(cmdclass={"build_py": BuildPyWithPlayer})
