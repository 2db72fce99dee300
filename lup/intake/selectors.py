"""Intake's reads: who a call invites, the office's view of applications and candidates,
and a person's own calls and applications. Each list costs a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import PLACE_GIVEN_UP, Participant, Programme, Sector, ServiceUnit, UnitEnrolment
from ..permissions import member_organisations
from .models import Application, Call


def eligible_units(call: Call) -> QuerySet[ServiceUnit]:
    """The active units the call invites: of its sectors and single units; with neither
    chosen, every unit of the programme's population (its sectors, or all the
    organisation's)."""
    programme = call.cohort.programme
    units = ServiceUnit.objects.filter(organisation_id=programme.organisation_id, active=True)
    sector_ids = list(call.sectors.values_list("pk", flat=True))
    unit_ids = list(call.units.values_list("pk", flat=True))
    if not sector_ids and not unit_ids:
        population = list(programme.population_sectors.values_list("pk", flat=True))
        return units.filter(sector_id__in=population) if population else units
    return units.filter(Q(sector_id__in=sector_ids) | Q(pk__in=unit_ids))


# A cohort's places are taken by every unit in it that has not withdrawn or moved on,
# whichever way it came (accepted here, or put there by the CSV import or the API).
PLACE_HOLDERS = ~Q(status__in=(UnitEnrolment.Status.WITHDRAWN, UnitEnrolment.Status.MOVED))


def places_taken(cohort_id: int) -> int:
    """How many of the cohort's places are taken."""
    return UnitEnrolment.objects.filter(PLACE_HOLDERS, cohort_id=cohort_id).count()


