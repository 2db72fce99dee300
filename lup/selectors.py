"""Reads that span several models, written for a fixed number of queries.

`programme_target_progress` answers the administrators' question: how many units
of the programme's population have completed, against the target, and where will
the current pace take us by the deadline? It runs four queries whatever the size
of the data: sectors with their population, completed enrolments, cohorts with
their counts, and units in progress by sector.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from . import app_settings
from .models import AuditEvent, Cohort, Participant, Programme, Sector, UnitEnrolment

GUEST_SECTOR_KEY = "guests"


@dataclass(frozen=True)
class BreakdownRow:
    """One line of a breakdown (a sector or a cohort) of the target figures."""

    key: str
    label: str
    units_in_scope: int | None
    units_in_progress: int
    units_completed: int
    participants: int | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    phase: str = ""

    @property
    def percent_completed(self) -> int | None:
        if not self.units_in_scope:
            return None
        return round(100 * self.units_completed / self.units_in_scope)


@dataclass(frozen=True)
class SeriesPoint:
    day: dt.date
    completed: int


@dataclass(frozen=True)
class TargetProgress:
    """The target figures of one programme on one day."""

    programme: Programme
    today: dt.date
    completed: int
    target: int
    population: int
    guest_units_completed: int
    units_in_progress: int
    series: list[SeriesPoint]
    forecast_at_deadline: int
    pace_per_30_days: float
    needed_per_30_days: float | None
    by_sector: list[BreakdownRow]
    by_cohort: list[BreakdownRow]

    @property
    def remaining(self) -> int:
        return max(self.target - self.completed, 0)

    @property
    def percent_of_target(self) -> int:
        return min(100, round(100 * self.completed / self.target)) if self.target else 0

    @property
    def target_reached(self) -> bool:
        return self.completed >= self.target

    @property
    def on_track(self) -> bool:
        return self.forecast_at_deadline >= self.target

    @property
    def days_to_deadline(self) -> int:
        return max((self.programme.deadline - self.today).days, 0)


def programme_target_progress(
    programme: Programme, *, today: dt.date | None = None
) -> TargetProgress:
    """Compute the programme's target figures, burn-up series, forecast and breakdowns."""
    today = today or timezone.localdate()

    # Query 1: the owner's sectors, whether each is in scope, and their active units.
    sectors = list(
        Sector.objects.filter(organisation_id=programme.organisation_id)
        .annotate(
            in_scope=Exists(
                Programme.population_sectors.through.objects.filter(
                    programme_id=programme.pk, sector_id=OuterRef("pk")
                )
            ),
            active_units=Count("units", filter=Q(units__active=True)),
        )
        .order_by("name")
    )
    if any(sector.in_scope for sector in sectors):
        sectors = [sector for sector in sectors if sector.in_scope]
    scope_sector_ids = {sector.pk for sector in sectors}
    counted_population = sum(sector.active_units for sector in sectors)
    population = programme.population_size_override or counted_population

    # Query 2: every completed enrolment of the programme, with what decides if it counts.
    completions = UnitEnrolment.objects.filter(
        cohort__programme_id=programme.pk, status=UnitEnrolment.Status.COMPLETED
    ).values_list(
        "unit_id", "unit__organisation_id", "unit__sector_id", "unit__active", "completed_at"
    )
    first_completion: dict[int, tuple[dt.date, int]] = {}
    guest_units: set[int] = set()
    for unit_id, organisation_id, sector_id, active, completed_at in completions:
        in_population = (
            organisation_id == programme.organisation_id
            and active
            and sector_id in scope_sector_ids
        )
        if not in_population:
            if organisation_id != programme.organisation_id:
                guest_units.add(unit_id)
            continue
        day = timezone.localtime(completed_at).date()
        if unit_id not in first_completion or day < first_completion[unit_id][0]:
            first_completion[unit_id] = (day, sector_id)
    completed_days = sorted(day for day, _sector in first_completion.values() if day <= today)
    completed = len(completed_days)

    # Query 3: cohorts with their enrolled and completed units and participants.
    not_withdrawn = ~Q(enrolments__status=UnitEnrolment.Status.WITHDRAWN)
    cohorts = list(
        Cohort.objects.filter(programme_id=programme.pk)
        .annotate(
            units_enrolled=Count("enrolments", filter=not_withdrawn, distinct=True),
            units_completed=Count(
                "enrolments",
                filter=Q(enrolments__status=UnitEnrolment.Status.COMPLETED),
                distinct=True,
            ),
            participant_count=Count(
                "enrolments__participants",
                filter=not_withdrawn
                & ~Q(enrolments__participants__status=Participant.Status.WITHDRAWN),
                distinct=True,
            ),
        )
        .order_by("starts_on", "name")
    )
    by_cohort = [
        BreakdownRow(
            key=f"cohort-{cohort.pk}",
            label=cohort.name,
            units_in_scope=None,
            units_in_progress=cohort.units_enrolled - cohort.units_completed,
            units_completed=cohort.units_completed,
            participants=cohort.participant_count,
            starts_on=cohort.starts_on,
            ends_on=cohort.ends_on,
            phase=cohort.phase_on(today),
        )
        for cohort in cohorts
    ]

    # Query 4: units still working (enrolled, not completed) by sector.
    in_progress_by_sector: dict[int | None, int] = {}
    for sector_id, organisation_id, count in (
        UnitEnrolment.objects.filter(
            cohort__programme_id=programme.pk, status=UnitEnrolment.Status.ENROLLED
        )
        .values_list("unit__sector_id", "unit__organisation_id")
        .annotate(count=Count("unit_id", distinct=True))
    ):
        key = sector_id if organisation_id == programme.organisation_id else None
        in_progress_by_sector[key] = in_progress_by_sector.get(key, 0) + count

    completed_by_sector: dict[int, int] = {}
    for day, sector_id in first_completion.values():
        if day <= today:
            completed_by_sector[sector_id] = completed_by_sector.get(sector_id, 0) + 1
    by_sector = [
        BreakdownRow(
            key=f"sector-{sector.pk}",
            label=sector.name,
            units_in_scope=sector.active_units,
            units_in_progress=in_progress_by_sector.get(sector.pk, 0),
            units_completed=completed_by_sector.get(sector.pk, 0),
        )
        for sector in sectors
    ]
    if guest_units or in_progress_by_sector.get(None):
        by_sector.append(
            BreakdownRow(
                key=GUEST_SECTOR_KEY,
                label="",  # the template names it, translated
                units_in_scope=None,
                units_in_progress=in_progress_by_sector.get(None, 0),
                units_completed=len(guest_units),
            )
        )

    pace = _pace_per_day(completed_days, programme=programme, today=today)
    days_left = max((programme.deadline - today).days, 0)
    forecast = completed + math.floor(pace * days_left)
    remaining = max(programme.target_units - completed, 0)
    needed = (30 * remaining / days_left) if days_left else None

    return TargetProgress(
        programme=programme,
        today=today,
        completed=completed,
        target=programme.target_units,
        population=population,
        guest_units_completed=len(guest_units),
        units_in_progress=sum(
            count for key, count in in_progress_by_sector.items() if key in scope_sector_ids
        ),
        series=_monthly_series(completed_days, programme=programme, today=today),
        forecast_at_deadline=forecast,
        pace_per_30_days=round(30 * pace, 1),
        needed_per_30_days=round(needed, 1) if needed is not None else None,
        by_sector=by_sector,
        by_cohort=by_cohort,
    )


