"""The apps are a plugin: a host project with its own settings installs them and serves a page."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_minimal_host_project_migrates_and_serves_the_dashboard(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.host_project.settings",
        "HOST_PROJECT_DB": str(tmp_path / "host.sqlite3"),
        "PYTHONPATH": str(ROOT),
    }

    completed = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "host_project" / "serve_a_page.py")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    status, _, html = completed.stdout.partition("\n")
    assert status == "200"
    assert "Host intranet layout" in html  # the host's own layout wraps our page
    assert "Innovasjonsprogram" in html
    assert "<strong>0 of 1</strong>" in html
