"""The headers every page carries: a strict Content-Security-Policy (with the exceptions
that are documented, and no others) and `Cache-Control: private, no-store` on personal
data. The permission matrix checks both on every URL for every role; these tests read
the policy itself."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.socialaccount.models import SocialApp

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]


def policy(response: Any) -> dict[str, list[str]]:
    directives = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


def test_pages_allow_only_the_sites_own_scripts(client):
    """No page has an inline script, so no nonce is even issued (django-csp adds one to
    the policy only for a response whose template asked for `request.csp_nonce`)."""
    first = policy(client.get("/accounts/login/"))

    assert first["default-src"] == ["'self'"]
    assert first["script-src"] == ["'self'"]
    assert first["style-src"] == ["'self'"]  # no inline styles
    assert first["object-src"] == ["'none'"]
    assert first["base-uri"] == ["'none'"]
    assert first["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in str(first)
    assert "'unsafe-eval'" not in str(first)


def test_only_the_api_documentation_allows_inline_styles(client):
    for url in ("/api/v1/docs/", "/api/v1/redoc/"):
        directives = policy(client.get(url))

        assert "'unsafe-inline'" in directives["style-src"], url
        assert directives["script-src"][0] == "'self'", url  # scripts stay strict
        assert "'unsafe-inline'" not in directives["script-src"], url


def test_the_api_documentation_loads_nothing_from_a_cdn(client):
    html = client.get("/api/v1/redoc/").content.decode()

    assert "googleapis" not in html
    assert "https://" not in html.split("<body")[0]


class FakeSession:
    """A requests session that answers one OpenID configuration: ID-porten's published
    shape, where the authorization endpoint is on another host than the issuer."""

    def __init__(self, configuration: dict[str, str] | None) -> None:
        self.configuration = configuration
        self.requested: list[str] = []

    def __enter__(self) -> FakeSession:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def get(self, url: str) -> Any:
        self.requested.append(url)
        if self.configuration is None:
            raise OSError("unreachable")
        configuration = self.configuration

        class Response:
            def raise_for_status(self) -> None:
                return None

            def json(self) -> dict[str, str]:
                return configuration

        return Response()


def id_porten_app() -> SocialApp:
    return SocialApp.objects.create(
        provider="openid_connect",
        provider_id="idporten",
        name="ID-porten",
        client_id="lup",
        secret="not-used",
        settings={"server_url": "https://idporten.no"},
    )


def test_the_sign_in_page_may_post_to_the_providers_authorization_host(client, monkeypatch):
    id_porten_app()
    session = FakeSession(
        {
            "issuer": "https://idporten.no/",
            "authorization_endpoint": "https://login.idporten.no/authorize",
        }
    )
    monkeypatch.setattr(
        "allauth.socialaccount.adapter.DefaultSocialAccountAdapter.get_requests_session",
        lambda self: session,
    )

    form_action = policy(client.get("/accounts/login/"))["form-action"]
    client.get("/accounts/login/")

    assert form_action == ["'self'", "https://idporten.no", "https://login.idporten.no"]
    assert session.requested == ["https://idporten.no/.well-known/openid-configuration"]  # kept


def test_an_unreachable_provider_still_allows_its_issuer(client, monkeypatch):
    id_porten_app()
    monkeypatch.setattr(
        "allauth.socialaccount.adapter.DefaultSocialAccountAdapter.get_requests_session",
        lambda self: FakeSession(None),
    )

    form_action = policy(client.get("/accounts/login/"))["form-action"]

    assert form_action == ["'self'", "https://idporten.no"]


def test_other_pages_post_only_to_the_site(client):
    id_porten_app()
    client.force_login(UserFactory())

    assert policy(client.get("/me/data/"))["form-action"] == ["'self'"]


def test_own_data_is_never_stored_by_a_browser_or_proxy(client):
    client.force_login(UserFactory())

    for url in ("/me/data/", "/me/data.json"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url


def test_an_application_for_a_provider_not_installed_is_left_out(client):
    SocialApp.objects.create(provider="github", provider_id="github", name="Unused")

    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert policy(response)["form-action"] == ["'self'"]
