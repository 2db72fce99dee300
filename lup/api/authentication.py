"""Authenticating API calls with a token: `Authorization: Bearer <secret>` (or `Token`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from .tokens import TokenRejected, token_for_secret

KEYWORDS = ("bearer", "token")


def _presented_secret(request: Request) -> str | None:
    header = authentication.get_authorization_header(request).decode("latin-1").split()
    if not header or header[0].lower() not in KEYWORDS:
        return None
    if len(header) != 2:
        raise exceptions.AuthenticationFailed(
            _("Invalid Authorization header: give the token after the keyword, without spaces.")
        )
    return header[1]


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A system's API token. The request acts as the token's service account, and
    `request.auth` is the `ApiToken` (its scope is checked by `permissions.TokenScope`).

    A revoked, expired or unknown token answers 401 with a message saying which.
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        secret = _presented_secret(request)
        if secret is None:
            return None  # no token: the session may authenticate instead
        try:
            token = token_for_secret(secret)
        except TokenRejected as rejected:
            raise exceptions.AuthenticationFailed(str(rejected)) from rejected
        return token.user, token

    def authenticate_header(self, request: Request) -> str | None:
        # A caller who presented a token is told how to authenticate (401). A caller with
        # neither a token nor a session keeps DRF's session answer, 403 as before.
        if authentication.get_authorization_header(request):
            return 'Bearer realm="api"'
        return None


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes token authentication in the OpenAPI schema."""

    target_class = "lup.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API token created by an administrator: `Authorization: Bearer <secret>` "
                "(or `Token <secret>`)."
            ),
        }
