"""Shared by the benchmarks: measure each scale in its own process on a fresh SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def measure_in_child(script: str, scale: int, runs: int) -> Any:
    """Run `script --child SCALE --runs RUNS` with a fresh SQLite database (no Redis) and
    return the JSON it prints on its last line."""
    with tempfile.TemporaryDirectory() as tmp:
        return measure_on(script, f"sqlite:///{tmp}/bench.sqlite3", scale, runs)


def measure_on(script: str, database_url: str, scale: int, runs: int) -> Any:
    """As `measure_in_child`, on the database given (an empty PostgreSQL one, say)."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "0"}
    env.pop("REDIS_URL", None)
    output = subprocess.run(
        [sys.executable, script, "--child", str(scale), "--runs", str(runs)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])
