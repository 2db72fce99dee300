"""Unit tests of lup.sso: claim stripping, the nonce and assurance-level checks, the URLs."""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import resolve, reverse

from lup.sso import (
    DEFAULT_ACR_ORDER,
    NONCE_STATE_KEY,
    NonceOpenIDConnectProvider,
    SsoRejected,
    check_openid_connect_login,
    strip_forbidden_claims,
)

NONCE = "n-0S6_WzA2Mj"

pytestmark = pytest.mark.usefixtures("english")


def test_strip_forbidden_claims_reaches_into_nested_dicts_and_lists() -> None:
    data = {
        "sub": "abc",
        "pid": "01017012345",
        "userinfo": {"email": "kari@example.no", "pid": "01017012345", "fnr": "x"},
        "id_token": {"acr": "idporten-loa-high", "national_identity_number": "x"},
        "people": [
            {"pid": "1", "name": "A"},
            [{"pid": "2"}, "pid", {"deeper": {"pid": "3", "keep": [1, 2]}}],
        ],
    }
    original = copy.deepcopy(data)

    stripped = strip_forbidden_claims(data)

    assert stripped == {
        "sub": "abc",
        "userinfo": {"email": "kari@example.no"},
        "id_token": {"acr": "idporten-loa-high"},
        "people": [{"name": "A"}, [{}, "pid", {"deeper": {"keep": [1, 2]}}]],
    }
    assert data == original  # a copy: the input is left alone


def test_strip_forbidden_claims_leaves_scalars_alone() -> None:
    assert strip_forbidden_claims("pid") == "pid"
    assert strip_forbidden_claims(None) is None
    assert strip_forbidden_claims([]) == []


def test_the_forbidden_claims_come_from_settings(settings: Any) -> None:
    settings.LUP_SSO_FORBIDDEN_CLAIMS = ["ssn"]
    assert strip_forbidden_claims({"ssn": "1", "pid": "2"}) == {"pid": "2"}


def login(
    *,
    nonce: str | None = NONCE,
    stashed_nonce: str | None = NONCE,
    acr: str | None = "idporten-loa-substantial",
    app_settings: dict[str, Any] | None = None,
    has_app: bool = True,
) -> Any:
    """Just enough of an allauth SocialLogin for check_openid_connect_login."""
    id_token: dict[str, Any] = {}
    if nonce is not None:
        id_token["nonce"] = nonce
    if acr is not None:
        id_token["acr"] = acr
    state = {"process": "login"}
    if stashed_nonce is not None:
        state[NONCE_STATE_KEY] = stashed_nonce
    app = SimpleNamespace(settings=app_settings or {}) if has_app else None
    return SimpleNamespace(
        account=SimpleNamespace(extra_data={"id_token": id_token}),
        state=state,
        provider=SimpleNamespace(app=app),
    )


def test_a_matching_nonce_passes() -> None:
    check_openid_connect_login(login())


@pytest.mark.parametrize(
    ("nonce", "stashed_nonce"),
    [
        ("another-nonce", NONCE),  # replayed or injected response
        (None, NONCE),  # the provider dropped the nonce
        (NONCE, None),  # no nonce was stashed for this state
        ("", ""),  # empty is never a match
    ],
)
def test_a_wrong_or_missing_nonce_is_rejected(nonce: str | None, stashed_nonce: str | None) -> None:
    with pytest.raises(SsoRejected, match="could not be verified"):
        check_openid_connect_login(login(nonce=nonce, stashed_nonce=stashed_nonce))


def test_no_id_token_is_rejected() -> None:
    sociallogin = login()
    sociallogin.account.extra_data = {"userinfo": {"sub": "x"}}
    with pytest.raises(SsoRejected):
        check_openid_connect_login(sociallogin)


@pytest.mark.parametrize(
    ("acr", "minimum"),
    [
        ("idporten-loa-substantial", "idporten-loa-substantial"),
        ("idporten-loa-high", "idporten-loa-substantial"),
        ("Level4", "idporten-loa-substantial"),  # older names sit between the new ones
        ("idporten-loa-substantial", "Level3"),
        ("idporten-loa-low", "idporten-loa-low"),
    ],
)
def test_an_equal_or_higher_level_passes(acr: str, minimum: str) -> None:
    check_openid_connect_login(login(acr=acr, app_settings={"minimum_acr": minimum}))


@pytest.mark.parametrize(
    ("acr", "minimum"),
    [
        ("idporten-loa-low", "idporten-loa-substantial"),
        ("Level3", "idporten-loa-substantial"),
        ("idporten-loa-substantial", "idporten-loa-high"),
        ("Level4", "idporten-loa-high"),
        (None, "idporten-loa-substantial"),  # no acr claim at all
        ("made-up-level", "idporten-loa-low"),  # unknown levels never pass
        ("idporten-loa-high", "unknown-minimum"),  # a misconfigured minimum fails closed
    ],
)
def test_a_lower_missing_or_unknown_level_is_rejected(acr: str | None, minimum: str) -> None:
    with pytest.raises(SsoRejected, match="lower security level"):
        check_openid_connect_login(login(acr=acr, app_settings={"minimum_acr": minimum}))


def test_the_default_order_runs_from_low_to_high() -> None:
    assert DEFAULT_ACR_ORDER[0] == "idporten-loa-low"
    assert DEFAULT_ACR_ORDER[-1] == "idporten-loa-high"
    assert DEFAULT_ACR_ORDER.index("idporten-loa-substantial") > DEFAULT_ACR_ORDER.index("Level3")


def test_an_app_may_set_its_own_order() -> None:
    entra = {"minimum_acr": "mfa", "acr_order": ["pwd", "mfa", "phishing-resistant"]}
    check_openid_connect_login(login(acr="phishing-resistant", app_settings=entra))
    check_openid_connect_login(login(acr="mfa", app_settings=entra))
    with pytest.raises(SsoRejected):
        check_openid_connect_login(login(acr="pwd", app_settings=entra))
    with pytest.raises(SsoRejected):  # the default order does not apply to this app
        check_openid_connect_login(login(acr="idporten-loa-high", app_settings=entra))


def test_without_a_minimum_the_level_is_not_checked_but_the_nonce_is() -> None:
    check_openid_connect_login(login(acr=None))
    check_openid_connect_login(login(acr="idporten-loa-low", has_app=False))
    with pytest.raises(SsoRejected):
        check_openid_connect_login(login(acr=None, nonce="other"))


def test_the_openid_connect_urls_are_allauths() -> None:
    assert NonceOpenIDConnectProvider.get_package() == (
        "allauth.socialaccount.providers.openid_connect"
    )
    login_url = reverse("openid_connect_login", kwargs={"provider_id": "idporten"})
    assert login_url == "/accounts/oidc/idporten/login/"
    assert resolve("/accounts/oidc/idporten/login/callback/").url_name == (
        "openid_connect_callback"
    )
