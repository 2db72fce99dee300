"""Checks of a sign-in response before anyone is signed in: nonce and assurance level for
OpenID Connect, the employer for Ansattporten, the tenant for Entra ID."""

from __future__ import annotations

import re
import secrets
from typing import Any

import jwt
from allauth.socialaccount.models import SocialLogin
from django.conf import settings as django_settings
from django.utils.translation import gettext as _

from ..checks import entra_tenant_is_multi_tenant
from ..scoping import organisations_of
from .providers import NONCE_STATE_KEY

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# Norwegian organisation numbers in Ansattporten's reportee IDs: ISO 6523 code 0192.
_ORGANISATION_NUMBER_ID = re.compile(r"^0192:(\d{9})$")
DEFAULT_ACR_ORDER = [
    "idporten-loa-low",
    "Level3",
    "idporten-loa-substantial",
    "Level4",
    "idporten-loa-high",
]


class SsoRejected(Exception):
    """A sign-in response that must not create a session; `message` is shown to the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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


def _organisation_numbers_in(details: Any) -> set[str]:
    """Every organisation number in Ansattporten's `authorization_details`: reportees'
    `ID` ("0192:<number>") and `orgno` entries, however they are nested."""
    found: set[str] = set()
    if isinstance(details, dict):
        for key, value in details.items():
            if key == "ID" and isinstance(value, str):
                match = _ORGANISATION_NUMBER_ID.match(value)
                if match:
                    found.add(match.group(1))
            elif key == "orgno" and isinstance(value, str) and value.isdigit():
                found.add(value)
            else:
                found |= _organisation_numbers_in(value)
    elif isinstance(details, list):
        for item in details:
            found |= _organisation_numbers_in(item)
    return found


def check_employer(sociallogin: SocialLogin, person: Any) -> None:
    """For an Ansattporten app (setting `check_employer`), raise SsoRejected unless the
    person may act for one of their own organisations, by its organisation number, in the
    token's `authorization_details`. Organisations without a number are not checked."""
    app = sociallogin.provider.app
    if not app or not (app.settings or {}).get("check_employer"):
        return
    required = {
        number
        for number in organisations_of(person).values_list("organisation_number", flat=True)
        if number
    }
    if not required:
        return
    id_token = (sociallogin.account.extra_data or {}).get("id_token") or {}
    if not required & _organisation_numbers_in(id_token.get("authorization_details")):
        raise SsoRejected(
            _(
                "Your sign-in does not show that you work for the municipality that runs "
                "this programme. Sign in with Ansattporten on behalf of your employer."
            )
        )
