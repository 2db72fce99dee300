"""Completions heal themselves: the nightly check, a rule change, a change on a team or an
administrator's request re-evaluates units against the rule, stamps what was earned but is
missing (audited), and reports, never withdraws, a completed unit that no longer meets it."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Activity, ActivityCompletion
from lup import services, tasks
from lup.audit import _current_request
from lup.models import (
    AuditEvent,
    CompletionCheck,
    CompletionRule,
    OrganisationMembership,
    Participant,
    UnitEnrolment,
)
from lup.services import reconcile
from tests.factories import CohortFactory, ProgrammeFactory, ServiceUnitFactory, UserFactory
from tests.lup.curriculum import build_curriculum
from tests.roles import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]

COMPLETED = UnitEnrolment.Status.COMPLETED
ENROLLED = UnitEnrolment.Status.ENROLLED


# A programme with a curriculum and one unit (a manager and two enthusiasts) ---------------


@pytest.fixture
def setup():
    return build_curriculum()


@pytest.fixture
def admin(setup, administrator):
    OrganisationMembership.objects.create(
        organisation=setup.cohort.programme.organisation, user=administrator
    )
    return administrator


@contextmanager
def acting_as(person):
    """What `AuditActorMiddleware` does for a request: the person who acts is known."""
    request = type("Request", (), {"user": person, "META": {"REMOTE_ADDR": "10.0.0.9"}})()
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def required_activities(setup) -> list[Activity]:
    return list(Activity.objects.filter(module__course=setup.page.module.course, required=True))


def has_done_everything(setup, *people) -> None:
    """The people did every required activity, recorded without the event-time evaluation
    (as the old bug left it: the activities are there, the completions are not)."""
    ActivityCompletion.objects.bulk_create(
        ActivityCompletion(activity=activity, user=person, source="marked_done")
        for person in people
        for activity in required_activities(setup)
    )


def stamped(enrolment, *people) -> None:
    """The people's completions are recorded, by a raw update (no rule, no signal)."""
    Participant.objects.filter(enrolment=enrolment, user__in=people).update(
        status=Participant.Status.COMPLETED, completed_at=timezone.now()
    )


def drifted_unit(setup) -> UnitEnrolment:
    """The team has completed (manager and an enthusiast), but the unit was never stamped:
    the bug this check repairs."""
    has_done_everything(setup, setup.manager, setup.enthusiasts[0])
    stamped(setup.enrolment, setup.manager, setup.enthusiasts[0])
    return setup.enrolment


def status_of(enrolment) -> str:
    enrolment.refresh_from_db()
    return enrolment.status


def add_unit(setup, *, enthusiasts: int = 1) -> UnitEnrolment:
    """Another unit in the cohort, with a manager and enthusiasts who have done nothing."""
    enrolment = services.enrol_unit(
        cohort=setup.cohort,
        unit=ServiceUnitFactory(organisation=setup.cohort.programme.organisation),
    )
    services.add_participant(enrolment=enrolment, user=UserFactory(), role="manager")
    for _ in range(enthusiasts):
        services.add_participant(enrolment=enrolment, user=UserFactory(), role="enthusiast")
    return enrolment


def complete_team(setup, enrolment, enthusiasts: int) -> None:
    """The manager and `enthusiasts` enthusiasts did everything and are stamped; the unit
    is left as it is."""
    members = enrolment.participants.order_by("pk")
    team = [members.get(role=Participant.Role.MANAGER).user]
    team += [member.user for member in members.filter(role="enthusiast")][:enthusiasts]
    has_done_everything(setup, *team)
    stamped(enrolment, *team)


# Repairs, by the command and by the task -----------------------------------------------------


def test_the_command_repairs_a_drifted_unit_with_an_audit_entry_its_administrators_see(
    setup, admin, client
):
    enrolment = drifted_unit(setup)
    out = StringIO()

    call_command("reconcile_completions", "--programme", setup.cohort.programme.slug, stdout=out)

    assert status_of(enrolment) == COMPLETED
    assert enrolment.completed_at is not None
    assert "1 units checked, 1 repaired, 0 findings" in out.getvalue()
    event = AuditEvent.objects.get(action=AuditEvent.Action.COMPLETION_REPAIRED)
    assert event.subject_label == enrolment.unit.name
    client.force_login(admin)
    page = client.get(reverse("lup:audit-log")).content.decode()
    assert "the completion was missing" in page
    assert enrolment.unit.name in page


