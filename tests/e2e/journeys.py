"""Steps shared by the browser journeys."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from lup.demo.seed import DEMO_PASSWORD, current_demo_totp_code

TWO_FACTOR_PATH = "/accounts/2fa/authenticate/"


def sign_in(browser_page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    """Fill in and submit the sign-in form on the current page (not the language form)."""
    login_form = browser_page.locator('form[action="/accounts/login/"]')
    login_form.locator("#id_login").fill(email)
    login_form.locator("#id_password").fill(password)
    login_form.locator('button[type="submit"]').click()


def enter_authenticator_code(browser_page: Any, code: str) -> None:
    """On the two-factor step (checked with axe first), submit `code`."""
    expect(browser_page.page).to_have_url(re.compile(rf"{re.escape(TWO_FACTOR_PATH)}$"))
    browser_page.check_accessibility()
    form = browser_page.locator(f'form[action="{TWO_FACTOR_PATH}"]')
    form.locator("#id_code").fill(code)
    # The form's own submit button, not "Cancel" (which submits the sign-out form).
    form.locator('button[type="submit"]:not([form])').click()


def sign_in_with_two_factor(
    browser_page: Any, email: str, password: str = DEMO_PASSWORD, code: str | None = None
) -> None:
    """Sign in as someone with an authenticator app: password, then the app's current code.

    The demo administrator and HR use the published demo secret, so by default the code is
    the one their authenticator app would show now. allauth accepts each code once, and keeps
    the used ones in the cache, so journeys clear the cache before they start.
    """
    sign_in(browser_page, email, password)
    enter_authenticator_code(browser_page, code or current_demo_totp_code())
