"""Completions under real concurrency, on PostgreSQL: many races per scenario, each on a
fresh unit and team, and not one completion lost, not one error.

Every racer is a thread with its own database connection. A gate holds each of them at
a chosen point inside its transaction (its own step written, nothing committed) until
all have reached it, so every race takes the worst interleaving: each asks the rule
while the other's step is still uncommitted. Only the row locks of
`lup.services.completion_writes` (decide under the lock, from committed state) then save
the last completion; `test_without_the_locks_the_same_races_lose_completions` proves the
races would lose it without them.

The scenarios are plain functions (`SCENARIOS`): `benchmarks/completion_races.py` runs
them too and prints the figures. Two of them also race through the site: two browsers post
"done" at the same moment to Django's threaded live server. `LUP_COMPLETION_RACES` sets the
races per scenario (default 50, as issue 15 asks).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import Signal
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from courses import services as course_services
from courses.models import Activity, ActivityCompletion
from courses.models import Enrolment as CourseEnrolment
from lup import completion, services
from lup.innovation import services as innovation
from lup.innovation.models import InnovationProject, ProjectReview
from lup.models import Attendance, Participant, UnitEnrolment
from lup.services import completion_writes
from lup.signals import participant_completed
from tests.concurrency import on_postgresql
from tests.factories import ServiceUnitFactory, UserFactory
from tests.lup.curriculum import Setup, build_curriculum

pytestmark = on_postgresql

# Races per scenario (the issue asks for at least 50).
RACES = int(os.environ.get("LUP_COMPLETION_RACES", "50"))
# A racer that never reaches the gate (an error before it) breaks it after this long.
GATE_TIMEOUT = 15


class Gate:
    """Holds each racing thread at each of its stations, once, until every racer has
    arrived there. The thread that arms it (the test's) never waits.

    The station "step" is where a racer has written its own step (connected to a signal
    with `hold_at`); a test may add others and wait at them with `wait`."""

    def __init__(self) -> None:
        self._stations = {"step"}
        self._barriers: dict[str, threading.Barrier] = {}
        self._waited: set[tuple[int, str]] = set()
        self._lock = threading.Lock()
        self._owner = threading.get_ident()
        self._connected: list[tuple[Signal, Any, str]] = []
        self._pause_after: dict[int, float] = {}

    def hold_at(self, signal: Signal, sender: Any = None) -> None:
        uid = f"completion_race_gate_{id(self)}_{len(self._connected)}"
        signal.connect(self._at_step, sender=sender, weak=False, dispatch_uid=uid)
        self._connected.append((signal, sender, uid))

    def add_station(self, station: str) -> None:
        self._stations.add(station)

    def close(self) -> None:
        for signal, sender, uid in self._connected:
            signal.disconnect(sender=sender, dispatch_uid=uid)
        self._connected.clear()

    def arm(self, racers: int) -> None:
        self._owner = threading.get_ident()
        self._waited = set()
        self._pause_after = {}
        self._barriers = {
            station: threading.Barrier(racers, timeout=GATE_TIMEOUT) for station in self._stations
        }

    def disarm(self) -> None:
        self._barriers = {}

    def pause_after_release(self, seconds: float) -> None:
        """Let the calling racer start again this long after the others (to give them the
        next lock first)."""
        self._pause_after[threading.get_ident()] = seconds

    def _at_step(self, **kwargs: Any) -> None:
        self.wait()

    def wait(self, station: str = "step") -> None:
        barrier, me = self._barriers.get(station), threading.get_ident()
        if barrier is None or me == self._owner:
            return
        with self._lock:
            if (me, station) in self._waited:
                return
            self._waited.add((me, station))
        barrier.wait()
        time.sleep(self._pause_after.get(me, 0))


def race(gate: Gate, *actions: Callable[[], Any]) -> tuple[list[BaseException], float]:
    """Run the actions at once, each in its own thread (and database connection), held at
    the gate; returns their errors and the race's duration in seconds."""
    errors: list[BaseException] = []

    def run(action: Callable[[], Any]) -> None:
        try:
            action()
        except BaseException as error:  # reported by the tally, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    gate.arm(len(actions))
    started = time.perf_counter()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=GATE_TIMEOUT * 4)
    finally:
        gate.disarm()
    elapsed = time.perf_counter() - started
    if any(thread.is_alive() for thread in threads):
        errors.append(TimeoutError("a racer is still running"))
    return errors, elapsed