def test_another_organisations_administrator_does_not_see_the_repair(setup, client):
    drifted_unit(setup)
    call_command("reconcile_completions", stdout=StringIO())
    world = build_world()
    client.force_login(world.people["other_administrator"])

    page = client.get(reverse("lup:audit-log")).content.decode()

    assert "the completion was missing" not in page


def test_the_nightly_task_repairs_a_drifted_unit_and_records_the_check(setup):
    enrolment = drifted_unit(setup)

    assert tasks.reconcile_completions.delay().get() == 1  # eager in tests

    assert status_of(enrolment) == COMPLETED
    check = CompletionCheck.objects.get()
    assert check.reason == CompletionCheck.Reason.RECONCILE
    assert (check.units_total, check.units_checked, check.repairs) == (1, 1, 1)
    assert check.started_at is not None
    assert check.finished_at is not None
    assert check.finished_at >= check.started_at
    assert check.findings == []


def test_a_participant_who_did_everything_but_was_never_stamped_is_repaired(setup):
    has_done_everything(setup, setup.enthusiasts[1])
    participant = setup.enrolment.participants.get(user=setup.enthusiasts[1])
    assert participant.status == Participant.Status.ACTIVE

    check = services.reconcile_programme(
        setup.cohort.programme, reason=CompletionCheck.Reason.RECONCILE
    )

    participant.refresh_from_db()
    assert participant.status == Participant.Status.COMPLETED
    assert check.repairs == 1
    assert status_of(setup.enrolment) == ENROLLED  # the manager has not completed
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.COMPLETION_REPAIRED, subject_id=str(setup.enthusiasts[1].pk)
    ).exists()


def test_a_second_run_repairs_nothing(setup):
    drifted_unit(setup)
    has_done_everything(setup, setup.enthusiasts[1])
    programme = setup.cohort.programme
    first = services.reconcile_programme(programme, reason=CompletionCheck.Reason.RECONCILE)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.COMPLETION_REPAIRED).count()

    second = services.reconcile_programme(programme, reason=CompletionCheck.Reason.RECONCILE)

    assert first.repairs == 2  # the unit and the enthusiast who did everything
    assert second.repairs == 0
    assert AuditEvent.objects.filter(action=AuditEvent.Action.COMPLETION_REPAIRED).count() == (
        events
    )


def test_a_completed_unit_that_no_longer_meets_the_rule_is_reported_not_withdrawn(setup):
    complete_team(setup, setup.enrolment, enthusiasts=1)
    services.reconcile_programme(setup.cohort.programme, reason=CompletionCheck.Reason.RECONCILE)
    assert status_of(setup.enrolment) == COMPLETED
    CompletionRule.objects.filter(programme=setup.cohort.programme).update(min_enthusiasts=2)

    check = services.reconcile_programme(
        setup.cohort.programme, reason=CompletionCheck.Reason.RECONCILE
    )

    assert check.findings == [
        {"unit": setup.enrolment.unit.name, "cohort": setup.cohort.name},
    ]
    assert status_of(setup.enrolment) == COMPLETED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.COMPLETION_WITHDRAWN).exists()


def test_one_unit_failing_loses_nothing_else(setup, monkeypatch):
    broken = drifted_unit(setup)
    other = add_unit(setup)
    complete_team(setup, other, enthusiasts=1)  # drifted too
    real = reconcile.reevaluate_enrolment

    def failing_for_the_first(*, enrolment, **kwargs):
        if enrolment.pk == broken.pk:
            raise RuntimeError("the database went away for a moment")
        return real(enrolment=enrolment, **kwargs)

    monkeypatch.setattr(reconcile, "reevaluate_enrolment", failing_for_the_first)

    check = services.reconcile_programme(
        setup.cohort.programme, reason=CompletionCheck.Reason.RECONCILE
    )

    assert status_of(other) == COMPLETED
    assert status_of(broken) == ENROLLED
    assert check.findings == [
        {"unit": broken.unit.name, "cohort": setup.cohort.name, "failed": True}
    ]
    assert (check.units_checked, check.repairs) == (2, 1)
    assert check.finished_at is not None


