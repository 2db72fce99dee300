"""xAPI statements from the H5P player: who they are for, what they may say, the best score,
and when they complete the activity."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses import tasks, xapi
from courses.models import ActivityCompletion, H5PAttempt, XAPIStatement
from courses.signals import activity_completed
from tests.courses.fake_lrs import FakeLRS
from tests.courses.h5p_setup import (
    h5p_activity,
    h5p_root,  # noqa: F401  (a fixture)
    install_reflection,
    learner_of,
    play_token,
    statement,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("h5p_root")]


@pytest.fixture
def activity():
    return h5p_activity(install_reflection())


@pytest.fixture
def learner(activity):
    return learner_of(activity)


def player_url(client, activity) -> str:
    """Where the player of the client's signed-in person posts, with the play token their
    activity page would give it; without anyone signed in, no valid token."""
    user_id = client.session.get("_auth_user_id")
    if user_id is None:
        return reverse("courses:h5p-xapi", kwargs={"token": "no-token"})
    user = get_user_model().objects.get(pk=user_id)
    return reverse("courses:h5p-xapi", kwargs={"token": play_token(user, activity, "en")})


def post(client, activity, data, **extra):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(player_url(client, activity), body, content_type="application/json", **extra)


def completed(user, activity) -> bool:
    return ActivityCompletion.objects.filter(user=user, activity=activity).exists()


# The endpoint ---------------------------------------------------------------------------------


def test_a_statement_is_stored_for_the_signed_in_learner_whatever_its_actor(
    client, activity, learner
):
    someone_else = UserFactory(email="annen@example.no")
    forged = {"mbox": f"mailto:{someone_else.email}", "objectType": "Agent", "name": "Annen"}
    client.force_login(learner)

    response = post(
        client, activity, statement(activity, "answered", raw=1, maximum=2, actor=forged)
    )

    assert response.status_code == 201
    stored = XAPIStatement.objects.get()
    assert stored.user == learner
    assert stored.raw["actor"] == xapi.xapi_actor(learner)
    assert str(someone_else.email) not in json.dumps(stored.raw)
    assert (stored.verb, stored.score_raw, stored.score_max, stored.score_scaled) == (
        "answered",
        1,
        2,
        0.5,
    )
    assert stored.top_level is True
    assert stored.duration == "PT12.5S"
    assert not XAPIStatement.objects.filter(user=someone_else).exists()


def test_a_statement_about_another_activity_is_refused(client, activity, learner):
    other = h5p_activity(activity.h5p_package, module=activity.module)
    client.force_login(learner)

    response = post(client, activity, statement(other, scaled=1.0))

    assert response.status_code == 400
    assert not XAPIStatement.objects.exists()
    assert not completed(learner, activity)


def test_the_package_identifier_names_the_content_too(client, activity, learner):
    data = statement(activity, scaled=1.0)
    data["object"]["id"] = f"urn:h5p:{activity.h5p_package.public_id}"
    client.force_login(learner)

    assert post(client, activity, data).status_code == 201


@pytest.mark.parametrize("scaled", [1.5, -1.01, 10])
def test_a_scaled_score_outside_minus_one_to_one_is_refused(client, activity, learner, scaled):
    client.force_login(learner)

    response = post(client, activity, statement(activity, scaled=scaled))

    assert response.status_code == 400
    assert not XAPIStatement.objects.exists()


@pytest.mark.parametrize("raw", ["2", True, None])
def test_a_score_must_be_a_number(client, activity, learner, raw):
    data = statement(activity, scaled=0.5)
    data["result"]["score"]["raw"] = raw
    client.force_login(learner)

    expected = 201 if raw is None else 400
    assert post(client, activity, data).status_code == expected


def test_a_huge_body_is_refused_before_it_is_read(client, activity, learner):
    data = statement(activity, "answered", completion=True)
    data["result"]["response"] = "x" * (65 * 1024)
    client.force_login(learner)

    response = post(client, activity, data)

    assert response.status_code == 413
    assert not XAPIStatement.objects.exists()


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', b"\xff\xfe"])
def test_a_body_that_is_no_json_object_is_refused(client, activity, learner, body):
    client.force_login(learner)

    assert post(client, activity, body).status_code == 400


def test_without_a_play_token_the_statement_is_refused(client, activity):
    response = post(client, activity, statement(activity))

    assert response.status_code == 403
    assert response.json()["code"] == "token_invalid"
    assert not XAPIStatement.objects.exists()


def test_a_session_and_csrf_token_without_a_play_token_are_refused(activity, learner):
    """The old way in (session, CSRF token) opens nothing: only the page's token does."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    client.get(reverse("courses:activity-detail", args=[activity.public_id]))
    csrf = client.cookies["csrftoken"].value
    body = json.dumps(statement(activity, scaled=1.0))

    refused = client.post(
        reverse("courses:h5p-xapi", kwargs={"token": "no-token"}),
        body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    accepted = post(client, activity, statement(activity, scaled=1.0))

    assert refused.status_code == 403
    assert accepted.status_code == 201
    assert XAPIStatement.objects.count() == 1


def test_a_learner_not_enrolled_finds_nothing(client, activity):
    client.force_login(UserFactory())

    assert post(client, activity, statement(activity, scaled=1.0)).status_code == 404
    assert not XAPIStatement.objects.exists()


def test_only_post_is_allowed(client, activity, learner):
    client.force_login(learner)

    assert client.get(player_url(client, activity)).status_code == 405


def test_the_answer_tells_the_player_the_result(client, activity, learner):
    client.force_login(learner)

    response = post(client, activity, statement(activity, raw=3, maximum=4, scaled=0.75))

    answer = response.json()
    assert answer | {"message": ""} == {
        "success": True,
        "completed": True,
        "best_score_scaled": 0.75,
        "message": "",
    }
    assert "75" in str(answer["message"])


# Completion and the best score ----------------------------------------------------------------


def test_sub_content_statements_do_not_complete(client, activity, learner):
    client.force_login(learner)

    post(client, activity, statement(activity, "completed", scaled=1.0, sub_content=True))
    post(
        client,
        activity,
        statement(activity, "answered", scaled=1.0, completion=True, sub_content=True),
    )

    assert not completed(learner, activity)
    attempt = H5PAttempt.objects.get(user=learner, activity=activity)
    assert attempt.statements == 2
    assert attempt.best_score_scaled is None  # one question's score is not the activity's
    assert set(XAPIStatement.objects.values_list("top_level", flat=True)) == {False}


@pytest.mark.parametrize("verb", ["passed", "completed", "mastered"])
def test_a_top_level_finishing_verb_completes(client, activity, learner, verb):
    client.force_login(learner)

    post(client, activity, statement(activity, verb, scaled=0.8, success=True))

    completion = ActivityCompletion.objects.get(user=learner, activity=activity)
    assert completion.source == ActivityCompletion.Source.H5P


@pytest.mark.parametrize(
    ("verb", "completion", "completes"),
    [
        ("answered", True, True),
        ("answered", False, False),
        ("answered", None, False),
        ("attempted", None, False),
        ("failed", True, False),
        ("progressed", None, False),
    ],
)
def test_other_verbs(client, activity, learner, verb, completion, completes):
    client.force_login(learner)

    post(client, activity, statement(activity, verb, scaled=0.5, completion=completion))

    assert completed(learner, activity) is completes


def test_the_minimum_score_is_respected(client, activity, learner):
    activity.h5p_min_score = 0.8
    activity.save()
    client.force_login(learner)

    post(client, activity, statement(activity, "completed", raw=1, maximum=2))
    post(client, activity, statement(activity, "passed"))  # no score at all
    assert not completed(learner, activity)

    post(client, activity, statement(activity, "completed", raw=2, maximum=2))
    assert completed(learner, activity)


def test_the_best_score_is_kept(client, activity, learner):
    client.force_login(learner)

    for raw in (2, 4, 3):
        post(client, activity, statement(activity, "answered", raw=raw, maximum=5))
    post(client, activity, statement(activity, "answered", raw=5, maximum=5, sub_content=True))

    attempt = H5PAttempt.objects.get(user=learner, activity=activity)
    assert (attempt.best_score_raw, attempt.best_score_max, attempt.best_score_scaled) == (
        4,
        5,
        0.8,
    )
    assert attempt.statements == 4
    assert attempt.last_statement_at is not None


def test_completion_is_recorded_once(client, activity, learner):
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs["activity"])

    activity_completed.connect(receiver)
    try:
        client.force_login(learner)
        for _ in range(3):
            post(client, activity, statement(activity, "completed", scaled=1.0))
    finally:
        activity_completed.disconnect(receiver)

    assert ActivityCompletion.objects.filter(user=learner, activity=activity).count() == 1
    assert sent == [activity]
    assert XAPIStatement.objects.count() == 3


