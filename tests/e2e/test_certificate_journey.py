"""A participant completes the programme, downloads their certificate at once, and the QR
code printed on it opens a public page saying it is valid; after revocation, revoked.

The QR code is read from the PDF the way a phone would: the page is rendered to an image
(poppler's pdftoppm) and scanned (zbar's zbarimg). Without those tools the test is skipped.
"""

from __future__ import annotations

import re
import subprocess
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from certificates import services as certificate_services
from certificates.models import Certificate
from courses import services as course_services
from lup import services
from lup.demo.seed import DEMO_PASSWORD
from tests.e2e.journeys import sign_in
from tests.factories import UserFactory
from tests.lup.curriculum import build_curriculum
from tests.tools import requires_tools

# The QR code is read from the PDF as a reader would: rendered to an image and scanned.
pytestmark = requires_tools("pdftoppm", "zbarimg", install="poppler-utils zbar-tools")


def scan_qr(pdf_path, tmp_path) -> str:
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf_path), str(tmp_path / "page")],
        check=True,
    )
    return subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.fixture
def almost_done(live_server, settings):
    """A team that has done everything but the enthusiast's last content page."""
    settings.CERTIFICATES_SITE_URL = live_server.url  # what the QR code points to
    setup = build_curriculum(team_size=1)
    enthusiast = setup.enthusiasts[0]
    enthusiast.set_password(DEMO_PASSWORD)
    enthusiast.save()
    EmailAddress.objects.create(
        user=enthusiast, email=enthusiast.email, verified=True, primary=True
    )
    facilitator = UserFactory(email="fasilitator@example.no")
    setup.cohort.facilitators.add(facilitator)
    submission = course_services.submit_assignment(
        user=setup.manager, assignment=setup.assignment, text="Brukerreisen vår"
    )
    course_services.review_submission(submission=submission, reviewer=facilitator, approve=True)
    course_services.mark_done(user=setup.manager, activity=setup.page)
    for person in (setup.manager, enthusiast):
        services.record_attendance(
            gathering=setup.gathering,
            participant=setup.enrolment.participants.get(user=person),
            recorded_by=facilitator,
            method="facilitator",
        )
    return setup, enthusiast


def test_complete_download_scan_verify_and_see_it_revoked(browser_page, almost_done, tmp_path):
    setup, enthusiast = almost_done
    page_path = f"/courses/activities/{setup.page.public_id}/"

    browser_page.goto(f"/accounts/login/?next={page_path}")
    browser_page.check_accessibility()
    sign_in(browser_page, enthusiast.email)
    expect(browser_page.page).to_have_url(re.compile(rf"{re.escape(page_path)}$"))
    browser_page.check_accessibility()

    # The last step of the programme.
    browser_page.locator('form[action$="/done/"] button[type="submit"]').click()
    expect(browser_page.locator('form[action$="/done/"]')).to_have_count(0)
    browser_page.check_accessibility()

    # The certificate is on their page at once.
    browser_page.goto("/me/programme/")
    expect(browser_page.locator("#my-certificates")).to_be_visible()
    browser_page.check_accessibility()
    with browser_page.page.expect_download() as download_info:
        browser_page.locator("#my-certificates a[href$='/pdf']").first.click()
    pdf_path = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF-")

    # Its QR code leads to the public verification page, which says it is valid.
    scanned = scan_qr(pdf_path, tmp_path)
    certificate = Certificate.objects.get(recipient=enthusiast)
    assert scanned.startswith(browser_page.base_url)
    assert urlsplit(scanned).path == f"/verify/{certificate.code}/"
    browser_page.goto(scanned)
    expect(browser_page.locator("#certificate-status")).to_have_attribute("data-color", "success")
    expect(browser_page.locator("#certificate-facts")).to_contain_text(enthusiast.get_full_name())
    browser_page.check_accessibility()

    # The downloaded file checks out against the issued one.
    browser_page.locator("#id_file").set_input_files(str(pdf_path))
    browser_page.locator("main form[enctype] button[type=submit]").click()
    expect(browser_page.locator("#check-result")).to_have_attribute("data-color", "success")
    browser_page.check_accessibility()

    # Revoked by an administrator: the same address now says so.
    certificate_services.revoke_certificate(
        certificate=certificate, reason="Registrert ved en feil", revoked_by=None
    )
    browser_page.goto(scanned)
    expect(browser_page.locator("#certificate-status")).to_have_attribute("data-color", "danger")
    browser_page.check_accessibility()


def test_bulk_issue_team_page_lists_and_code_form_pass_axe(browser_page, almost_done):
    setup, _enthusiast = almost_done
    from lup.models import Participant, UnitEnrolment

    # The manager completed (and got theirs); the rest are stamped completed without
    # certificates, as after an import: the facilitator issues the missing ones.
    Participant.objects.filter(enrolment=setup.enrolment).update(
        status="completed", completed_at="2027-01-31T12:00Z"
    )
    UnitEnrolment.objects.filter(pk=setup.enrolment.pk).update(
        status="completed", completed_at="2027-01-31T12:00Z"
    )
    facilitator = setup.cohort.facilitators.get()
    facilitator.set_password(DEMO_PASSWORD)
    facilitator.save()
    EmailAddress.objects.create(
        user=facilitator, email=facilitator.email, verified=True, primary=True
    )
    path = f"/cohorts/{setup.cohort.pk}/certificates/"

    browser_page.goto(f"/accounts/login/?next={path}")
    browser_page.check_accessibility()
    sign_in(browser_page, facilitator.email)
    expect(browser_page.page).to_have_url(re.compile(rf"{re.escape(path)}$"))
    expect(browser_page.locator("#certificates-issued")).to_have_text("1")
    expect(browser_page.locator("#certificates-total")).to_have_text("3")
    browser_page.check_accessibility()
    browser_page.locator("#issue-certificates-form button").click()
    expect(browser_page.locator("#certificates-issued")).to_have_text("3")
    browser_page.check_accessibility()

    browser_page.goto(f"/teams/{setup.enrolment.pk}/")
    expect(browser_page.locator("#unit-certificate a[href$='/pdf']")).to_be_visible()
    browser_page.check_accessibility()

    browser_page.goto("/certificates/")
    browser_page.check_accessibility()

    # Anyone can check a code; an unknown one is simply not found.
    browser_page.locator("form.sign-out button").click()
    browser_page.check_accessibility()
    browser_page.goto("/verify/")
    browser_page.check_accessibility()
    browser_page.locator("#id_code").fill("zzzz-zzzz")
    browser_page.locator("main form[method=get] button[type=submit]").click()
    expect(browser_page.locator("main .ds-alert")).to_have_attribute("data-color", "warning")
    browser_page.check_accessibility()
    browser_page.locator("#id_code").fill("12")
    browser_page.locator("main form[method=get] button[type=submit]").click()
    expect(browser_page.locator("#id_code")).to_have_attribute("aria-invalid", "true")
    browser_page.check_accessibility()
