"""An administrator anonymises a person who has left: from the team page, through the page
that lists exactly what will change, to the public verification page of the person's
certificate, which then says revoked and names no one.

Every page is checked with axe at a desktop and a phone width. The site speaks bokmål, so
the journey finds its way by ids and checks what was stored.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from certificates.api import Certificate
from lup.certificate_keys import participant_key
from lup.demo.seed import seed_demo
from lup.models import Participant
from tests.e2e.journeys import sign_in_with_two_factor

ADMINISTRATOR = "admin@baerum.kommune.no"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def leaver() -> tuple[Participant, Certificate]:
    """A participant of the demo programme who completed, with their certificate."""
    cache.clear()  # two-factor codes are accepted once
    seed_demo(scale=1)
    for participant in (
        Participant.objects.filter(
            status=Participant.Status.COMPLETED,
            enrolment__cohort__programme__slug="lup",
            user__is_active=True,
        )
        .exclude(user__email=ADMINISTRATOR)
        .select_related("user", "enrolment")
        .order_by("pk")
    ):
        certificate = Certificate.objects.filter(
            source_key=participant_key(participant.public_id), revoked_at__isnull=True
        ).first()
        if certificate is not None and participant.user.get_full_name():
            return participant, certificate
    pytest.fail("the demo has no completed participant with a certificate")


def check_both_widths(browser_page, *, fits: bool = True) -> None:
    """axe at a desktop and a phone width; on the phone the page fits the screen (`fits`)."""
    browser_page.set_viewport_size(DESKTOP)
    browser_page.check_accessibility()
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    if fits:
        assert browser_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    browser_page.set_viewport_size(DESKTOP)


def test_administrator_anonymises_a_leaver_whose_certificate_then_names_no_one(
    browser_page, leaver
):
    participant, certificate = leaver
    person = participant.user
    name, email = person.get_full_name(), person.email

    browser_page.set_viewport_size(DESKTOP)
    browser_page.goto("/")
    browser_page.check_accessibility()
    sign_in_with_two_factor(browser_page, ADMINISTRATOR)
    expect(browser_page.page).to_have_url(re.compile(r"/programmes/lup/$"))
    browser_page.check_accessibility()

    # The team page offers to anonymise each member.
    browser_page.goto(f"/teams/{participant.enrolment_id}/")
    check_both_widths(browser_page)
    browser_page.locator(f'a[href="/people/{person.pk}/anonymise/"]').click()
    expect(browser_page.page).to_have_url(re.compile(rf"/people/{person.pk}/anonymise/$"))
    check_both_widths(browser_page)

    # What will change: their addresses deleted, their participation kept, the certificate
    # revoked (the organisation's default policy).
    expect(browser_page.locator("#anonymise-summary")).to_contain_text(f"anonymised #{person.pk}")
    changes = browser_page.locator("#anonymise-changes")
    expect(changes.locator('li[data-model="lup.Participant"][data-rule="keep"]')).to_have_count(1)
    expect(changes.locator('li[data-model="auth.User"][data-rule="redact"]')).to_have_count(1)
    own = browser_page.locator("#anonymise-certificates li", has_text=certificate.display_code)
    expect(own).to_have_attribute("data-outcome", "revoke")

    browser_page.locator("#id_confirm_email").fill(email)
    browser_page.locator('button[type="submit"][data-color="danger"]').click()
    expect(browser_page.page).not_to_have_url(re.compile(r"/anonymise/$"))
    browser_page.check_accessibility()

    person.refresh_from_db()
    assert not person.is_active
    assert person.get_full_name() == "Anonymisert"

    # The public page of their certificate: revoked, without the name.
    browser_page.goto(f"/verify/{certificate.code}/")
    check_both_widths(browser_page)
    expect(browser_page.locator("#certificate-status")).to_have_attribute("data-color", "danger")
    expect(browser_page.locator("#name-withheld")).to_be_visible()
    text = browser_page.locator("main").inner_text()
    assert name not in text
    assert email not in text
    certificate.refresh_from_db()
    assert certificate.is_revoked
    assert certificate.name_withheld_at is not None