def test_progress_is_recorded_while_the_check_runs(setup, monkeypatch):
    for _ in range(4):
        add_unit(setup)
    monkeypatch.setattr(reconcile, "PROGRESS_EVERY", 2)
    seen: list[tuple[int, int]] = []
    real = reconcile.reevaluate_enrolment

    def watching(*, enrolment, **kwargs):
        check = CompletionCheck.objects.get()
        seen.append((check.units_checked, check.units_total))
        return real(enrolment=enrolment, **kwargs)

    monkeypatch.setattr(reconcile, "reevaluate_enrolment", watching)

    check = services.reconcile_programme(
        setup.cohort.programme, reason=CompletionCheck.Reason.RECONCILE
    )

    assert seen == [(0, 5), (0, 5), (2, 5), (2, 5), (4, 5)]
    assert (check.units_checked, check.units_total) == (5, 5)
    assert CompletionCheck.objects.get().units_checked == 5


def test_only_running_upcoming_and_recently_ended_or_closed_cohorts_are_checked(setup):
    programme = setup.cohort.programme
    today = timezone.localdate()
    long_ago = CohortFactory(
        programme=programme,
        starts_on=today - dt.timedelta(days=400),
        ends_on=today - dt.timedelta(days=200),
    )
    recently_ended = CohortFactory(
        programme=programme,
        starts_on=today - dt.timedelta(days=200),
        ends_on=today - dt.timedelta(days=10),
    )
    closed_recently = CohortFactory(
        programme=programme,
        starts_on=today - dt.timedelta(days=500),
        ends_on=today - dt.timedelta(days=300),
        closed_at=timezone.now() - dt.timedelta(days=5),
    )
    units = {}
    for name, cohort in (
        ("old", long_ago),
        ("ended", recently_ended),
        ("closed", closed_recently),
    ):
        units[name] = UnitEnrolment.objects.create(
            cohort=cohort, unit=ServiceUnitFactory(organisation=programme.organisation)
        )
    # not open: withdrawn units are never re-checked
    UnitEnrolment.objects.create(
        cohort=setup.cohort,
        unit=ServiceUnitFactory(organisation=programme.organisation),
        status=UnitEnrolment.Status.WITHDRAWN,
    )

    checked = set(services.enrolments_to_check(programme))

    assert checked == {setup.enrolment, units["ended"], units["closed"]}
    assert set(services.enrolments_to_check(programme, recently_closed_days=300)) == (
        checked | {units["old"]}
    )


def test_reconciling_costs_a_fixed_number_of_queries_per_unit(setup):
    programme = setup.cohort.programme
    CompletionRule.objects.filter(programme=programme).update(min_enthusiasts=1)
    setup.enrolment.delete()  # every unit alike: a manager and one enthusiast

    def queries_for(units: int) -> int:
        while UnitEnrolment.objects.filter(cohort=setup.cohort).count() < units:
            add_unit(setup)
        with CaptureQueriesContext(connection) as queries:
            services.reconcile_programme(programme, reason=CompletionCheck.Reason.RECONCILE)
        return len(queries)

    five, ten, twenty = queries_for(5), queries_for(10), queries_for(20)

    per_unit = (ten - five) / 5
    assert per_unit == (twenty - ten) / 10
    # Per unit of two: its transaction (savepoint and release), the locks (team, enrolment),
    # the cohort, programme and rule (4), the team, one count per member, the unit's tally.
    assert per_unit <= 13
    assert five - 5 * per_unit <= 8  # the constant: the check's rows and the enrolment list


# The command --------------------------------------------------------------------------------


def test_the_command_refuses_an_unknown_programme(setup):
    with pytest.raises(CommandError, match="no-such-programme"):
        call_command("reconcile_completions", "--programme", "no-such-programme")


def test_the_command_checks_every_programme_by_default(setup):
    ProgrammeFactory(slug="another")
    out = StringIO()

    call_command("reconcile_completions", stdout=out)

    assert f"{setup.cohort.programme.slug}: 1 units checked" in out.getvalue()
    assert "another: 0 units checked, 0 repaired, 0 findings" in out.getvalue()
    assert CompletionCheck.objects.count() == 2


# A rule change ------------------------------------------------------------------------------


def qualname(callback: Any) -> str:
    return getattr(callback, "__qualname__", "")


