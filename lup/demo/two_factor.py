"""The demo logins' authenticator, through django-allauth's MFA internals.

Imported only where `allauth.mfa` is installed (its models need the app), so `lup.demo`
itself stays importable in a host without it.
"""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value


def activate_authenticator(user: Any, secret: str) -> None:
    """Give `user` an authenticator app on `secret`, and recovery codes (once each)."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)


def current_code(secret: str) -> str:
    """The code an authenticator app on `secret` would show now."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))
