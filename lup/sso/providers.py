"""The OpenID Connect provider used for ID-porten and Ansattporten: allauth's, with a nonce.

allauth's generic provider checks issuer and audience but sends no nonce; this one sends a
fresh nonce (and the minimum `acr_values`) in every authorization request, and strips the
national identity number (`pid`) from everything allauth keeps. The `locale` claim becomes the
sign-in's language (`sign_in_language`), which `lup.receivers.languages` remembers as the
person's; allauth keeps no copy of it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.http import HttpRequest

from .. import app_settings
from ..languages import site_language

NONCE_STATE_KEY = "lup_oidc_nonce"
# ID-porten's and Ansattporten's claim for the language the person used there ("nb", "nn",
# "en" or "se"): read into the sign-in's language, then dropped from what allauth keeps.
LOCALE_CLAIM = "locale"
# Where a sign-in carries its language, as a site language code: in allauth's state of the
# sign-in, which lives only in the session until the sign-in completes (a first sign-in's
# e-mail step and a two-factor step keep it there, `SocialLogin.serialize`).
LANGUAGE_STATE_KEY = "lup_language"
# Between reading the claims and the adapter's `pre_social_login`, allauth replaces the
# login's state with the one it stashed at the redirect; the language waits on the login.
_PENDING_LANGUAGE = "_lup_pending_language"


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

    def sociallogin_from_response(self, request: HttpRequest, response: Any) -> Any:
        sociallogin = super().sociallogin_from_response(request, response)
        setattr(sociallogin, _PENDING_LANGUAGE, site_language(_claim(response, LOCALE_CLAIM)))
        return sociallogin

    def extract_extra_data(self, data: Any) -> Any:
        # What allauth keeps of a login. Strip here, not only in the adapter: for a person
        # whose account is already linked, allauth saves this data during its account lookup,
        # before the adapter's pre_social_login runs. The locale is the person's language,
        # kept where the person's language is kept (lup.models.PersonProfile) and nowhere else.
        return strip_forbidden_claims(super().extract_extra_data(data), also=(LOCALE_CLAIM,))


def _claim(data: Any, name: str) -> Any:
    """A claim from allauth's login data: the userinfo answer's, else the ID token's (or the
    flat claims of a token signed in with directly)."""
    if not isinstance(data, dict):
        return None
    for part in ("userinfo", "id_token"):
        claims = data.get(part)
        if isinstance(claims, dict) and name in claims:
            return claims[name]
    return data.get(name)


def carry_sign_in_language(sociallogin: Any) -> None:
    """Put the language the provider told (ID-porten's `locale`, Entra ID's preferred
    language) into the sign-in's state, where it stays until the sign-in completes. The
    adapter calls it once the sign-in has passed its checks."""
    language = getattr(sociallogin, _PENDING_LANGUAGE, None)
    if language is None and sociallogin.provider.id == "microsoft":
        # Entra ID's answer is Microsoft Graph's profile; `preferredLanguage` is the
        # user's language in the tenant ("nb-NO", "en-US"), which allauth keeps anyway.
        language = site_language((sociallogin.account.extra_data or {}).get("preferredLanguage"))
    if language is not None:
        sociallogin.state[LANGUAGE_STATE_KEY] = language


def sign_in_language(sociallogin: Any) -> str | None:
    """The site language a completed single sign-on brought, if any."""
    if sociallogin is None:
        return None
    return site_language((sociallogin.state or {}).get(LANGUAGE_STATE_KEY))


def strip_forbidden_claims(data: Any, also: Iterable[str] = ()) -> Any:
    """A copy of `data` without claims we must never store (the national identity number),
    nor those in `also`."""
    forbidden = {*app_settings.SSO_FORBIDDEN_CLAIMS(), *also}
    return _without(data, forbidden)


def _without(data: Any, forbidden: set[str]) -> Any:
    if isinstance(data, dict):
        return {
            key: _without(value, forbidden) for key, value in data.items() if key not in forbidden
        }
    if isinstance(data, list):
        return [_without(item, forbidden) for item in data]
    return data
