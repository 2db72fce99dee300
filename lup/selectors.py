"""Reads that span several models, written for a fixed number of queries.

`programme_target_progress` answers the administrators' question: how many units of the
programme's population have completed, against the target, and where will the plan (the
cohorts that end by the deadline) likely take us? It runs three queries whatever the size
of the data: sectors with their population, every enrolment of the programme (with whether
its manager has started on the curriculum), and cohorts with their participants.
`plan_forecast` turns those facts into the forecast without another query.

The figures are as of `today`: a completion stamped later, or a closing done later, has
not happened yet (so tests and the figures of a past day agree with what was known then).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses.api import ActivityCompletion

from . import app_settings
from .models import Cohort, Participant, Programme, Sector, UnitEnrolment

GUEST_SECTOR_KEY = "guests"
Status = UnitEnrolment.Status

# The forecast (see `plan_forecast`).
REACHED = "reached"
ON_TRACK = "on_track"
UNCERTAIN = "uncertain"
BEHIND = "behind"
BASIS_SECTOR = "sector"  # at least one unit is forecast with its sector's own rate
BASIS_PROGRAMME = "programme"  # the programme's overall rate for every unit
BASIS_ASSUMED = "assumed"  # too little history: LUP_FORECAST_DEFAULT_PERCENT
# The typical cohort length when a programme has no cohort yet ("about six months").
DEFAULT_COHORT_DAYS = 182
# The range around the rate when past cohorts cannot show a spread (fewer than two
# finished cohorts, or an assumed rate): this many points either way, an assumption.
ASSUMED_SPREAD = 0.2
# Below this completion rate the advice names no number of units to enrol.
MIN_ADVICE_RATE = 0.01


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
    closed: bool = False
    units_withdrawn: int = 0
    units_behind: int = 0
    # A cohort's units completed by its end as planned (completed + expected from the units
    # of the population still enrolled); None for a cohort outside the plan.
    expected: int | None = None

    @property
    def percent_completed(self) -> int | None:
        if not self.units_in_scope:
            return None
        return round(100 * self.units_completed / self.units_in_scope)

    @property
    def needs_closing(self) -> bool:
        """An ended cohort that is not closed: its units still enrolled need settling."""
        return self.phase == "past" and not self.closed


@dataclass(frozen=True)
class SeriesPoint:
    day: dt.date
    completed: int


@dataclass(frozen=True)
class CohortFacts:
    """A cohort as the forecast reads it; `closed` on or before the day of the figures."""

    pk: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    closed: bool = False

    def finished(self, today: dt.date) -> bool:
        """A finished cohort, whose outcome is history: closed, or ended before today."""
        return self.closed or self.ends_on < today

    @property
    def length_days(self) -> int:
        return (self.ends_on - self.starts_on).days


@dataclass(frozen=True)
class EnrolmentFacts:
    """An enrolment as the forecast reads it, its status as of the day of the figures."""

    cohort_id: int
    unit_id: int
    sector_id: int | None
    own: bool  # a unit of the programme's owner organisation (history is by its sectors)
    in_population: bool  # an active unit of the owner in a sector in scope
    status: str
    manager_started: bool = True


@dataclass(frozen=True)
class PlanStep:
    """Where the plan stands after the cohorts ending on `day`: cumulative units."""

    day: dt.date
    expected: int
    low: int
    high: int
    cohorts: tuple[str, ...]


@dataclass(frozen=True)
class Forecast:
    """The units likely completed by the deadline, from the cohorts planned to end by then.

    Never above what is reachable (`reachable`: completed + units of the population still
    enrolled in cohorts ending by the deadline) nor the population (unless more have
    already completed than a fixed population size says)."""

    today: dt.date
    deadline: dt.date
    target: int
    completed: int
    expected: int
    low: int
    high: int
    reachable: int
    units_planned: int  # units of the population counted towards the forecast
    rate: float  # the programme's completion rate (or the assumed one)
    rate_low: float  # the weakest and strongest past cohorts (or rate ∓ ASSUMED_SPREAD)
    rate_high: float
    basis: str
    history_enrolments: int
    history_cohorts: int
    min_history: int
    typical_cohort_days: int
    units_free: int  # units of the population neither completed nor enrolled now
    units_to_enrol: int | None = None
    enrol_by: dt.date | None = None
    steps: list[PlanStep] = field(default_factory=list)
    cohort_expected: dict[int, float] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.completed >= self.target:
            return REACHED
        if self.low >= self.target:
            return ON_TRACK
        if self.high >= self.target:
            return UNCERTAIN
        return BEHIND

    @property
    def too_late_to_enrol(self) -> bool:
        return self.enrol_by is not None and self.enrol_by < self.today

    def summary(self) -> str:
        """ "Likely 118–126 units by 31 December 2027"."""
        deadline = formats.date_format(self.deadline, "DATE_FORMAT")
        if self.low == self.high:
            return _("Likely %(units)s units by %(deadline)s.") % {
                "units": self.expected,
                "deadline": deadline,
            }
        return _("Likely %(low)s–%(high)s units by %(deadline)s (expected %(expected)s).") % {
            "low": self.low,
            "high": self.high,
            "expected": self.expected,
            "deadline": deadline,
        }

    def verdict(self) -> str:
        words = {
            REACHED: _("The target of %(target)s units is reached."),
            ON_TRACK: _("On track: even the low end reaches the target of %(target)s units."),
            UNCERTAIN: _(
                "The target of %(target)s units is within the likely range, but not certain."
            ),
            BEHIND: _("Behind: even the high end is below the target of %(target)s units."),
        }
        return words[self.status] % {"target": self.target}

    def advice(self) -> str:
        """What to do when the low end is below the target; empty when no action is needed."""
        if self.status in (REACHED, ON_TRACK):
            return ""
        if self.too_late_to_enrol:
            return _(
                "A new cohort of the usual length (%(days)s days) can no longer end by "
                "%(deadline)s."
            ) % {
                "days": self.typical_cohort_days,
                "deadline": formats.date_format(self.deadline, "DATE_FORMAT"),
            }
        if self.units_to_enrol is None or self.enrol_by is None:
            return _(
                "At a completion rate of %(percent)s %%, more enrolments cannot be counted on "
                "to close the gap."
            ) % {"percent": round(100 * self.rate)}
        words = ngettext(
            "To be safe, enrol %(units)s more unit in a cohort that starts by %(date)s.",
            "To be safe, enrol %(units)s more units in a cohort that starts by %(date)s.",
            self.units_to_enrol,
        ) % {
            "units": self.units_to_enrol,
            "date": formats.date_format(self.enrol_by, "DATE_FORMAT"),
        }
        if self.units_to_enrol > self.units_free:
            words += " " + ngettext(
                "Only %(units)s unit in scope has neither completed nor is enrolled now.",
                "Only %(units)s units in scope have neither completed nor are enrolled now.",
                self.units_free,
            ) % {"units": self.units_free}
        return words

    def basis_note(self) -> str:
        """Where the rate comes from, saying so when it is an assumption."""
        percent = round(100 * self.rate)
        if self.basis == BASIS_ASSUMED:
            if not self.history_enrolments:
                return _(
                    "No cohort has finished yet, so the forecast assumes that %(percent)s %% "
                    "of enrolled units complete. This is an assumption, not a measurement."
                ) % {"percent": percent}
            return _(
                "Too little history yet (%(count)s finished enrolments, fewer than "
                "%(minimum)s), so the forecast assumes that %(percent)s %% of enrolled units "
                "complete. This is an assumption, not a measurement."
            ) % {"count": self.history_enrolments, "minimum": self.min_history, "percent": percent}
        words = _(
            "Based on past cohorts: %(percent)s %% of the units that took part completed "
            "(%(count)s enrolments in %(cohorts)s finished cohorts). A sector with at least "
            "%(minimum)s finished enrolments is forecast with its own rate."
        ) % {
            "percent": percent,
            "count": self.history_enrolments,
            "cohorts": self.history_cohorts,
            "minimum": self.min_history,
        }
        if self.history_cohorts >= 2:
            words += " " + _(
                "The range runs from the weakest past cohort (%(low)s %%) to the strongest "
                "(%(high)s %%)."
            ) % {"low": round(100 * self.rate_low), "high": round(100 * self.rate_high)}
        else:
            words += " " + _(
                "With one finished cohort, the range of %(points)s points either way is an "
                "assumption."
            ) % {"points": round(100 * ASSUMED_SPREAD)}
        return words


@dataclass(frozen=True)
class TargetProgress:
    """The target figures of one programme on one day."""

    programme: Programme
    today: dt.date
    completed: int
    target: int
    population: int
    guest_units_completed: int
    # Units of the population still enrolled in cohorts that are not closed, of which
    # `units_in_ended_cohorts` are in cohorts that have ended (they need closing).
    units_in_progress: int
    units_in_ended_cohorts: int
    units_behind_schedule: int
    units_withdrawn: int
    series: list[SeriesPoint]
    forecast: Forecast
    pace_per_30_days: float
    by_sector: list[BreakdownRow]
    by_cohort: list[BreakdownRow]

    @property
    def forecast_at_deadline(self) -> int:
        return self.forecast.expected

    @property
    def forecast_low(self) -> int:
        return self.forecast.low

    @property
    def forecast_high(self) -> int:
        return self.forecast.high

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
        """Reached, or even the low end of the forecast reaches the target."""
        return self.forecast.status in (REACHED, ON_TRACK)

    @property
    def days_to_deadline(self) -> int:
        return max((self.programme.deadline - self.today).days, 0)


def programme_target_progress(
    programme: Programme, *, today: dt.date | None = None
) -> TargetProgress:
    """Compute the programme's target figures, burn-up series, forecast and breakdowns.

    Three queries whatever the size of the data. Figures count units of the population
    (the owner's active units in the sectors in scope) unless they say otherwise:

    - in progress: units enrolled in a cohort that is not closed; those in a cohort that
      has ended are also counted apart (`units_in_ended_cohorts`: the cohort needs closing);
    - behind schedule: units enrolled in a running cohort (not closed, started, not ended)
      that is past half its duration, whose manager has not yet completed a single required
      activity of the curriculum (a manager completes everything by the end, so one who has
      not started half-way is late whatever the module plan; without a curriculum, none);
    - withdrawn: units with a withdrawn enrolment in the programme.
    """
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

    # Query 2: every enrolment of the programme, with what decides how it counts.
    rows = (
        UnitEnrolment.objects.filter(cohort__programme_id=programme.pk)
        .annotate(manager_started=_manager_started(programme))
        .order_by()
        .values_list(
            "cohort_id",
            "unit_id",
            "unit__organisation_id",
            "unit__sector_id",
            "unit__active",
            "status",
            "completed_at",
            "manager_started",
        )
    )
    enrolments: list[EnrolmentFacts] = []
    first_completion: dict[int, tuple[dt.date, int | None]] = {}
    guest_units: set[int] = set()
    for (
        cohort_id,
        unit_id,
        organisation_id,
        sector_id,
        active,
        status,
        completed_at,
        manager_started,
    ) in rows:
        own = organisation_id == programme.organisation_id
        in_population = own and active and sector_id in scope_sector_ids
        if status == Status.COMPLETED:
            day = timezone.localtime(completed_at).date()
            if day > today:
                status = Status.ENROLLED  # not completed yet on the day of the figures
            elif not own:
                guest_units.add(unit_id)
            elif in_population and (
                unit_id not in first_completion or day < first_completion[unit_id][0]
            ):
                first_completion[unit_id] = (day, sector_id)
        enrolments.append(
            EnrolmentFacts(
                cohort_id=cohort_id,
                unit_id=unit_id,
                sector_id=sector_id,
                own=own,
                in_population=in_population,
                status=status,
                manager_started=bool(manager_started),
            )
        )
    completed_days = sorted(day for day, _sector in first_completion.values())
    completed = len(completed_days)

    # Query 3: cohorts with their participants still on a team.
    cohorts = list(
        Cohort.objects.filter(programme_id=programme.pk)
        .annotate(
            participant_count=Count(
                "enrolments__participants",
                filter=~Q(enrolments__status=Status.WITHDRAWN)
                & ~Q(enrolments__participants__status=Participant.Status.WITHDRAWN),
                distinct=True,
            ),
        )
        .order_by("starts_on", "name")
    )
    facts = [
        CohortFacts(
            pk=cohort.pk,
            name=cohort.name,
            starts_on=cohort.starts_on,
            ends_on=cohort.ends_on,
            closed=cohort.closed_at is not None
            and timezone.localtime(cohort.closed_at).date() <= today,
        )
        for cohort in cohorts
    ]
    facts_by_pk = {cohort.pk: cohort for cohort in facts}

    # Units still enrolled, behind, withdrawn: each unit once per figure.
    in_progress: set[int] = set()
    in_ended: set[int] = set()
    behind: set[int] = set()
    withdrawn: set[int] = set()
    in_progress_by_sector: dict[int | None, set[int]] = {}
    # Per cohort (every unit, guests too, as the cohort table always counted): units by
    # status, and the population's completed and behind.
    per_cohort: dict[int, dict[str, set[int]]] = {cohort.pk: {} for cohort in facts}
    for enrolment in enrolments:
        fact = facts_by_pk[enrolment.cohort_id]
        tallies = per_cohort[fact.pk]
        tallies.setdefault(enrolment.status, set()).add(enrolment.unit_id)
        if enrolment.in_population and enrolment.status == Status.COMPLETED:
            tallies.setdefault("population_completed", set()).add(enrolment.unit_id)
        if enrolment.status == Status.WITHDRAWN:
            if enrolment.in_population:
                withdrawn.add(enrolment.unit_id)
            continue
        if enrolment.status != Status.ENROLLED or fact.closed:
            continue
        if not enrolment.in_population:
            if not enrolment.own:
                in_progress_by_sector.setdefault(None, set()).add(enrolment.unit_id)
            continue
        in_progress_by_sector.setdefault(enrolment.sector_id, set()).add(enrolment.unit_id)
        in_progress.add(enrolment.unit_id)
        if fact.ends_on < today:
            in_ended.add(enrolment.unit_id)
        elif _past_half_way(fact, today) and not enrolment.manager_started:
            behind.add(enrolment.unit_id)
            tallies.setdefault("behind", set()).add(enrolment.unit_id)

    forecast = plan_forecast(
        cohorts=facts,
        enrolments=enrolments,
        completed_units=set(first_completion),
        population=population,
        target=programme.target_units,
        deadline=programme.deadline,
        today=today,
        min_history=app_settings.FORECAST_MIN_HISTORY(),
        default_rate=app_settings.FORECAST_DEFAULT_PERCENT() / 100,
        units_free=max(population - completed - len(in_progress - set(first_completion)), 0),
    )

    by_cohort = []
    for cohort, cohort_facts in zip(cohorts, facts, strict=True):
        units = per_cohort[cohort.pk]
        units_completed = len(units.get(Status.COMPLETED, ()))
        expected = None
        if cohort.pk in forecast.cohort_expected:
            expected = _half_up(
                len(units.get("population_completed", ())) + forecast.cohort_expected[cohort.pk]
            )
        by_cohort.append(
            BreakdownRow(
                key=f"cohort-{cohort.pk}",
                label=cohort.name,
                units_in_scope=None,
                units_in_progress=0 if cohort_facts.closed else len(units.get(Status.ENROLLED, ())),
                units_completed=units_completed,
                participants=cohort.participant_count,
                starts_on=cohort.starts_on,
                ends_on=cohort.ends_on,
                phase=cohort.phase_on(today),
                closed=cohort_facts.closed,
                units_withdrawn=len(units.get(Status.WITHDRAWN, ())),
                units_behind=len(units.get("behind", ())),
                expected=expected,
            )
        )

    completed_by_sector: dict[int | None, int] = {}
    for _day, completed_sector in first_completion.values():
        completed_by_sector[completed_sector] = completed_by_sector.get(completed_sector, 0) + 1
    by_sector = [
        BreakdownRow(
            key=f"sector-{sector.pk}",
            label=sector.name,
            units_in_scope=sector.active_units,
            units_in_progress=len(in_progress_by_sector.get(sector.pk, ())),
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
                units_in_progress=len(in_progress_by_sector.get(None, ())),
                units_completed=len(guest_units),
            )
        )

    days_so_far = (min(today, programme.deadline) - programme.starts_on).days
    pace = 30 * completed / days_so_far if days_so_far > 0 else 0.0
    return TargetProgress(
        programme=programme,
        today=today,
        completed=completed,
        target=programme.target_units,
        population=population,
        guest_units_completed=len(guest_units),
        units_in_progress=len(in_progress),
        units_in_ended_cohorts=len(in_ended),
        units_behind_schedule=len(behind),
        units_withdrawn=len(withdrawn),
        series=_monthly_series(completed_days, programme=programme, today=today),
        forecast=forecast,
        pace_per_30_days=round(pace, 1),
        by_sector=by_sector,
        by_cohort=by_cohort,
    )


def _manager_started(programme: Programme) -> Exists | Value:
    """Whether the enrolment's manager has completed any required activity of the
    curriculum (True without a curriculum: nobody can be behind on none)."""
    if programme.course_id is None:
        return Value(True, output_field=BooleanField())
    started = ActivityCompletion.objects.filter(
        user_id=OuterRef("user_id"),
        activity__module__course_id=programme.course_id,
        activity__required=True,
    )
    return Exists(
        Participant.objects.filter(enrolment_id=OuterRef("pk"), role=Participant.Role.MANAGER)
        .exclude(status=Participant.Status.WITHDRAWN)
        .filter(Exists(started))
    )


def _past_half_way(cohort: CohortFacts, today: dt.date) -> bool:
    """A running cohort (not closed, started, not ended) past half its duration."""
    if cohort.closed or not cohort.starts_on <= today <= cohort.ends_on:
        return False
    return 2 * (today - cohort.starts_on).days >= cohort.length_days


def _half_up(value: float) -> int:
    return math.floor(value + 0.5 + 1e-9)


def plan_forecast(
    *,
    cohorts: Iterable[CohortFacts],
    enrolments: Iterable[EnrolmentFacts],
    completed_units: set[int],
    population: int,
    target: int,
    deadline: dt.date,
    today: dt.date,
    min_history: int,
    default_rate: float,
    units_free: int = 0,
) -> Forecast:
    """The units likely completed by the deadline, from the cohorts planned to end by then.

    expected = completed + Σ over units of the population still enrolled (each unit once, in
    the earliest-ending such cohort, and not already completed) in cohorts that are not
    closed, have not ended before today and end on or before the deadline, of the unit's
    rate. A cohort that has ended and is not closed counts no more: its units still enrolled
    are taken as not completed, as in the history (the dashboard shows them apart).

    The rate is history: finished cohorts (closed, or ended before today), counting units
    of the owner organisation that took part (completed, not completed, or still enrolled;
    not withdrawn, not moved). A unit's rate is its sector's when the sector has at least
    `min_history` finished enrolments, otherwise the programme's (pooled over its finished
    cohorts). With fewer than `min_history` finished enrolments in all, `default_rate` is
    assumed, and the words say so.

    The range (low, high) moves each unit's rate down by how far the weakest finished
    cohort fell below the programme's rate, and up by how far the strongest rose above it
    (± ASSUMED_SPREAD with fewer than two finished cohorts or an assumed rate), each kept
    within 0–1. The three figures are rounded half up and then kept at or below what is
    reachable (completed + the units counted) and the population (but never below what has
    already completed).

    The advice, when the low end is below the target: enrol ceil((target − low) / rate)
    more units in a cohort that starts by the deadline minus the programme's typical cohort
    length (the median of its cohorts' lengths; DEFAULT_COHORT_DAYS without cohorts).
    """
    cohorts = list(cohorts)
    cohort_by_pk = {cohort.pk: cohort for cohort in cohorts}
    completed = len(completed_units)

    # History: completed and took part, by sector and by finished cohort.
    by_sector: dict[int | None, list[int]] = {}
    by_cohort: dict[int, list[int]] = {}
    planned: dict[int, tuple[dt.date, int, int | None]] = {}  # unit -> (end, cohort, sector)
    for enrolment in enrolments:
        cohort = cohort_by_pk[enrolment.cohort_id]
        if cohort.finished(today):
            if enrolment.own and enrolment.status in (
                Status.COMPLETED,
                Status.NOT_COMPLETED,
                Status.ENROLLED,
            ):
                done = int(enrolment.status == Status.COMPLETED)
                for tally in (
                    by_sector.setdefault(enrolment.sector_id, [0, 0]),
                    by_cohort.setdefault(cohort.pk, [0, 0]),
                ):
                    tally[0] += done
                    tally[1] += 1
        elif (
            cohort.ends_on <= deadline
            and enrolment.in_population
            and enrolment.status == Status.ENROLLED
            and enrolment.unit_id not in completed_units
        ):
            chosen = planned.get(enrolment.unit_id)
            candidate = (cohort.ends_on, cohort.pk, enrolment.sector_id)
            if chosen is None or candidate[:2] < chosen[:2]:
                planned[enrolment.unit_id] = candidate

    history_done = sum(done for done, _total in by_sector.values())
    history_total = sum(total for _done, total in by_sector.values())
    cohort_rates = [done / total for done, total in by_cohort.values() if total]
    if history_total and history_total >= min_history:
        rate = history_done / history_total
        sector_rates = {
            sector: done / total
            for sector, (done, total) in by_sector.items()
            if total >= min_history
        }
        basis = BASIS_PROGRAMME
    else:
        rate = min(max(default_rate, 0.0), 1.0)
        sector_rates = {}
        basis = BASIS_ASSUMED
    if basis != BASIS_ASSUMED and len(cohort_rates) >= 2:
        rate_low, rate_high = min(cohort_rates), max(cohort_rates)
    else:
        rate_low, rate_high = max(rate - ASSUMED_SPREAD, 0.0), min(rate + ASSUMED_SPREAD, 1.0)

    # Each planned unit's chance, and the cohort ends they add to.
    additions: dict[int, list[float]] = {}
    for _end, cohort_pk, sector_id in planned.values():
        unit_rate = sector_rates.get(sector_id, rate)
        if sector_id in sector_rates:
            basis = BASIS_SECTOR
        chances = additions.setdefault(cohort_pk, [0.0, 0.0, 0.0])
        chances[0] += unit_rate
        chances[1] += min(max(unit_rate - (rate - rate_low), 0.0), 1.0)
        chances[2] += min(max(unit_rate + (rate_high - rate), 0.0), 1.0)

    reachable = completed + len(planned)
    cap = max(completed, min(reachable, population))
    totals = [float(completed)] * 3
    steps: list[PlanStep] = []
    for cohort in sorted(
        (cohort_by_pk[pk] for pk in additions), key=lambda c: (c.ends_on, c.starts_on, c.name)
    ):
        totals = [total + added for total, added in zip(totals, additions[cohort.pk], strict=True)]
        expected, low, high = (min(_half_up(total), cap) for total in totals)
        if steps and steps[-1].day == cohort.ends_on:
            names = (*steps[-1].cohorts, cohort.name)
            steps[-1] = PlanStep(cohort.ends_on, expected, low, high, names)
        else:
            steps.append(PlanStep(cohort.ends_on, expected, low, high, (cohort.name,)))
    expected, low, high = (min(_half_up(total), cap) for total in totals)

    lengths = [cohort.length_days for cohort in cohorts]
    typical = round(statistics.median(lengths)) if lengths else DEFAULT_COHORT_DAYS
    units_to_enrol = enrol_by = None
    if completed < target and low < target:
        enrol_by = deadline - dt.timedelta(days=typical)
        if rate >= MIN_ADVICE_RATE:
            units_to_enrol = math.ceil((target - low) / rate - 1e-9)
    return Forecast(
        today=today,
        deadline=deadline,
        target=target,
        completed=completed,
        expected=expected,
        low=low,
        high=high,
        reachable=reachable,
        units_planned=len(planned),
        rate=rate,
        rate_low=rate_low,
        rate_high=rate_high,
        basis=basis,
        history_enrolments=history_total,
        history_cohorts=len(cohort_rates),
        min_history=min_history,
        typical_cohort_days=typical,
        units_free=units_free,
        units_to_enrol=units_to_enrol,
        enrol_by=enrol_by,
        steps=steps,
        cohort_expected={pk: chances[0] for pk, chances in additions.items()},
    )


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
