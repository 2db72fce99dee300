"""The programme report's figures for one period, in a fixed number of queries whatever the
number of units, projects, reuses, prizes and barometer answers (fourteen: the dashboard's
selector twice (three each), projects, benefits (two), reuses, winners, and the barometer's
question set, answers and settings)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..barometer import selectors as barometer_selectors
from ..barometer.models import BarometerRound
from ..barometer.services import current_question_set
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


Moment = BarometerRound.Moment


@dataclass(frozen=True)
class ShareCell:
    """A group's share of innovative units at one moment: `shown` with its percent and its
    number of answers, or too few answers to show (under MIN_ANSWERS: not even how many),
    or no answers at all."""

    state: str  # "shown", "too_few" or "none"
    percent: int | None = None
    answers: int | None = None


@dataclass(frozen=True)
class ShareRow:
    """The programme or one cohort: its share at the start, the end and the follow-up, and
    the change in percentage points from the start to the latest moment shown."""

    name: str
    cells: list[ShareCell]
    change_points: int | None


@dataclass(frozen=True)
class FactorCell:
    """A mean rating: hidden (too few answers at that moment) or None (too few rated it)."""

    hidden: bool
    mean: float | None


@dataclass(frozen=True)
class FactorRow:
    label: str
    start: FactorCell
    latest: FactorCell

    @property
    def change(self) -> float | None:
        if self.start.hidden or self.latest.hidden:
            return None
        if self.start.mean is None or self.latest.mean is None:
            return None
        return round(self.latest.mean - self.start.mean, 1)


@dataclass(frozen=True)
class FactorTable:
    key: str
    caption: str
    rows: list[FactorRow]


@dataclass(frozen=True)
class BarometerBeforeAfter:
    """The innovation barometer's before and after, as the units had answered by the end of
    the period (`answered_until`): the share of innovative units for the programme and each
    cohort, the national reference, and the programme's mean enabler and barrier ratings at
    the start and at the latest moment shown (`latest_moment`: the follow-up, or else the
    end). `results` are the barometer's own, for its chart."""

    answered_until: dt.date
    has_answers: bool
    moments: list[tuple[str, str]]
    groups: list[ShareRow]
    reference_percent: int | None
    reference_source: str
    latest_moment: str | None
    latest_label: str
    factors: list[FactorTable]
    results: barometer_selectors.ProgrammeResults


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
    barometer: BarometerBeforeAfter

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
    """The programme's report for `period`, in fourteen queries.

    Completions are the dashboard's (units of the population, first completion counts):
    those completed by the end of the period less those completed before it starts; the
    target and the forecast are as they stood on the period's last day. Projects are those
    of the programme's teams (withdrawn teams left out) created by the end of the period, in
    their phase today. Benefits are read as they are today, as the units reported them.
    Reuses are those marked in the period, of the programme's projects or by the
    organisation's units; stories are the prize winners of the period's years. The
    barometer counts the answers given by the end of the period (`_barometer`).
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
        barometer=_barometer(programme, period),
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


def _percent(share: float | Decimal) -> int:
    """A share as whole per cent, halves rounded up (as people round, not to even)."""
    return math.floor(float(share) * 100 + 0.5)


def _share_row(group: barometer_selectors.GroupResult) -> ShareRow:
    cells = []
    for moment in Moment.values:
        figures = group.moments[moment]
        if figures.shown and figures.innovative_share is not None:
            cells.append(ShareCell("shown", _percent(figures.innovative_share), figures.answers))
        else:
            cells.append(ShareCell("too_few" if figures.answers else "none"))
    change = None
    latest = group.latest_moment
    if group.change is not None and latest is not None:
        # From the percents shown, so the change adds up for the reader.
        index = Moment.values.index(latest)
        change = (cells[index].percent or 0) - (cells[0].percent or 0)
    return ShareRow(name=group.name, cells=cells, change_points=change)


def _barometer(programme: Programme, period: Period) -> BarometerBeforeAfter:
    """The barometer's before and after as answered by the end of the period: three
    queries (the question set, the answers, the settings), through the barometer's own
    selectors, so groups under MIN_ANSWERS answers are never shown here either."""
    question_set = current_question_set(programme)
    results = barometer_selectors.programme_results(
        programme, question_set, answered_until=period.ends_on
    )
    groups = [results.programme, *results.cohorts]
    latest = results.programme.latest_moment
    factors = []
    for table in barometer_selectors.factor_tables(results):
        rows = []
        for row in table["rows"]:
            start = row["cells"][0]
            if latest is None:
                # Nothing later to compare with: the column says so.
                later = FactorCell(hidden=True, mean=None)
            else:
                cell = row["cells"][Moment.values.index(latest)]
                later = FactorCell(hidden=cell["hidden"], mean=cell["mean"])
            rows.append(
                FactorRow(
                    label=row["label"],
                    start=FactorCell(hidden=start["hidden"], mean=start["mean"]),
                    latest=later,
                )
            )
        factors.append(FactorTable(key=table["key"], caption=table["caption"], rows=rows))
    return BarometerBeforeAfter(
        answered_until=period.ends_on,
        has_answers=any(figures.answers for figures in results.programme.moments.values()),
        moments=[(str(value), str(label)) for value, label in Moment.choices],
        groups=[_share_row(group) for group in groups],
        reference_percent=(
            _percent(results.reference_share) if results.reference_share is not None else None
        ),
        reference_source=results.reference_source,
        latest_moment=latest,
        latest_label=str(Moment(latest).label) if latest is not None else _("Latest"),
        factors=factors,
        results=results,
    )