# The service on its own -----------------------------------------------------------------------


def test_the_service_refuses_a_learner_not_enrolled(activity):
    with pytest.raises(PermissionDenied):
        xapi.record_xapi_statement(
            user=UserFactory(), activity=activity, statement=statement(activity)
        )


def test_the_service_refuses_an_activity_without_h5p_content(learner, activity):
    activity.h5p_package = None
    activity.save()

    with pytest.raises(ValidationError):
        xapi.record_xapi_statement(user=learner, activity=activity, statement=statement(activity))


def test_the_service_refuses_a_statement_without_a_verb(learner, activity):
    data = statement(activity)
    del data["verb"]

    with pytest.raises(ValidationError):
        xapi.record_xapi_statement(user=learner, activity=activity, statement=data)


def test_the_pseudonym_is_stable_and_reveals_nothing(learner):
    pseudonym = xapi.learner_pseudonym(learner)

    assert pseudonym == xapi.learner_pseudonym(learner)
    assert str(learner.pk) not in pseudonym or len(pseudonym) == 32
    assert learner.email.split("@")[0] not in pseudonym


# Forwarding to an external Learning Record Store ----------------------------------------------


@pytest.fixture
def lrs_settings(settings):
    """An LRS with credentials. Tasks run as configured (eager in the suite), and errors
    propagate as they do in the site: the outbox never lets one reach the learner."""
    settings.COURSES_LRS_USERNAME = "lup"
    settings.COURSES_LRS_PASSWORD = "hemmelig"
    return settings


