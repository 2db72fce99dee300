"""The outbox of xAPI statements for an external LRS (courses.xapi): statement ids kept and
stored once, the learner's request untouched by the LRS, sending in batches with backoff,
strictly valid statements, the resend command and the administrators' view."""

from __future__ import annotations

import importlib
import io
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from courses import tasks, xapi
from courses.models import ActivityCompletion, H5PAttempt, XAPIStatement
from courses.signals import activity_completed
from tests.concurrency import on_postgresql, race
from tests.courses.fake_lrs import FakeLRS, closed_port
from tests.courses.h5p_setup import (
    h5p_activity,
    h5p_root,  # noqa: F401  (a fixture)
    install_reflection,
    learner_of,
    statement,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("h5p_root")]

Forwarding = XAPIStatement.Forwarding
PLAYER_ID = "6F0E4C3A-9B7D-4E21-8C55-2A1B3C4D5E6F"


@pytest.fixture
def activity():
    return h5p_activity(install_reflection())


@pytest.fixture
def learner(activity):
    return learner_of(activity)


def record(learner, activity, data="completed", **figures):
    """Record a statement: `data` itself, or the player's with this verb and figures."""
    if isinstance(data, str):
        data = statement(activity, data, **figures)
    return xapi.record_xapi_statement(user=learner, activity=activity, statement=data)


def pending(learner, activity, count: int) -> list[XAPIStatement]:
    """`count` statements stored with an LRS configured: pending and due."""
    for raw in range(count):
        record(learner, activity, "answered", raw=raw, maximum=count)
    return list(XAPIStatement.objects.order_by("pk"))


def make_due() -> None:
    XAPIStatement.objects.filter(forwarding_state=Forwarding.PENDING).update(
        next_attempt_at=timezone.now()
    )


# Statement ids ---------------------------------------------------------------------------------


def test_the_players_id_is_kept_when_it_is_a_uuid(learner, activity):
    data = statement(activity, scaled=1.0)
    data["id"] = PLAYER_ID

    stored = record(learner, activity, data).statement

    assert stored.statement_id == uuid.UUID(PLAYER_ID)
    stored.refresh_from_db()
    assert stored.raw["id"] == PLAYER_ID.lower()


@pytest.mark.parametrize("given", [None, "", "statement-1", "{" + PLAYER_ID + "}", 42])
def test_without_a_uuid_one_is_chosen_once_and_kept(settings, learner, activity, given):
    data = statement(activity, scaled=1.0)
    if given is not None:
        data["id"] = given
    with FakeLRS() as lrs:
        settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        stored = record(learner, activity, data).statement
        xapi.send_due_statements()

    stored.refresh_from_db()
    assert stored.raw["id"] == str(stored.statement_id)
    assert lrs.ids == [str(stored.statement_id)]


# The same statement twice ----------------------------------------------------------------------


def test_the_same_statement_posted_twice_is_stored_and_counted_once(learner, activity):
    data = statement(activity, "completed", raw=3, maximum=4)
    data["id"] = PLAYER_ID
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs["activity"])

    activity_completed.connect(receiver)
    try:
        first = record(learner, activity, data)
        second = record(learner, activity, data)
    finally:
        activity_completed.disconnect(receiver)

    assert XAPIStatement.objects.count() == 1
    assert (first.repeated, second.repeated) == (False, True)
    assert second.statement.pk == first.statement.pk
    assert (second.completed, second.best_score_scaled) == (True, 0.75)
    assert H5PAttempt.objects.get(user=learner, activity=activity).statements == 1
    assert ActivityCompletion.objects.filter(user=learner, activity=activity).count() == 1
    assert sent == [activity]


