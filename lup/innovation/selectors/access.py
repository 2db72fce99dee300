"""Who may do what in the project workspace, as querysets: start a project for an enrolment,
join its team, edit it, and read a programme's benefit roll-up."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from ... import permissions, scoping
from ...models import Cohort, Participant, Programme, UnitEnrolment
from ..models import Benefit, InnovationProject

# Who may start a project for an enrolment: the same people who may edit its project once it
# exists (see scoping.editable_projects_for): the team, its facilitators, its administrators.


def startable_enrolments_for(user: Any) -> QuerySet[UnitEnrolment]:
    """Enrolments whose project the user may start (mirrors editable_projects_for)."""
    enrolments = UnitEnrolment.objects.select_related(
        "unit", "cohort__programme__organisation"
    ).exclude(status=UnitEnrolment.Status.WITHDRAWN)
    if not user.is_authenticated:
        return enrolments.none()
    if user.is_superuser:
        return enrolments
    scope = Q(pk__in=scoping._team_enrolments(user)) | Q(
        pk__in=scoping._facilitated_enrolments(user)
    )
    if user.has_perm("lup.change_innovationproject"):
        scope |= Q(cohort__programme__organisation__in=permissions.member_organisations(user))
    return enrolments.filter(scope)


def team_of(enrolment: UnitEnrolment) -> QuerySet[Participant]:
    """The people who may be on the project team: the unit's team in the cohort."""
    return (
        Participant.objects.current()
        .filter(enrolment=enrolment)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name")
    )


def benefit_programmes_for(user: Any) -> QuerySet[Programme]:
    """Programmes whose benefit roll-up the user may read: those whose dashboard they see
    (administrators, HR) and those they facilitate a cohort of."""
    programmes = Programme.objects.select_related("organisation")
    if not user.is_authenticated:
        return programmes.none()
    if user.is_superuser:
        return programmes
    facilitated = Cohort.facilitators.through.objects.filter(
        cohort__programme_id=OuterRef("pk"), user_id=user.pk
    )
    return programmes.filter(
        Q(pk__in=scoping.programmes_for(user).values("pk")) | Q(Exists(facilitated))
    )


def editable_own_projects_for(user: Any) -> QuerySet[InnovationProject]:
    """Projects the user may edit (`scoping.editable_projects_for`), without the imported
    ones: those have no team to edit them and are reference material only."""
    return scoping.editable_projects_for(user).filter(enrolment__isnull=False)


def may_edit_project(user: Any, project: InnovationProject) -> bool:
    """Whether the user may edit this project (see `editable_own_projects_for`)."""
    return project.enrolment_id is not None and permissions.in_scope(
        scoping.editable_projects_for(user), project
    )


def updatable_benefits_for(user: Any) -> QuerySet[Benefit]:
    """Benefits whose update at the end of a phase the user may record: those of projects
    the user may edit, and those the user is the named owner of (who may be outside the
    team), never of an imported project."""
    if not user.is_authenticated:
        return Benefit.objects.none()
    return Benefit.objects.filter(
        Q(project__in=editable_own_projects_for(user).values("pk"))
        | Q(owner_person_id=user.pk, project__enrolment__isnull=False)
    )
