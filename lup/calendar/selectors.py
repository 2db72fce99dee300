"""Reading calendars: whose feed a secret opens, and the gatherings a person's feed shows."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ..models import Cohort, Gathering, Participant
from .models import CalendarFeed

# How far back a feed goes: calendars keep what they already hold, so old gatherings need
# not be sent again on every refresh.
FEED_HISTORY = dt.timedelta(days=365)


def secret_hash(secret: str) -> str:
    """The SHA-256 a feed's secret is stored as."""
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_for_secret(secret: str) -> CalendarFeed | None:
    """The feed the secret opens, with its person (one query), or None: unknown, revoked,
    malformed or a deactivated person's."""
    if not secret or len(secret) > 128 or not secret.replace("-", "").replace("_", "").isalnum():
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(secret_hash=secret_hash(secret), user__is_active=True)
        .first()
    )


def feed_of(user: Any) -> CalendarFeed | None:
    """The person's feed, if they have made one."""
    return CalendarFeed.objects.filter(user_id=user.pk).first()


def gatherings_for_feed(user: Any) -> QuerySet[Gathering]:
    """The gatherings of the cohorts the person takes part in (on a team now) or
    facilitates, from a year back, in time order (one query)."""
    in_cohort = Q(
        Exists(
            Participant.objects.current().filter(
                enrolment__cohort_id=OuterRef("cohort_id"), user_id=user.pk
            )
        )
    ) | Q(
        Exists(
            Cohort.facilitators.through.objects.filter(
                cohort_id=OuterRef("cohort_id"), user_id=user.pk
            )
        )
    )
    return (
        Gathering.objects.filter(in_cohort, starts_at__gte=timezone.now() - FEED_HISTORY)
        .select_related("cohort__programme__organisation")
        .order_by("starts_at", "pk")
    )
