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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet

from courses.api import Course

from . import app_settings
from .models import (
    Cohort,
    Organisation,
    OrganisationMembership,
    Participant,
    Programme,
    UnitEnrolment,
)

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


def organisations_of(person: Any) -> QuerySet[Organisation]:
    """The organisations a person belongs to: where they work (membership), whose units'
    teams they are or were on, and whose cohorts they facilitate."""
    return Organisation.objects.filter(
        Q(memberships__user_id=person.pk)
        | Q(units__enrolments__participants__user_id=person.pk)
        | Q(programmes__cohorts__facilitators=person.pk)
    ).distinct()


def runs_itself(organisation_id: int) -> bool:
    """Whether an organisation is a tenant: it has staff of its own (memberships), so only
    they enrol its units. An organisation without staff here (a small municipality whose
    units join another's cohorts as guests) can have its units enrolled by the host."""
    return OrganisationMembership.objects.filter(organisation_id=organisation_id).exists()


def belongs_elsewhere(person: Any, organisation_ids: Iterable[int]) -> bool:
    """Whether `person`'s account is another tenant's: they belong (membership, team,
    facilitation) to an organisation outside `organisation_ids`, or they are a superuser,
    or staff without a membership in one of `organisation_ids`.

    Such an account can never be attached, changed, merged or anonymised on behalf of
    those organisations: the wall between municipalities (issue: an administrator once
    added another municipality's administrator to a team, then anonymised them).
    """
    if person is None or person.pk is None:
        return False  # a new account, created for this organisation
    [ties] = tenancy_ties([person]).values()
    return ties.reach_beyond(set(organisation_ids))


@dataclass(frozen=True)
class TenancyTies:
    """What ties one account to organisations (see `belongs_elsewhere`)."""

    is_superuser: bool
    is_staff: bool
    organisations: frozenset[int]  # membership, teams, facilitation
    memberships: frozenset[int]  # where they work

    def reach_beyond(self, allowed: set[int]) -> bool:
        if self.is_superuser or self.organisations - allowed:
            return True
        return self.is_staff and not self.memberships & allowed


def tenancy_ties(people: Iterable[Any]) -> dict[int, TenancyTies]:
    """`TenancyTies` of many existing accounts at once, by primary key (three queries
    whatever their number, for imports)."""
    accounts = {person.pk: person for person in people if person.pk is not None}
    organisations: dict[int, set[int]] = {pk: set() for pk in accounts}
    memberships: dict[int, set[int]] = {pk: set() for pk in accounts}
    for user_id, organisation_id in OrganisationMembership.objects.filter(
        user_id__in=accounts
    ).values_list("user_id", "organisation_id"):
        organisations[user_id].add(organisation_id)
        memberships[user_id].add(organisation_id)
    for user_id, organisation_id in Participant.objects.filter(user_id__in=accounts).values_list(
        "user_id", "enrolment__unit__organisation_id"
    ):
        organisations[user_id].add(organisation_id)
    for user_id, organisation_id in Cohort.facilitators.through.objects.filter(
        user_id__in=accounts
    ).values_list("user_id", "cohort__programme__organisation_id"):
        organisations[user_id].add(organisation_id)
    return {
        pk: TenancyTies(
            is_superuser=bool(person.is_superuser),
            is_staff=bool(person.is_staff),
            organisations=frozenset(organisations[pk]),
            memberships=frozenset(memberships[pk]),
        )
        for pk, person in accounts.items()
    }


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


# Privacy: an organisation's retention periods and its records of processing activities
# are its administrators' (the permission from their role group, and a membership there).
RETENTION_PERMISSION = "lup.change_retentionperiod"
PROCESSING_RECORDS_PERMISSION = "lup.view_processing_records"


def may_set_retention(user: Any, organisation: Organisation) -> bool:
    """Whether the user may see and set the organisation's retention periods."""
    return bool(user.is_authenticated and oversees(user, organisation.pk, RETENTION_PERMISSION))