def test_a_copy_written_otherwise_is_the_same_statement(learner, activity):
    """What xAPI lets differ between copies: the timestamp's serialisation, the verb's
    display, activity definitions, what an LRS assigns."""
    data = statement(activity, "answered", raw=1, maximum=2)
    data |= {"id": PLAYER_ID, "timestamp": "2026-03-01T10:00:00Z"}
    record(learner, activity, data)
    copy = {
        **data,
        "timestamp": "2026-03-01T11:00:00.000+01:00",
        "verb": {**data["verb"], "display": {"nb-NO": "svarte"}},
        "object": {**data["object"], "definition": {"name": {"en-US": "Refleksjon"}}},
        "version": "1.0.0",
        "authority": {"mbox": "mailto:lrs@example.no"},
    }

    assert record(learner, activity, copy).repeated is True
    assert XAPIStatement.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"result": {"score": {"raw": 2, "max": 2}}},
        {"timestamp": "2026-03-01T10:00:01Z"},
        {"verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}},
    ],
    ids=["result", "timestamp", "verb"],
)
def test_another_statement_under_a_stored_id_is_a_conflict(learner, activity, change):
    data = statement(activity, "answered", raw=1, maximum=2)
    data |= {"id": PLAYER_ID, "timestamp": "2026-03-01T10:00:00Z"}
    record(learner, activity, data)

    with pytest.raises(ValidationError) as refused:
        record(learner, activity, data | change)

    assert refused.value.code == "conflict"
    assert XAPIStatement.objects.count() == 1
    assert H5PAttempt.objects.get(user=learner, activity=activity).statements == 1


def test_another_learner_cannot_post_under_a_stored_id(learner, activity):
    data = statement(activity, scaled=1.0) | {"id": PLAYER_ID}
    record(learner, activity, data)
    other = learner_of(activity)

    with pytest.raises(ValidationError) as refused:
        record(other, activity, data)

    assert refused.value.code == "conflict"
    assert not ActivityCompletion.objects.filter(user=other).exists()


def test_a_repeated_statement_is_sent_once(settings, learner, activity):
    data = statement(activity, scaled=1.0) | {"id": PLAYER_ID}
    with FakeLRS() as lrs:
        settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        record(learner, activity, data)
        xapi.send_due_statements()
        record(learner, activity, data)
        xapi.send_due_statements()

    assert lrs.ids == [PLAYER_ID.lower()]


# The learner's request never meets the LRS -----------------------------------------------------


def test_with_the_lrs_down_the_learner_is_answered_at_once(
    settings, learner, activity, django_capture_on_commit_callbacks
):
    """Celery is eager here, as in `make run`: nothing is sent inside the request."""
    settings.COURSES_LRS_ENDPOINT = f"http://127.0.0.1:{closed_port()}/xapi/"
    with FakeLRS(delay=5) as slow:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            recorded = record(learner, activity, "completed", scaled=1.0)
        settings.COURSES_LRS_ENDPOINT = slow.endpoint
        with django_capture_on_commit_callbacks(execute=True):
            record(learner, activity, "answered", scaled=0.5)
        elapsed = time.monotonic() - started

    assert recorded.completed is True
    assert elapsed < 2
    assert slow.received == []
    assert set(XAPIStatement.objects.values_list("forwarding_state", flat=True)) == {"pending"}