def _pace_per_day(completed_days: list[dt.date], *, programme: Programme, today: dt.date) -> float:
    """Completions per day over the recent window (or since the programme started)."""
    window_start = max(
        programme.starts_on,
        today - dt.timedelta(days=app_settings.DASHBOARD_FORECAST_WINDOW_DAYS()),
    )
    window_days = (today - window_start).days
    if window_days <= 0:
        return 0.0
    recent = sum(1 for day in completed_days if window_start < day <= today)
    return recent / window_days


def _monthly_series(
    completed_days: list[dt.date], *, programme: Programme, today: dt.date
) -> list[SeriesPoint]:
    """Cumulative completions at the start of the programme, each month's end, and today."""
    end = min(today, programme.deadline)
    points: list[dt.date] = [programme.starts_on]
    cursor = _month_end(programme.starts_on)
    while cursor < end:
        points.append(cursor)
        cursor = _month_end(cursor + dt.timedelta(days=1))
    if end > points[-1]:
        points.append(end)
    series = []
    index = 0
    for point in points:
        while index < len(completed_days) and completed_days[index] <= point:
            index += 1
        series.append(SeriesPoint(day=point, completed=index))
    return series


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def participations_of(user: User) -> QuerySet[Participant]:
    """A person's own participations, newest cohort first, ready to show."""
    return (
        Participant.objects.filter(user_id=user.pk)
        .select_related(
            "enrolment__unit__sector",
            "enrolment__cohort__programme",
            "enrolment__unit__organisation",
        )
        .order_by("-enrolment__cohort__starts_on")
    )