def may_view_processing_records(user: Any, organisation: Organisation) -> bool:
    """Whether the user may download the organisation's records of processing activities."""
    return bool(
        user.is_authenticated and oversees(user, organisation.pk, PROCESSING_RECORDS_PERMISSION)
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


# Closing a cohort settles every unit still in it: its organisation's administrators only.
CLOSE_COHORT_PERMISSION = "lup.change_cohort"


def can_close_cohort(user: Any, cohort: Cohort) -> bool:
    """Who may close a cohort (each unit still enrolled then has not completed, or moves to
    a later cohort): the programme administrators of the organisation that runs it; not
    its facilitators, not HR, not another organisation's administrators."""
    if not user.is_authenticated:
        return False
    return oversees(user, cohort.programme.organisation_id, CLOSE_COHORT_PERMISSION)


# The programme office (lup.office): creating and editing cohorts and their gatherings,
# assigning facilitators, moving a unit between running cohorts. The same people as closing.
PLAN_COHORTS_PERMISSION = CLOSE_COHORT_PERMISSION


def can_plan_cohorts(user: Any, programme: Any) -> bool:
    """Who runs a programme's cohorts in the office's pages (new and changed cohorts and
    gatherings, facilitators, moving units): the programme administrators of the
    organisation that runs it (superusers too); not facilitators (who see their cohorts),
    not HR, not another organisation's administrators."""
    if not user.is_authenticated:
        return False
    return oversees(user, programme.organisation_id, PLAN_COHORTS_PERMISSION)


# Teams: the unit's manager runs their team (invite, remove, replace, hand over); the
# administrators of the organisation that runs the programme may do the same for them.
MANAGE_TEAMS_PERMISSION = "lup.change_participant"


def can_manage_team(user: Any, enrolment: UnitEnrolment) -> bool:
    """Who may change a unit's team in a cohort: its current manager, and the programme
    administrators of the organisation running the programme; not the enthusiasts, the
    facilitators, HR or another organisation's administrators."""
    if not user.is_authenticated:
        return False
    if oversees(user, enrolment.cohort.programme.organisation_id, MANAGE_TEAMS_PERMISSION):
        return True
    return (
        Participant.objects.current()
        .filter(enrolment=enrolment, user_id=user.pk, role=Participant.Role.MANAGER)
        .exists()
    )


# The innovation barometer (lup.barometer): a unit's team answers on the unit's behalf;
# the administrators and HR of the organisation running the programme read the results
# (and the team's page), the administrators set the follow-up and the national figure.
def can_answer_barometer(user: Any, enrolment: UnitEnrolment) -> bool:
    """A current member of the unit's team (its manager or an enthusiast)."""
    return bool(
        user.is_authenticated
        and Participant.objects.current().filter(enrolment=enrolment, user_id=user.pk).exists()
    )


def can_read_barometer_results(user: Any, programme: Any) -> bool:
    """The administrators and HR of the organisation that runs the programme."""
    return bool(
        user.is_authenticated
        and oversees(user, programme.organisation_id, ORGANISATION_WIDE_PERMISSION)
    )


def can_see_team_barometer(user: Any, enrolment: UnitEnrolment) -> bool:
    """The team itself, and those who read the programme's results."""
    return can_answer_barometer(user, enrolment) or can_read_barometer_results(
        user, enrolment.cohort.programme
    )


# Announcements (lup.announcements): a cohort's facilitators write to their cohort and its
# teams; the programme office (the programme administrators of the organisation that runs
# it: the permission from their role group, and a membership there) writes to any cohort or
# team of the programme and to all its units.
ANNOUNCE_PERMISSION = "lup.add_announcement"


def can_announce(user: Any, programme: Any, cohort: Cohort | None = None) -> bool:
    """Who may write an announcement to a cohort of the programme or one of its teams
    (`cohort` given): the cohort's facilitators and the programme's office; to all units of
    the programme (`cohort` None): the office only. Never HR, the units' people, the
    facilitators of another cohort or another organisation's administrators. The caller
    makes sure that `cohort` is the programme's."""
    if not user.is_authenticated:
        return False
    if cohort is not None and facilitates(user, cohort):
        return True
    return oversees(user, programme.organisation_id, ANNOUNCE_PERMISSION)


# Intake: the programme office (those who may change its cohorts) opens calls and decides
# applications; anyone who works for the organisation may apply for a unit (the office checks
# that the sender leads it), and a sector's leaders may nominate its units.
RUN_INTAKE_PERMISSION = "lup.change_cohort"


def can_run_intake(user: Any, programme: Any) -> bool:
    """Who opens calls, sees applications and candidates, and decides: the programme
    administrators of the organisation that runs the programme; not facilitators, HR, the
    units or another organisation's administrators."""
    if not user.is_authenticated:
        return False
    return oversees(user, programme.organisation_id, RUN_INTAKE_PERMISSION)


# CSV imports in the office's pages (lup.office.imports_views): an organisation's units, a
# programme's participants (people, their units' enrolments and teams). Its programme
# administrators (the permissions from their role group, a membership there); superusers.
IMPORT_UNITS_PERMISSIONS = ("lup.add_serviceunit", "lup.change_serviceunit")
IMPORT_PARTICIPANTS_PERMISSIONS = ("lup.add_participant", "lup.add_unitenrolment")


def may_import_at_all(user: Any, permissions: tuple[str, ...]) -> bool:
    """Holds every one of the import's permissions (no query after the first `has_perm`);
    whose organisation it is asks `can_import_units` / `can_import_participants`."""
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or all(user.has_perm(p) for p in permissions))


