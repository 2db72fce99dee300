"""Who must use two-factor authentication, decided from role data (groups), not from views."""

from __future__ import annotations

from typing import Any

from . import app_settings


def requires_multi_factor(user: Any) -> bool:
    """Superusers and members of the MFA groups (administrators and HR by default)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(user.groups.filter(name__in=app_settings.MFA_REQUIRED_GROUPS()).exists())


def has_multi_factor(user: Any) -> bool:
    """Whether the user has an authenticator app (TOTP) set up with django-allauth."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
