"""The error pages in a browser: 404, 403, the CSRF failure page, 500 and 503, checked with axe
at a desktop and a phone width, with a way back to the front page on each."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from lup.demo.seed import DEMO_PASSWORD
from tests.e2e.journeys import sign_in
from tests.error_urls import BROKEN_PATH, UNAVAILABLE_PATH
from tests.factories import UserFactory

ENTHUSIAST = "ildsjel@example.no"
VIEWPORTS = [{"width": 1366, "height": 900}, {"width": 390, "height": 844}]


@pytest.fixture
def person_without_reports(transactional_db: None) -> None:
    """Signed in with a password, but no role that may see HR's reports."""
    user = UserFactory(email=ENTHUSIAST)
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=ENTHUSIAST, verified=True, primary=True)


@pytest.fixture
def broken_site(settings) -> None:
    """The site plus a view that always fails (tests.error_urls)."""
    settings.ROOT_URLCONF = "tests.error_urls"


def check_error_page(browser_page, heading: str) -> None:
    """The page shows `heading`, leads back to the front page and passes axe at both widths."""
    expect(browser_page.locator("h1")).to_have_text(heading)
    expect(browser_page.locator('main a[href="/"]')).to_be_visible()
    for viewport in VIEWPORTS:
        browser_page.set_viewport_size(viewport)
        browser_page.check_accessibility()
        # WCAG 1.4.10 reflow: nothing wider than the window.
        fits = browser_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, f"the page scrolls sideways at {viewport['width']} px"


def test_error_pages_are_accessible_and_lead_back(
    browser_page, person_without_reports, broken_site
):
    # A page that does not exist (or is not yours).
    response = browser_page.goto("/finnes-ikke/")
    assert response.status == 404
    check_error_page(browser_page, "Fant ikke siden")

    # A form sent without its CSRF cookie (cookies blocked, or gone): the language form.
    browser_page.context.clear_cookies()
    form = browser_page.locator("form.language-switch")
    form.locator("select[name=language]").select_option("nn")
    form.locator('button[type="submit"]').click()
    expect(browser_page.locator("h1")).to_have_text("Skjemaet kunne ikke sendes")
    check_error_page(browser_page, "Skjemaet kunne ikke sendes")

    # A page the role does not allow: HR's reports for a signed-in participant.
    browser_page.goto("/accounts/login/?next=/reports/completions/")
    browser_page.set_viewport_size(VIEWPORTS[0])
    browser_page.check_accessibility()
    sign_in(browser_page, ENTHUSIAST)
    expect(browser_page.page).to_have_url(re.compile(r"/reports/completions/$"))
    check_error_page(browser_page, "Du har ikke tilgang")
    expect(browser_page.locator("form.sign-out")).to_be_visible()

    # The 404 page keeps the signed-in person's menu.
    browser_page.goto("/finnes-ikke/")
    check_error_page(browser_page, "Fant ikke siden")
    expect(browser_page.locator("header nav")).to_be_visible()

    # A server error: the layout without the menu, the language form or the person.
    response = browser_page.goto(BROKEN_PATH)
    assert response.status == 500
    check_error_page(browser_page, "Noe gikk galt")
    expect(browser_page.locator("header nav")).to_have_count(0)
    expect(browser_page.locator("form")).to_have_count(0)

    # A database that does not answer: 503, try again later.
    response = browser_page.goto(UNAVAILABLE_PATH)
    assert response.status == 503
    assert response.headers["retry-after"] == "30"
    check_error_page(browser_page, "Midlertidig utilgjengelig")
    expect(browser_page.locator("main")).to_contain_text("Prøv igjen om 30 sekunder")
    expect(browser_page.locator("form")).to_have_count(0)

    # The way back works.
    browser_page.locator('main a[href="/"]').click()
    expect(browser_page.page).not_to_have_url(re.compile(re.escape(UNAVAILABLE_PATH)))
    browser_page.set_viewport_size(VIEWPORTS[0])
    browser_page.check_accessibility()
