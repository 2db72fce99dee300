"""The dashboard's forecast from the plan (`lup.selectors.plan_forecast`, read by
`programme_target_progress`): never above what is reachable or the population, no jump when
a cohort ends as planned or is closed, history by sector and overall, the words and the
advice, the same figures in the API and the CSV, and a fixed query count."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

import pytest
from django.urls import reverse
from django.utils import formats
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from courses.api import Activity, ActivityCompletion, Course, Module
from lup.models import Cohort, OrganisationMembership, Participant, UnitEnrolment
from lup.selectors import (
    ASSUMED_SPREAD,
    CohortFacts,
    EnrolmentFacts,
    plan_forecast,
    programme_target_progress,
)
from tests.factories import (
    CohortFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    SectorFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
)

TODAY = dt.date(2026, 6, 30)
DEADLINE = dt.date(2027, 12, 31)


def stamp(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


class World:
    """A programme of one organisation with units in sectors, built cohort by cohort."""

    def __init__(
        self,
        *,
        target: int = 20,
        sectors: dict[str, int] | None = None,
        starts_on: dt.date = dt.date(2025, 1, 1),
        deadline: dt.date = DEADLINE,
    ) -> None:
        self.organisation = OrganisationFactory(name="Bærum kommune")
        self.programme = ProgrammeFactory(
            organisation=self.organisation,
            slug="lup",
            target_units=target,
            starts_on=starts_on,
            deadline=deadline,
        )
        self.free: dict[str, list] = {}
        for name, count in (sectors or {"Skole": 40}).items():
            sector = SectorFactory(organisation=self.organisation, name=name)
            self.free[name] = [
                ServiceUnitFactory(organisation=self.organisation, sector=sector)
                for _ in range(count)
            ]

    def cohort(
        self, name: str, starts_on: dt.date, ends_on: dt.date, *, closed: bool = False
    ) -> Cohort:
        return CohortFactory.create(
            programme=self.programme,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            closed_at=stamp(ends_on + dt.timedelta(days=3)) if closed else None,
        )

    def enrol(
        self,
        cohort: Cohort,
        *,
        sector: str = "Skole",
        completed: int = 0,
        not_completed: int = 0,
        enrolled: int = 0,
        withdrawn: int = 0,
        completed_on: dt.date | None = None,
    ) -> list[UnitEnrolment]:
        enrolments = []
        plan = (
            [UnitEnrolment.Status.COMPLETED] * completed
            + [UnitEnrolment.Status.NOT_COMPLETED] * not_completed
            + [UnitEnrolment.Status.ENROLLED] * enrolled
            + [UnitEnrolment.Status.WITHDRAWN] * withdrawn
        )
        for status in plan:
            unit = self.free[sector].pop()
            enrolments.append(
                UnitEnrolmentFactory.create(
                    cohort=cohort,
                    unit=unit,
                    status=status,
                    completed_at=stamp(completed_on or cohort.ends_on)
                    if status == UnitEnrolment.Status.COMPLETED
                    else None,
                )
            )
        return enrolments

    def progress(self, today: dt.date = TODAY):
        return programme_target_progress(self.programme, today=today)


# --- never above what is reachable or the population ----------------------------------------

STATUSES = ["enrolled", "enrolled", "enrolled", "completed", "not_completed", "moved", "withdrawn"]


@st.composite
def plans(draw):
    """Cohorts around today and the deadline, and random enrolments of random units."""
    today = dt.date(2026, 6, 30)
    deadline = today + dt.timedelta(days=draw(st.integers(0, 600)))
    cohorts = []
    for pk in range(1, draw(st.integers(1, 6)) + 1):
        starts = today + dt.timedelta(days=draw(st.integers(-700, 500)))
        ends = starts + dt.timedelta(days=draw(st.integers(1, 250)))
        cohorts.append(
            CohortFacts(
                pk=pk,
                name=f"LUP {pk}",
                starts_on=starts,
                ends_on=ends,
                closed=draw(st.booleans()) and ends < today + dt.timedelta(days=30),
            )
        )
    units = draw(st.integers(0, 30))
    sector_of = {unit: draw(st.sampled_from([1, 2, 3])) for unit in range(units)}
    kinds = st.sampled_from(["population", "population", "own", "guest"])
    kind_of = {unit: draw(kinds) for unit in range(units)}
    enrolments = []
    for unit in range(units):
        for cohort in draw(st.sets(st.sampled_from(cohorts), max_size=3)):
            enrolments.append(
                EnrolmentFacts(
                    cohort_id=cohort.pk,
                    unit_id=unit,
                    sector_id=sector_of[unit] if kind_of[unit] != "guest" else 99,
                    own=kind_of[unit] != "guest",
                    in_population=kind_of[unit] == "population",
                    status=draw(st.sampled_from(STATUSES)),
                )
            )
    completed_units = {e.unit_id for e in enrolments if e.in_population and e.status == "completed"}
    population_units = {unit for unit in range(units) if kind_of[unit] == "population"}
    population = draw(
        st.one_of(
            st.just(len(population_units) + draw(st.integers(0, 10))),
            st.integers(1, 12),  # a fixed population size, perhaps below the register
        )
    )
    return {
        "cohorts": cohorts,
        "enrolments": enrolments,
        "completed_units": completed_units,
        "population": population,
        "target": draw(st.integers(1, 40)),
        "deadline": deadline,
        "today": today,
        "min_history": draw(st.integers(1, 12)),
        "default_rate": draw(st.floats(0, 1)),
        "units_free": draw(st.integers(0, 20)),
    }


def reachable_by_hand(plan) -> int:
    """Completed units plus the population's units still enrolled in a cohort that is not
    closed, not ended, and ends by the deadline, each once, not already completed."""
    today, deadline = plan["today"], plan["deadline"]
    open_cohorts = {
        c.pk for c in plan["cohorts"] if not c.closed and today <= c.ends_on <= deadline
    }
    candidates = {
        e.unit_id
        for e in plan["enrolments"]
        if e.in_population and e.status == "enrolled" and e.cohort_id in open_cohorts
    }
    return len(plan["completed_units"]) + len(candidates - plan["completed_units"])


@hypothesis_settings(max_examples=400, deadline=None)
@given(plans())
def test_the_forecast_never_promises_more_than_is_reachable_or_the_population(plan):
    forecast = plan_forecast(**plan)

    completed = len(plan["completed_units"])
    reachable = reachable_by_hand(plan)
    assert forecast.reachable == reachable
    assert completed <= forecast.low <= forecast.expected <= forecast.high <= reachable
    if plan["population"] >= completed:
        assert forecast.high <= plan["population"]
    else:  # a fixed population below what has completed: nothing more is promised
        assert forecast.low == forecast.high == completed
    # The plan's steps rise to the figures at the deadline, never past them.
    previous = (completed, completed, completed)
    for step in forecast.steps:
        current = (step.low, step.expected, step.high)
        assert all(now >= before for now, before in zip(current, previous, strict=True))
        assert step.low <= step.expected <= step.high
        previous = current
    if forecast.steps:
        assert previous == (forecast.low, forecast.expected, forecast.high)
    else:
        assert forecast.expected == completed
    if forecast.units_to_enrol is not None:
        # Enough units at the programme's rate to lift the low end to the target.
        assert forecast.low + forecast.units_to_enrol * forecast.rate >= plan["target"] - 1e-9


pytestmark = pytest.mark.django_db


def test_a_fixed_population_below_the_plan_caps_the_forecast():
    world = World(target=30)
    history = world.cohort("LUP 1", dt.date(2025, 2, 1), dt.date(2025, 8, 1))
    world.enrol(history, completed=12)
    running = world.cohort("LUP 2", dt.date(2026, 3, 1), dt.date(2026, 9, 1))
    world.enrol(running, enrolled=10)
    world.programme.population_size_override = 15
    world.programme.save()

    forecast = world.progress().forecast

    assert (forecast.reachable, forecast.high) == (22, 15)
    assert forecast.expected == forecast.low == 15


def test_a_unit_counts_once_and_not_again_after_completing():
    world = World()
    first = world.cohort("LUP 1", dt.date(2025, 2, 1), dt.date(2025, 8, 1))
    (done,) = world.enrol(first, completed=1)
    running = world.cohort("LUP 2", dt.date(2026, 3, 1), dt.date(2026, 9, 1))
    upcoming = world.cohort("LUP 3", dt.date(2026, 10, 1), dt.date(2027, 3, 1))
    (twice,) = world.enrol(running, enrolled=1)
    UnitEnrolmentFactory(cohort=upcoming, unit=twice.unit)  # enrolled in both
    UnitEnrolmentFactory(cohort=running, unit=done.unit)  # again, after completing

    forecast = world.progress().forecast

    assert forecast.reachable == 2  # the completed unit, and the unit enrolled twice once
    assert forecast.units_planned == 1
    assert [step.cohorts for step in forecast.steps] == [("LUP 2",)]


def test_cohorts_ending_after_the_deadline_and_ended_cohorts_are_not_in_the_plan():
    world = World()
    late = world.cohort("LUP 9", dt.date(2027, 9, 1), dt.date(2028, 3, 1))
    world.enrol(late, enrolled=5)
    ended = world.cohort("LUP 1", dt.date(2025, 9, 1), dt.date(2026, 3, 1))
    world.enrol(ended, enrolled=4)

    progress = world.progress()

    assert progress.forecast.reachable == 0 == progress.forecast_high
    # Still enrolled, though: in progress, and those in the ended cohort shown apart.
    assert progress.units_in_progress == 9
    assert progress.units_in_ended_cohorts == 4


# --- no jump when a cohort ends as planned, or is closed --------------------------------------


def world_with_history(*, spread: bool = True) -> tuple[World, Cohort]:
    """Two finished cohorts at 70 % and 90 % (80 % pooled), a running cohort of ten units
    ending 31 August 2026 and an upcoming one of five."""
    world = World(target=40)
    first = world.cohort("LUP 1", dt.date(2025, 1, 15), dt.date(2025, 6, 15), closed=True)
    second = world.cohort("LUP 2", dt.date(2025, 8, 1), dt.date(2026, 1, 31), closed=True)
    world.enrol(first, completed=7 if spread else 8, not_completed=3 if spread else 2)
    world.enrol(second, completed=9 if spread else 8, not_completed=1 if spread else 2)
    running = world.cohort("LUP 3", dt.date(2026, 3, 1), dt.date(2026, 8, 31))
    world.enrol(running, enrolled=10)
    upcoming = world.cohort("LUP 4", dt.date(2026, 10, 1), dt.date(2027, 3, 31))
    world.enrol(upcoming, enrolled=5)
    return world, running


def figures(progress) -> tuple[int, int, int, int]:
    return (
        progress.forecast_low,
        progress.forecast_at_deadline,
        progress.forecast_high,
        progress.completed,
    )


def test_a_cohort_that_ends_as_planned_moves_nothing_but_narrows_the_range():
    """The straight line jumped on the day a cohort's completions came in; the plan already
    counted them: when 8 of 10 complete (the 80 % expected), the forecast stays put, and
    the range only narrows (that cohort's outcome is no longer uncertain)."""
    world, running = world_with_history()
    end = running.ends_on
    before = world.progress(end - dt.timedelta(days=1))
    for enrolment in running.enrolments.order_by("pk")[:8]:
        enrolment.status = UnitEnrolment.Status.COMPLETED
        enrolment.completed_at = stamp(end)
        enrolment.save()

    after = world.progress(end + dt.timedelta(days=1))

    assert before.forecast_at_deadline == round(16 + 10 * 0.8 + 5 * 0.8)
    assert after.completed == before.completed + 8
    assert after.forecast_at_deadline == before.forecast_at_deadline
    assert before.forecast_low <= after.forecast_low <= after.forecast_at_deadline
    assert after.forecast_at_deadline <= after.forecast_high <= before.forecast_high
    assert (before.forecast_low, after.forecast_low) == (27, 28)  # 16 + 15 × 0.7 = 26.5, half up
    assert after.units_in_ended_cohorts == 2  # the two left wait for the cohort's closing


def test_the_calendar_alone_moves_nothing_while_a_cohort_runs():
    world, running = world_with_history()

    early = world.progress(running.starts_on + dt.timedelta(days=1))
    late = world.progress(running.ends_on)

    assert figures(early) == figures(late)


def test_closing_an_ended_cohort_moves_nothing():
    """Its units still enrolled already counted as not completed; closing says so."""
    world, running = world_with_history()
    after_end = running.ends_on + dt.timedelta(days=5)
    for enrolment in running.enrolments.order_by("pk")[:8]:
        enrolment.status = UnitEnrolment.Status.COMPLETED
        enrolment.completed_at = stamp(running.ends_on)
        enrolment.save()
    open_ = world.progress(after_end)
    running.enrolments.filter(status="enrolled").update(status="not_completed")
    running.closed_at = stamp(after_end)
    running.save()

    closed = world.progress(after_end)

    assert figures(closed) == figures(open_)
    assert (open_.units_in_ended_cohorts, closed.units_in_ended_cohorts) == (2, 0)
    assert closed.units_in_progress == open_.units_in_progress - 2


def test_a_completion_stamped_after_the_day_of_the_figures_has_not_happened_yet():
    world, running = world_with_history()
    enrolment = running.enrolments.first()
    before = world.progress()
    enrolment.status = UnitEnrolment.Status.COMPLETED
    enrolment.completed_at = stamp(TODAY + dt.timedelta(days=1))
    enrolment.save()

    assert figures(world.progress()) == figures(before)
    assert world.progress(TODAY + dt.timedelta(days=1)).completed == before.completed + 1


# --- the rate: by sector, overall, or assumed -----------------------------------------------


def two_sector_world() -> World:
    """School: 10 finished enrolments, all completed. Care: 4, none completed. Overall
    10 of 14. The running cohort has two units of each."""
    world = World(sectors={"Skole": 20, "Omsorg": 20})
    finished = world.cohort("LUP 1", dt.date(2025, 3, 1), dt.date(2025, 9, 1))
    world.enrol(finished, sector="Skole", completed=10, withdrawn=3)  # withdrawn: not counted
    world.enrol(finished, sector="Omsorg", enrolled=4)  # ended, still enrolled: not completed
    running = world.cohort("LUP 2", dt.date(2026, 3, 1), dt.date(2026, 9, 1))
    world.enrol(running, sector="Skole", enrolled=2)
    world.enrol(running, sector="Omsorg", enrolled=2)
    return world


def test_a_sector_with_enough_history_uses_its_own_rate(settings):
    settings.LUP_FORECAST_MIN_HISTORY = 10
    forecast = two_sector_world().progress().forecast

    assert forecast.basis == "sector"
    assert forecast.rate == pytest.approx(10 / 14)
    assert forecast.history_enrolments == 14
    # School at its own 100 %, care (4 < 10) at the programme's 10/14.
    assert forecast.cohort_expected[max(forecast.cohort_expected)] == pytest.approx(
        2 * 1.0 + 2 * 10 / 14
    )
    assert forecast.expected == round(10 + 2 + 2 * 10 / 14)


def test_without_enough_history_in_any_sector_the_programme_rate_applies(settings):
    settings.LUP_FORECAST_MIN_HISTORY = 11
    settings.LUP_FORECAST_DEFAULT_PERCENT = 50
    forecast = two_sector_world().progress().forecast

    assert forecast.basis == "programme"
    assert forecast.cohort_expected[max(forecast.cohort_expected)] == pytest.approx(4 * 10 / 14)


def test_with_no_history_the_rate_is_an_assumption_and_the_words_say_so(settings, english_site):
    settings.LUP_FORECAST_DEFAULT_PERCENT = 60
    world = World()
    running = world.cohort("LUP 1", dt.date(2026, 3, 1), dt.date(2026, 9, 1))
    world.enrol(running, enrolled=10)

    forecast = world.progress().forecast

    assert (forecast.basis, forecast.rate, forecast.history_enrolments) == ("assumed", 0.6, 0)
    assert forecast.expected == 6
    assert (forecast.low, forecast.high) == (round(10 * (0.6 - ASSUMED_SPREAD)), 8)
    assert forecast.basis_note() == (
        "No cohort has finished yet, so the forecast assumes that 60 % of enrolled units "
        "complete. This is an assumption, not a measurement."
    )


def test_too_little_history_is_also_an_assumption(settings, english_site):
    settings.LUP_FORECAST_MIN_HISTORY = 10
    world = World()
    finished = world.cohort("LUP 1", dt.date(2025, 3, 1), dt.date(2025, 9, 1))
    world.enrol(finished, completed=4, not_completed=5)

    forecast = world.progress().forecast

    assert forecast.basis == "assumed"
    assert "Too little history yet (9 finished enrolments, fewer than 10)" in (
        forecast.basis_note()
    )
    assert "assumption" in forecast.basis_note()


# --- the words and the advice -------------------------------------------------------------


def behind_world() -> World:
    """Finished cohorts of 100 days (4 of 10 completed) and 120 days (6 of 10, 4 still
    enrolled though it ended); a running cohort of 200 days with 6 units; target 20 of 30."""
    world = World(target=20, sectors={"Skole": 30})
    first = world.cohort("LUP 1", dt.date(2025, 1, 1), dt.date(2025, 4, 11), closed=True)
    world.enrol(first, completed=4, not_completed=6)
    second = world.cohort("LUP 2", dt.date(2025, 5, 1), dt.date(2025, 8, 29))
    world.enrol(second, completed=6, enrolled=4)
    running = world.cohort("LUP 3", dt.date(2026, 3, 1), dt.date(2026, 9, 17))
    world.enrol(running, enrolled=6)
    return world


def test_behind_the_advice_names_the_units_to_enrol_and_the_latest_start(english_site):
    progress = behind_world().progress()
    forecast = progress.forecast

    # 10 completed; 6 enrolled at 50 % (40 % to 60 % by the past cohorts).
    assert (forecast.low, forecast.expected, forecast.high) == (12, 13, 14)
    assert forecast.status == "behind"
    assert forecast.units_to_enrol == math.ceil((20 - 12) / 0.5) == 16
    assert forecast.typical_cohort_days == 120  # the median of 100, 120 and 200
    assert forecast.enrol_by == DEADLINE - dt.timedelta(days=120) == dt.date(2027, 9, 2)
    assert forecast.units_free == 10  # 30 - 10 completed - 10 still enrolled
    date = formats.date_format(dt.date(2027, 9, 2), "DATE_FORMAT")
    assert forecast.summary() == (
        f"Likely 12–14 units by {formats.date_format(DEADLINE, 'DATE_FORMAT')} (expected 13)."
    )
    assert forecast.verdict() == ("Behind: even the high end is below the target of 20 units.")
    assert forecast.advice() == (
        f"To be safe, enrol 16 more units in a cohort that starts by {date}. "
        "Only 10 units in scope have neither completed nor are enrolled now."
    )
    assert "from the weakest past cohort (40 %) to the strongest (60 %)" in (forecast.basis_note())


def test_when_no_new_cohort_can_end_in_time_the_advice_says_so(english_site):
    progress = behind_world().progress(dt.date(2027, 10, 1))

    assert progress.forecast.too_late_to_enrol
    assert progress.forecast.advice() == (
        "A new cohort of the usual length (120 days) can no longer end by "
        f"{formats.date_format(DEADLINE, 'DATE_FORMAT')}."
    )


def test_on_track_and_reached_say_so_without_advice(english_site):
    world, _running = world_with_history(spread=False)
    world.programme.target_units = 20
    world.programme.save()
    on_track = world.progress().forecast

    assert on_track.low >= 20
    assert on_track.status == "on_track"
    assert on_track.verdict() == "On track: even the low end reaches the target of 20 units."
    assert on_track.advice() == ""

    world.programme.target_units = 16
    world.programme.save()
    reached = world.progress().forecast

    assert reached.status == "reached"
    assert reached.verdict() == "The target of 16 units is reached."
    assert reached.advice() == ""


def test_within_the_range_is_not_certain_and_gets_the_advice(english_site):
    world, _running = world_with_history()
    world.programme.target_units = 29
    world.programme.save()
    forecast = world.progress().forecast

    assert forecast.low < 29 <= forecast.high
    assert forecast.verdict() == (
        "The target of 29 units is within the likely range, but not certain."
    )
    assert forecast.advice().startswith("To be safe, enrol")


def world_around_today() -> World:
    """For the pages, which count from the real today: cohorts at 70 % and 90 % before it,
    one running through it with ten units, one withdrawn; target 30."""
    today = dt.date.today()

    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    world = World(target=30, starts_on=day(-500), deadline=day(400))
    world.enrol(
        world.cohort("LUP 1", day(-400), day(-250), closed=True), completed=7, not_completed=3
    )
    world.enrol(world.cohort("LUP 2", day(-200), day(-50)), completed=9, not_completed=1)
    world.enrol(world.cohort("LUP 3", day(-30), day(150)), enrolled=10, withdrawn=1)
    return world


def test_the_dashboard_shows_the_words_and_the_plan(client, administrator, english_site):
    world = world_around_today()
    OrganisationMembership.objects.create(organisation=world.organisation, user=administrator)
    client.force_login(administrator)
    progress = world.progress(dt.date.today())

    html = client.get(reverse("lup:dashboard", kwargs={"slug": "lup"})).content.decode()

    forecast = progress.forecast
    assert (forecast.low, forecast.expected, forecast.high) == (23, 24, 25)
    assert forecast.summary() in html
    assert forecast.verdict() in html
    assert forecast.advice() in html
    assert "To be safe, enrol 9 more units" in forecast.advice()  # (30 - 23) / 0.8
    assert '<span class="key-figure__value">23–25</span>' in html
    assert 'id="plan-table"' in html
    assert "1 unit withdrew" in html


# --- behind schedule, withdrawn, in progress ------------------------------------------------


def test_units_behind_schedule_are_past_half_way_with_a_manager_who_has_not_started():
    world = World()
    course = Course.objects.create(title="LUP", slug="lup-kurs")
    module = Module.objects.create(course=course, position=1, title="Modul 1")
    required = Activity.objects.create(module=module, position=1, title="Side", kind="page")
    optional = Activity.objects.create(
        module=module, position=2, title="Ekstra", kind="page", required=False
    )
    world.programme.course = course
    world.programme.save()
    running = world.cohort("LUP 1", dt.date(2026, 5, 1), dt.date(2026, 7, 31))
    started, idle, optional_only, no_manager = world.enrol(running, enrolled=4)
    for enrolment, activity in ((started, required), (idle, None), (optional_only, optional)):
        manager = ParticipantFactory(enrolment=enrolment, role=Participant.Role.MANAGER)
        ParticipantFactory(enrolment=enrolment)
        if activity:
            ActivityCompletion.objects.create(
                activity=activity, user=manager.user, source="marked_done"
            )
    # An enthusiast's work does not stand in for the manager's.
    enthusiast = ParticipantFactory(enrolment=no_manager)
    ActivityCompletion.objects.create(activity=required, user=enthusiast.user, source="marked_done")

    assert world.progress(dt.date(2026, 6, 14)).units_behind_schedule == 0  # not half-way
    progress = world.progress(dt.date(2026, 6, 16))
    assert progress.units_behind_schedule == 3
    assert {row.label: row.units_behind for row in progress.by_cohort} == {"LUP 1": 3}
    assert world.progress(dt.date(2026, 8, 1)).units_behind_schedule == 0  # ended


def test_withdrawn_units_and_the_cohort_rows():
    world = behind_world()
    running = Cohort.objects.get(name="LUP 3")
    world.enrol(running, withdrawn=2)

    progress = world.progress()

    assert progress.units_withdrawn == 2
    rows = {row.label: row for row in progress.by_cohort}
    assert rows["LUP 3"].units_withdrawn == 2
    assert rows["LUP 3"].expected == 3  # 6 enrolled at 50 %
    assert rows["LUP 2"].needs_closing
    assert not rows["LUP 1"].needs_closing
    assert rows["LUP 1"].closed
    assert rows["LUP 1"].units_in_progress == 0
    assert rows["LUP 2"].expected is None


# --- the same figures in the API and the CSV, and the query count ----------------------------


def test_the_api_and_the_csv_carry_the_dashboards_figures(client, administrator, english_site):
    world = world_around_today()
    OrganisationMembership.objects.create(organisation=world.organisation, user=administrator)
    client.force_login(administrator)
    progress = programme_target_progress(world.programme)  # the pages' day: today
    forecast = progress.forecast

    api = client.get(f"/api/v1/programmes/{world.programme.public_id}/progress/").json()
    body = client.get(reverse("lup:dashboard-csv", kwargs={"slug": "lup"})).content.decode()
    html = client.get(reverse("lup:dashboard", kwargs={"slug": "lup"})).content.decode()

    assert api["forecast_at_deadline"] == api["forecast"]["expected"] == forecast.expected
    assert (api["forecast"]["low"], api["forecast"]["high"]) == (forecast.low, forecast.high)
    assert api["forecast"]["units_to_enrol"] == forecast.units_to_enrol
    assert api["forecast"]["enrol_by"] == (forecast.enrol_by and forecast.enrol_by.isoformat())
    assert api["forecast"]["summary"] == forecast.summary()
    assert api["forecast"]["advice"] == forecast.advice()
    assert api["forecast"]["basis"] == forecast.basis
    assert [step["expected"] for step in api["forecast"]["steps"]] == [
        step.expected for step in forecast.steps
    ]
    assert (
        api["units_in_progress"],
        api["units_in_ended_cohorts"],
        api["units_behind_schedule"],
        api["units_withdrawn"],
    ) == (
        progress.units_in_progress,
        progress.units_in_ended_cohorts,
        progress.units_behind_schedule,
        progress.units_withdrawn,
    )
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    header, total = rows[0], rows[1]
    by_name = dict(zip(header, total, strict=True))
    assert by_name["forecast at deadline"] == str(forecast.expected)
    assert by_name["forecast low"] == str(forecast.low)
    assert by_name["forecast high"] == str(forecast.high)
    assert by_name["units in ended cohorts not closed"] == str(progress.units_in_ended_cohorts)
    planned = [row for row in rows if row[0] == "planned by date"]
    assert [int(row[7]) for row in planned] == [step.expected for step in forecast.steps]
    assert forecast.low < forecast.high
    assert f'<span class="key-figure__value">{forecast.low}–{forecast.high}</span>' in html
    assert api["forecast"]["steps"][0]["cohorts"] == ["LUP 3"]


def test_the_selector_runs_three_queries_whatever_the_size(django_assert_num_queries):
    world = behind_world()
    course = Course.objects.create(title="LUP", slug="lup-kurs")
    world.programme.course = course  # the managers' start is read in the same query
    world.programme.save()
    with django_assert_num_queries(3):
        small = world.progress()
    for number in range(4, 9):
        cohort = world.cohort(
            f"LUP {number}",
            dt.date(2026, 1, 1) + dt.timedelta(days=40 * number),
            dt.date(2026, 6, 1) + dt.timedelta(days=40 * number),
        )
        for _ in range(5):
            enrolment = UnitEnrolmentFactory(
                cohort=cohort,
                unit=ServiceUnitFactory(
                    organisation=world.organisation,
                    sector=world.programme.organisation.sectors.first(),
                ),
            )
            ParticipantFactory(enrolment=enrolment, role=Participant.Role.MANAGER)

    with django_assert_num_queries(3):
        large = world.progress()
    assert large.forecast.units_planned > small.forecast.units_planned