@dataclass
class Tally:
    """What the races of one scenario left behind."""

    scenario: str
    races: int = 0
    lost_participants: int = 0
    lost_units: int = 0
    # Races after which the unit had not even earned its completion (a racer's step
    # failed and was rolled back): as bad as a lost completion.
    unearned_units: int = 0
    # Members of a completed unit whose row was last touched before the unit completed:
    # the completions feed, synced by `updated_at`, would never show them its new status.
    stale_rows: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def count(self, enrolment: UnitEnrolment, errors: list[BaseException], seconds: float) -> None:
        self.races += 1
        self.seconds.append(seconds)
        self.errors.extend(f"{type(error).__name__}: {error}" for error in errors)
        lost_participants, lost_unit, earned, stale = examine(enrolment)
        self.lost_participants += lost_participants
        self.lost_units += lost_unit
        self.unearned_units += int(not earned)
        self.stale_rows += stale

    @property
    def lost(self) -> int:
        return self.lost_participants + self.lost_units

    @property
    def clean(self) -> bool:
        return not (self.lost or self.unearned_units or self.stale_rows or self.errors)

    def __str__(self) -> str:
        errors = sorted({error.splitlines()[0] for error in self.errors})
        return (
            f"{self.scenario}: {self.races} races, {self.lost_participants} lost participant "
            f"completions, {self.lost_units} lost unit completions, {self.unearned_units} "
            f"units short of the rule, {self.stale_rows} stale feed rows, "
            f"{len(self.errors)} errors {errors[:3]}"
        )


def examine(enrolment: UnitEnrolment) -> tuple[int, int, bool, int]:
    """From committed state: how many of the team meet the rule without their stamp,
    whether the unit meets it without its stamp, whether it meets it at all, and how many
    rows of a completed unit's team were last touched before it completed."""
    enrolment = UnitEnrolment.objects.select_related("cohort__programme__completion_rule").get(
        pk=enrolment.pk
    )
    team = list(
        Participant.objects.filter(enrolment=enrolment).select_related(
            "user", "enrolment__cohort__programme__completion_rule"
        )
    )
    earned = [member for member in team if completion.participant_earned(member)]
    lost_participants = sum(member.status != Participant.Status.COMPLETED for member in earned)
    rule = completion.rule_of(enrolment.cohort.programme)
    unit_earned = (
        any(member.role == Participant.Role.MANAGER for member in earned)
        and sum(member.role == Participant.Role.ENTHUSIAST for member in earned)
        >= rule.min_enthusiasts
        and completion.project_requirement_met(enrolment, rule)
    )
    completed = enrolment.status == UnitEnrolment.Status.COMPLETED
    stale = 0
    if completed and enrolment.completed_at is not None:
        stale = sum(member.updated_at < enrolment.completed_at for member in team)
    return lost_participants, int(unit_earned and not completed), unit_earned, stale


# Building the teams: a fresh unit and fresh people for every race, written straight to the
# database (only the race itself goes through the services).

MANAGER = 0  # people[0]; the enthusiasts follow


@dataclass
class Team:
    enrolment: UnitEnrolment
    people: list[Any]

    @property
    def manager(self) -> Any:
        return self.people[MANAGER]

    def participant(self, person: Any) -> Participant:
        return Participant.objects.select_related(
            "user", "enrolment__cohort__programme__completion_rule"
        ).get(enrolment=self.enrolment, user=person)