def can_import_units(user: Any, organisation_id: int) -> bool:
    """Who may import an organisation's service units from CSV: its programme administrators;
    not HR, facilitators, the units' people or another organisation's administrators."""
    if not may_import_at_all(user, IMPORT_UNITS_PERMISSIONS):
        return False
    return bool(user.is_superuser or works_for(user, organisation_id))


def can_import_participants(user: Any, programme: Any) -> bool:
    """Who may import a programme's participants from CSV: the programme administrators of
    the organisation that runs it (as `can_plan_cohorts`)."""
    if not may_import_at_all(user, IMPORT_PARTICIPANTS_PERMISSIONS):
        return False
    return bool(user.is_superuser or works_for(user, programme.organisation_id))


def is_of_organisation(user: Any, organisation_id: int) -> bool:
    """Whether the person works for the organisation: a membership, or a place on a team of
    one of its units (a unit's manager or enthusiast, who has no role of their own)."""
    return works_for(user, organisation_id) or (
        Participant.objects.current()
        .filter(user_id=user.pk, enrolment__unit__organisation_id=organisation_id)
        .exists()
    )


def may_apply(user: Any, programme: Any) -> bool:
    """Who may apply to (or nominate for) the programme's calls: people of the organisation
    that runs it."""
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or is_of_organisation(user, programme.organisation_id))


def sent_or_named_in(user: Any, application: Any) -> bool:
    """The application's sender, or the manager it names (they may follow and withdraw it)."""
    if not user.is_authenticated:
        return False
    if application.applied_by_id == user.pk:
        return True
    return bool(user.email) and application.manager_email.lower() == user.email.lower()


# Completion checks: administrators of the programme's organisation start them and read
# them (HR reads nothing here: the check is the administrators' tool).
CHECK_COMPLETIONS_PERMISSION = "lup.add_completioncheck"


def can_check_completions(user: Any, programme: Any) -> bool:
    """Who may see a programme's completion checks and start one: the programme
    administrators of the organisation that runs it (superusers too); not HR, not
    facilitators, not another organisation's administrators."""
    if not user.is_authenticated:
        return False
    return oversees(user, programme.organisation_id, CHECK_COMPLETIONS_PERMISSION)


# The programme's settings (target, deadline, population, completion rule), its
# organisation's API tokens and the certificate templates: the programme administrators of
# the organisation that runs it, on their own pages (lup.setup); not HR, not facilitators,
# not another organisation's administrators.
CHANGE_PROGRAMME_PERMISSION = "lup.change_programme"
API_TOKEN_PERMISSION = "lup.add_apitoken"  # noqa: S105 (a permission, not a secret)
REVOKE_API_TOKEN_PERMISSION = "lup.change_apitoken"  # noqa: S105 (a permission)
CERTIFICATE_TEMPLATE_PERMISSION = "certificates.change_certificatetemplate"


def can_change_programme(user: Any, programme: Any) -> bool:
    """Who may change a programme's target, deadline, population and completion rule."""
    if not user.is_authenticated:
        return False
    return oversees(user, programme.organisation_id, CHANGE_PROGRAMME_PERMISSION)


