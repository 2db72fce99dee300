"""The OpenID Connect provider used for ID-porten and Ansattporten: allauth's, with a nonce.

allauth's generic provider checks issuer and audience but sends no nonce; this one sends a
fresh nonce (and the minimum `acr_values`) in every authorization request, and strips the
national identity number (`pid`) from everything allauth keeps.
"""

from __future__ import annotations

import secrets
from typing import Any

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.http import HttpRequest

from .. import app_settings

NONCE_STATE_KEY = "lup_oidc_nonce"


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
