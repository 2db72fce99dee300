"""Two-factor facts about a person and a session (who must use it: `lup.permissions`).

django-allauth records in the session how it was authenticated (password, social login,
two-factor code, each with a timestamp); a role that requires two-factor authentication
requires that *this session* used a code, not only that the person has an authenticator.

allauth is optional for a host project that installs lup (tests/test_plugin_host.py), so it
is imported where it is used. Its internal login flow is the only place allauth exposes the
session records' writer; the pinned version (uv.lock) and tests/lup/test_two_factor_doors.py
keep that honest across upgrades.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

MULTI_FACTOR_METHOD = "mfa"


def has_multi_factor(user: Any) -> bool:
    """Whether the user has an authenticator app (TOTP) set up with django-allauth."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_used_multi_factor(request: HttpRequest) -> bool:
    """Whether this session was authenticated with a two-factor code (at sign-in, by
    re-authenticating with a code, or by proving a newly activated authenticator)."""
    from allauth.account.authentication import get_authentication_records

    records = get_authentication_records(request, getattr(request, "user", None))
    return any(record.get("method") == MULTI_FACTOR_METHOD for record in records)


def record_multi_factor_proof(request: HttpRequest, user: Any, **details: Any) -> None:
    """Note in the session that the person just proved a second factor (allauth does so
    itself at sign-in and re-authentication; this covers activating an authenticator,
    which requires a valid code too)."""
    from allauth.account.internal.flows.login import record_authentication

    record_authentication(request, user, MULTI_FACTOR_METHOD, **details)