@dataclass
class Programme:
    """A programme with the curriculum of `tests.lup.curriculum` (a page, a team
    assignment, attendance at the closing gathering) and a facilitator."""

    setup: Setup
    facilitator: Any

    @property
    def page(self) -> Activity:
        return self.setup.page

    @property
    def all_but_the_page(self) -> list[Activity]:
        """The required activities but the page (attendance goes with `attended`)."""
        return [self.setup.assignment.activity]

    @transaction.atomic
    def new_team(
        self,
        *,
        enthusiasts: int = 1,
        done: dict[int, list[Activity]] | None = None,
        attended: tuple[int, ...] = (),
        completed: tuple[int, ...] = (),
    ) -> Team:
        """A unit with a manager and `enthusiasts`, all enrolled in the course. `done`: the
        activities each (by index: 0 the manager) has done; `attended`: who has attended
        the gathering (its attendance activity done too); `completed`: who is stamped."""
        cohort, now = self.setup.cohort, timezone.now()
        enrolment = UnitEnrolment.objects.create(
            cohort=cohort, unit=ServiceUnitFactory(organisation=cohort.programme.organisation)
        )
        key = enrolment.public_id.hex[:12]
        people = get_user_model().objects.bulk_create(
            get_user_model()(
                username=f"race-{key}-{n}@example.no", email=f"race-{key}-{n}@example.no"
            )
            for n in range(1 + enthusiasts)
        )
        members = Participant.objects.bulk_create(
            Participant(
                enrolment=enrolment,
                user=person,
                role=Participant.Role.MANAGER if n == MANAGER else Participant.Role.ENTHUSIAST,
                status=Participant.Status.COMPLETED
                if n in completed
                else Participant.Status.ACTIVE,
                completed_at=now if n in completed else None,
            )
            for n, person in enumerate(people)
        )
        CourseEnrolment.objects.bulk_create(
            CourseEnrolment(course=self.page.module.course, user=person, starts_on=cohort.starts_on)
            for person in people
        )
        doings = [
            (n, activity) for n, activities in (done or {}).items() for activity in activities
        ]
        doings += [(n, self.setup.attendance) for n in attended]
        ActivityCompletion.objects.bulk_create(
            ActivityCompletion(activity=activity, user=people[n], source="marked_done")
            for n, activity in doings
        )
        Attendance.objects.bulk_create(
            Attendance(
                gathering=self.setup.gathering,
                participant=members[n],
                method=Attendance.Method.FACILITATOR,
                recorded_by=self.facilitator,
            )
            for n in attended
        )
        return Team(enrolment, people)

    def attend(self, team: Team, person: Any) -> None:
        services.record_attendance(
            gathering=self.setup.gathering,
            participant=team.participant(person),
            recorded_by=self.facilitator,
            method=Attendance.Method.FACILITATOR,
        )

    def mark_done(self, person: Any, activity: Activity | None = None) -> None:
        course_services.mark_done(user=person, activity=activity or self.page)


def new_programme(*, min_attendance: int = 0, require_project_approval: bool = False) -> Programme:
    setup = build_curriculum(team_size=1)
    rule = setup.cohort.programme.completion_rule
    rule.min_attendance = min_attendance
    rule.require_project_approval = require_project_approval
    rule.save()
    facilitator = UserFactory()
    setup.cohort.facilitators.add(facilitator)
    return Programme(setup, facilitator)


def run_races(
    scenario: str,
    races: int,
    hold_at: list[tuple[Signal, Any]],
    one_race: Callable[[Gate], tuple[UnitEnrolment, list[BaseException], float]],
    gate: Gate | None = None,
) -> Tally:
    tally = Tally(scenario)
    gate = gate or Gate()
    for signal, sender in hold_at:
        gate.hold_at(signal, sender)
    try:
        for _ in range(races):
            tally.count(*one_race(gate))
    finally:
        gate.close()
    return tally


# The scenarios. Each runs `races` races, each on a fresh unit and team.


def last_two_members_at_once(
    races: int, gate: Gate | None = None, *, idle_members: int = 0
) -> Tally:
    """The manager and the one enthusiast the rule needs do their last activity at the same
    moment: each stamps themselves, then both ask whether the unit has completed before
    either has committed. `idle_members` more enthusiasts have done nothing."""
    programme = new_programme()
    before_the_page = programme.all_but_the_page

    def one_race(gate: Gate) -> Any:
        team = programme.new_team(
            enthusiasts=1 + idle_members,
            done={0: before_the_page, 1: before_the_page},
            attended=(0, 1),
        )
        racers = (partial(programme.mark_done, person) for person in team.people[:2])
        return team.enrolment, *race(gate, *racers)

    hold_at = [(participant_completed, None)]
    return run_races("last two members at once", races, hold_at, one_race, gate)


def two_enthusiasts_when_one_is_needed(races: int, gate: Gate | None = None) -> Tally:
    """The manager has completed; two enthusiasts, either of whom completes the unit, do
    their last activity at the same moment. The one who stamps the unit touches the whole
    team's rows (for the feed), the other's too, while that one waits for the unit."""
    programme = new_programme()
    before_the_page = programme.all_but_the_page

    def one_race(gate: Gate) -> Any:
        team = programme.new_team(
            enthusiasts=2,
            done={0: [*before_the_page, programme.page], 1: before_the_page, 2: before_the_page},
            attended=(0, 1, 2),
            completed=(0,),
        )
        racers = (partial(programme.mark_done, person) for person in team.people[1:])
        return team.enrolment, *race(gate, *racers)

    hold_at = [(participant_completed, None)]
    return run_races("two enthusiasts, one needed", races, hold_at, one_race, gate)


