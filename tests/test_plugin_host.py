"""The apps are a plugin: a host project with its own settings installs them and serves a page.

`courses` and `certificates` each also work alone, in a host that installs neither of the
other two apps (the architecture's promise; import-linter only checks the imports).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each host runs in its own process on its own SQLite file.
pytestmark = pytest.mark.database_free


def run_in_host(host: str, script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run one of a host project's scripts in a fresh interpreter, on a fresh database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": f"tests.{host}.settings",
        "HOST_PROJECT_DB": str(tmp_path / "host.sqlite3"),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "tests" / host / script)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_a_minimal_host_project_migrates_and_serves_the_dashboard(tmp_path):
    completed = run_in_host("host_project", "serve_a_page.py", tmp_path)

    assert completed.returncode == 0, completed.stderr
    status, _, html = completed.stdout.partition("\n")
    assert status == "200"
    assert "Host intranet layout" in html  # the host's own layout wraps our page
    assert "Innovasjonsprogram" in html
    assert "<strong>0 of 1</strong>" in html


@pytest.mark.slow
def test_courses_alone_serves_a_course_and_records_a_learners_completion(tmp_path):
    completed = run_in_host("host_courses_only", "complete_an_activity.py", tmp_path)

    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["installed"] == ["courses"]
    assert result["course_page"] == 200
    assert result["course_page_in_host_layout"]
    assert result["course_page_shows_course"]
    assert result["mark_done"] == [302, 302]
    assert result["activity_page"] == 200
    assert result["completions"] == [["kari", "Read: the service user first", "marked_done"]]
    assert result["signals"] == ["Read: the service user first"]  # sent once, to the host
    assert result["imported_others"] == []  # not lup, certificates, allauth or DRF


@pytest.mark.slow
def test_certificates_alone_issues_a_certificate_anyone_can_verify(tmp_path):
    completed = run_in_host("host_certificates_only", "verify_a_certificate.py", tmp_path)

    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["installed"] == ["certificates"]
    assert result["created"] == [True, False]
    assert result["verify_page"] == 200
    assert result["verify_page_in_host_layout"]
    assert result["verify_page_shows_recipient"]
    assert result["verify_page_says_valid"]
    assert result["verify_json"]["recipient_name"] == "Kari Nordmann"
    assert result["verify_json"]["valid"] is True
    assert result["unknown_code"] == 404
    assert result["own_list"] == 200
    assert result["own_list_shows_certificate"]
    assert result["pdf"] == [200, "application/pdf"]
    assert result["pdf_is_the_issued_file"]
    # e-mailed once with its PDF, through the host's Celery (here eager)
    assert result["emails"] == [[["kari@example.no"], [f"kursbevis-{result['code']}.pdf"]]]
    assert result["imported_others"] == []  # not lup, courses, allauth or DRF
