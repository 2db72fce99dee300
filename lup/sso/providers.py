"""Single sign-on with OpenID Connect: Microsoft Entra ID for employees, ID-porten/Ansattporten
for guests, both through django-allauth.

What this adds to allauth:
- a nonce in every OpenID Connect authorization request, checked against the ID token
  (allauth's generic provider checks issuer and audience but sends no nonce);
- a minimum assurance level (`acr`), from the provider app's settings;
- no national identity number (`pid`) is ever stored: it is stripped from what allauth keeps;
- no one signs up through SSO: a login is matched to an existing person by verified e-mail.

Providers are configured from settings (environment variables, see config/settings.py) or
in the admin as social applications, with no code change. A provider app's settings may
hold `minimum_acr` and `acr_order` (lowest first) for the assurance check.
"""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urlsplit

import jwt
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, get_adapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers import registry
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.conf import settings as django_settings
from django.core.cache import cache
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import app_settings
from .checks import entra_tenant_is_multi_tenant

NONCE_STATE_KEY = "lup_oidc_nonce"
_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# ID-porten's levels, lowest first; older names beside the current ones.
DEFAULT_ACR_ORDER = [
    "idporten-loa-low",
    "Level3",
    "idporten-loa-substantial",
    "Level4",
    "idporten-loa-high",
]


