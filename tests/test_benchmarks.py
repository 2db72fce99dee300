"""The benchmark scripts keep working (their figures are read by people, not asserted: a
script fails only for a functional problem, such as a query count that grows with the data)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.database_free  # each script makes its own SQLite database
@pytest.mark.parametrize(
    "script",
    sorted(
        p
        for p in (ROOT / "benchmarks").glob("*.py")
        # These need PostgreSQL (and the cluster nginx): below.
        if not p.name.startswith("_")
        and p.name not in {"load.py", "completion_races.py", "cluster.py", "cluster_load.py"}
    ),
    ids=lambda p: p.name,
)
def test_benchmark_runs(script):
    completed = subprocess.run(
        [sys.executable, str(script), "--scales", "1", "--runs", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "median" in completed.stdout


@pytest.mark.slow
def test_the_load_benchmark_runs_briefly_on_postgresql():
    """benchmarks/load.py needs PostgreSQL (its own database) and gunicorn: a few users for
    a few seconds, to prove it still works; its figures are read by people."""
    import os

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("needs PostgreSQL: runs in CI's PostgreSQL suite (DATABASE_URL=postgres://...)")
    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "load.py"),
            "--users",
            "5",
            "--workers",
            "1",
            "--warmup",
            "1",
            "--duration",
            "2",
            "--database",
            "lup_bench_load_ci",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "conn_max_age" in completed.stdout


@pytest.mark.slow
def test_the_race_benchmark_runs_briefly_on_postgresql():
    """benchmarks/completion_races.py races real transactions, which only PostgreSQL (not
    SQLite, which serialises writers) lets happen: two races a scenario, to prove it works."""
    import os

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("needs PostgreSQL: runs in CI's PostgreSQL suite (DATABASE_URL=postgres://...)")
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "completion_races.py"), "--races", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "median" in completed.stdout


@pytest.mark.slow
def test_the_cluster_load_benchmark_runs_briefly_through_the_proxy():
    """benchmarks/cluster_load.py starts the cluster (nginx, two app servers, worker, beat,
    PostgreSQL, Redis, S3) and puts a few users on it: it must still work and lose no
    accepted write. (benchmarks/cluster.py itself is started by the cluster journey.)"""
    import os
    import shutil

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("needs PostgreSQL: runs in CI's PostgreSQL suite (DATABASE_URL=postgres://...)")
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").is_file()):
        pytest.skip("nginx is not installed (apt-get install nginx; CI installs it)")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "cluster_load.py"),
            "--users",
            "5",
            "--warmup",
            "1",
            "--duration",
            "3",
            "--app-workers",
            "1",
            "--database",
            f"lup_bench_cluster_ci_{worker}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "lost 0" in completed.stdout