def cohort_overview(cohorts: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """Cohorts (already scoped) with their units enrolled and completed: one query."""
    return cohorts.annotate(
        units_enrolled=Count(
            "enrolments",
            filter=~Q(enrolments__status=UnitEnrolment.Status.WITHDRAWN),
            distinct=True,
        ),
        units_completed=Count(
            "enrolments", filter=Q(enrolments__status=UnitEnrolment.Status.COMPLETED), distinct=True
        ),
    )


def team_overview(enrolments: QuerySet[UnitEnrolment]) -> QuerySet[UnitEnrolment]:
    """Enrolments (already scoped) with team size and the manager's name: one query."""
    manager = Participant.objects.current().filter(
        enrolment_id=OuterRef("pk"), role=Participant.Role.MANAGER
    )
    return enrolments.annotate(
        team_size=Count(
            "participants",
            filter=~Q(participants__status=Participant.Status.WITHDRAWN),
            distinct=True,
        ),
        manager_first_name=Subquery(manager.values("user__first_name")[:1]),
        manager_last_name=Subquery(manager.values("user__last_name")[:1]),
    ).order_by("unit__name")


def personal_data_of(user: User) -> dict[str, Any]:
    """Everything stored about a person, for their own copy (GDPR art. 15 and 20)."""
    data: dict[str, Any] = {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "participations": [
            {
                "programme": p.enrolment.cohort.programme.name,
                "cohort": p.enrolment.cohort.name,
                "unit": p.enrolment.unit.name,
                "organisation": p.enrolment.unit.organisation.name,
                "role": p.get_role_display(),
                "status": p.get_status_display(),
                "completed_at": p.completed_at,
            }
            for p in participations_of(user)
        ],
        "memberships": list(user.lup_memberships.values_list("organisation__name", flat=True)),
        "facilitated_cohorts": list(user.lup_facilitated_cohorts.values_list("name", flat=True)),
        "roles": list(user.groups.values_list("name", flat=True)),
    }
    if apps.is_installed("allauth.account"):
        data["email_addresses"] = list(
            apps.get_model("account", "EmailAddress")
            .objects.filter(user=user)
            .values("email", "verified", "primary")
        )
    if apps.is_installed("allauth.socialaccount"):
        data["single_sign_on"] = list(
            apps.get_model("socialaccount", "SocialAccount")
            .objects.filter(user=user)
            .values("provider", "date_joined", "last_login")
        )
    if apps.is_installed("allauth.mfa"):
        data["two_factor"] = list(
            apps.get_model("mfa", "Authenticator")
            .objects.filter(user=user)
            .values("type", "created_at", "last_used_at")
        )
    data["security_log"] = [
        {"at": event.at, "event": event.get_action_display(), "ip_address": event.ip_address}
        for event in AuditEvent.objects.filter(subject=user)[:200]
    ]
    return data