class NonceOpenIDConnectProvider(OpenIDConnectProvider):
    """allauth's OpenID Connect provider, sending a fresh nonce (and acr_values) each time."""

    # allauth builds a provider's URLs from `<package>.urls`, by default the package of the
    # provider class's module: without this it would mount `lup.urls` under /accounts/
    # instead of the OpenID Connect login and callback views.
    package = "allauth.socialaccount.providers.openid_connect"

    def redirect(
        self,
        request: HttpRequest,
        process: Any,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> Any:
        nonce = secrets.token_urlsafe(32)
        configured = self.get_auth_params()
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = dict(configured)
        auth_params["nonce"] = nonce
        minimum_acr = self.app.settings.get("minimum_acr")
        if minimum_acr:
            # The app's own auth_params may ask for a higher level; a request's may not ask
            # for a lower one (allauth merges `?auth_params=` from the query string).
            auth_params["acr_values"] = configured.get("acr_values", minimum_acr)
        kwargs[NONCE_STATE_KEY] = nonce  # stashed with allauth's state, server-side
        return super().redirect(request, process, next_url, data, auth_params=auth_params, **kwargs)

    def extract_extra_data(self, data: Any) -> Any:
        # What allauth keeps of a login. Strip here, not only in the adapter: for a person
        # whose account is already linked, allauth saves this data during its account lookup,
        # before the adapter's pre_social_login runs.
        return strip_forbidden_claims(super().extract_extra_data(data))


class SsoRejected(Exception):
    """A sign-in response that must not create a session; `message` is shown to the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def strip_forbidden_claims(data: Any) -> Any:
    """A copy of `data` without claims we must never store (the national identity number)."""
    forbidden = set(app_settings.SSO_FORBIDDEN_CLAIMS())
    if isinstance(data, dict):
        return {
            key: strip_forbidden_claims(value)
            for key, value in data.items()
            if key not in forbidden
        }
    if isinstance(data, list):
        return [strip_forbidden_claims(item) for item in data]
    return data


def check_openid_connect_login(sociallogin: SocialLogin) -> None:
    """Raise SsoRejected unless the ID token's nonce and assurance level are as required."""
    extra = sociallogin.account.extra_data or {}
    id_token = extra.get("id_token") or {}
    state = sociallogin.state or {}
    expected_nonce = state.get(NONCE_STATE_KEY)
    if not expected_nonce or not secrets.compare_digest(
        str(id_token.get("nonce", "")), str(expected_nonce)
    ):
        raise SsoRejected(
            _("The sign-in response could not be verified. Please try to sign in again.")
        )
    settings = sociallogin.provider.app.settings if sociallogin.provider.app else {}
    minimum = settings.get("minimum_acr")
    if minimum:
        order = list(settings.get("acr_order") or DEFAULT_ACR_ORDER)
        acr = id_token.get("acr")
        if acr not in order or minimum not in order or order.index(acr) < order.index(minimum):
            raise SsoRejected(
                _(
                    "Your sign-in used a lower security level than this service requires. "
                    "Please sign in again with a higher security level, such as BankID."
                )
            )


def check_entra_tenant(sociallogin: SocialLogin) -> None:
    """Raise SsoRejected unless an Entra ID sign-in came from the municipality's own tenant.

    The app must name one tenant (never `common`, `organizations` or `consumers`, which the
    system check lup.E002 refuses in settings; an app added in the admin is refused here),
    and when that tenant is given by its ID, the token's `tid` claim must be that ID. The
    token comes straight from Microsoft's token endpoint over TLS, so its claims are read
    without checking its signature (OpenID Connect Core, 3.1.3.7).
    """
    app = sociallogin.provider.app
    providers: dict[str, Any] = getattr(django_settings, "SOCIALACCOUNT_PROVIDERS", {})
    configured = providers.get("microsoft", {})
    tenant = str(
        ((app.settings if app else None) or {}).get("tenant")
        or configured.get("TENANT", configured.get("tenant", ""))
    )
    refused = SsoRejected(_("This Microsoft account cannot sign in here."))
    if entra_tenant_is_multi_tenant(tenant):
        raise refused
    if not _GUID.fullmatch(tenant):
        return  # a tenant named by its domain: Microsoft's endpoint for it admits no other
    token = getattr(sociallogin.token, "token", "") or ""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise refused from None
    if str(claims.get("tid", "")).lower() != tenant.lower():
        raise refused


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Checks every SSO login before allauth signs anyone in, and keeps no identity number."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # People are registered by imports or administrators; SSO only signs them in.
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        sociallogin.account.extra_data = strip_forbidden_claims(sociallogin.account.extra_data)
        try:
            if sociallogin.provider.id == NonceOpenIDConnectProvider.id:
                check_openid_connect_login(sociallogin)
            elif sociallogin.provider.id == "microsoft":
                check_entra_tenant(sociallogin)
        except SsoRejected as rejected:
            raise ImmediateHttpResponse(
                render(
                    request,
                    "socialaccount/authentication_error.html",
                    {"lup_sso_message": rejected.message},
                    status=403,
                )
            ) from rejected
        super().pre_social_login(request, sociallogin)


# Where each configured provider's sign-in page lives, for the sign-in pages'
# Content-Security-Policy (form-action): kept an hour, a failed look-up a minute.
_ORIGINS_CACHE_SECONDS = 3600
_FAILED_LOOKUP_CACHE_SECONDS = 60


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _authorization_origin(request: HttpRequest, app: Any) -> list[str]:
    """The origins a sign-in with `app` is sent to: its OpenID configuration's authorization
    endpoint (which may be on another host than the issuer, as ID-porten's is) and the
    issuer itself; for other OAuth 2 providers, their fixed authorization address."""
    if registry.get_class(app.provider) is None:
        return []  # an application for a provider this site does not install: never used
    provider = app.get_provider(request)
    server_url = (app.settings or {}).get("server_url", "")
    if not server_url:
        try:
            return [_origin(provider.get_oauth2_adapter(request).authorize_url)]
        except Exception:  # a provider without an OAuth 2 adapter: nothing to allow
            return []
    key = f"lup.sso.authorization-origins:{provider.id}:{server_url}"
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    origins = [_origin(server_url)]
    timeout = _ORIGINS_CACHE_SECONDS
    try:
        with get_adapter().get_requests_session() as session:
            response = session.get(provider.server_url)  # the well-known configuration
            response.raise_for_status()
            origins.append(_origin(str(response.json().get("authorization_endpoint", ""))))
    except Exception:  # unreachable now: the issuer's origin, and look again soon
        timeout = _FAILED_LOOKUP_CACHE_SECONDS
    origins = sorted({origin for origin in origins if origin})
    cache.set(key, origins, timeout)
    return origins


def sign_in_form_origins(request: HttpRequest) -> list[str]:
    """Origins the sign-in pages' forms may lead to: every configured single sign-on
    provider's (from settings or the admin), for their Content-Security-Policy."""
    from allauth.socialaccount.adapter import get_adapter

    origins: set[str] = set()
    for app in get_adapter().list_apps(request):
        origins.update(_authorization_origin(request, app))
    return sorted(origins)
