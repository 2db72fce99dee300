"""A certificate's digital credential in the browser, as someone outside would meet it: an
anonymous visitor opens the verification page, downloads the signed credential, reads what
the achievement means, and checks the file at /verify/; after an administrator revokes the
certificate, the same file is reported revoked and the page agrees. A changed file is
refused. Every page passes axe at a phone and a desktop width.

The site defaults to bokmål, so the journey finds things by ids and data attributes.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from certificates import services as certificate_services
from lup import certification
from lup.models import Participant
from tests.factories import OrganisationFactory, ParticipantFactory, ProgrammeFactory

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def check_at_both_widths(browser_page) -> None:
    """axe at both widths, and nothing wider than a phone's screen (WCAG 1.4.10, reflow:
    long addresses and key ids in the checks must wrap)."""
    for viewport in (PHONE, DESKTOP):
        browser_page.set_viewport_size(viewport)
        browser_page.check_accessibility()
        overflow = browser_page.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{browser_page.page.url} is {overflow} px too wide at {viewport}"


@pytest.fixture
def certificate(live_server, settings):
    settings.CERTIFICATES_SITE_URL = live_server.url  # what every identifier points to
    organisation = OrganisationFactory(name="Bærum kommune", slug="baerum")
    programme = ProgrammeFactory(organisation=organisation, name="LUP Innovasjon")
    participant = ParticipantFactory(
        enrolment__cohort__programme=programme,
        user__first_name="Åse",
        user__last_name="Ødegård",
        user__email="ase@example.no",
    )
    Participant.objects.filter(pk=participant.pk).update(
        status="completed", completed_at="2026-06-01T12:00Z"
    )
    return certification.issue_participant_certificate(participant=participant, notify=False)


def upload_at_verify(browser_page, path) -> None:
    browser_page.goto("/verify/")
    browser_page.check_accessibility()
    browser_page.locator("#id_file").set_input_files(str(path))
    browser_page.locator("main form[enctype] button[type=submit]").click()
    expect(browser_page.locator("#credential-verdict")).to_be_visible()


def test_download_the_signed_credential_verify_it_and_see_it_revoked(
    browser_page, certificate, tmp_path
):
    browser_page.goto(f"/verify/{certificate.code}/")
    check_at_both_widths(browser_page)
    expect(browser_page.locator("#credential")).to_be_visible()
    linkedin = browser_page.locator("#add-to-linkedin")
    expect(linkedin).to_have_attribute(
        "href", re.compile(r"^https://www\.linkedin\.com/profile/add\?startTask=CERTIFICATION_NAME")
    )
    expect(linkedin).to_have_attribute("href", re.compile(rf"certId={certificate.code[:4]}"))

    with browser_page.page.expect_download() as download_info:
        browser_page.locator("#credential-download").click()
    signed = tmp_path / "credential.jwt"
    download_info.value.save_as(signed)
    assert signed.read_text().count(".") == 2  # a compact JWS

    # What the achievement means, for people.
    browser_page.locator("#credential-achievement").click()
    expect(browser_page.page).to_have_url(re.compile(r"/achievements/.+/about$"))
    expect(browser_page.locator("main h1")).to_have_text("LUP Innovasjon")
    check_at_both_widths(browser_page)

    # The file checks out at /verify/, each check said.
    upload_at_verify(browser_page, signed)
    expect(browser_page.locator("#credential-verdict")).to_have_attribute("data-verdict", "valid")
    for check in ("format", "issuer", "key", "signature", "dates", "issued", "status"):
        expect(browser_page.locator(f'[data-check="{check}"]')).to_have_attribute(
            "data-passed", "yes"
        )
    check_at_both_widths(browser_page)

    # A changed copy: one character of the signed part altered.
    header, payload, signature = signed.read_text().split(".")
    changed = tmp_path / "changed.jwt"
    flipped = "A" if payload[40] != "A" else "B"
    changed.write_text(".".join([header, payload[:40] + flipped + payload[41:], signature]))
    upload_at_verify(browser_page, changed)
    expect(browser_page.locator("#credential-verdict")).to_have_attribute("data-verdict", "invalid")
    check_at_both_widths(browser_page)

    # Revoked by an administrator: the same file now says revoked, and so does the page.
    certificate_services.revoke_certificate(
        certificate=certificate, reason="Registrert ved en feil", revoked_by=None
    )
    upload_at_verify(browser_page, signed)
    expect(browser_page.locator("#credential-verdict")).to_have_attribute("data-verdict", "revoked")
    expect(browser_page.locator('[data-check="status"]')).to_have_attribute("data-passed", "no")
    check_at_both_widths(browser_page)
    browser_page.goto(f"/verify/{certificate.code}/")
    expect(browser_page.locator("#certificate-status")).to_have_attribute("data-color", "danger")
    expect(browser_page.locator("#add-to-linkedin")).to_have_count(0)
    check_at_both_widths(browser_page)
