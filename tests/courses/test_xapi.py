"""xAPI statements from the H5P player: who they are for, what they may say, the best score,
and when they complete the activity."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from celery import current_app
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from courses import xapi
from courses.models import ActivityCompletion, H5PAttempt, XAPIStatement
from courses.signals import activity_completed
from tests.courses.h5p_setup import (
    h5p_activity,
    h5p_root,  # noqa: F401  (a fixture)
    install_reflection,
    learner_of,
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


def xapi_url(activity) -> str:
    return reverse("courses:h5p-xapi", kwargs={"activity_id": activity.public_id})


def post(client, activity, data, **extra):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(xapi_url(activity), body, content_type="application/json", **extra)


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


def test_without_a_session_the_statement_is_refused(client, activity):
    response = post(client, activity, statement(activity))

    assert response.status_code == 403
    assert not XAPIStatement.objects.exists()


def test_the_csrf_token_is_required(activity, learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)

    refused = post(client, activity, statement(activity, scaled=1.0))
    client.get(reverse("courses:h5p-frame", kwargs={"activity_id": activity.public_id}))
    token = client.cookies["csrftoken"].value
    accepted = post(client, activity, statement(activity, scaled=1.0), HTTP_X_CSRFTOKEN=token)

    assert refused.status_code == 403
    assert accepted.status_code == 201
    assert XAPIStatement.objects.count() == 1


def test_a_learner_not_enrolled_finds_nothing(client, activity):
    client.force_login(UserFactory())

    assert post(client, activity, statement(activity, scaled=1.0)).status_code == 404
    assert not XAPIStatement.objects.exists()


def test_only_post_is_allowed(client, activity, learner):
    client.force_login(learner)

    assert client.get(xapi_url(activity)).status_code == 405


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


class FakeLRS:
    """A local xAPI endpoint that answers with the given statuses, one per request."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.received: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.received.append(
                    {
                        "path": self.path,
                        "headers": {key.lower(): value for key, value in self.headers.items()},
                        "body": json.loads(body),
                    }
                )
                status = fake.statuses.pop(0) if fake.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"[]")

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/xapi/"

    def __enter__(self) -> FakeLRS:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def lrs_settings(settings):
    """Tasks run inline (even where CI configures a broker); a retry runs again at once."""
    app = current_app
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
    settings.COURSES_LRS_USERNAME = "lup"
    settings.COURSES_LRS_PASSWORD = "hemmelig"
    yield settings
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def test_statements_are_forwarded_to_the_lrs_after_commit(
    lrs_settings, learner, activity, django_capture_on_commit_callbacks
):
    with FakeLRS([200]) as lrs:
        lrs_settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            record = xapi.record_xapi_statement(
                user=learner, activity=activity, statement=statement(activity, scaled=1.0)
            )
        assert lrs.received == []  # nothing leaves before the transaction commits
        for callback in callbacks:
            callback()

    [sent] = lrs.received
    assert sent["path"] == "/xapi/statements"
    assert sent["headers"]["x-experience-api-version"] == "1.0.3"
    assert sent["headers"]["authorization"] == "Basic bHVwOmhlbW1lbGln"
    assert sent["body"]["actor"] == xapi.xapi_actor(learner)
    assert sent["body"]["id"] == xapi.statement_id(record.statement)
    assert sent["body"]["verb"]["id"].endswith("/completed")


def test_forwarding_is_retried_while_the_lrs_is_down(
    lrs_settings, learner, activity, django_capture_on_commit_callbacks
):
    with FakeLRS([503, 502, 200]) as lrs:
        lrs_settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        with django_capture_on_commit_callbacks(execute=True):
            xapi.record_xapi_statement(
                user=learner, activity=activity, statement=statement(activity, scaled=1.0)
            )

    assert len(lrs.received) == 3
    assert len({sent["body"]["id"] for sent in lrs.received}) == 1  # the same statement


def test_a_statement_the_lrs_refuses_is_not_retried(
    lrs_settings, learner, activity, django_capture_on_commit_callbacks
):
    with FakeLRS([400]) as lrs:
        lrs_settings.COURSES_LRS_ENDPOINT = lrs.endpoint
        with django_capture_on_commit_callbacks(execute=True):
            xapi.record_xapi_statement(
                user=learner, activity=activity, statement=statement(activity, scaled=1.0)
            )

    assert len(lrs.received) == 1
    assert XAPIStatement.objects.count() == 1  # kept here all the same


def test_without_an_lrs_nothing_is_forwarded(learner, activity, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        xapi.record_xapi_statement(
            user=learner, activity=activity, statement=statement(activity, scaled=1.0)
        )

    assert callbacks == []
