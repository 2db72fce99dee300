"""Statements sent through the outbox to a real Learning Record Store, Ralph
(tests/courses/ralph.py): they arrive under the id we keep, they pass Ralph's strict xAPI
1.0.3 model, a stopped LRS delays them without touching the learner, and a statement sent
twice is stored there once."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import app_settings, tasks, xapi
from courses.models import XAPIStatement
from tests.courses.fake_lrs import closed_port
from tests.courses.h5p_setup import (
    h5p_activity,
    h5p_root,  # noqa: F401  (a fixture)
    install_reflection,
    learner_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("h5p_root")]

Forwarding = XAPIStatement.Forwarding
ADL = "http://adlnet.gov/expapi/verbs/"
QUESTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
LOCAL_ID = "http://h5p.org/x-api/h5p-local-content-id"
SUB_CONTENT_ID = "http://h5p.org/x-api/h5p-subContentId"


@pytest.fixture
def activity():
    return h5p_activity(install_reflection())


@pytest.fixture
def learner(activity):
    return learner_of(activity)


def run_the_outbox() -> dict[str, int]:
    """What Celery beat runs every minute."""
    return tasks.send_due_xapi_statements.apply().get()


def h5p_statements(activity) -> dict[str, dict]:
    """Statements as the H5P player sends them for a Question Set (H5P.QuestionSet) and its
    questions: the activity's address under SITE_URL as the object, the questions as its
    sub-content (`?subContentId=`, with the quiz as parent in contextActivities), the
    content type's library as category, H5P's extensions, interaction definitions, a
    question left blank (`result.response: ""`) and an untitled one (an empty name)."""
    quiz = app_settings.SITE_URL() + reverse(
        "courses:activity-detail", kwargs={"activity_id": activity.public_id}
    )
    actor = {"name": "x", "mbox": "mailto:x@learners.invalid", "objectType": "Agent"}

    def verb(name: str) -> dict:
        return {"id": ADL + name, "display": {"en-US": name}}

    def library(name: str) -> list[dict]:
        return [{"id": f"http://h5p.org/libraries/{name}", "objectType": "Activity"}]

    def question(sub_id: str, name: str, library_name: str, definition: dict, result: dict):
        return {
            "actor": actor,
            "verb": verb("answered"),
            "object": {
                "id": f"{quiz}?subContentId={sub_id}",
                "objectType": "Activity",
                "definition": {
                    "extensions": {LOCAL_ID: 1, SUB_CONTENT_ID: sub_id},
                    "name": {"en-US": name},
                    "type": QUESTION,
                    **definition,
                },
            },
            "context": {
                "contextActivities": {
                    "parent": [{"id": quiz, "objectType": "Activity"}],
                    "category": library(library_name),
                }
            },
            "result": result,
        }

    return {
        "attempted": {
            "actor": actor,
            "verb": verb("attempted"),
            "object": {
                "id": quiz,
                "objectType": "Activity",
                "definition": {
                    "extensions": {LOCAL_ID: 1},
                    "name": {"en-US": "Kildekritikk"},
                },
            },
            "context": {"contextActivities": {"category": library("H5P.QuestionSet-1.20")}},
        },
        "choice": question(
            "8f2c0b7e-3d1a-4c5e-9f60-1a2b3c4d5e6f",
            "Hvem skrev kilden?",
            "H5P.MultiChoice-1.16",
            {
                "description": {"en-US": "<p>Hvem skrev kilden?</p>\n"},
                "interactionType": "choice",
                "correctResponsesPattern": ["1"],
                "choices": [
                    {"id": "0", "description": {"en-US": "En journalist\n"}},
                    {"id": "1", "description": {"en-US": "En forsker\n"}},
                ],
            },
            {
                "score": {"min": 0, "max": 1, "raw": 1, "scaled": 1},
                "completion": True,
                "success": True,
                "duration": "PT4.52S",
                "response": "1",
            },
        ),
        "left blank": question(
            "2d4e6f80-1a3b-4c5d-8e9f-0a1b2c3d4e5f",
            "Hovedstaden",
            "H5P.Blanks-1.14",
            {
                "description": {"en-US": "<p>Hovedstaden i Norge er __________.</p>"},
                "interactionType": "fill-in",
                "correctResponsesPattern": ["{case_matters=false}Oslo"],
            },
            {
                "score": {"min": 0, "max": 1, "raw": 0, "scaled": 0},
                "completion": True,
                "success": False,
                "duration": "PT2.1S",
                "response": "",
            },
        ),
        "untitled": question(
            "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e",
            "",
            "H5P.TrueFalse-1.8",
            {
                "description": {"en-US": "<p>Kilden er en primærkilde.</p>\n"},
                "interactionType": "true-false",
                "correctResponsesPattern": ["true"],
            },
            {
                "score": {"min": 0, "max": 1, "raw": 1, "scaled": 1},
                "completion": True,
                "success": True,
                "duration": "PT1.3S",
                "response": "true",
            },
        ),
        "completed": {
            "actor": actor,
            "verb": verb("completed"),
            "object": {
                "id": quiz,
                "objectType": "Activity",
                "definition": {
                    "extensions": {LOCAL_ID: 1},
                    "name": {"en-US": "Kildekritikk"},
                },
            },
            "context": {"contextActivities": {"category": library("H5P.QuestionSet-1.20")}},
            "result": {
                "score": {"min": 0, "max": 3, "raw": 2, "scaled": 0.6667},
                "completion": True,
                "success": True,
                "duration": "PT1M12.4S",
            },
        },
    }


def record_all(learner, activity) -> dict[str, XAPIStatement]:
    return {
        name: xapi.record_xapi_statement(user=learner, activity=activity, statement=data).statement
        for name, data in h5p_statements(activity).items()
    }


def test_statements_arrive_in_the_lrs_under_the_id_we_keep(settings, ralph, learner, activity):
    settings.COURSES_LRS_ENDPOINT = ralph.endpoint
    settings.COURSES_LRS_USERNAME, settings.COURSES_LRS_PASSWORD = "lup", "ralph-test-password"
    stored = record_all(learner, activity)

    assert run_the_outbox() == {"sent": 5, "refused": 0, "failed": 0, "retrying": 0}

    for name, record in stored.items():
        record.refresh_from_db()
        assert record.forwarding_state == Forwarding.SENT, (name, record.last_error)
        [arrived] = ralph.statements(str(record.statement_id))
        assert arrived["id"] == str(record.statement_id) == record.raw["id"]
        assert arrived["actor"]["account"] == {
            "homePage": "https://lup.test",
            "name": xapi.learner_pseudonym(learner),
        }
        assert arrived["verb"]["id"] == record.raw["verb"]["id"]
        assert arrived["object"]["id"] == record.raw["object"]["id"]
    sub_content = ralph.statements(str(stored["choice"].statement_id))[0]
    assert (
        sub_content["context"]["contextActivities"]["parent"][0]["id"]
        == (stored["attempted"].raw["object"]["id"])
    )
    assert "mailto:" not in str(ralph.statements(str(stored["choice"].statement_id)))


def test_what_we_send_passes_ralphs_strict_xapi_model(ralph_home, learner, activity):
    stored = record_all(learner, activity)

    sent = [xapi.forwardable_statement(record) for record in stored.values()]
    as_stored = [record.raw for record in stored.values()]

    assert ralph_home.validate(sent) == [[]] * len(sent)
    # Before the clean-up: the question left blank and the untitled one were refused.
    refused = {
        name: problems
        for name, problems in zip(stored, ralph_home.validate(as_stored), strict=True)
        if problems
    }
    assert set(refused) == {"left blank", "untitled"}
    assert "result.response" in refused["left blank"][0]
    assert "object.definition.name.en-US" in refused["untitled"][0]


def test_a_stopped_lrs_delays_statements_and_the_learner_never_notices(
    settings, ralph_home, learner, activity, django_capture_on_commit_callbacks
):
    port = closed_port()
    settings.COURSES_LRS_ENDPOINT = f"http://127.0.0.1:{port}/xAPI/"
    settings.COURSES_LRS_USERNAME, settings.COURSES_LRS_PASSWORD = "lup", "ralph-test-password"
    data = h5p_statements(activity)["completed"]
    with django_capture_on_commit_callbacks(execute=True):
        recorded = xapi.record_xapi_statement(user=learner, activity=activity, statement=data)
    assert recorded.completed is True
    assert run_the_outbox()["retrying"] == 1  # the task does not fail either
    record = XAPIStatement.objects.get()
    assert record.forwarding_state == Forwarding.PENDING
    assert record.last_error.startswith("ConnectionRefusedError")

    server = ralph_home.start(port)  # the LRS is back
    try:
        XAPIStatement.objects.update(next_attempt_at=timezone.now())  # ...and it is time
        assert run_the_outbox()["sent"] == 1
        [arrived] = server.statements(str(record.statement_id))
    finally:
        server.stop()

    assert arrived["id"] == str(record.statement_id)
    record.refresh_from_db()
    assert record.forwarding_state == Forwarding.SENT


def test_through_the_players_endpoint_with_the_lrs_stopped(
    settings, client, ralph_home, learner, activity
):
    """The learner's POST to the player's statement endpoint succeeds while the LRS is down,
    as Celery runs in `make run` (eager, no broker); the LRS gets it once it is back."""
    from courses.h5p.play_tokens import issue_play_token

    port = closed_port()
    settings.COURSES_LRS_ENDPOINT = f"http://127.0.0.1:{port}/xAPI/"
    settings.COURSES_LRS_USERNAME, settings.COURSES_LRS_PASSWORD = "lup", "ralph-test-password"
    token = issue_play_token(user=learner, activity=activity, language="nb")

    response = client.post(
        reverse("courses:h5p-xapi", kwargs={"token": token}),
        h5p_statements(activity)["completed"],
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["completed"] is True
    record = XAPIStatement.objects.get()
    server = ralph_home.start(port)
    try:
        assert run_the_outbox()["sent"] == 1
        assert [found["id"] for found in server.statements(str(record.statement_id))] == [
            str(record.statement_id)
        ]
    finally:
        server.stop()


def test_a_statement_sent_twice_is_stored_once_by_the_lrs(settings, ralph, learner, activity):
    settings.COURSES_LRS_ENDPOINT = ralph.endpoint
    settings.COURSES_LRS_USERNAME, settings.COURSES_LRS_PASSWORD = "lup", "ralph-test-password"
    data = h5p_statements(activity)["choice"] | {"id": str(uuid.uuid4())}

    first = xapi.record_xapi_statement(user=learner, activity=activity, statement=data)
    second = xapi.record_xapi_statement(user=learner, activity=activity, statement=data)
    assert second.repeated is True
    assert run_the_outbox()["sent"] == 1
    # The LRS's answer was lost, say: the statement is sent again, the same to the byte.
    XAPIStatement.objects.update(
        forwarding_state=Forwarding.PENDING, sent_at=None, next_attempt_at=timezone.now()
    )
    assert run_the_outbox()["sent"] == 1

    assert ralph.stored_copies(data["id"]) == 1
    assert [found["id"] for found in ralph.statements(data["id"])] == [data["id"]]
    assert first.statement.pk == second.statement.pk
