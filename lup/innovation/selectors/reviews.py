"""Projects waiting for a facilitator's review, per cohort (for the facilitator's home)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from ..models import InnovationProject


def with_projects_waiting(cohorts: QuerySet[Any]) -> QuerySet[Any]:
    """`cohorts` annotated with `projects_waiting` (their units' projects submitted for
    review) and `first_project_waiting` (the id of the one submitted longest ago), in the
    same query."""
    waiting = InnovationProject.objects.filter(
        enrolment__cohort_id=OuterRef("pk"),
        review_status=InnovationProject.Review.SUBMITTED,
    )
    counted = waiting.order_by().values("enrolment__cohort_id").annotate(n=Count("pk")).values("n")
    return cohorts.annotate(
        projects_waiting=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)),
        first_project_waiting=Subquery(waiting.order_by("updated_at", "pk").values("pk")[:1]),
    )
