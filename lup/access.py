"""Whether a person has set up two-factor authentication (who must: `lup.permissions`)."""

from __future__ import annotations

from typing import Any


def has_multi_factor(user: Any) -> bool:
    """Whether the user has an authenticator app (TOTP) set up with django-allauth."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
