"""Microsoft Entra ID admits only the municipality's own tenant, at every sign-in.

The tokens here have the shape of Entra's v2 access tokens for Microsoft Graph (claims
`aud`, `iss`, `tid`, `oid`, `upn`, ...); the site reads `tid` from the token it received
from the tenant's token endpoint.
"""

from __future__ import annotations

import time

import jwt
import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin, SocialToken
from django.test import RequestFactory

from lup.sso import SsoRejected, check_entra_tenant

BAERUM = "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
OTHER = "9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b"

pytestmark = pytest.mark.django_db


def graph_token(tid: str) -> str:
    now = int(time.time())
    claims = {
        "aud": "00000003-0000-0000-c000-000000000000",
        "iss": f"https://sts.windows.net/{tid}/",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "tid": tid,
        "oid": "3b2a1c0d-0000-4000-8000-000000000001",
        "upn": "kari.nordmann@baerum.kommune.no",
        "scp": "openid profile email User.Read",
    }
    return jwt.encode(claims, "not-microsofts-key-but-the-claims-are-what-count", "HS256")


def entra_login(tenant: str, token: str) -> SocialLogin:
    app = SocialApp.objects.create(
        provider="microsoft", name="Entra ID", client_id="app-id", settings={"tenant": tenant}
    )
    provider = app.get_provider(RequestFactory().get("/"))
    account = SocialAccount(provider="microsoft", uid="oid")
    return SocialLogin(
        account=account, token=SocialToken(account=account, token=token), provider=provider
    )


def test_a_sign_in_from_the_municipalitys_tenant_passes():
    check_entra_tenant(entra_login(BAERUM, graph_token(BAERUM)))


def test_a_sign_in_from_another_tenant_is_refused():
    with pytest.raises(SsoRejected):
        check_entra_tenant(entra_login(BAERUM, graph_token(OTHER)))


@pytest.mark.parametrize("tenant", ["common", "organizations", "consumers", ""])
def test_an_app_added_in_the_admin_for_any_tenant_is_refused(tenant):
    with pytest.raises(SsoRejected):
        check_entra_tenant(entra_login(tenant, graph_token(BAERUM)))


def test_a_token_that_cannot_be_read_is_refused():
    with pytest.raises(SsoRejected):
        check_entra_tenant(entra_login(BAERUM, "opaque-token"))