def test_lowering_the_rule_completes_the_units_that_now_meet_it(
    setup, admin, django_capture_on_commit_callbacks
):
    programme = setup.cohort.programme
    rule = programme.completion_rule
    rule.min_enthusiasts = 2
    rule.save()
    one_enthusiast = add_unit(setup, enthusiasts=2)
    complete_team(setup, one_enthusiast, enthusiasts=1)
    complete_team(setup, setup.enrolment, enthusiasts=1)
    not_yet = add_unit(setup, enthusiasts=2)
    CompletionCheck.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True), acting_as(admin):
        rule.min_enthusiasts = 1
        rule.save()

    assert status_of(one_enthusiast) == COMPLETED
    assert status_of(setup.enrolment) == COMPLETED
    assert status_of(not_yet) == ENROLLED
    check = CompletionCheck.objects.get()
    assert check.reason == CompletionCheck.Reason.RULE_CHANGED
    assert check.requested_by == admin
    assert (check.units_total, check.units_checked, check.repairs) == (3, 3, 2)
    assert check.finished_at is not None
    repairs = AuditEvent.objects.filter(action=AuditEvent.Action.COMPLETION_REPAIRED)
    assert {event.actor for event in repairs} == {admin}


def test_changing_the_required_modules_rechecks_once_per_change(
    setup, django_capture_on_commit_callbacks
):
    """The theory module alone is required now: a team that did it has completed."""
    has_done_everything(setup, setup.manager, setup.enthusiasts[0])
    ActivityCompletion.objects.filter(activity__module=setup.assignment.activity.module).delete()
    CompletionRule.objects.filter(programme=setup.cohort.programme).update(min_enthusiasts=2)
    rule = CompletionRule.objects.get(programme=setup.cohort.programme)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        # One change saved in two steps, as the admin does: the rule, then its modules.
        rule.min_enthusiasts = 1
        rule.save()
        rule.required_modules.set([setup.page.module])

    # Each save queues the check that has not started yet (a lost message must not leave
    # it waiting); the second delivery finds it claimed: one check, run once.
    rechecks = [c for c in callbacks if "start_completion_check" in qualname(c)]
    assert len(rechecks) == 2
    check = CompletionCheck.objects.get()
    assert check.reason == CompletionCheck.Reason.RULE_CHANGED
    assert check.repairs == 3  # the manager, the enthusiast and the unit
    repairs = AuditEvent.objects.filter(action=AuditEvent.Action.COMPLETION_REPAIRED)
    assert repairs.count() == 3
    assert status_of(setup.enrolment) == COMPLETED


def test_a_change_that_is_not_to_the_rule_starts_no_check(setup):
    programme = setup.cohort.programme
    programme.target_units = 99
    programme.save()

    assert not CompletionCheck.objects.exists()


def test_deleting_a_programme_with_its_rule_starts_no_check():
    programme = ProgrammeFactory()
    CompletionRule.objects.create(programme=programme, min_enthusiasts=3)

    programme.delete()

    assert not CompletionCheck.objects.exists()


# Changes on a team ------------------------------------------------------------------------


def team_where_an_enthusiast_should_lead(setup) -> None:
    """Both enthusiasts have completed, the manager has not: the unit has not completed."""
    has_done_everything(setup, *setup.enthusiasts)
    stamped(setup.enrolment, *setup.enthusiasts)
    services.reconcile_programme(setup.cohort.programme, reason=CompletionCheck.Reason.RECONCILE)
    assert status_of(setup.enrolment) == ENROLLED


def test_a_role_change_through_the_service_rechecks_the_unit_at_once(setup):
    team_where_an_enthusiast_should_lead(setup)

    services.add_participant(enrolment=setup.enrolment, user=setup.manager, role="enthusiast")
    services.add_participant(enrolment=setup.enrolment, user=setup.enthusiasts[0], role="manager")

    assert status_of(setup.enrolment) == COMPLETED


def participant_form(participant: Participant, **changes: str) -> dict[str, str]:
    data = {
        "user": str(participant.user_id),
        "enrolment": str(participant.enrolment_id),
        "role": participant.role,
        "status": participant.status,
    }
    data.update(changes)
    return data


@pytest.fixture
def staff(admin):
    admin.is_staff = True
    admin.save()
    return admin


def test_a_role_change_in_the_admin_rechecks_the_unit(
    setup, staff, client, django_capture_on_commit_callbacks
):
    team_where_an_enthusiast_should_lead(setup)
    client.force_login(staff)
    manager = setup.enrolment.participants.get(user=setup.manager)
    enthusiast = setup.enrolment.participants.get(user=setup.enthusiasts[0])

    with django_capture_on_commit_callbacks(execute=True):
        for participant, role in ((manager, "enthusiast"), (enthusiast, "manager")):
            response = client.post(
                f"/admin/lup/participant/{participant.pk}/change/",
                participant_form(participant, role=role),
            )
            assert response.status_code == 302

    assert status_of(setup.enrolment) == COMPLETED
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.COMPLETION_REPAIRED, subject_label=setup.enrolment.unit.name
    ).exists()


