"""What waits for a facilitator: their open cohorts, each with the answers waiting for
review and the gatherings whose attendance nobody has recorded (one query)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from ..models import Attendance, Cohort, Gathering, Participant
from .grid import answers_waiting


def _counted(queryset: QuerySet[Any], group: str) -> Coalesce:
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def facilitated_cohorts(user: Any, now: dt.datetime) -> QuerySet[Cohort]:
    """The open cohorts `user` facilitates, latest start first, annotated with:

    - `answers_waiting`: answers in the programme's course waiting for review from anyone
      enrolled with a unit of the cohort (the queue on its progress grid);
    - `unrecorded_gatherings`: gatherings that have begun (by `now`) with no attendance
      recorded, and `first_unrecorded_gathering`, the id of the earliest of them.
    """
    if not user.is_authenticated:
        return Cohort.objects.none()
    enrolled = Participant.objects.filter(enrolment__cohort_id=OuterRef(OuterRef("pk")))
    waiting = answers_waiting(OuterRef("programme__course_id"), enrolled)
    unrecorded = Gathering.objects.filter(cohort_id=OuterRef("pk"), starts_at__lte=now).exclude(
        Exists(Attendance.objects.filter(gathering_id=OuterRef("pk")))
    )
    return (
        Cohort.objects.filter(facilitators=user, closed_at__isnull=True)
        .select_related("programme")
        .annotate(
            answers_waiting=_counted(waiting, "status"),
            unrecorded_gatherings=_counted(unrecorded, "cohort_id"),
            first_unrecorded_gathering=Subquery(
                unrecorded.order_by("starts_at", "pk").values("pk")[:1]
            ),
        )
        .order_by("-starts_on", "name")
    )
