"""Closing a cohort: every unit still enrolled has not completed, or moves to a later cohort
of the programme with its work kept, so no figure counts it as "in progress" any longer.

The service (lup.services.close_cohort), the closing page, the API's
POST /api/v1/cohorts/{id}/close/, and the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from courses import services as course_services
from courses.models import ActivityCompletion
from lup import progress, scoping, services
from lup.audit import describe
from lup.innovation.models import InnovationProject
from lup.innovation.services import start_project
from lup.models import Attendance, AuditEvent, Cohort, Participant, UnitEnrolment
from lup.signals import participant_completed
from tests.concurrency import on_postgresql
from tests.factories import (
    CohortFactory,
    ParticipantFactory,
    ProgrammeFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
)
from tests.lup.curriculum import build_curriculum
from tests.roles import build_world

ENROLLED = UnitEnrolment.Status.ENROLLED
COMPLETED = UnitEnrolment.Status.COMPLETED
NOT_COMPLETED = UnitEnrolment.Status.NOT_COMPLETED
MOVED = UnitEnrolment.Status.MOVED
WITHDRAWN = UnitEnrolment.Status.WITHDRAWN

pytestmark = pytest.mark.django_db


def later_cohort(cohort: Cohort, name: str = "LUP later", *, months: int = 6) -> Cohort:
    starts = cohort.starts_on + dt.timedelta(days=30 * months)
    return CohortFactory.create(
        programme=cohort.programme,
        name=name,
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=180),
    )


def team(cohort: Cohort, status: str = ENROLLED) -> UnitEnrolment:
    enrolment: UnitEnrolment = UnitEnrolmentFactory.create(
        cohort=cohort,
        status=status,
        completed_at=timezone.now() if status == COMPLETED else None,
    )
    ParticipantFactory(enrolment=enrolment, role=Participant.Role.MANAGER)
    ParticipantFactory(enrolment=enrolment)
    return enrolment


def state(*cohorts: Cohort) -> dict:
    """Everything closing may change, to prove that a refusal changed nothing."""
    return {
        "enrolments": sorted(
            UnitEnrolment.objects.filter(cohort__in=cohorts).values_list(
                "pk", "cohort_id", "unit_id", "status", "moved_to_id", "completed_at"
            )
        ),
        "participants": sorted(
            Participant.objects.values_list("pk", "enrolment_id", "status", "completed_at")
        ),
        "projects": sorted(InnovationProject.objects.values_list("pk", "enrolment_id")),
        "closed": sorted(Cohort.objects.values_list("pk", "closed_at", "closed_by_id")),
        "events": AuditEvent.objects.count(),
    }


@pytest.fixture
def running(db):
    """A running cohort of a programme, its administrator-to-be, and a later cohort."""
    cohort = CohortFactory(
        starts_on=timezone.localdate() - dt.timedelta(days=60),
        ends_on=timezone.localdate() + dt.timedelta(days=120),
        name="LUP 4",
    )
    return cohort, later_cohort(cohort, "LUP 5")


# The service -------------------------------------------------------------------------------


def test_closing_settles_every_unit_still_enrolled(running, administrator):
    cohort, later = running
    stays_behind, moves, completed, withdrawn = (
        team(cohort),
        team(cohort),
        team(cohort, COMPLETED),
        team(cohort, WITHDRAWN),
    )
    before = timezone.now()

    closing = services.close_cohort(cohort=cohort, closed_by=administrator, moves={moves: later})

    statuses = dict(UnitEnrolment.objects.filter(cohort=cohort).values_list("pk", "status"))
    assert statuses == {
        stays_behind.pk: NOT_COMPLETED,
        moves.pk: MOVED,
        completed.pk: COMPLETED,
        withdrawn.pk: WITHDRAWN,
    }
    assert ENROLLED not in statuses.values()
    cohort.refresh_from_db()
    assert cohort.is_closed
    assert cohort.closed_by == administrator
    assert [e.pk for e in closing.not_completed] == [stays_behind.pk]
    assert [(old.pk, new.cohort_id) for old, new in closing.moved] == [(moves.pk, later.pk)]
    # The completions feed shows each participant's unit status: the changed units' teams
    # are marked as changed, the others are not.
    touched = set(
        Participant.objects.filter(updated_at__gte=before).values_list("enrolment_id", flat=True)
    )
    assert touched == {stays_behind.pk, closing.moved[0][1].pk}


def test_a_moved_unit_keeps_its_team_project_attendance_and_activity_completions(administrator):
    setup = build_curriculum(team_size=2)
    later = later_cohort(setup.cohort)
    old = setup.enrolment
    manager = old.participants.get(user=setup.manager)
    leaver = old.participants.get(user=setup.enthusiasts[1])
    services.record_attendance(
        gathering=setup.gathering,
        participant=manager,
        recorded_by=administrator,
        method="facilitator",
    )
    course_services.mark_done(user=setup.enthusiasts[0], activity=setup.page)
    Participant.objects.filter(pk=leaver.pk).update(status=Participant.Status.WITHDRAWN)
    project = start_project(enrolment=old, title="Nattilsyn", need="Søvn", audience="Beboere")
    team_before = set(old.participants.values_list("pk", "user_id", "role", "status"))
    completions_before = set(ActivityCompletion.objects.values_list("pk", "user_id", "activity"))

    closing = services.close_cohort(
        cohort=setup.cohort, closed_by=administrator, moves={old.pk: later}
    )

    [(_moved, new)] = closing.moved
    old.refresh_from_db()
    assert old.status == MOVED
    assert old.moved_to == new
    assert (new.cohort, new.unit, new.status) == (later, old.unit, ENROLLED)
    assert set(new.participants.values_list("pk", "user_id", "role", "status")) == team_before
    assert not old.participants.exists()
    project.refresh_from_db()
    assert project.enrolment == new
    attendance = Attendance.objects.get(gathering=setup.gathering)
    assert attendance.participant_id == manager.pk
    assert attendance.participant.enrolment == new
    assert set(ActivityCompletion.objects.values_list("pk", "user_id", "activity")) == (
        completions_before
    )
    # The unit's place in the programme is the later cohort's now.
    assert services.enrol_unit(cohort=later, unit=old.unit) == new


def finish_everything_silently(setup) -> None:
    """Every required activity done by the team, written without the signal: a completion
    that should have been stamped but was missed."""
    for person in [setup.manager, *setup.enthusiasts]:
        for activity in (setup.page, setup.assignment.activity, setup.attendance):
            ActivityCompletion.objects.create(user=person, activity=activity, source="facilitator")


def test_a_moved_team_that_meets_the_rule_completes_in_the_later_cohort(administrator):
    setup = build_curriculum(team_size=1)
    later = later_cohort(setup.cohort)
    finish_everything_silently(setup)

    closing = services.close_cohort(
        cohort=setup.cohort, closed_by=administrator, moves={setup.enrolment: later}
    )

    [(old, new)] = closing.moved
    assert new.status == COMPLETED
    assert new.completed_at is not None
    assert set(new.participants.values_list("status", flat=True)) == {COMPLETED}
    old.refresh_from_db()
    assert (old.status, old.completed_at) == (MOVED, None)
    repaired = AuditEvent.objects.filter(action=AuditEvent.Action.COMPLETION_REPAIRED)
    assert {event.details["cohort"] for event in repaired} == {later.name}


def test_a_team_that_met_the_rule_is_recorded_as_completed_not_as_not_completed(administrator):
    setup = build_curriculum(team_size=1)
    finish_everything_silently(setup)

    closing = services.close_cohort(cohort=setup.cohort, closed_by=administrator)

    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == COMPLETED
    assert (closing.not_completed, [e.pk for e in closing.completed]) == (
        (),
        [setup.enrolment.pk],
    )


def test_a_not_completed_unit_is_not_stamped_by_a_later_activity(administrator):
    setup = build_curriculum(team_size=1)
    for person in [setup.manager, *setup.enthusiasts]:
        for activity in (setup.assignment.activity, setup.attendance):
            ActivityCompletion.objects.create(user=person, activity=activity, source="facilitator")
    course_services.mark_done(user=setup.manager, activity=setup.page)
    services.close_cohort(cohort=setup.cohort, closed_by=administrator)

    course_services.mark_done(user=setup.enthusiasts[0], activity=setup.page)

    setup.enrolment.refresh_from_db()
    assert (setup.enrolment.status, setup.enrolment.completed_at) == (NOT_COMPLETED, None)


def refusal_cases():
    """(name, arrange) pairs: arrange(cohort, later, enrolment) returns the moves to ask for."""

    def other_programme(cohort, later, enrolment):
        return {
            enrolment: CohortFactory(
                programme=ProgrammeFactory(), starts_on=later.starts_on, ends_on=later.ends_on
            )
        }

    def earlier(cohort, later, enrolment):
        return {enrolment: later_cohort(cohort, "Earlier", months=-6)}

    def same_start(cohort, later, enrolment):
        return {enrolment: later_cohort(cohort, "Parallel", months=0)}

    def closed_target(cohort, later, enrolment):
        Cohort.objects.filter(pk=later.pk).update(closed_at=timezone.now())
        return {enrolment: later}

    def unit_already_there(cohort, later, enrolment):
        UnitEnrolmentFactory(cohort=later, unit=enrolment.unit, status=WITHDRAWN)
        return {enrolment: later}

    def another_cohorts_unit(cohort, later, enrolment):
        return {team(later): later}

    def completed_unit(cohort, later, enrolment):
        return {team(cohort, COMPLETED): later}

    def not_a_cohort(cohort, later, enrolment):
        return {enrolment: "LUP 5"}

    def not_an_enrolment(cohort, later, enrolment):
        return {"12": later}

    return [
        other_programme,
        earlier,
        same_start,
        closed_target,
        unit_already_there,
        another_cohorts_unit,
        completed_unit,
        not_a_cohort,
        not_an_enrolment,
    ]


@pytest.mark.parametrize("arrange", refusal_cases(), ids=lambda case: case.__name__)
def test_a_refused_closing_changes_nothing(running, administrator, arrange):
    cohort, later = running
    enrolment = team(cohort)
    team(cohort)
    moves = arrange(cohort, later, enrolment)
    before = state(cohort, later)

    with pytest.raises(ValidationError) as refused:
        services.close_cohort(cohort=cohort, closed_by=administrator, moves=moves)

    assert refused.value.messages
    assert all(refused.value.messages)
    assert state(cohort, later) == before


def test_a_cohort_that_has_not_started_cannot_be_closed(running, administrator, english):
    _cohort, later = running
    future = CohortFactory(
        programme=later.programme,
        starts_on=timezone.localdate() + dt.timedelta(days=1),
        ends_on=timezone.localdate() + dt.timedelta(days=200),
    )
    team(future)
    before = state(future)

    with pytest.raises(ValidationError, match="has not started"):
        services.close_cohort(cohort=future, closed_by=administrator)

    assert state(future) == before


def test_a_cohort_is_closed_once(running, administrator, english):
    cohort, later = running
    enrolment = team(cohort)
    services.close_cohort(cohort=cohort, closed_by=administrator)
    before = state(cohort, later)

    with pytest.raises(ValidationError, match="already closed"):
        services.close_cohort(cohort=cohort, closed_by=administrator, moves={enrolment: later})

    assert state(cohort, later) == before


def test_a_closed_cohort_takes_no_new_units(running, administrator, english):
    cohort, _later = running
    services.close_cohort(cohort=cohort, closed_by=administrator)
    unit = ServiceUnitFactory(organisation=cohort.programme.organisation)

    assert "closed" in (services.enrolment_conflict(unit=unit, cohort=cohort) or "")
    with pytest.raises(ValidationError, match="closed"):
        services.enrol_unit(cohort=cohort, unit=unit)
    assert not UnitEnrolment.objects.filter(unit=unit).exists()


def test_a_unit_that_did_not_complete_may_join_a_later_cohort(running, administrator):
    cohort, later = running
    behind = team(cohort)
    services.close_cohort(cohort=cohort, closed_by=administrator)

    assert services.enrolment_conflict(unit=behind.unit, cohort=later) is None
    again = services.enrol_unit(cohort=later, unit=behind.unit)
    assert again.status == ENROLLED


def test_the_participant_import_refuses_a_closed_cohort_before_applying(
    running, administrator, english
):
    from lup.imports import ImportRejected, import_participants

    cohort, _later = running
    services.close_cohort(cohort=cohort, closed_by=administrator)
    unit = ServiceUnitFactory(organisation=cohort.programme.organisation)
    data = (
        "e-post;fornavn;etternavn;enhetskode;kull;rolle\n"
        f"ny@example.no;Ny;Leder;{unit.code};{cohort.name};leder\n"
    ).encode()

    with pytest.raises(ImportRejected) as rejected:
        import_participants(data=data, programme=cohort.programme)

    assert [error.line for error in rejected.value.errors] == [2]
    assert "closed" in str(rejected.value.errors[0])
    assert not UnitEnrolment.objects.filter(unit=unit).exists()


def test_closing_and_moving_are_audited_for_the_owning_organisation(english):
    world = build_world()
    world.cohort_a.starts_on = timezone.localdate() - dt.timedelta(days=10)
    world.cohort_a.ends_on = timezone.localdate() + dt.timedelta(days=170)
    world.cohort_a.save()
    later = later_cohort(world.cohort_a, "LUP 9")
    administrator = world.people["administrator"]

    services.close_cohort(
        cohort=world.cohort_a, closed_by=administrator, moves={world.team_u1: later}
    )

    closed = AuditEvent.objects.get(action=AuditEvent.Action.COHORT_CLOSED)
    moved = AuditEvent.objects.get(action=AuditEvent.Action.UNIT_MOVED)
    organisation = world.programme.organisation_id
    assert closed.actor == administrator
    assert closed.details["organisation_id"] == organisation
    assert (closed.details["not_completed"], closed.details["moved"]) == (1, 1)
    assert moved.details == {
        "unit": world.team_u1.unit.name,
        "from_cohort": world.cohort_a.name,
        "to_cohort": "LUP 9",
        "organisation_id": organisation,
    }
    assert describe(closed) == [
        "The cohort LUP 1 was closed",
        "1 unit had not completed",
        "1 unit moved to a later cohort",
    ]
    assert describe(moved) == [
        f"{world.team_u1.unit.name} moved from LUP 1 to LUP 9 with its team and project"
    ]
    ours = set(scoping.audit_events_for(administrator).values_list("pk", flat=True))
    theirs = set(
        scoping.audit_events_for(world.people["other_administrator"]).values_list("pk", flat=True)
    )
    assert {closed.pk, moved.pk} <= ours
    assert not {closed.pk, moved.pk} & theirs


def test_the_grid_shows_units_taking_part_and_moved_ones_on_request(running, administrator):
    cohort, later = running
    stays, moves = team(cohort), team(cohort)
    services.close_cohort(cohort=cohort, closed_by=administrator, moves={moves: later})
    every_enrolment = UnitEnrolment.objects.all()

    grid = progress.cohort_grid(cohort, every_enrolment)
    only_moved = progress.cohort_grid(
        cohort, every_enrolment, filters=progress.Filters(status=MOVED)
    )
    in_the_later_cohort = progress.cohort_grid(later, every_enrolment)

    assert [row.enrolment.pk for row in grid.rows] == [stays.pk]
    assert grid.units_total == 1
    assert [row.enrolment.pk for row in only_moved.rows] == [moves.pk]
    [row] = in_the_later_cohort.rows
    assert (row.enrolment.unit_id, row.members) == (moves.unit_id, 2)


# Closing while a completion is being written (PostgreSQL) -----------------------------------


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["completion", "closing"])
def test_closing_while_the_last_member_completes_is_consistent(first):
    """The last member finishes the last activity as the administrator closes the cohort.
    Whichever takes the team's locks first, the unit ends either completed (the completion
    came first) or not completed with no completion stamped after the closing."""
    setup = build_curriculum(team_size=1)
    later_cohort(setup.cohort)
    administrator = setup.manager.__class__.objects.create(username="admin-race")
    for person in [setup.manager, *setup.enthusiasts]:
        for activity in (setup.assignment.activity, setup.attendance):
            ActivityCompletion.objects.create(user=person, activity=activity, source="facilitator")
    course_services.mark_done(user=setup.manager, activity=setup.page)
    errors: list[BaseException] = []
    started = threading.Event()

    def hold_the_participant(sender, participant, **kwargs):
        started.set()
        time.sleep(0.5)  # the closing now waits for this participant's lock

    def complete() -> None:
        try:
            course_services.mark_done(user=setup.enthusiasts[0], activity=setup.page)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def close() -> None:
        try:
            services.close_cohort(cohort=setup.cohort, closed_by=administrator)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    from lup.services import cohorts

    original_touch = cohorts.touch_team

    def slow_touch(enrolment):
        original_touch(enrolment)
        started.set()
        time.sleep(0.5)  # the completion now waits for the participant's lock

    if first == "completion":
        participant_completed.connect(hold_the_participant, dispatch_uid="close_race")
        threads = [threading.Thread(target=complete), threading.Thread(target=close)]
    else:
        cohorts.touch_team = slow_touch
        threads = [threading.Thread(target=close), threading.Thread(target=complete)]
    try:
        threads[0].start()
        assert started.wait(20)
        threads[1].start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        participant_completed.disconnect(dispatch_uid="close_race")
        cohorts.touch_team = original_touch

    assert not errors, errors
    setup.enrolment.refresh_from_db()
    setup.cohort.refresh_from_db()
    assert setup.cohort.is_closed
    enthusiast = setup.enrolment.participants.get(user=setup.enthusiasts[0])
    assert enthusiast.status == Participant.Status.COMPLETED
    if first == "completion":
        assert setup.enrolment.status == COMPLETED
    else:
        assert (setup.enrolment.status, setup.enrolment.completed_at) == (NOT_COMPLETED, None)


# The closing page --------------------------------------------------------------------------


@pytest.fixture
def world(db):
    world = build_world()
    # Cohort A has started; B starts later (a place to move to); Asker's runs too.
    Cohort.objects.filter(pk=world.cohort_a.pk).update(
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        ends_on=timezone.localdate() + dt.timedelta(days=150),
    )
    Cohort.objects.filter(pk=world.cohort_b.pk).update(
        starts_on=timezone.localdate() + dt.timedelta(days=150),
        ends_on=timezone.localdate() + dt.timedelta(days=330),
    )
    world.cohort_a.refresh_from_db()
    world.cohort_b.refresh_from_db()
    return world


def close_url(cohort: Cohort) -> str:
    return reverse("lup:cohort-close", kwargs={"pk": cohort.pk})


def test_an_administrator_closes_the_cohort_moving_one_unit(client, world, english_site):
    client.force_login(world.people["administrator"])
    cohort_page = reverse("lup:cohort-detail", kwargs={"pk": world.cohort_a.pk})
    assert close_url(world.cohort_a) in client.get(cohort_page).content.decode()

    page = client.get(close_url(world.cohort_a)).content.decode()
    assert world.team_u1.unit.name in page
    assert world.team_u2.unit.name in page
    assert "Move to LUP 2" in page
    response = client.post(
        close_url(world.cohort_a),
        {
            f"unit-{world.team_u1.pk}": str(world.cohort_b.pk),
            f"unit-{world.team_u2.pk}": "not_completed",
        },
    )

    assert response.status_code == 302
    world.team_u1.refresh_from_db()
    world.team_u2.refresh_from_db()
    assert world.team_u1.status == MOVED
    assert world.team_u1.moved_to.cohort == world.cohort_b
    assert world.team_u2.status == NOT_COMPLETED
    page = client.get(cohort_page).content.decode()
    assert 'id="cohort-closed"' in page
    assert "Moved to LUP 2" in page
    assert "Not completed" in page
    assert close_url(world.cohort_a) not in page
    outcome = client.get(close_url(world.cohort_a)).content.decode()
    assert 'id="closing-outcome"' in outcome
    assert "Moved to LUP 2" in outcome


def test_the_close_link_is_for_administrators_of_a_cohort_that_has_started(client, world):
    for role, cohort, shown in (
        ("administrator", world.cohort_a, True),
        ("administrator", world.cohort_b, False),  # not started yet
        ("facilitator", world.cohort_a, False),
        ("hr", world.cohort_a, False),
        ("manager", world.cohort_a, False),
    ):
        client.force_login(world.people[role])
        page = client.get(reverse("lup:cohort-detail", kwargs={"pk": cohort.pk})).content
        assert (b'id="cohort-close-link"' in page) is shown, (role, cohort)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("enthusiast", 403),
        ("manager", 403),
        ("facilitator", 403),
        ("hr", 403),
        ("other_administrator", 404),
        ("administrator", 200),
        ("superuser", 200),
    ],
)
def test_only_the_organisations_administrators_may_close(client, world, role, expected):
    client.force_login(world.people[role])
    before = state(world.cohort_a, world.cohort_b)

    assert client.get(close_url(world.cohort_a)).status_code == expected
    posted = client.post(
        close_url(world.cohort_a),
        {f"unit-{world.team_u1.pk}": "not_completed", f"unit-{world.team_u2.pk}": "not_completed"},
    )

    assert posted.status_code == (302 if expected == 200 else expected)
    if expected != 200:
        assert state(world.cohort_a, world.cohort_b) == before


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.post(close_url(world.cohort_a), {})

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Cohort.objects.filter(closed_at__isnull=False).exists()


@pytest.mark.parametrize(
    "tamper",
    [
        "another_programmes_cohort",
        "another_organisations_cohort",
        "an_earlier_cohort",
        "the_cohort_itself",
        "not_a_number",
        "a_unit_left_out",
    ],
)
def test_a_tampered_form_changes_nothing(client, world, english_site, tamper):
    earlier = CohortFactory(
        programme=world.programme,
        name="LUP 0",
        starts_on=world.cohort_a.starts_on - dt.timedelta(days=200),
        ends_on=world.cohort_a.starts_on - dt.timedelta(days=10),
    )
    values = {
        "another_programmes_cohort": str(
            CohortFactory(starts_on=world.cohort_b.starts_on, ends_on=world.cohort_b.ends_on).pk
        ),
        "another_organisations_cohort": str(world.other_cohort.pk),
        "an_earlier_cohort": str(earlier.pk),
        "the_cohort_itself": str(world.cohort_a.pk),
        "not_a_number": "<script>",
        "a_unit_left_out": None,
    }
    form: dict[str, str | None] = {f"unit-{world.team_u2.pk}": "not_completed"}
    if values[tamper] is not None:
        form[f"unit-{world.team_u1.pk}"] = values[tamper]
    form[f"unit-{world.team_other.pk}"] = str(world.cohort_b.pk)  # not this cohort's: ignored
    client.force_login(world.people["administrator"])
    before = state(world.cohort_a, world.cohort_b, world.other_cohort)

    response = client.post(close_url(world.cohort_a), form)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice" in page or "This field is required" in page
    assert 'aria-invalid="true"' in page
    assert state(world.cohort_a, world.cohort_b, world.other_cohort) == before


def test_the_services_refusal_is_shown_and_changes_nothing(client, world, english_site):
    # The unit got a place in the later cohort after the page was shown.
    UnitEnrolmentFactory(cohort=world.cohort_b, unit=world.team_u1.unit, status=WITHDRAWN)
    client.force_login(world.people["administrator"])
    before = state(world.cohort_a, world.cohort_b)

    response = client.post(
        close_url(world.cohort_a),
        {
            f"unit-{world.team_u1.pk}": str(world.cohort_b.pk),
            f"unit-{world.team_u2.pk}": "not_completed",
        },
    )

    assert response.status_code == 200
    assert "already has a place in LUP 2" in response.content.decode()
    assert state(world.cohort_a, world.cohort_b) == before


def test_a_cohort_that_has_not_started_is_explained_not_closed(client, world, english_site):
    client.force_login(world.people["administrator"])

    page = client.get(close_url(world.cohort_b)).content.decode()
    response = client.post(close_url(world.cohort_b), {})

    assert "has not started yet" in page
    assert 'id="close-cohort-form"' not in page
    assert response.status_code == 200
    world.cohort_b.refresh_from_db()
    assert not world.cohort_b.is_closed


# The API -----------------------------------------------------------------------------------


def api_close(client, cohort, body, **headers):
    return client.post(
        f"/api/v1/cohorts/{cohort.public_id}/close/",
        body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        **headers,
    )


def test_the_api_closes_a_cohort_moving_one_unit(client, world):
    client.force_login(world.people["administrator"])

    response = api_close(
        client,
        world.cohort_a,
        {
            "moves": [
                {
                    "enrolment": str(world.team_u1.public_id),
                    "to_cohort": str(world.cohort_b.public_id),
                }
            ]
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    world.team_u1.refresh_from_db()
    new = world.team_u1.moved_to
    assert body["cohort"]["id"] == str(world.cohort_a.public_id)
    assert body["cohort"]["closed_at"]
    assert body["not_completed"] == [str(world.team_u2.public_id)]
    assert body["moved"] == [
        {
            "enrolment": str(world.team_u1.public_id),
            "unit": str(world.team_u1.unit.public_id),
            "to_cohort": str(world.cohort_b.public_id),
            "to_enrolment": str(new.public_id),
        }
    ]
    assert body["completed"] == []
    detail = client.get(f"/api/v1/cohorts/{world.cohort_a.public_id}/").json()
    assert detail["closed_at"] == body["cohort"]["closed_at"]
    assert client.get(f"/api/v1/cohorts/{world.cohort_b.public_id}/").json()["closed_at"] is None


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        "null",
        {},
        {"moves": "all"},
        {"moves": [{"enrolment": "x", "to_cohort": "y"}]},
        {"moves": [{"enrolment": None}]},
        "duplicate",
        "unknown_enrolment",
        "another_tenants_cohort",
        "earlier_cohort",
    ],
    ids=str,
)
def test_bad_input_is_400_with_a_message_and_changes_nothing(client, world, body):
    move = {"enrolment": str(world.team_u1.public_id), "to_cohort": str(world.cohort_b.public_id)}
    named = {
        "duplicate": {"moves": [move, move]},
        "unknown_enrolment": {"moves": [{**move, "enrolment": str(world.team_other.public_id)}]},
        "another_tenants_cohort": {
            "moves": [{**move, "to_cohort": str(world.other_cohort.public_id)}]
        },
        "earlier_cohort": {"moves": [{**move, "to_cohort": str(world.cohort_a.public_id)}]},
    }
    client.force_login(world.people["administrator"])
    before = state(world.cohort_a, world.cohort_b, world.other_cohort)

    response = api_close(
        client, world.cohort_a, named.get(body, body) if isinstance(body, str) else body
    )

    assert response.status_code == 400, response.content
    assert response.json()
    assert state(world.cohort_a, world.cohort_b, world.other_cohort) == before


def test_a_closed_cohort_is_400_when_closed_again(client, world, english_site):
    client.force_login(world.people["administrator"])
    assert api_close(client, world.cohort_a, {"moves": []}).status_code == 200

    again = api_close(client, world.cohort_a, {"moves": []})

    assert again.status_code == 400
    assert "already closed" in json.dumps(again.json())


@pytest.mark.parametrize(
    ("role", "expected"),
    [("other_administrator", 404), ("hr", 403), ("facilitator", 403), ("manager", 403)],
)
def test_others_may_not_close_through_the_api(client, world, role, expected):
    client.force_login(world.people[role])
    before = state(world.cohort_a, world.cohort_b)

    response = api_close(client, world.cohort_a, {"moves": []})

    assert response.status_code == expected
    assert state(world.cohort_a, world.cohort_b) == before


def test_tokens_close_only_their_own_organisations_cohorts(client, world):
    _token, theirs = world.tokens["other_administrator"]
    _token, ours = world.tokens["administrator"]

    refused = api_close(
        client, world.cohort_a, {"moves": []}, HTTP_AUTHORIZATION=f"Bearer {theirs}"
    )
    not_an_id = client.post(
        "/api/v1/cohorts/123/close/",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {ours}",
    )
    closed = api_close(client, world.cohort_a, {"moves": []}, HTTP_AUTHORIZATION=f"Bearer {ours}")

    assert (refused.status_code, not_an_id.status_code, closed.status_code) == (404, 404, 200)


def test_the_cohort_page_shows_moved_units_in_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    """Each moved unit says where it went: read in the page's one query of units, not one
    more per moved unit."""
    from django.test.utils import CaptureQueriesContext

    cohort = world.cohort_a
    cohort.starts_on = timezone.localdate() - dt.timedelta(days=30)
    cohort.ends_on = timezone.localdate() + dt.timedelta(days=30)
    cohort.save()
    later = later_cohort(cohort, "LUP later")
    administrator = world.people["administrator"]
    client.force_login(administrator)
    url = reverse("lup:cohort-detail", args=[cohort.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)

    extra = [team(cohort) for _ in range(4)]
    services.close_cohort(cohort=cohort, closed_by=administrator, moves=dict.fromkeys(extra, later))
    with django_assert_max_num_queries(len(before)):
        response = client.get(url)

    assert response.content.decode().count("LUP later") >= len(extra)
