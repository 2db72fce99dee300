"""Tests that need a command-line tool from the system (poppler, zbar): skipped with a clear
reason on a laptop without it, but never in CI, where LUP_REQUIRE_BROWSER=1 makes them run
(and fail loudly if `.ci/run` failed to install the tool)."""

from __future__ import annotations

import os
import shutil

import pytest


def requires_tools(*commands: str, install: str) -> pytest.MarkDecorator:
    missing = [command for command in commands if not shutil.which(command)]
    return pytest.mark.skipif(
        bool(missing) and os.environ.get("LUP_REQUIRE_BROWSER") != "1",
        reason=f"needs {', '.join(missing)} (apt-get install {install})",
    )