def can_manage_api_tokens(user: Any, organisation_id: int) -> bool:
    """Who may list, create and revoke an organisation's API tokens: its administrators."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return (
        user.has_perm(API_TOKEN_PERMISSION)
        and user.has_perm(REVOKE_API_TOKEN_PERMISSION)
        and works_for(user, organisation_id)
    )


def can_preview_certificate_templates(user: Any, programme: Any) -> bool:
    """Who may read and preview the templates a programme's certificates are issued from:
    the administrators of the organisation that runs it who may edit templates."""
    if not user.is_authenticated:
        return False
    return oversees(user, programme.organisation_id, CERTIFICATE_TEMPLATE_PERMISSION)


def can_edit_certificate_templates(user: Any, programme: Any) -> bool:
    """Who may change them. The templates are the installation's (every programme issues
    from the same keys), so an organisation's administrators change them only while no
    other organisation runs a programme here; otherwise only a superuser does."""
    if not can_preview_certificate_templates(user, programme):
        return False
    if user.is_superuser:
        return True
    return not Programme.objects.exclude(organisation_id=programme.organisation_id).exists()


# The curriculum: a course is edited on its authoring pages (courses.authoring_views) by the
# programme administrators of the organisation that owns it (`CourseOwnership`); the other
# organisations whose programmes share it use it as it is.
EDIT_CURRICULUM_PERMISSION = "courses.change_course"


def can_edit_course(user: Any, course: Any) -> bool:
    """Who may edit a course's modules, activities, assignments and rubrics: superusers,
    and those with the permission to change courses (programme administrators) who work
    for the organisation that owns it; not facilitators, HR, learners, nor another
    organisation's administrators, even when their programme uses the course. A course
    without an owner is edited by superusers only, until one is set."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or editable_course_slug(user, course.pk) is not None


def editable_course_slug(user: Any, course_id: int | None) -> str | None:
    """The slug of the course with this id when `user` may edit it (`can_edit_course`),
    else None: one query at most, for a link to the editor."""
    if course_id is None or not user.is_authenticated:
        return None
    if not user.has_perm(EDIT_CURRICULUM_PERMISSION):
        return None  # superusers have every permission
    courses = Course.objects.filter(pk=course_id)
    if not user.is_superuser:
        # Owned by an organisation the person works for (a course without an owner: none).
        courses = courses.filter(lup_ownership__organisation__memberships__user_id=user.pk)
    return courses.values_list("slug", flat=True).first()


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


# Who revokes issued certificates today (the admin, the API): administrators, by their group.
REVOKE_CERTIFICATE_PERMISSION = "certificates.revoke_certificate"


def may_revoke_certificates(user: Any) -> bool:
    """Holds the permission to revoke certificates (administrators, superusers): who may
    open the pages where certificates are decided at all."""
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.has_perm(REVOKE_CERTIFICATE_PERMISSION))
    )


def can_decide_certificate_review(user: Any, organisation_id: int) -> bool:
    """Who decides whether a certificate stays after its completion was withdrawn: those
    who may revoke certificates (`REVOKE_CERTIFICATE_PERMISSION`) and work for the
    organisation whose programme it is; not facilitators, not HR, not another
    organisation's administrators."""
    if not user.is_authenticated:
        return False
    return oversees(user, organisation_id, REVOKE_CERTIFICATE_PERMISSION)


# People and roles (lup.office.people_*): an organisation's programme administrators add
# people to its programme office and give or take the programme roles (the role groups of
# `lup.roles`), in the product's pages rather than the admin. Superusers too.
MANAGE_PEOPLE_PERMISSION = "lup.change_organisationmembership"


def can_manage_people(user: Any, organisation_id: int) -> bool:
    """Who may list an organisation's office people, add them and change or remove their
    roles: its programme administrators (the permission from their role group, and a
    membership there) and superusers; not HR, facilitators, the units' people or another
    organisation's administrators."""
    if not user.is_authenticated:
        return False
    return oversees(user, organisation_id, MANAGE_PEOPLE_PERMISSION)


# Accounts ----------------------------------------------------------------------------------


def requires_multi_factor(user: Any) -> bool:
    """Who must use two-factor authentication, decided from role data (groups), not from
    views: superusers and members of the MFA groups (administrators and HR by default)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(user.groups.filter(name__in=app_settings.MFA_REQUIRED_GROUPS()).exists())


ORGANISATION_DETAILS_PERMISSION = "lup.change_organisation"


def may_change_organisation_details(user: Any, organisation: Organisation) -> bool:
    """Whether the user may change what the organisation says of itself as data controller
    (its programme administrators; HR only reads)."""
    return bool(
        user.is_authenticated and oversees(user, organisation.pk, ORGANISATION_DETAILS_PERMISSION)
    )
