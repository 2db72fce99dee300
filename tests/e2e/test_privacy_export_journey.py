"""A learner reads "Your data", asks for an archive of it and downloads it.

The learner has a history in every part of the register (tests/privacy/history.py). The
site speaks bokmål, so the journey finds its way by links, ids and its own data; tasks run
inline, so the archive is ready when the page comes back. Every page passes axe at a
desktop and a phone width.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from lup.models import AuditEvent
from lup.privacy.models import PersonalDataExport
from tests.e2e.journeys import sign_in
from tests.e2e.test_cohort_close import check_both_widths
from tests.privacy.history import PASSWORD, build_history


@pytest.fixture
def history(settings, tmp_path):
    settings.LUP_PRIVATE_ROOT = str(tmp_path / "lup-private")
    return build_history(authenticator=False)


def test_a_learner_reads_their_data_and_downloads_the_archive(browser_page, history, tmp_path):
    person = history.person
    browser_page.goto("/")
    browser_page.check_accessibility()
    sign_in(browser_page, person.email, PASSWORD)
    expect(browser_page.page).to_have_url(re.compile(r"/$"))
    browser_page.check_accessibility()

    # "Your data" is in the menu.
    browser_page.locator('nav a[href="/me/data/"]').first.click()
    expect(browser_page.page).to_have_url(re.compile(r"/me/data/$"))
    check_both_widths(browser_page)
    expect(browser_page.locator("h1")).to_be_visible()
    submissions = browser_page.locator('section[aria-labelledby="category-uploaded_files"]')
    expect(submissions).to_contain_text("refleksjon-0.pdf")
    certificates = browser_page.locator('section[aria-labelledby="category-certificates"]')
    for certificate in history.certificates:
        expect(certificates).to_contain_text(certificate.code)
    expect(browser_page.locator("#archives table")).to_have_count(1)  # an old, failed one

    # Ask for the archive: it is listed with a link once ready.
    browser_page.locator('#archives form button[type="submit"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/me/data/#archives$"))
    browser_page.check_accessibility()
    expect(browser_page.locator(".site-messages .ds-alert")).to_be_visible()
    record = PersonalDataExport.objects.get(user=person, status="ready")
    link = browser_page.locator(f'#archives a[href="/me/data/archives/{record.public_id}/"]')
    expect(link).to_be_visible()
    check_both_widths(browser_page)

    with browser_page.page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert re.fullmatch(r"mine-data-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename)
    path = tmp_path / "archive.zip"
    download.save_as(path)

    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        data = json.loads(archive.read("data.json"))
        assert data["person"]["email"] == person.email
        assert archive.read("README.txt")
        for pk, content in history.files.items():
            [row] = [
                row
                for row in data["categories"]["uploaded_files"]["models"]["courses.Submission"][
                    "rows"
                ]
                if row["id"] == pk
            ]
            assert archive.read(row["file"]) == content
        certificates = data["categories"]["certificates"]["models"]["certificates.Certificate"]
        for certificate in history.certificates:
            [row] = [row for row in certificates["rows"] if row["id"] == certificate.pk]
            assert row["pdf"] == (
                f"files/certificates.Certificate/{certificate.pk}/pdf/{certificate.sha256}.pdf"
            )
            pdf = archive.read(row["pdf"])
            assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PERSONAL_DATA_EXPORTED, subject=person, details={"format": "zip"}
    ).exists()