@pytest.fixture
def with_a_broker():
    """Celery as with a broker: tasks queued for a worker, not run inline."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager


@pytest.mark.usefixtures("with_a_broker")
def test_with_a_broker_the_statement_is_queued_for_a_worker_after_commit(
    settings, monkeypatch, learner, activity, django_capture_on_commit_callbacks
):
    settings.COURSES_LRS_ENDPOINT = f"http://127.0.0.1:{closed_port()}/xapi/"
    queued = []
    monkeypatch.setattr(
        tasks.forward_xapi_statement,
        "apply_async",
        lambda args, **options: queued.append((args, options)),
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        stored = record(learner, activity, scaled=1.0).statement
    assert queued == []  # not before the transaction commits
    for callback in callbacks:
        callback()

    assert queued == [((stored.pk,), {"retry": False})]


@pytest.mark.usefixtures("with_a_broker")
def test_a_broker_that_is_down_does_not_reach_the_learner(
    settings, monkeypatch, learner, activity, django_capture_on_commit_callbacks
):
    settings.COURSES_LRS_ENDPOINT = f"http://127.0.0.1:{closed_port()}/xapi/"

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("no broker")

    monkeypatch.setattr(tasks.forward_xapi_statement, "apply_async", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        recorded = record(learner, activity, scaled=1.0)

    assert recorded.completed is True
    assert XAPIStatement.objects.get().forwarding_state == Forwarding.PENDING


def test_the_worker_task_sends_the_statement_it_is_given(settings, learner, activity):
    with FakeLRS() as lrs:
        settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        first, second = (record(learner, activity, scaled=0.5).statement for _ in range(2))
        outcome = tasks.forward_xapi_statement.apply(args=(second.pk,)).get()

    assert outcome["sent"] == 1
    assert lrs.ids == [str(second.statement_id)]
    first.refresh_from_db()
    assert first.forwarding_state == Forwarding.PENDING


# Sending ---------------------------------------------------------------------------------------


def test_sending_a_batch_takes_the_same_queries_whatever_its_size(
    settings, learner, activity, django_assert_max_num_queries
):
    """Claim, move, record the outcomes, plus the claim's savepoint (a transaction in
    production): for 3 statements as for 30."""
    with FakeLRS() as lrs:
        settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        pending(learner, activity, 3)
        with django_assert_max_num_queries(5):
            assert xapi.send_due_statements().sent == 3
        pending(learner, activity, 30)
        XAPIStatement.objects.filter(forwarding_state=Forwarding.SENT).delete()
        with django_assert_max_num_queries(5):
            assert xapi.send_due_statements().sent == 30
        # Batches of 10: three batches of the same few queries, and one that finds none.
        pending(learner, activity, 30)
        XAPIStatement.objects.filter(forwarding_state=Forwarding.SENT).delete()
        with django_assert_max_num_queries(3 * 5 + 3):
            assert xapi.send_due_statements(batch_size=10).sent == 30

    assert len(lrs.received) == 63


def test_oldest_first_and_one_batch_per_run_when_time_is_up(settings, learner, activity):
    with FakeLRS() as lrs:
        settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        statements = pending(learner, activity, 5)
        report = xapi.send_due_statements(batch_size=2, seconds=0)

    assert report.sent == 2
    assert lrs.ids == [str(statements[0].statement_id), str(statements[1].statement_id)]


def test_when_the_lrs_is_down_the_rest_of_the_batch_waits_without_an_attempt(
    settings, learner, activity
):
    with FakeLRS([503]) as lrs:
        settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        pending(learner, activity, 4)
        report = xapi.send_due_statements()

    assert report.as_dict() == {"sent": 0, "refused": 0, "failed": 0, "retrying": 1}
    assert len(lrs.received) == 1  # one knock on a closed door, not four
    rows = list(XAPIStatement.objects.order_by("pk"))
    assert [row.forwarding_attempts for row in rows] == [1, 0, 0, 0]
    assert {row.next_attempt_at for row in rows} == {rows[0].next_attempt_at}
    assert rows[0].next_attempt_at is not None
    assert rows[0].next_attempt_at > timezone.now()
    assert {row.forwarding_state for row in rows} == {Forwarding.PENDING}


def test_an_unreachable_lrs_is_recorded_without_personal_data(settings, learner, activity):
    settings.COURSES_LRS_ENDPOINT = f"http://127.0.0.1:{closed_port()}/xapi/"
    record(learner, activity, scaled=1.0)

    assert xapi.send_due_statements().retrying == 1

    stored = XAPIStatement.objects.get()
    assert stored.last_error.startswith("ConnectionRefusedError")
    assert xapi.learner_pseudonym(learner) not in stored.last_error


@pytest.mark.parametrize(
    ("status", "state"),
    [(401, "pending"), (404, "pending"), (429, "pending"), (500, "pending"), (413, "refused")],
)
def test_what_is_worth_trying_again(settings, learner, activity, status, state):
    with FakeLRS([status]) as lrs:
        settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        record(learner, activity, scaled=1.0)
        xapi.send_due_statements()

    stored = XAPIStatement.objects.get()
    assert stored.forwarding_state == state
    assert stored.last_error.startswith(f"HTTP {status}")


def test_a_conflict_at_the_lrs_means_it_has_the_statement(settings, learner, activity):
    with FakeLRS([409]) as lrs:
        settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        record(learner, activity, scaled=1.0)
        assert xapi.send_due_statements().sent == 1

    stored = XAPIStatement.objects.get()
    assert stored.forwarding_state == Forwarding.SENT
    assert "409" in stored.last_error


def test_waits_double_up_to_the_longest_with_jitter():
    waits = [xapi.retry_delay(attempt).total_seconds() for attempt in range(1, 12)]

    for attempt, wait in enumerate(waits, start=1):
        nominal = min(3600, 30 * 2 ** (attempt - 1))
        assert 0.8 * nominal <= wait <= nominal
    assert len({round(xapi.retry_delay(3).total_seconds(), 6) for _ in range(20)}) > 1


def test_after_the_last_attempt_a_statement_fails_until_it_is_sent_again(
    settings, learner, activity
):
    settings.COURSES_LRS_MAX_ATTEMPTS = 3
    settings.COURSES_LRS_ENDPOINT = f"http://127.0.0.1:{closed_port()}/xapi/"
    record(learner, activity, scaled=1.0)
    for _ in range(3):
        xapi.send_due_statements()
        make_due()
    stored = XAPIStatement.objects.get()
    assert (stored.forwarding_state, stored.forwarding_attempts) == (Forwarding.FAILED, 3)
    assert stored.next_attempt_at is None
    assert xapi.send_due_statements().as_dict() == {
        "sent": 0,
        "refused": 0,
        "failed": 0,
        "retrying": 0,
    }

    with FakeLRS() as lrs:
        settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        output = io.StringIO()
        call_command("resend_xapi", stdout=output)
        assert "1" in output.getvalue()
        stored.refresh_from_db()
        assert (stored.forwarding_state, stored.forwarding_attempts) == (Forwarding.PENDING, 0)
        tasks.send_due_xapi_statements.apply()

    assert lrs.ids == [str(stored.statement_id)]
    stored.refresh_from_db()
    assert stored.forwarding_state == Forwarding.SENT


def test_a_worker_that_dies_leaves_its_batch_to_be_sent_later(settings, learner, activity):
    settings.COURSES_LRS_ENDPOINT = f"http://127.0.0.1:{closed_port()}/xapi/"
    pending(learner, activity, 2)

    claimed = xapi._claim_due(10, None)  # ...and the worker is killed before it sends

    assert len(claimed) == 2
    assert xapi._claim_due(10, None) == []  # no other worker takes them meanwhile
    for row in XAPIStatement.objects.all():
        assert row.forwarding_state == Forwarding.PENDING
        assert row.next_attempt_at is not None
        assert row.next_attempt_at > timezone.now() + timedelta(minutes=1)


# What is sent: strictly valid xAPI 1.0.3 -------------------------------------------------------


def test_what_is_sent_is_the_stored_statement_under_our_actor_and_its_kept_id(learner, activity):
    data = statement(activity, "answered", raw=1, maximum=2)
    data |= {
        "stored": "2026-01-01T00:00:00Z",
        "authority": {"mbox": "mailto:someone@example.no"},
        "version": "1.0.0",
    }
    stored = record(learner, activity, data).statement

    sent = xapi.forwardable_statement(stored)

    assert sent["id"] == str(stored.statement_id)
    assert sent["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "https://lup.test", "name": xapi.learner_pseudonym(learner)},
    }
    assert sent["timestamp"] == stored.received_at.isoformat()
    assert sent["version"] == "1.0.3"
    assert "stored" not in sent
    assert "authority" not in sent
    assert sent["result"] == data["result"]
    stored.refresh_from_db()
    assert stored.raw["stored"] == "2026-01-01T00:00:00Z"  # kept as stored


def test_the_players_timestamp_is_kept_when_valid(learner, activity):
    data = statement(activity, scaled=1.0) | {"timestamp": "2026-03-01T10:00:00.123Z"}
    stored = record(learner, activity, data).statement
    assert xapi.forwardable_statement(stored)["timestamp"] == "2026-03-01T10:00:00.123Z"

    data = statement(activity, scaled=1.0) | {"timestamp": "yesterday"}
    stored = record(learner, activity, data).statement
    assert xapi.forwardable_statement(stored)["timestamp"] == stored.received_at.isoformat()


def test_the_clean_up_rules_leave_out_what_strict_validators_refuse():
    statement_: dict[str, Any] = {
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": ""}},
        "object": {
            "id": "https://lup.test/x",
            "objectType": "Activity",
            "definition": {
                "name": {"en-US": "Spørsmål", "nb-NO": ""},
                "description": {},
                "interactionType": "choice",
                "correctResponsesPattern": [""],
                "choices": [{"id": "0", "description": {"en-US": "Ja"}}],
                "extensions": {"http://h5p.org/x-api/h5p-local-content-id": None},
            },
        },
        "result": {"response": "", "score": {"raw": 0, "max": 1}, "success": False},
        "context": {
            "contextActivities": {"parent": [], "category": [{"id": "http://h5p.org/x"}]},
            "extensions": {},
            "registration": None,
        },
        "attachments": [],
    }
    applied: list[tuple[str, str]] = []

    cleaned = xapi.strict_xapi(statement_, applied)

    assert cleaned == {
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "id": "https://lup.test/x",
            "objectType": "Activity",
            "definition": {
                "name": {"en-US": "Spørsmål"},
                "interactionType": "choice",
                "choices": [{"id": "0", "description": {"en-US": "Ja"}}],
                # Anything may stand inside extensions, null included.
                "extensions": {"http://h5p.org/x-api/h5p-local-content-id": None},
            },
        },
        "result": {"score": {"raw": 0, "max": 1}, "success": False},
        "context": {"contextActivities": {"category": [{"id": "http://h5p.org/x"}]}},
        "attachments": [],
    }
    assert sorted(applied) == [
        ("empty_context_activities", "context.contextActivities.parent"),
        ("empty_language_entry", "object.definition.name.nb-NO"),
        ("empty_language_entry", "verb.display.en-US"),
        ("empty_object", "context.extensions"),
        ("empty_object", "object.definition.description"),
        ("empty_object", "verb.display"),
        ("empty_response_pattern", "object.definition.correctResponsesPattern"),
        ("empty_string", "result.response"),
        ("null", "context.registration"),
    ]
    assert {rule for rule, _path in applied} == set(xapi.STRICT_RULES)
    assert statement_["result"]["response"] == ""  # the statement given is left as it was


def test_an_emptied_object_goes_from_the_leaves_up():
    cleaned = xapi.strict_xapi(
        {"verb": {"id": "v"}, "result": {"response": "", "extensions": {}}, "context": {}}
    )

    assert cleaned == {"verb": {"id": "v"}}


# The migration ---------------------------------------------------------------------------------


def test_statements_stored_before_keep_the_id_they_were_forwarded_under(learner, activity):
    stored = record(learner, activity, scaled=1.0).statement
    migration = importlib.import_module("courses.migrations.0006_xapi_outbox")

    migration.fill_statement_ids(apps, connection.schema_editor())

    stored.refresh_from_db()
    legacy = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:lup-learning:xapi:{stored.pk}")
    assert stored.statement_id == legacy
    assert stored.raw["id"] == str(legacy)


# The command and the administrators' view ------------------------------------------------------


def test_the_command_sends_every_pending_statement_now(settings, learner, activity):
    settings.COURSES_LRS_ENDPOINT = f"http://127.0.0.1:{closed_port()}/xapi/"
    pending(learner, activity, 3)
    xapi.send_due_statements()  # the LRS was down: all wait
    with FakeLRS([400]) as lrs:
        settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        output = io.StringIO()
        call_command("resend_xapi", "--all-pending", stdout=output)

    assert len(lrs.received) == 3
    counts = dict(XAPIStatement.objects.values_list("forwarding_state").annotate(n=Count("pk")))
    assert counts == {"sent": 2, "refused": 1}
    assert "2" in output.getvalue()


def test_the_command_queues_statements_stored_without_an_lrs_when_asked(
    settings, learner, activity
):
    record(learner, activity, scaled=1.0)  # no LRS configured: not forwarded
    with FakeLRS() as lrs:
        settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        call_command("resend_xapi", "--all-pending", stdout=io.StringIO())
        assert lrs.received == []
        call_command("resend_xapi", "--not-forwarded", "--all-pending", stdout=io.StringIO())

    assert len(lrs.received) == 1


def test_the_command_needs_an_lrs():
    with pytest.raises(CommandError):
        call_command("resend_xapi")


def test_the_beat_schedule_sends_due_statements_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["courses-send-due-xapi-statements"]

    assert entry["task"] == tasks.send_due_xapi_statements.name
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] == 60


@pytest.fixture
def superuser_client(client):
    from allauth.mfa.totp.internal.auth import TOTP

    superuser = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(superuser, "JBSWY3DPEHPK3PXP")  # staff sign in with a second factor
    client.force_login(superuser)
    return client


def test_the_admin_shows_where_statements_stand(settings, superuser_client, learner, activity):
    settings.COURSES_LRS_ENDPOINT = f"http://127.0.0.1:{closed_port()}/xapi/"
    pending(learner, activity, 2)
    xapi.send_due_statements()
    url = reverse("admin:courses_xapistatement_changelist")

    response = superuser_client.get(
        url, {"forwarding_state__exact": "pending"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "ConnectionRefusedError" in page
    summary = response.context["subtitle"]
    assert "2" in summary
    assert xapi.forwarding_summary(XAPIStatement.objects.all())["pending"] == 2
    assert superuser_client.get(reverse("admin:courses_xapistatement_add")).status_code == 403


def test_the_admin_sends_failed_statements_again_now(settings, superuser_client, learner, activity):
    settings.COURSES_LRS_MAX_ATTEMPTS = 1
    settings.COURSES_LRS_ENDPOINT = f"http://127.0.0.1:{closed_port()}/xapi/"
    stored = record(learner, activity, scaled=1.0).statement
    xapi.send_due_statements()
    stored.refresh_from_db()
    assert stored.forwarding_state == Forwarding.FAILED

    with FakeLRS() as lrs:
        settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        response = superuser_client.post(
            reverse("admin:courses_xapistatement_changelist"),
            {"action": "send_again", "_selected_action": [stored.pk]},
        )

    assert response.status_code == 302
    assert lrs.ids == [str(stored.statement_id)]
    stored.refresh_from_db()
    assert stored.forwarding_state == Forwarding.SENT


# Races on PostgreSQL ---------------------------------------------------------------------------


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_same_statement_posted_twice_at_once_is_stored_once(monkeypatch):
    activity = h5p_activity(install_reflection())
    learner = learner_of(activity)
    data = statement(activity, "completed", scaled=1.0) | {"id": PLAYER_ID}
    both_checked = threading.Barrier(2, timeout=20)
    check_storable = xapi.check_storable

    def check_then_wait(statement_):
        check_storable(statement_)
        both_checked.wait()  # both go on to insert at the same moment

    monkeypatch.setattr(xapi, "check_storable", check_then_wait)
    results: list[xapi.RecordedStatement] = []

    errors = race(lambda: results.append(record(learner, activity, data)))

    assert not errors, errors
    assert XAPIStatement.objects.count() == 1
    assert sorted(result.repeated for result in results) == [False, True]
    assert {result.statement.pk for result in results} == {XAPIStatement.objects.get().pk}
    assert H5PAttempt.objects.get(user=learner, activity=activity).statements == 1
    assert ActivityCompletion.objects.filter(user=learner, activity=activity).count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_statement(settings):
    activity = h5p_activity(install_reflection())
    learner = learner_of(activity)
    with FakeLRS(delay=0.05) as lrs:
        settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        statements = pending(learner, activity, 12)

        errors = race(lambda: xapi.send_due_statements(batch_size=3))

    assert not errors, errors
    assert sorted(lrs.ids) == sorted(str(row.statement_id) for row in statements)
    assert set(XAPIStatement.objects.values_list("forwarding_state", flat=True)) == {"sent"}
