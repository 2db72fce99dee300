"""System checks for the `courses` app's configuration."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def check_learner_pseudonym_key(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Outside DEBUG, learners' xAPI pseudonyms need their own secret key."""
    if settings.DEBUG or getattr(settings, "COURSES_LEARNER_PSEUDONYM_KEY", None):
        return []
    return [
        checks.Error(
            "COURSES_LEARNER_PSEUDONYM_KEY is not set: production (DEBUG off) needs a secret "
            "key of its own for learners' xAPI pseudonyms (never SECRET_KEY or a default).",
            id="courses.E001",
        )
    ]
