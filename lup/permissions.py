"""May this person do this? The programme's permission predicates, in one place.

HTML views, the admin, the API, exports, the features and the adapters that answer
`courses` and `certificates` ask these; what a person may *see* is a queryset in
`lup.scoping` (which builds on `member_organisations` and `sees_organisation_wide` here).
Roles are data: Django permissions from the role groups, an `OrganisationMembership` for
the organisations a person works for, and a cohort's facilitators. Superusers may do
everything.

This module is core: it imports no feature (innovation, reporting, certification).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Model, QuerySet

from . import app_settings
from .models import Cohort, OrganisationMembership, Participant, UnitEnrolment

# Administrators and HR see every enrolment of their organisations.
ORGANISATION_WIDE_PERMISSION = "lup.view_unitenrolment"
# Administrators (not HR) record attendance and run gatherings.
ATTENDANCE_PERMISSIONS = ("lup.add_attendance", "lup.change_gathering")
# Reviewers of submitted course work (administrators), within their scope.
REVIEW_PERMISSION = "courses.change_submission"


# Organisation membership -----------------------------------------------------------------


def member_organisations(user: Any) -> QuerySet[Any, Any]:
    """The ids of the organisations the user works for (for `organisation__in=`)."""
    return OrganisationMembership.objects.filter(user_id=user.pk).values("organisation_id")


def works_for(user: Any, organisation_id: int) -> bool:
    """Whether the user has an `OrganisationMembership` in the organisation."""
    return OrganisationMembership.objects.filter(
        user_id=user.pk, organisation_id=organisation_id
    ).exists()


def sees_organisation_wide(user: Any) -> bool:
    """Administrators and HR: they see their organisations' enrolments and people."""
    return bool(user.is_authenticated and user.has_perm(ORGANISATION_WIDE_PERMISSION))


def oversees(user: Any, organisation_id: int, *permissions: str) -> bool:
    """Holds one of the permissions and works for the organisation (superusers: always)."""
    if user.is_superuser:
        return True
    return any(user.has_perm(permission) for permission in permissions) and works_for(
        user, organisation_id
    )


# Cohorts ---------------------------------------------------------------------------------


def facilitates(user: Any, cohort: Cohort) -> bool:
    """The user is one of the cohort's facilitators."""
    facilitators = Cohort.facilitators.through.objects
    return bool(
        user.is_authenticated and facilitators.filter(cohort_id=cohort.pk, user_id=user.pk).exists()
    )


def can_follow_cohort(user: Any, cohort: Cohort) -> bool:
    """Facilitators of the cohort, and administrators and HR of its organisation."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return facilitates(user, cohort) or oversees(
        user, cohort.programme.organisation_id, ORGANISATION_WIDE_PERMISSION
    )


def can_record_attendance(user: Any, cohort: Cohort) -> bool:
    """Facilitators of the cohort, and administrators of its organisation (not HR)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return facilitates(user, cohort) or oversees(
        user, cohort.programme.organisation_id, *ATTENDANCE_PERMISSIONS
    )


def can_issue_for_cohort(user: Any, cohort: Cohort) -> bool:
    """Who may bulk-issue a cohort's certificates: those who run it (its facilitators and
    its organisation's administrators), as for attendance; not HR."""
    return can_record_attendance(user, cohort)


# Objects in a scope ------------------------------------------------------------------------


def in_scope(queryset: QuerySet[Any], obj: Model) -> bool:
    """Whether the object is in the scope (a queryset from `lup.scoping`)."""
    return queryset.filter(pk=obj.pk).exists()


# Team work and certificates (asked by the courses and certificates adapters) --------------


def can_review_team_work(
    reviewer: Any, enrolment: UnitEnrolment | None, enrolments_in_scope: QuerySet[UnitEnrolment]
) -> bool:
    """Who may approve or reject a submission: the facilitators of the team's cohort, and
    reviewers (`REVIEW_PERMISSION`) whose scope (`lup.scoping.enrolments_for`) holds the
    team. `enrolment` is the submitting team's; None when it is no team in LUP."""
    if not reviewer.is_authenticated:
        return False
    if reviewer.is_superuser:
        return True
    if enrolment is None:
        return False
    if facilitates(reviewer, enrolment.cohort):
        return True
    return reviewer.has_perm(REVIEW_PERMISSION) and in_scope(enrolments_in_scope, enrolment)


def can_view_certificate(
    user: Any,
    *,
    recipient_id: int | None,
    participant: uuid.UUID | None,
    enrolment: uuid.UUID | None,
    participants_in_scope: QuerySet[Participant],
    enrolments_in_scope: QuerySet[UnitEnrolment],
) -> bool:
    """Who may download a LUP certificate: its recipient, superusers, and whoever sees
    what it certifies: the participant or the unit enrolment (public ids, from the source
    key; neither for another source's certificate), looked up in the user's scopes from
    `lup.scoping`. A unit's current team also sees the unit's certificate: the achievement
    is the team's, though the certificate goes to the manager."""
    if not user.is_authenticated:
        return False
    if recipient_id is not None and recipient_id == user.pk:
        return True
    if user.is_superuser:
        return True
    if participant is not None:
        return participants_in_scope.filter(public_id=participant).exists()
    if enrolment is not None:
        return (
            enrolments_in_scope.filter(public_id=enrolment).exists()
            or Participant.objects.current()
            .filter(user_id=user.pk, enrolment__public_id=enrolment)
            .exists()
        )
    return False


# Accounts ----------------------------------------------------------------------------------


def requires_multi_factor(user: Any) -> bool:
    """Who must use two-factor authentication, decided from role data (groups), not from
    views: superusers and members of the MFA groups (administrators and HR by default)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(user.groups.filter(name__in=app_settings.MFA_REQUIRED_GROUPS()).exists())
