"""A registered person signs in with ID-porten: our login page, the provider, back signed in.

The provider is real (django-oauth-toolkit in a subprocess on 127.0.0.1, see
tests/oidc_provider). Only our own pages are checked with axe: the provider's login page is
on another origin, which the harness must leave out of its must-check list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from playwright.sync_api import expect

from tests.oidc_provider.launcher import ProviderUser, RunningProvider, start_provider
from tests.sso.flow import MINIMUM_ACR, keys_anywhere, make_person, make_social_app

PERSON = ProviderUser("kari", "kari-passord", "kari.nordmann@example.no")


@pytest.fixture(scope="module")
def oidc_provider(live_server: Any) -> Iterator[RunningProvider]:
    callback = f"{live_server.url}/accounts/oidc/idporten/login/callback/"
    with start_provider(redirect_uris=[callback], users=[PERSON]) as provider:
        yield provider


def test_a_registered_person_signs_in_with_id_porten(
    browser_page: Any, oidc_provider: RunningProvider
) -> None:
    oidc_provider.clear_audit()
    make_social_app(oidc_provider)  # as an administrator would, in the admin
    person = make_person(PERSON.email)

    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    browser_page.locator('form[action^="/accounts/oidc/idporten/login/"] button').click()

    # At the provider: not our page, so no axe check here.
    expect(browser_page.page).to_have_url(
        re.compile(rf"^{re.escape(oidc_provider.base_url)}/login/")
    )
    browser_page.locator("#id_username").fill(PERSON.username)
    browser_page.locator("#id_password").fill(PERSON.password)
    browser_page.locator('button[type="submit"]').click()

    # ID-porten sends no e-mail address: the first time, the person proves their work
    # address with a code sent to it, at both widths' worth of accessible pages.
    expect(browser_page.page).to_have_url(f"{browser_page.base_url}/sign-in/link/")
    browser_page.check_accessibility()
    browser_page.locator("#id_email").fill(PERSON.email)
    browser_page.locator('main button[data-variant="primary"]').click()
    expect(browser_page.page).to_have_url(f"{browser_page.base_url}/sign-in/link/code/")
    browser_page.check_accessibility()
    [message] = mail.outbox
    code = re.search(r"\b(\d{6})\b", message.body)
    assert code, message.body
    browser_page.locator("#id_code").fill(code.group(1))
    browser_page.locator('main button[data-variant="primary"]').click()

    expect(browser_page.page).to_have_url(f"{browser_page.base_url}/")
    expect(browser_page.locator(".signed-in-as")).to_contain_text(PERSON.email)
    browser_page.check_accessibility()

    account = SocialAccount.objects.get(user=person, provider="idporten")
    assert "pid" not in keys_anywhere(account.extra_data)
    assert account.extra_data["id_token"]["acr"] == MINIMUM_ACR
    [authorize] = oidc_provider.audit("authorize")
    assert authorize["code_challenge_method"] == "S256"
    assert authorize["code_challenge"]
    assert authorize["nonce"] == account.extra_data["id_token"]["nonce"]
    [token] = oidc_provider.audit("token")
    assert token["code_verifier_sent"] is True  # the provider checked the PKCE verifier

    # The second time, the link is remembered: straight through, no code.
    browser_page.locator("form.sign-out button").click()
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/login/"))
    browser_page.check_accessibility()
    browser_page.locator('form[action^="/accounts/oidc/idporten/login/"] button').click()
    expect(browser_page.page).to_have_url(f"{browser_page.base_url}/")
    expect(browser_page.locator(".signed-in-as")).to_contain_text(PERSON.email)
    browser_page.check_accessibility()
    assert len(mail.outbox) == 1
