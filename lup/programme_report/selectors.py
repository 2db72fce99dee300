"""The programme report's figures for one period, in a fixed number of queries whatever the
number of units, projects, reuses and prizes (eleven: the dashboard's selector twice (three
each), projects, benefits (two), reuses, winners)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from ..innovation import selectors as innovation_selectors
from ..innovation.models import InnovationProject, Nomination, ProjectReuse
from ..models import Programme, UnitEnrolment
from ..selectors import SeriesPoint, TargetProgress, programme_target_progress

# The reuse list is one page: the largest sources first, the rest counted only.
MAX_REUSE_SOURCES = 25


@dataclass(frozen=True)
class Period:
    """The days the report covers, both included."""

    starts_on: dt.date
    ends_on: dt.date


@dataclass
class CountRow:
    """Projects of one phase or one sector: all by the end of the period, and those started
    in it."""

    label: str
    projects: int = 0
    started: int = 0


@dataclass(frozen=True)
class Reuser:
    unit: str
    organisation: str
    other_municipality: bool


@dataclass
class ReusedProject:
    """A project others reused, with who reused it (who reused whose)."""

    title: str
    unit: str
    organisation: str
    reused_by: list[Reuser] = field(default_factory=list)


@dataclass(frozen=True)
class Spreading:
    reuses: int
    across_municipalities: int
    within_organisation: int
    reused_projects: int
    reusing_units: int
    sources: list[ReusedProject]

    @property
    def more_sources(self) -> int:
        return self.reused_projects - len(self.sources)


@dataclass(frozen=True)
class Story:
    """A prize winner: the category, the year, the project and why it won."""

    category: str
    year: int
    title: str
    unit: str
    reason: str
    story: str


@dataclass(frozen=True)
class ProgrammeReport:
    """Everything the report shows (see `programme_report`)."""

    programme: Programme
    period: Period
    made_on: dt.date
    progress: TargetProgress
    completed_in_period: int
    series_in_period: list[SeriesPoint]
    projects: int
    projects_started: int
    by_phase: list[CountRow]
    by_sector: list[CountRow]
    benefits: innovation_selectors.BenefitRollup
    spreading: Spreading
    stories: list[Story]

    @property
    def period_is_empty(self) -> bool:
        """Nothing happened in the period: no completion, no project started, no reuse and
        no prize."""
        return not (
            self.completed_in_period
            or self.projects_started
            or self.spreading.reuses
            or self.stories
        )

    @property
    def summable_benefits(self) -> list[innovation_selectors.RollupRow]:
        return [row for row in self.benefits.rows if row.summable]

    @property
    def other_benefits(self) -> list[innovation_selectors.RollupRow]:
        return [row for row in self.benefits.rows if not row.summable]


def default_period(programme: Programme, today: dt.date | None = None) -> Period:
    """The programme's start to today (today itself when the programme starts later)."""
    today = today or timezone.localdate()
    return Period(starts_on=min(programme.starts_on, today), ends_on=today)


def programme_report(programme: Programme, period: Period) -> ProgrammeReport:
    """The programme's report for `period`, in eleven queries.

    Completions are the dashboard's (units of the population, first completion counts):
    those completed by the end of the period less those completed before it starts; the
    target and the forecast are as they stood on the period's last day. Projects are those
    of the programme's teams (withdrawn teams left out) created by the end of the period, in
    their phase today. Benefits are read as they are today, as the units reported them.
    Reuses are those marked in the period, of the programme's projects or by the
    organisation's units; stories are the prize winners of the period's years.
    """
    progress = programme_target_progress(programme, today=period.ends_on)
    before = programme_target_progress(programme, today=period.starts_on - dt.timedelta(days=1))
    by_phase, by_sector, projects, started = _projects(programme, period)
    return ProgrammeReport(
        programme=programme,
        period=period,
        made_on=timezone.localdate(),
        progress=progress,
        completed_in_period=max(progress.completed - before.completed, 0),
        series_in_period=[
            point for point in progress.series if period.starts_on <= point.day <= period.ends_on
        ],
        projects=projects,
        projects_started=started,
        by_phase=by_phase,
        by_sector=by_sector,
        benefits=innovation_selectors.benefit_rollup(programme),
        spreading=_spreading(programme, period),
        stories=_stories(programme, period),
    )


