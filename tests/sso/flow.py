"""Drive an OpenID Connect sign-in: Django's test client for the site, HTTP for the provider.

The site runs in-process (so tests can read its session, context and templates) and calls
the real provider's token, userinfo and JWKS endpoints over 127.0.0.1; the person's side at
the provider (authorize, login form) is played by a `requests` session.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialApp
from django.contrib.auth import get_user_model
from django.test import Client

from tests.oidc_provider.launcher import RunningProvider

HTTP_TIMEOUT = 10
MAX_REDIRECTS = 10
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MINIMUM_ACR = "idporten-loa-substantial"


def callback_url(provider_id: str, host: str = "http://testserver") -> str:
    return f"{host}/accounts/oidc/{provider_id}/login/callback/"


def make_social_app(
    provider: RunningProvider, provider_id: str = "idporten", **settings: Any
) -> SocialApp:
    """A provider configured in the database, as an administrator would in the admin."""
    return SocialApp.objects.create(
        provider="openid_connect",
        provider_id=provider_id,
        name="ID-porten",
        client_id=provider.client_id,
        secret=provider.client_secret,
        settings={
            "server_url": provider.issuer,
            "oauth_pkce_enabled": True,
            "minimum_acr": MINIMUM_ACR,
            **settings,
        },
    )


def make_person(email: str) -> Any:
    """Someone registered on the site, with the verified address SSO matches on."""
    user = get_user_model().objects.create_user(username=email, email=email, password=None)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def keys_anywhere(data: Any) -> set[str]:
    """Every dictionary key in `data`, however deeply nested in dictionaries and lists."""
    if isinstance(data, dict):
        return set(data).union(*(keys_anywhere(value) for value in data.values()))
    if isinstance(data, list):
        return set().union(*(keys_anywhere(item) for item in data))
    return set()


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def sign_in_at_provider(provider: RunningProvider, authorize_url: str, username: str) -> str:
    """Follow the provider's pages as the person, signing in; return the URL it sends back to."""
    assert authorize_url.startswith(f"{provider.issuer}/authorize/"), authorize_url
    password = provider.users[username].password
    with requests.Session() as browser:
        browser.trust_env = False  # loopback only, never through a proxy
        url, response = (
            authorize_url,
            browser.get(authorize_url, allow_redirects=False, timeout=HTTP_TIMEOUT),
        )
        for _ in range(MAX_REDIRECTS):
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                if not url.startswith(provider.base_url):
                    return url
                response = browser.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT)
                continue
            response.raise_for_status()
            token = CSRF_TOKEN.search(response.text)
            assert token, f"no login form at {url}"
            response = browser.post(
                url,
                data={
                    "csrfmiddlewaretoken": token.group(1),
                    "username": username,
                    "password": password,
                },  # `next` stays in the URL's query, as the form posts back to it
                allow_redirects=False,
                timeout=HTTP_TIMEOUT,
            )
            assert response.is_redirect, f"the provider refused the login for {username}"
        raise AssertionError(f"too many redirects at the provider, last {url}")


def start_sign_in(client: Client, provider_id: str = "idporten", query: str = "") -> str:
    """Press the site's sign-in button for the provider; return the provider's authorize URL."""
    response = client.post(f"/accounts/oidc/{provider_id}/login/{query}")
    assert response.status_code == 302, response
    return str(response["Location"])


def sso_sign_in(
    client: Client,
    provider: RunningProvider,
    username: str,
    provider_id: str = "idporten",
    before_callback: Callable[[Client], None] | None = None,
) -> Any:
    """The whole round trip; returns the site's answer to the provider's callback."""
    callback = sign_in_at_provider(provider, start_sign_in(client, provider_id), username)
    assert callback.startswith(callback_url(provider_id)), callback
    if before_callback is not None:
        before_callback(client)
    return client.get(callback)


CODE_IN_MAIL = re.compile(r"\b(\d{6})\b")


def prove_work_email(client: Client, callback_response: Any, email: str) -> Any:
    """A first ID-porten sign-in: give the work e-mail, read the code from the e-mail the
    site sent (Django's test outbox), enter it; returns the site's answer to the code."""
    from django.core import mail

    assert callback_response.status_code == 302, callback_response
    assert callback_response["Location"] == "/sign-in/link/", callback_response["Location"]
    sent_before = len(mail.outbox)
    asked = client.post("/sign-in/link/", {"email": email})
    assert asked.status_code == 302, asked
    assert asked["Location"] == "/sign-in/link/code/"
    assert len(mail.outbox) == sent_before + 1, "no code was e-mailed"
    message = mail.outbox[-1]
    assert message.to == [email]
    code = CODE_IN_MAIL.search(message.body)
    assert code, message.body
    return client.post("/sign-in/link/code/", {"code": code.group(1)})