def test_a_withdrawal_in_the_admin_rechecks_the_unit(
    setup, staff, client, django_capture_on_commit_callbacks
):
    drifted_unit(setup)
    leaving = setup.enrolment.participants.get(user=setup.enthusiasts[1])
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/lup/participant/{leaving.pk}/change/",
            participant_form(leaving, status=Participant.Status.WITHDRAWN),
        )

    assert response.status_code == 302
    assert status_of(setup.enrolment) == COMPLETED


def test_a_withdrawal_never_withdraws_the_units_completion(
    setup, django_capture_on_commit_callbacks
):
    complete_team(setup, setup.enrolment, enthusiasts=1)
    services.reconcile_programme(setup.cohort.programme, reason=CompletionCheck.Reason.RECONCILE)
    assert status_of(setup.enrolment) == COMPLETED
    leaving = setup.enrolment.participants.get(user=setup.enthusiasts[0])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        leaving.status, leaving.completed_at = Participant.Status.WITHDRAWN, None
        leaving.save()

    assert len(callbacks) == 1  # it was re-checked...
    assert status_of(setup.enrolment) == COMPLETED  # ...and keeps its completion
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.COMPLETION_WITHDRAWN).exists()


def test_a_completion_stamp_is_not_taken_for_a_change_on_the_team(
    setup, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        services.record_participant_completion(
            participant=setup.enrolment.participants.get(user=setup.manager)
        )

    assert not [c for c in callbacks if "team_change" in qualname(c)]  # no re-check queued


# The dashboard's button and the API ---------------------------------------------------------


@pytest.fixture
def world():
    return build_world()


def dashboard(world) -> str:
    return reverse("lup:dashboard", kwargs={"slug": world.programme.slug})


def check_now(world) -> str:
    return reverse("lup:check-completions", kwargs={"slug": world.programme.slug})


@pytest.mark.django_db(transaction=True)  # committed as in production: the check runs then
def test_administrators_see_the_latest_check_and_start_one(world, client):
    client.force_login(world.people["administrator"])
    page = client.get(dashboard(world)).content.decode()
    assert "Completions have not been checked against the rule yet" in page

    response = client.post(check_now(world), follow=True)

    assert response.redirect_chain[-1][0] == dashboard(world)
    check = CompletionCheck.objects.get()
    assert check.reason == CompletionCheck.Reason.REQUESTED
    assert check.requested_by == world.people["administrator"]
    assert check.finished_at is not None  # eager Celery: it ran before the redirect
    page = response.content.decode()
    assert "A completion check has started." in page
    assert "Completions were checked on" in page
    assert "Check completions now" in page


def test_the_dashboard_shows_a_check_under_way_and_its_findings(world, client):
    now = timezone.now()
    CompletionCheck.objects.create(
        programme=world.programme,
        reason=CompletionCheck.Reason.RECONCILE,
        started_at=now,
        finished_at=now,
        units_total=200,
        units_checked=200,
        repairs=1,
        findings=[{"unit": "Hauger skole", "cohort": "LUP 1"}],
    )
    CompletionCheck.objects.create(
        programme=world.programme,
        reason=CompletionCheck.Reason.RULE_CHANGED,
        started_at=now,
        units_total=200,
        units_checked=40,
    )
    client.force_login(world.people["administrator"])

    page = client.get(dashboard(world)).content.decode()

    assert "Re-checking completions after the rule change: 40 of 200 units." in page
    CompletionCheck.objects.filter(reason=CompletionCheck.Reason.RULE_CHANGED).delete()
    page = client.get(dashboard(world)).content.decode()
    assert "200 units checked" in page
    assert "1 completion repaired." in page
    assert "Hauger skole (LUP 1) has completed but no longer meets the rule." in page


def test_a_check_under_way_is_not_started_twice(world, client):
    CompletionCheck.objects.create(
        programme=world.programme,
        reason=CompletionCheck.Reason.RECONCILE,
        started_at=timezone.now(),
    )
    client.force_login(world.people["administrator"])

    response = client.post(check_now(world), follow=True)

    assert "A completion check is already under way." in response.content.decode()
    assert CompletionCheck.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("hr", 403),
        ("facilitator", 403),
        ("manager", 403),
        ("other_administrator", 404),
    ],
)
def test_only_the_programmes_administrators_start_a_check(world, client, role, expected):
    client.force_login(world.people[role])

    response = client.post(check_now(world))

    assert response.status_code == expected
    assert not CompletionCheck.objects.exists()


