"""Tells `courses` who learns together in LUP: a unit's team in its cohort.

Configured with COURSES_ADAPTER = "lup.courses_adapter.LupCoursesAdapter".
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from courses.api import Course, DefaultCoursesAdapter

from . import permissions, scoping
from .models import Participant, UnitEnrolment

TEAM_PREFIX = "enrolment-"


def enrolment_of(user: Any, course_id: int) -> UnitEnrolment | None:
    """The learner's current unit enrolment in a programme that uses this course."""
    participant = (
        Participant.objects.current()
        .filter(user=user, enrolment__cohort__programme__course_id=course_id)
        .exclude(enrolment__status=UnitEnrolment.Status.WITHDRAWN)
        .select_related("enrolment")
        .order_by("-enrolment__cohort__starts_on")
        .first()
    )
    return participant.enrolment if participant else None


def enrolment_of_submission(submission: Any) -> UnitEnrolment | None:
    if submission.group_key.startswith(TEAM_PREFIX):
        pk = submission.group_key.removeprefix(TEAM_PREFIX)
        return UnitEnrolment.objects.filter(pk=pk).first() if pk.isdigit() else None
    return enrolment_of(submission.submitted_by, submission.assignment.activity.module.course_id)


class LupCoursesAdapter(DefaultCoursesAdapter):
    def team_for(self, user: Any, assignment: Any) -> tuple[str, list[Any]]:
        if not assignment.team:
            return super().team_for(user, assignment)
        enrolment = enrolment_of(user, assignment.activity.module.course_id)
        if enrolment is None:
            return super().team_for(user, assignment)
        members = [
            participant.user
            for participant in Participant.objects.current()
            .filter(enrolment=enrolment)
            .select_related("user")
        ]
        return f"{TEAM_PREFIX}{enrolment.pk}", members

    def can_review(self, reviewer: Any, submission: Any) -> bool:
        """See `lup.permissions.can_review_team_work`."""
        return permissions.can_review_team_work(
            reviewer, enrolment_of_submission(submission), scoping.enrolments_for(reviewer)
        )

    def visible_learners(self, user: Any) -> Any:
        """The people in the staff member's scope (lup.scoping)."""
        return None if user.is_superuser else scoping.people_for(user)

    def visible_courses(self, user: Any) -> Any:
        """Courses of programmes in the person's organisations or cohorts, and unused ones."""
        if user.is_superuser:
            return None
        return Course.objects.filter(
            Q(programmes__in=scoping.programmes_for(user))
            | Q(programmes__cohorts__facilitators=user)
            | Q(programmes__isnull=True)
        ).distinct()