def last_two_activities_in_two_tabs(races: int, gate: Gate | None = None) -> Tally:
    """One person, the last of their team, does their last two activities at once (two
    tabs): each transaction records its activity, then both ask whether the person has
    completed before either has committed."""
    programme = new_programme()
    second_page = Activity.objects.create(
        module=programme.page.module, position=3, title="Refleksjon", kind=Activity.Kind.PAGE
    )
    everything = [*programme.all_but_the_page, programme.page, second_page]

    def one_race(gate: Gate) -> Any:
        team = programme.new_team(
            done={0: programme.all_but_the_page, 1: everything}, attended=(0, 1), completed=(1,)
        )
        return team.enrolment, *race(
            gate,
            partial(programme.mark_done, team.manager),
            partial(programme.mark_done, team.manager, second_page),
        )

    hold_at = [(post_save, ActivityCompletion)]
    return run_races("last two activities in two tabs", races, hold_at, one_race, gate)


def same_activity_in_two_tabs(races: int, gate: Gate | None = None) -> Tally:
    """One person, the last of their team, marks their last activity done twice at the
    same moment (a double click, two tabs): both find it not done yet and insert it; one
    insert waits for the other and is refused by the unique constraint."""
    programme = new_programme()
    before_the_page = programme.all_but_the_page

    def one_race(gate: Gate) -> Any:
        team = programme.new_team(
            done={0: before_the_page, 1: [*before_the_page, programme.page]},
            attended=(0, 1),
            completed=(1,),
        )
        twice = (partial(programme.mark_done, team.manager) for _ in range(2))
        errors, seconds = race(gate, *twice)
        recorded = ActivityCompletion.objects.filter(user=team.manager, activity=programme.page)
        if recorded.count() != 1:
            errors.append(AssertionError(f"the activity was recorded {recorded.count()} times"))
        return team.enrolment, errors, seconds

    hold_at = [(pre_save, ActivityCompletion)]
    return run_races("same activity in two tabs", races, hold_at, one_race, gate)


def same_attendance_twice(races: int, gate: Gate | None = None) -> Tally:
    """A facilitator ticks the team's last member as present twice at the same moment (a
    double click, two devices): both find no attendance and insert one; one insert waits
    for the other and is refused by the unique constraint."""
    programme = new_programme(min_attendance=1)
    before_the_attendance = [*programme.all_but_the_page, programme.page]

    def one_race(gate: Gate) -> Any:
        team = programme.new_team(
            done={0: before_the_attendance, 1: before_the_attendance},
            attended=(1,),
            completed=(1,),
        )
        twice = (partial(programme.attend, team, team.manager) for _ in range(2))
        errors, seconds = race(gate, *twice)
        recorded = Attendance.objects.filter(participant__user=team.manager).count()
        if recorded != 1:
            errors.append(AssertionError(f"the attendance was recorded {recorded} times"))
        return team.enrolment, errors, seconds

    hold_at = [(pre_save, Attendance)]
    return run_races("same attendance twice", races, hold_at, one_race, gate)


def approval_and_last_attendance(races: int, gate: Gate | None = None) -> Tally:
    """The programme requires an approved project and attendance. A facilitator approves
    the project at the moment the team's last member's attendance is recorded: each asks
    whether the unit has completed before the other has committed."""
    programme = new_programme(min_attendance=1, require_project_approval=True)
    before_the_attendance = [*programme.all_but_the_page, programme.page]

    def one_race(gate: Gate) -> Any:
        team = programme.new_team(
            done={0: before_the_attendance, 1: before_the_attendance},
            attended=(0,),
            completed=(0,),
        )
        project = innovation.start_project(
            enrolment=team.enrolment, title="Digitalt nattilsyn", need="Ro", audience="Beboere"
        )
        innovation.submit_for_review(project=project)
        approve = partial(
            innovation.review_project,
            project=project,
            reviewer=programme.facilitator,
            point="final",
            decision=ProjectReview.Decision.APPROVE,
        )
        return team.enrolment, *race(gate, approve, partial(programme.attend, team, team.people[1]))

    hold_at = [(post_save, InnovationProject), (participant_completed, None)]
    return run_races("project approval and last attendance", races, hold_at, one_race, gate)


def reconcile_and_a_later_activity(races: int, gate: Gate | None = None) -> Tally:
    """A team's completions were missed (both members meet the rule, nothing is stamped).
    The scheduled reconcile re-checks the unit at the moment the manager does one more
    activity, which stamps the manager: the reconcile wants the manager's row while the
    activity holds it and then wants the unit."""
    programme = new_programme()
    everything = [*programme.all_but_the_page, programme.page]

    def one_race(gate: Gate) -> Any:
        team = programme.new_team(done={0: everything, 1: everything}, attended=(0, 1))

        def reconcile() -> None:
            gate.wait()
            with transaction.atomic():  # as `lup.services.reconcile` calls it
                services.reevaluate_enrolment(enrolment=team.enrolment)

        def later_activity() -> None:
            gate.pause_after_release(0.05)  # the reconcile takes its first lock first
            programme.mark_done(team.manager, programme.setup.optional)

        return team.enrolment, *race(gate, reconcile, later_activity)

    hold_at = [(participant_completed, None)]
    return run_races("reconcile and a later activity", races, hold_at, one_race, gate)