def run_the_outbox() -> dict[str, int]:
    """What Celery beat does every minute: the task that sends the statements due."""
    return tasks.send_due_xapi_statements.apply().get()


def make_due(record: XAPIStatement) -> None:
    """As if the time to try again had come."""
    XAPIStatement.objects.filter(pk=record.pk).update(next_attempt_at=timezone.now())


def test_statements_wait_in_the_outbox_and_are_sent_by_the_task(
    lrs_settings, learner, activity, django_capture_on_commit_callbacks
):
    with FakeLRS([200]) as lrs:
        lrs_settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        with django_capture_on_commit_callbacks(execute=True):
            recorded = xapi.record_xapi_statement(
                user=learner, activity=activity, statement=statement(activity, scaled=1.0)
            )
        # Stored and pending in the same transaction; nothing sent in the learner's request
        # (Celery is eager here: a send would have run inline).
        assert lrs.received == []
        record = XAPIStatement.objects.get()
        assert record.forwarding_state == XAPIStatement.Forwarding.PENDING
        assert record.next_attempt_at is not None

        assert run_the_outbox() == {"sent": 1, "refused": 0, "failed": 0, "retrying": 0}

    [sent] = lrs.received
    assert sent["path"] == "/xapi/statements"
    assert sent["headers"]["x-experience-api-version"] == "1.0.3"
    assert sent["headers"]["authorization"] == "Basic bHVwOmhlbW1lbGln"
    assert sent["body"]["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "https://lup.test", "name": xapi.learner_pseudonym(learner)},
    }
    assert sent["body"]["id"] == str(recorded.statement.statement_id) == record.raw["id"]
    assert sent["body"]["verb"]["id"].endswith("/completed")
    record.refresh_from_db()
    assert record.forwarding_state == XAPIStatement.Forwarding.SENT
    assert (record.forwarding_attempts, record.next_attempt_at) == (1, None)
    assert record.sent_at is not None


def test_sending_is_tried_again_later_while_the_lrs_is_down(lrs_settings, learner, activity):
    with FakeLRS([503, 502, 200]) as lrs:
        lrs_settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        xapi.record_xapi_statement(
            user=learner, activity=activity, statement=statement(activity, scaled=1.0)
        )
        before = timezone.now()
        assert run_the_outbox()["retrying"] == 1  # the task itself does not fail
        record = XAPIStatement.objects.get()
        assert record.forwarding_state == XAPIStatement.Forwarding.PENDING
        assert (record.forwarding_attempts, record.last_error) == (1, "HTTP 503")
        # 30 s, less up to a fifth at random (jitter).
        assert record.next_attempt_at is not None
        wait = (record.next_attempt_at - before).total_seconds()
        assert 23 <= wait <= 31

        assert run_the_outbox()["sent"] == 0  # not due yet: nothing is sent
        assert len(lrs.received) == 1
        make_due(record)
        run_the_outbox()
        record.refresh_from_db()
        assert record.forwarding_attempts == 2
        assert record.next_attempt_at is not None
        assert 47 <= (record.next_attempt_at - timezone.now()).total_seconds() <= 61
        make_due(record)
        assert run_the_outbox()["sent"] == 1

    assert len(lrs.received) == 3
    assert len({sent["body"]["id"] for sent in lrs.received}) == 1  # the same statement
    assert XAPIStatement.objects.get().forwarding_state == XAPIStatement.Forwarding.SENT


def test_a_statement_the_lrs_refuses_is_not_tried_again(lrs_settings, learner, activity):
    with FakeLRS([400, 200]) as lrs:
        lrs_settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        xapi.record_xapi_statement(
            user=learner, activity=activity, statement=statement(activity, scaled=1.0)
        )
        assert run_the_outbox()["refused"] == 1
        assert run_the_outbox()["sent"] == 0

    assert len(lrs.received) == 1
    record = XAPIStatement.objects.get()  # kept here all the same
    assert record.forwarding_state == XAPIStatement.Forwarding.REFUSED
    assert record.last_error == "HTTP 400 (the LRS refused the statement)"


def test_without_an_lrs_nothing_is_forwarded(learner, activity, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        xapi.record_xapi_statement(
            user=learner, activity=activity, statement=statement(activity, scaled=1.0)
        )

    assert callbacks == []
    assert XAPIStatement.objects.get().forwarding_state == XAPIStatement.Forwarding.NOT_FORWARDED
    assert run_the_outbox() == {"sent": 0, "refused": 0, "failed": 0, "retrying": 0}
