"""A person's language follows them: chosen once while signed in, the site speaks it at the
next sign-in, whatever language the browser was left in meanwhile.

The browser reads bokmål (its locale is nb-NO). The person signs in, switches to nynorsk,
signs out, and the sign-in page is switched back to bokmål (someone else at the same
computer, say). Signing in again shows nynorsk: the language was remembered for the person,
not only in this browser's cookie. Every page is checked with axe; the last at a desktop's
and a phone's width.
"""

from __future__ import annotations

import re
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from lup.models import PersonProfile
from tests.e2e.journeys import sign_in

EMAIL = "nina.nynorsk@example.no"
PASSWORD = "Et-langt-passord-for-LUP-2026"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def switch_language(browser_page: Any, language: str) -> None:
    form = browser_page.locator("form.language-switch")
    form.locator("select[name=language]").select_option(language)
    form.locator('button[type="submit"]').click()
    expect(browser_page.locator("html")).to_have_attribute("lang", language)


def test_the_language_chosen_once_is_the_sites_at_the_next_sign_in(browser_page: Any) -> None:
    person = get_user_model().objects.create_user(username=EMAIL, email=EMAIL, password=PASSWORD)
    EmailAddress.objects.create(user=person, email=EMAIL, verified=True, primary=True)

    browser_page.set_viewport_size(DESKTOP)
    browser_page.goto("/accounts/login/")
    expect(browser_page.locator("html")).to_have_attribute("lang", "nb")
    browser_page.check_accessibility()
    sign_in(browser_page, EMAIL, PASSWORD)
    expect(browser_page.locator(".signed-in-as")).to_contain_text(EMAIL)
    browser_page.check_accessibility()

    switch_language(browser_page, "nn")
    browser_page.check_accessibility()
    profile = PersonProfile.objects.get(user=person)
    assert (profile.language, profile.language_source) == ("nn", "site")

    browser_page.locator("form.sign-out button").click()
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/login/"))
    browser_page.check_accessibility()
    switch_language(browser_page, "nb")  # the next person at this computer reads bokmål
    browser_page.check_accessibility()

    sign_in(browser_page, EMAIL, PASSWORD)
    expect(browser_page.locator(".signed-in-as")).to_contain_text(EMAIL)
    expect(browser_page.locator("html")).to_have_attribute("lang", "nn")
    browser_page.check_accessibility()
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
