"""Reading calendars: whose feed a secret opens, and the gatherings a person's feed shows."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ..models import Cohort, Gathering, Participant
from ..progress.curriculum import module_columns
from .events import DueDate
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
        CalendarFeed.objects.select_related("user", "user__lup_profile")
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


def due_dates_for_feed(user: Any) -> list[DueDate]:
    """The due days of the curriculum's modules in the cohorts the person is on a team of
    now, from a year back (one query for the cohorts, one per curriculum)."""
    cohorts = (
        Cohort.objects.filter(
            pk__in=Participant.objects.current()
            .filter(user_id=user.pk)
            .values("enrolment__cohort_id"),
            programme__course__isnull=False,
        )
        .select_related("programme")
        .order_by("starts_on", "pk")
    )
    since = timezone.localdate() - FEED_HISTORY
    columns_by_course: dict[tuple[int | None, dt.date], Any] = {}
    due: list[DueDate] = []
    for cohort in cohorts:
        course_id = cohort.programme.course_id
        key = (course_id, cohort.starts_on)
        if key not in columns_by_course:
            columns_by_course[key] = module_columns(course_id, cohort.starts_on)
        due.extend(
            DueDate(cohort.pk, cohort.name, column.pk, column.title, column.due_on)
            for column in columns_by_course[key]
            if column.due_on is not None and column.due_on >= since
        )
    return due