def test_hr_sees_no_completion_check_on_the_dashboard(world, client):
    client.force_login(world.people["hr"])

    page = client.get(dashboard(world)).content.decode()

    assert "Check completions now" not in page


def api_url(programme) -> str:
    return f"/api/v1/programmes/{programme.public_id}/completion-checks/"


@pytest.mark.django_db(transaction=True)  # committed as in production: the check runs then
def test_the_api_lists_the_checks_latest_first_and_starts_one(world, client):
    older = timezone.now() - dt.timedelta(days=1)
    CompletionCheck.objects.create(
        programme=world.programme,
        reason=CompletionCheck.Reason.RECONCILE,
        created_at=older,
        started_at=older,
        finished_at=older,
    )
    client.force_login(world.people["administrator"])

    started = client.post(api_url(world.programme))
    listed = client.get(api_url(world.programme))

    assert started.status_code == 202
    assert started.json()["reason"] == "requested"
    assert started.json()["status"] == "finished"  # eager Celery
    assert listed.status_code == 200
    results = listed.json()["results"]
    assert [row["reason"] for row in results] == ["requested", "reconcile"]
    assert results[0]["programme"] == str(world.programme.public_id)
    assert set(results[0]) >= {"units_total", "units_checked", "repairs", "findings"}


def test_the_api_answers_with_the_check_already_under_way(world, client):
    CompletionCheck.objects.create(
        programme=world.programme, reason=CompletionCheck.Reason.REQUESTED
    )
    client.force_login(world.people["administrator"])

    response = client.post(api_url(world.programme))

    assert response.status_code == 200
    assert response.json()["status"] == "waiting"
    assert CompletionCheck.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "expected"),
    [("hr", 403), ("enthusiast", 404), ("facilitator", 404), ("other_administrator", 404)],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_api_refuses_everyone_but_the_programmes_administrators(
    world, client, role, expected, method
):
    client.force_login(world.people[role])

    response = getattr(client, method)(api_url(world.programme))

    assert response.status_code == expected
    assert not CompletionCheck.objects.exists()


def test_the_api_refuses_a_malformed_id_and_a_read_token(world, client):
    token, secret = world.tokens["administrator"]
    token.scope = "read"
    token.save()

    assert client.get("/api/v1/programmes/not-an-id/completion-checks/").status_code == 403
    client.force_login(world.people["administrator"])
    assert client.get("/api/v1/programmes/not-an-id/completion-checks/").status_code == 404
    client.logout()
    bearer: Any = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get(api_url(world.programme), **bearer).status_code == 200
    assert client.post(api_url(world.programme), **bearer).status_code == 403
    assert not CompletionCheck.objects.exists()


# Celery beat --------------------------------------------------------------------------------


def test_beat_runs_the_reconcile_every_night():
    [entry] = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "lup.tasks.reconcile_completions"
    ]

    assert tasks.reconcile_completions.name == entry["task"]
    assert entry["schedule"].hour == {2}
    assert tasks.recheck_programme.name == "lup.tasks.recheck_programme"


def test_an_existing_administrators_group_is_given_the_check_permission_by_migration():
    """Installations whose role groups predate completion checks: the migration grants what
    `ensure_role_groups` would, so their administrators see "Check completions now"."""
    import importlib

    from django.apps import apps as installed_apps
    from django.contrib.auth.models import Group, Permission

    from lup.roles import ADMINISTRATORS_GROUP, HR_GROUP

    migration = importlib.import_module("lup.migrations.0016_grant_completion_check_permissions")
    administrators = Group.objects.create(name=ADMINISTRATORS_GROUP)
    hr = Group.objects.create(name=HR_GROUP)

    migration.grant(installed_apps, None)

    def codenames(group: Group) -> set[str]:
        return set(group.permissions.values_list("codename", flat=True))

    assert {"add_completioncheck", "view_completioncheck", "view_certificatereview"} <= (
        codenames(administrators)
    )
    assert codenames(hr) == {"view_completioncheck", "view_certificatereview"}
    assert Permission.objects.filter(codename="add_completioncheck").count() == 1