def _projects(
    programme: Programme, period: Period
) -> tuple[list[CountRow], list[CountRow], int, int]:
    """Projects by phase and by sector, one grouped query."""
    rows = (
        InnovationProject.objects.filter(
            enrolment__cohort__programme_id=programme.pk,
            created_at__date__lte=period.ends_on,
        )
        .exclude(enrolment__status=UnitEnrolment.Status.WITHDRAWN)
        .values("phase__name", "phase__position", "enrolment__unit__sector__name")
        .annotate(
            projects=Count("id"),
            started=Count("id", filter=Q(created_at__date__gte=period.starts_on)),
        )
        .order_by()
    )
    phases: dict[tuple[int, str], CountRow] = {}
    sectors: dict[str, CountRow] = {}
    for row in rows:
        phase_name = row["phase__name"] or ""
        # Projects without a phase come first: they have not started the roadmap.
        phase_key = (row["phase__position"] or -1, phase_name)
        phase = phases.setdefault(phase_key, CountRow(label=phase_name))
        sector_name = row["enrolment__unit__sector__name"] or ""
        sector = sectors.setdefault(sector_name, CountRow(label=sector_name))
        for entry in (phase, sector):
            entry.projects += row["projects"]
            entry.started += row["started"]
    by_phase = [phases[key] for key in sorted(phases)]
    by_sector = sorted(sectors.values(), key=lambda entry: (entry.label == "", entry.label))
    return (
        by_phase,
        by_sector,
        sum(entry.projects for entry in by_phase),
        sum(entry.started for entry in by_phase),
    )


def _spreading(programme: Programme, period: Period) -> Spreading:
    """Reuses marked in the period of the programme's projects, or by the organisation's
    units of anyone's: one query."""
    rows = (
        ProjectReuse.objects.filter(
            created_at__date__gte=period.starts_on,
            created_at__date__lte=period.ends_on,
        )
        .filter(
            Q(source__enrolment__cohort__programme_id=programme.pk)
            | Q(unit__organisation_id=programme.organisation_id)
        )
        .order_by("source__title", "unit__name")
        .values_list(
            "source_id",
            "source__title",
            "source__enrolment_id",
            "source__enrolment__unit__name",
            "source__organisation_id",
            "source__organisation__name",
            "source__origin_unit",
            "source__origin_organisation",
            "unit_id",
            "unit__name",
            "unit__organisation_id",
            "unit__organisation__name",
        )
    )
    sources: dict[int, ReusedProject] = {}
    across = within = 0
    units: set[int] = set()
    for (
        source_id,
        title,
        enrolment_id,
        source_unit,
        source_organisation_id,
        source_organisation,
        origin_unit,
        origin_organisation,
        unit_id,
        unit_name,
        unit_organisation_id,
        unit_organisation,
    ) in rows:
        imported = enrolment_id is None
        other = imported or source_organisation_id != unit_organisation_id
        if other:
            across += 1
        else:
            within += 1
        units.add(unit_id)
        source = sources.setdefault(
            source_id,
            ReusedProject(
                title=title,
                unit=origin_unit if imported else (source_unit or ""),
                organisation=origin_organisation if imported else source_organisation,
            ),
        )
        source.reused_by.append(
            Reuser(unit=unit_name, organisation=unit_organisation, other_municipality=other)
        )
    ranked = sorted(sources.values(), key=lambda source: (-len(source.reused_by), source.title))
    return Spreading(
        reuses=across + within,
        across_municipalities=across,
        within_organisation=within,
        reused_projects=len(sources),
        reusing_units=len(units),
        sources=ranked[:MAX_REUSE_SOURCES],
    )


def _stories(programme: Programme, period: Period) -> list[Story]:
    """The innovation prize's winners of the period's years: one query."""
    winners = (
        Nomination.objects.filter(
            category__programme_id=programme.pk,
            is_winner=True,
            year__gte=period.starts_on.year,
            year__lte=period.ends_on.year,
        )
        .select_related("category", "project__enrolment__unit")
        .order_by("-year", "category__position", "category__name")
    )
    return [
        Story(
            category=winner.category.name,
            year=winner.year,
            title=winner.project.title,
            unit=(
                winner.project.enrolment.unit.name
                if winner.project.enrolment is not None
                else winner.project.origin_unit
            ),
            reason=winner.reason,
            story=winner.project.story,
        )
        for winner in winners
    ]
