"""Steps shared by the browser journeys."""

from __future__ import annotations

from typing import Any

from lup.demo import DEMO_PASSWORD


def sign_in(browser_page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    """Fill in and submit the sign-in form on the current page (not the language form)."""
    login_form = browser_page.locator('form[action="/accounts/login/"]')
    login_form.locator("#id_login").fill(email)
    login_form.locator("#id_password").fill(password)
    login_form.locator('button[type="submit"]').click()
