"""Who may see what: one queryset per model family, filtered by the requesting user's scope.

HTML views, exports and the API all start from these. An object outside the scope is
simply not in the queryset, so a view that looks it up answers 404 and leaks nothing.

Roles are data:
- superuser: everything;
- programme administrator and HR: groups give the permissions, and an
  `OrganisationMembership` gives the organisations whose programmes they see;
- facilitator: the cohorts listing them as facilitators;
- unit manager: their own unit's team, in the enrolments where they are manager;
- participant: their own participation.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower

from .models import (
    AuditEvent,
    CertificateReview,
    Cohort,
    Organisation,
    OrganisationMembership,
    Participant,
    Programme,
    ServiceUnit,
    UnitEnrolment,
)
from .permissions import (
    RETENTION_PERMISSION,
    REVOKE_CERTIFICATE_PERMISSION,
    member_organisations,
    organisations_of,
    sees_organisation_wide,
)

__all__ = [
    "attachable_people",
    "audit_events_for",
    "certificate_reviews_for",
    "cohorts_for",
    "editable_projects_for",
    "enrolments_for",
    "organisations_of",  # from lup.permissions, where the wall between tenants uses it
    "participants_for",
    "people_for",
    "programmes_for",
    "projects_for",
    "publishable_projects_for",
    "reviewable_projects_for",
    "units_for",
]


class InSet(Func):
    """`column IN (subquery)` for a small subquery that does not depend on the row: the ids
    of one person's cohorts, teams or organisations.

    PostgreSQL gets it as `column = ANY(ARRAY(subquery))`: the subquery runs once, first
    (an InitPlan), and the condition is then an index condition, so several of them joined
    by OR become a bitmap OR of index scans. Written as `IN (subquery)` beside another
    condition in an OR, it is a filter applied to every row of the table instead: the
    scopes below read every enrolment and participant in the country to find one
    municipality's (measured at 356 municipalities: README, "Performance at national
    scale"). Other databases get the plain `IN`.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, subquery: QuerySet[Any, Any]) -> None:
        # Without its ordering, as Django's own `__in` does: a model's default ordering
        # would join the tables it sorts by (a participant's by programme, cohort, unit and
        # name: five joins) into a subquery whose order nobody reads.
        super().__init__(F(column), Subquery(subquery.order_by()))

    def as_sql(
        self, compiler: Any, connection: Any, *args: Any, **kwargs: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, column_params = compiler.compile(self.source_expressions[0])
        subquery, subquery_params = compiler.compile(self.source_expressions[1])
        template = "%s = ANY(ARRAY%s)" if connection.vendor == "postgresql" else "%s IN %s"
        return template % (column, subquery), (*column_params, *subquery_params)


def _managed_enrolments(user: Any) -> QuerySet[Any, Any]:
    return (
        Participant.objects.current()
        .filter(user_id=user.pk, role=Participant.Role.MANAGER)
        .values("enrolment_id")
    )


def programmes_for(user: Any) -> QuerySet[Programme]:
    """Programmes whose target dashboard the user may see."""
    programmes = Programme.objects.select_related("organisation").order_by("name")
    if not user.is_authenticated or not user.has_perm("lup.view_target_dashboard"):
        return programmes.none()
    if user.is_superuser:
        return programmes
    return programmes.filter(organisation__in=member_organisations(user))


def cohorts_for(user: Any) -> QuerySet[Cohort]:
    """Cohorts the user runs, oversees or takes part in."""
    cohorts = Cohort.objects.select_related("programme").order_by("-starts_on", "name")
    if not user.is_authenticated:
        return cohorts.none()
    if user.is_superuser:
        return cohorts
    scope = Q(
        Exists(
            Cohort.facilitators.through.objects.filter(cohort_id=OuterRef("pk"), user_id=user.pk)
        )
    ) | Q(
        Exists(
            Participant.objects.current().filter(
                enrolment__cohort_id=OuterRef("pk"), user_id=user.pk
            )
        )
    )
    if sees_organisation_wide(user):
        scope |= Q(programme__organisation__in=member_organisations(user))
    return cohorts.filter(scope)


def enrolments_for(user: Any) -> QuerySet[UnitEnrolment]:
    """Unit enrolments whose team the user may see: overseen, facilitated, or managed."""
    enrolments = UnitEnrolment.objects.select_related(
        "unit__sector", "unit__organisation", "cohort__programme"
    )
    if not user.is_authenticated:
        return enrolments.none()
    if user.is_superuser:
        return enrolments
    return enrolments.filter(_enrolment_scope(user))


def _enrolment_scope(user: Any) -> Q:
    """The enrolments `user` sees, as conditions on the enrolment's own indexed columns."""
    scope = Q(
        InSet(
            "cohort_id",
            Cohort.facilitators.through.objects.filter(user_id=user.pk).values("cohort_id"),
        )
    ) | Q(InSet("pk", _managed_enrolments(user)))
    if sees_organisation_wide(user):
        scope |= Q(
            InSet(
                "cohort_id",
                Cohort.objects.filter(
                    programme__organisation_id__in=member_organisations(user)
                ).values("pk"),
            )
        )
    return scope


def participants_for(user: Any) -> QuerySet[Participant]:
    """Participant records the user may see: their teams' (as above) and always their own."""
    participants = Participant.objects.select_related(
        "user", "enrolment__unit", "enrolment__cohort__programme"
    )
    if not user.is_authenticated:
        return participants.none()
    if user.is_superuser:
        return participants
    return participants.filter(
        Q(user_id=user.pk)
        | Q(
            InSet("enrolment_id", UnitEnrolment.objects.filter(_enrolment_scope(user)).values("pk"))
        )
    )


def units_for(user: Any) -> QuerySet[ServiceUnit]:
    """Service units the user may see: their organisations' and those in their cohorts."""
    units = ServiceUnit.objects.select_related("sector", "organisation")
    if not user.is_authenticated:
        return units.none()
    if user.is_superuser:
        return units
    scope = Q(InSet("pk", UnitEnrolment.objects.filter(_enrolment_scope(user)).values("unit_id")))
    if sees_organisation_wide(user):
        scope |= Q(InSet("organisation_id", member_organisations(user)))
    return units.filter(scope)


def people_for(user: Any) -> QuerySet[Any]:
    """People (user accounts) the user may see: those on teams in scope, and themselves."""
    people = get_user_model().objects.all()
    if not user.is_authenticated:
        return people.none()
    if user.is_superuser:
        return people
    return people.filter(
        Q(pk=user.pk) | Q(pk__in=participants_for(user).values("user_id"))
    ).distinct()


def attachable_people(user: Any) -> QuerySet[Any]:
    """Accounts `user` may put on a team, make a member or a facilitator: active people who
    belong to no organisation outside the user's own (lup.permissions.belongs_elsewhere, as
    one query), never superusers, and staff only with a membership here. Admin choices
    (raw ids too) are limited to these, so another tenant's account is never offered."""
    people = get_user_model().objects.filter(is_active=True)
    if not user.is_authenticated:
        return people.none()
    if user.is_superuser:
        return people
    own = member_organisations(user).values("organisation_id")
    person = OuterRef("pk")
    ties_elsewhere = (
        Exists(
            OrganisationMembership.objects.filter(user_id=person).exclude(organisation_id__in=own)
        )
        | Exists(
            Participant.objects.filter(user_id=person).exclude(
                enrolment__unit__organisation_id__in=own
            )
        )
        | Exists(
            Cohort.facilitators.through.objects.filter(user_id=person).exclude(
                cohort__programme__organisation_id__in=own
            )
        )
    )
    works_here = Exists(
        OrganisationMembership.objects.filter(user_id=person, organisation_id__in=own)
    )
    return (
        people.filter(is_superuser=False)
        .exclude(ties_elsewhere)
        .exclude(Q(is_staff=True) & ~works_here)
    )


def audit_events_for(user: Any) -> QuerySet[AuditEvent]:
    """Audit events an administrator may read: their organisations' security story.

    Their organisations are those they work for (membership), as for every scope of an
    administrator. An event is theirs when the person who did it or the person it
    concerns belongs to one of them as `organisations_of` has it (member, on a team of
    one of its units, facilitator of one of its cohorts); a failed sign-in that matched
    no single account when it was written, when the address tried is such a person's;
    and an event filed under the organisation (`organisation_id` in its details, or the
    organisation filter of a report export). Another organisation's events never are.
    """
    events = AuditEvent.objects.all()
    if not user.is_authenticated or not user.has_perm("lup.view_auditevent"):
        return events.none()
    if user.is_superuser:
        return events
    organisation_ids = list(member_organisations(user).values_list("organisation_id", flat=True))
    # Separate subqueries rather than one join over the three relations, which would
    # multiply rows; an id list inside IN needs no distinct.
    people_model = get_user_model()
    people = people_model.objects.filter(
        Q(lup_memberships__organisation_id__in=organisation_ids)
        | Q(
            pk__in=Participant.objects.filter(
                enrolment__unit__organisation_id__in=organisation_ids
            ).values("user_id")
        )
        | Q(
            pk__in=Cohort.facilitators.through.objects.filter(
                cohort__programme__organisation_id__in=organisation_ids
            ).values("user_id")
        )
    ).values("pk")
    # Compared in lower case for equality: `iexact` against a column would read the
    # attempted text as a LIKE pattern, and "%" would match everyone.
    address_of_theirs = Exists(
        people_model.objects.annotate(lowered=Lower("email"))
        .filter(pk__in=people, lowered=Lower(OuterRef("subject_label")))
        .exclude(email="")
    )
    return events.filter(
        Q(actor_id=user.pk)
        | Q(actor_id__in=people)
        | Q(subject_id__in=people)
        | (Q(action=AuditEvent.Action.LOGIN_FAILED, subject__isnull=True) & address_of_theirs)
        | Q(details__organisation_id__in=organisation_ids)
        | Q(details__previous_organisation_id__in=organisation_ids)
        | Q(
            action=AuditEvent.Action.REPORT_EXPORTED,
            details__filters__organisation__in=organisation_ids,
        )
    )


def certificate_reviews_for(user: Any) -> QuerySet[CertificateReview]:
    """Certificate reviews (open and decided) the user may decide: those of their
    organisations' programmes, for those who may revoke certificates
    (`permissions.can_decide_certificate_review`); superusers every one. Nobody else's."""
    reviews = CertificateReview.objects.select_related("programme")
    if not user.is_authenticated or not user.has_perm(REVOKE_CERTIFICATE_PERMISSION):
        return reviews.none()
    if user.is_superuser:
        return reviews
    return reviews.filter(programme__organisation__in=member_organisations(user))


# Innovation projects. Three scopes, because reading, editing and reviewing differ:
# the whole team (enthusiasts too) works on its project, facilitators review their cohorts',
# and anyone signed in reads what units have published in the catalogue.


def _team_enrolments(user: Any) -> QuerySet[Any, Any]:
    return Participant.objects.current().filter(user_id=user.pk).values("enrolment_id")


def _facilitated_enrolments(user: Any) -> QuerySet[Any, Any]:
    return UnitEnrolment.objects.filter(
        Exists(
            Cohort.facilitators.through.objects.filter(
                cohort_id=OuterRef("cohort_id"), user_id=user.pk
            )
        )
    ).values("pk")


def _projects() -> QuerySet[Any]:
    # Innovation projects belong to `lup.innovation`, a layer above this module: their
    # model comes from Django's app registry, so the core imports nothing of that package.
    return apps.get_model("lup", "InnovationProject").objects.select_related(
        "organisation", "phase", "enrolment__unit__sector", "enrolment__cohort__programme"
    )


def projects_for(user: Any) -> QuerySet[Any]:
    """Projects the user may open: their team's, those in scope as for teams, and every
    published one (the catalogue is for everyone signed in)."""
    projects = _projects()
    if not user.is_authenticated:
        return projects.none()
    if user.is_superuser:
        return projects
    scope = (
        Q(published_at__isnull=False)
        | Q(enrolment__in=_team_enrolments(user))
        | Q(enrolment__in=enrolments_for(user).values("pk"))
    )
    if sees_organisation_wide(user):
        scope |= Q(organisation__in=member_organisations(user))
    return projects.filter(scope)


def editable_projects_for(user: Any) -> QuerySet[Any]:
    """Projects the user may edit: their team's, their cohorts' (as facilitator), and their
    organisations' (as programme administrator)."""
    projects = _projects()
    if not user.is_authenticated:
        return projects.none()
    if user.is_superuser:
        return projects
    scope = Q(enrolment__in=_team_enrolments(user)) | Q(enrolment__in=_facilitated_enrolments(user))
    if user.has_perm("lup.change_innovationproject"):
        scope |= Q(organisation__in=member_organisations(user))
    return projects.filter(scope)


def reviewable_projects_for(user: Any) -> QuerySet[Any]:
    """Projects the user may comment on and approve: facilitators their cohorts', programme
    administrators their organisations'."""
    projects = _projects().filter(enrolment__isnull=False)
    if not user.is_authenticated:
        return projects.none()
    if user.is_superuser:
        return projects
    scope = Q(enrolment__in=_facilitated_enrolments(user))
    if user.has_perm("lup.review_project"):
        scope |= Q(organisation__in=member_organisations(user))
    return projects.filter(scope)


def publishable_projects_for(user: Any) -> QuerySet[Any]:
    """Projects the user may publish or withdraw: sharing needs the unit manager's consent."""
    projects = _projects().filter(enrolment__isnull=False)
    if not user.is_authenticated:
        return projects.none()
    return projects.filter(enrolment__in=_managed_enrolments(user))


def organisations_overseen_for(user: Any, permission: str) -> QuerySet[Organisation]:
    """The organisations where the user holds `permission` (every one for superusers), by
    name: `permissions.oversees` for many at once."""
    organisations = Organisation.objects.order_by("name")
    if not user.is_authenticated:
        return organisations.none()
    if user.is_superuser:
        return organisations
    if not user.has_perm(permission):
        return organisations.none()
    return organisations.filter(pk__in=member_organisations(user))


def retention_organisations_for(user: Any) -> QuerySet[Organisation]:
    """The organisations whose retention periods the user may set (every one for
    superusers), by name: `permissions.may_set_retention` for many at once."""
    return organisations_overseen_for(user, RETENTION_PERMISSION)
