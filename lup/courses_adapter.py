"""Tells `courses` who learns together in LUP (a unit's team in its cohort), and who may
change a course that several organisations' programmes share (its owner organisation).

Configured with COURSES_ADAPTER = "lup.courses_adapter.LupCoursesAdapter".
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from courses.api import Course, DefaultCoursesAdapter, H5PPackage, ReviewQueue

from . import permissions, progress, scoping
from .models import (
    CourseOwnership,
    Organisation,
    OrganisationMembership,
    Participant,
    Programme,
    UnitEnrolment,
)

TEAM_PREFIX = "enrolment-"


def enrolment_of(user: Any, course_id: int) -> UnitEnrolment | None:
    """The learner's current unit enrolment in a programme that uses this course."""
    participant = (
        Participant.objects.current()
        .filter(user=user, enrolment__cohort__programme__course_id=course_id)
        .exclude(enrolment__status=UnitEnrolment.Status.WITHDRAWN)
        .select_related("enrolment__unit", "enrolment__cohort")
        .order_by("-enrolment__cohort__starts_on")
        .first()
    )
    return participant.enrolment if participant else None


def enrolment_of_submission(submission: Any) -> UnitEnrolment | None:
    if submission.group_key.startswith(TEAM_PREFIX):
        pk = submission.group_key.removeprefix(TEAM_PREFIX)
        enrolments = UnitEnrolment.objects.select_related("unit", "cohort")
        return enrolments.filter(pk=pk).first() if pk.isdigit() else None
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

    def submitted_for(self, submission: Any) -> str:
        """The unit and cohort the answer is from: "Bekkestua barnehage, LUP høst 2026"."""
        enrolment = enrolment_of_submission(submission)
        if enrolment is None:
            return ""
        return f"{enrolment.unit.name}, {enrolment.cohort.name}"

    def review_queue(self, reviewer: Any, submission: Any) -> ReviewQueue | None:
        """The cohort's queue on its progress grid (`lup.progress.grid`): answers waiting
        in the course from anyone enrolled with a unit of that cohort, oldest first."""
        enrolment = enrolment_of_submission(submission)
        if enrolment is None:
            return None
        course_id = submission.assignment.activity.module.course_id
        people = Participant.objects.filter(
            enrolment__cohort_id=enrolment.cohort_id,
            enrolment__in=scoping.enrolments_for(reviewer).values("pk"),
        )
        waiting = list(progress.answers_waiting(course_id, people))
        url = reverse("lup:cohort-grid", args=[enrolment.cohort_id]) + "#review-heading"
        return ReviewQueue(url=url, waiting=waiting)

    def visible_learners(self, user: Any) -> Any:
        """The people in the staff member's scope (lup.scoping)."""
        return None if user.is_superuser else scoping.people_for(user)

    def visible_courses(self, user: Any) -> Any:
        """Courses of programmes in the person's organisations or cohorts, the courses their
        organisations own, and unused ones."""
        if user.is_superuser:
            return None
        return Course.objects.filter(
            Q(programmes__in=scoping.programmes_for(user))
            | Q(programmes__cohorts__facilitators=user)
            | Q(lup_ownership__organisation__in=permissions.member_organisations(user))
            | Q(programmes__isnull=True)
        ).distinct()

    def editable_courses(self, user: Any) -> Any:
        """Courses the person may change: those an organisation they author for owns.

        They author for the organisations they work for, and (facilitators) for those whose
        cohorts they run. A course without an owner (made outside the admin) is editable
        while no programme of another organisation uses it: an unused one by anyone, so
        whoever builds it can, one used only by their organisations' programmes by them. A
        shared course without an owner is changed by superusers only, until one is set.
        """
        if user.is_superuser:
            return None
        if not user.is_authenticated:
            return Course.objects.none()
        organisations = _authoring_organisations(user)
        used_elsewhere = Programme.objects.filter(course_id=OuterRef("pk")).exclude(
            organisation__in=organisations
        )
        return Course.objects.filter(
            Q(lup_ownership__organisation__in=organisations)
            | Q(lup_ownership__isnull=True) & ~Exists(used_elsewhere)
        )

    def can_edit_course(self, user: Any, course: Any) -> bool:
        """The curriculum editor: see `lup.permissions.can_edit_course` (the owner
        organisation's programme administrators)."""
        return permissions.can_edit_course(user, course)

    def h5p_packages_for(self, user: Any, course: Any) -> Any:
        """The packages an editor may show in the course: those uploaded by someone who
        works for the organisation owning it, those installed by the site itself (no
        uploader: the demo, the command line), and those the course shows already; not
        another organisation's uploads."""
        if user.is_superuser:
            return None
        owner = CourseOwnership.objects.filter(course_id=course.pk).values("organisation_id")
        colleagues = OrganisationMembership.objects.filter(organisation_id__in=owner)
        return H5PPackage.objects.filter(
            Q(uploaded_by__isnull=True)
            | Q(uploaded_by__in=colleagues.values("user_id"))
            | Q(
                pk__in=Course.objects.filter(pk=course.pk).values(
                    "modules__activities__h5p_package"
                )
            )
        )

    def course_created(self, user: Any, course: Any) -> None:
        """The creator's organisation owns a new course when they work for exactly one; with
        none or several (superusers, say) it stays without an owner (see editable_courses)."""
        organisation_ids = list(
            permissions.member_organisations(user).values_list("organisation_id", flat=True)[:2]
        )
        if len(organisation_ids) == 1:
            CourseOwnership.objects.get_or_create(
                course=course, defaults={"organisation_id": organisation_ids[0]}
            )


def _authoring_organisations(user: Any) -> Any:
    """The ids of the organisations whose courses `user` may change (for `__in=`): those
    they work for, and those whose cohorts they facilitate."""
    return (
        Organisation.objects.filter(
            Q(pk__in=permissions.member_organisations(user))
            | Q(programmes__cohorts__facilitators=user)
        )
        .values("pk")
        .distinct()
    )