def calls_of(programme: Programme) -> QuerySet[Call]:
    """The programme's calls, newest first, with their places taken and counts by status."""
    taken = (
        UnitEnrolment.objects.filter(PLACE_HOLDERS, cohort_id=OuterRef("cohort_id"))
        .order_by()
        .values("cohort_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Call.objects.filter(cohort__programme=programme)
        .select_related("cohort")
        .annotate(
            taken=Coalesce(Subquery(taken), 0),
            accepted=Count("applications", filter=Q(applications__status="accepted")),
            pending=Count("applications", filter=Q(applications__status="pending")),
            waiting=Count("applications", filter=Q(applications__status="waiting")),
        )
        .order_by("-deadline", "-pk")
    )


def cohorts_without_call(programme: Programme) -> QuerySet[Any]:
    """Open cohorts of the programme that have not started and have no call yet."""
    return programme.cohorts.filter(
        closed_at__isnull=True, starts_on__gte=timezone.localdate(), call__isnull=True
    ).order_by("starts_on", "name")


@dataclass
class ApplicationRow:
    application: Application
    earlier: list[UnitEnrolment] = field(default_factory=list)  # the unit's history


def applications_for_office(call: Call) -> list[ApplicationRow]:
    """The call's applications in the order they came, each with its unit's sector and its
    earlier enrolments in the programme (history). Two queries."""
    applications = list(
        call.applications.select_related("unit__sector", "applied_by", "enrolment").order_by(
            "submitted_at", "pk"
        )
    )
    history: dict[int, list[UnitEnrolment]] = defaultdict(list)
    for enrolment in (
        UnitEnrolment.objects.filter(
            unit_id__in=[a.unit_id for a in applications],
            cohort__programme_id=call.cohort.programme_id,
        )
        .exclude(cohort_id=call.cohort_id)
        .select_related("cohort")
        .order_by("cohort__starts_on")
    ):
        history[enrolment.unit_id].append(enrolment)
    return [
        ApplicationRow(application, history[application.unit_id]) for application in applications
    ]


@dataclass
class SectorCandidates:
    sector: Sector | None
    units: list[ServiceUnit]

    @property
    def applied(self) -> int:
        return sum(1 for unit in self.units if getattr(unit, "has_applied", False))


def candidates_by_sector(programme: Programme) -> list[SectorCandidates]:
    """The units of the programme's population that never took part in it (no enrolment
    whose place they kept: a withdrawn or not-completed unit counts as a candidate again),
    grouped by sector, each marked when it has a live application to an open call. One
    query for the units, one for the population's sectors."""
    units = ServiceUnit.objects.filter(organisation_id=programme.organisation_id, active=True)
    population = list(programme.population_sectors.values_list("pk", flat=True))
    if population:
        units = units.filter(sector_id__in=population)
    took_part = UnitEnrolment.objects.filter(
        unit_id=OuterRef("pk"), cohort__programme_id=programme.pk
    ).exclude(status__in=PLACE_GIVEN_UP)
    applied = Application.objects.filter(
        unit_id=OuterRef("pk"),
        call__cohort__programme_id=programme.pk,
        status__in=["pending", "waiting", "accepted"],
    )
    rows = (
        units.annotate(took_part=Exists(took_part), has_applied=Exists(applied))
        .filter(took_part=False)
        .select_related("sector")
        .order_by("sector__name", "name")
    )
    grouped: dict[int | None, SectorCandidates] = {}
    for unit in rows:
        group = grouped.setdefault(unit.sector_id, SectorCandidates(unit.sector, []))
        group.units.append(unit)
    return sorted(grouped.values(), key=lambda group: (-len(group.units), str(group.sector or "")))


def open_calls_for(user: Any) -> QuerySet[Call]:
    """Calls open today in the organisations the person works for: their memberships, and
    the organisations of the units whose teams they are on (`permissions.may_apply`)."""
    on_teams = (
        Participant.objects.current()
        .filter(user_id=user.pk)
        .values("enrolment__unit__organisation_id")
    )
    return (
        Call.objects.filter(
            Q(cohort__programme__organisation__in=member_organisations(user))
            | Q(cohort__programme__organisation__in=on_teams),
            deadline__gte=timezone.localdate(),
            cohort__closed_at__isnull=True,
        )
        .select_related("cohort__programme")
        .order_by("deadline", "pk")
    )


def applications_of(user: Any) -> QuerySet[Application]:
    """The applications a person sent, or that name them as the unit's manager."""
    query = Q(applied_by_id=user.pk)
    if user.email:
        query |= Q(manager_email__iexact=user.email)
    return (
        Application.objects.filter(query)
        .select_related("unit", "call__cohort__programme")
        .order_by("-submitted_at", "-pk")
    )


def units_to_apply_for(call: Call, user: Any) -> QuerySet[ServiceUnit]:
    """The units a person may choose on the application form: those the call invites that
    have neither applied nor a place in the programme."""
    programme_id = call.cohort.programme_id
    taken = UnitEnrolment.objects.filter(
        unit_id=OuterRef("pk"), cohort__programme_id=programme_id
    ).exclude(status__in=PLACE_GIVEN_UP)
    applied = Application.objects.filter(
        unit_id=OuterRef("pk"), call=call, status__in=["pending", "waiting", "accepted"]
    )
    return (
        eligible_units(call)
        .exclude(Exists(taken))
        .exclude(Exists(applied))
        .select_related("sector")
        .order_by("sector__name", "name")
    )


def waiting_positions(applications: list[Application]) -> dict[int, int]:
    """Each waiting application's place on its call's waiting list (1 = next). One query."""
    call_ids = {a.call_id for a in applications if a.status == Application.Status.WAITING}
    if not call_ids:
        return {}
    positions: dict[int, int] = {}
    counters: dict[int, int] = defaultdict(int)
    for pk, call_id in (
        Application.objects.filter(call_id__in=call_ids, status=Application.Status.WAITING)
        .order_by("submitted_at", "pk")
        .values_list("pk", "call_id")
    ):
        counters[call_id] += 1
        positions[pk] = counters[call_id]
    return positions


def sectors_with_leaders(programme: Programme) -> QuerySet[Sector]:
    """The sectors whose units the programme takes (its population's, or all the
    organisation's), each with its leaders. Three queries."""
    population = programme.population_sectors.all()
    sectors = (
        population
        if population.exists()
        else Sector.objects.filter(organisation_id=programme.organisation_id)
    )
    return sectors.order_by("name").prefetch_related("leaders")