SCENARIOS: dict[str, Callable[[int, Gate | None], Tally]] = {
    "last-two-members": last_two_members_at_once,
    "two-enthusiasts-one-needed": two_enthusiasts_when_one_is_needed,
    "last-two-activities": last_two_activities_in_two_tabs,
    "same-activity-twice": same_activity_in_two_tabs,
    "same-attendance-twice": same_attendance_twice,
    "approval-and-attendance": approval_and_last_attendance,
    "reconcile-and-activity": reconcile_and_a_later_activity,
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_completion_is_lost_in_any_race(scenario):
    tally = SCENARIOS[scenario](RACES, None)

    assert tally.races == RACES
    assert tally.clean, str(tally)


def _get_without_lock(model: Any) -> Callable[[Any], Any]:
    return lambda row: model.objects.get(pk=row.pk)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("scenario", "decision"),
    [
        ("last-two-members", "unit_has_completed"),
        ("last-two-activities", "participant_earned"),
        ("approval-and-attendance", "unit_has_completed"),
    ],
)
def test_without_the_locks_the_same_races_lose_completions(scenario, decision, monkeypatch):
    """The races really interleave, and the tally sees what they lose: deciding without
    the row locks (each racer also waits, once it has decided, for the other to decide),
    every race loses a completion."""
    monkeypatch.setattr(completion_writes, "_lock_participant", _get_without_lock(Participant))
    monkeypatch.setattr(completion_writes, "_lock_enrolment", _get_without_lock(UnitEnrolment))
    gate = Gate()
    gate.add_station("decided")
    decide = getattr(completion, decision)

    def decide_then_wait(*args: Any, **kwargs: Any) -> bool:
        decided = decide(*args, **kwargs)
        gate.wait("decided")
        return decided

    monkeypatch.setattr(completion, decision, decide_then_wait)

    tally = SCENARIOS[scenario](3, gate)

    assert not tally.errors, str(tally)
    assert tally.races == 3
    assert tally.lost >= 3, str(tally)


# The same race through the site: two signed-in browsers post "done" at the same moment to
# Django's threaded live server (a thread and a database connection per request).


def _session_cookie(person: Any) -> str:
    client = Client()
    client.force_login(person)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _post_done(base_url: str, path: str, session: str) -> None:
    token = get_random_string(32)
    address = urlsplit(base_url)
    http = HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=60)
    try:
        http.request(
            "POST",
            path,
            body=urlencode({"csrfmiddlewaretoken": token}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; "
                f"{settings.CSRF_COOKIE_NAME}={token}",
            },
        )
        status = http.getresponse().status
    finally:
        http.close()
    if status != 302:  # to the activity, marked done
        raise AssertionError(f"the site answered {status}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("racers", ["last two members", "one member, two tabs"])
def test_no_completion_is_lost_when_browsers_post_at_the_same_moment(live_server, racers):
    programme = new_programme()
    path = reverse("courses:activity-done", kwargs={"activity_id": programme.setup.page.public_id})
    # Two members: both stamped, both hold before asking about the unit. One member twice:
    # both requests found the page not done, both hold before inserting it.
    hold_at = [
        (participant_completed, None)
        if racers == "last two members"
        else (pre_save, ActivityCompletion)
    ]

    before_the_page = programme.all_but_the_page

    def one_race(gate: Gate) -> Any:
        if racers == "last two members":
            team = programme.new_team(
                done={0: before_the_page, 1: before_the_page}, attended=(0, 1)
            )
            sessions = [_session_cookie(person) for person in team.people]
        else:
            team = programme.new_team(
                done={0: before_the_page, 1: [*before_the_page, programme.page]},
                attended=(0, 1),
                completed=(1,),
            )
            sessions = [_session_cookie(team.manager)] * 2
        posts = (partial(_post_done, live_server.url, path, session) for session in sessions)
        return team.enrolment, *race(gate, *posts)

    tally = run_races(f"{racers}, over HTTP", RACES, hold_at, one_race)

    assert tally.races == RACES
    assert tally.clean, str(tally)
