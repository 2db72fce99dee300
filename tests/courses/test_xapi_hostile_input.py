"""Hostile xAPI statements and player states: a 400 in the player's error shape, nothing stored.

PostgreSQL refuses NUL characters (and halves of surrogate pairs) in text and jsonb, so
without the checks these statements fail the insert itself there (CI runs this file on
PostgreSQL too); Python's json parser recurses once per level, so a deep enough body
exhausts its stack.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from courses import xapi
from courses.models import ActivityCompletion, H5PAttempt, H5PContentUserData, XAPIStatement
from tests.courses.h5p_setup import (
    h5p_activity,
    h5p_root,  # noqa: F401  (a fixture)
    install_reflection,
    learner_of,
    play_token,
    statement,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("h5p_root", "english_site")]


@pytest.fixture
def activity():
    return h5p_activity(install_reflection())


@pytest.fixture
def learner(client, activity):
    learner = learner_of(activity)
    client.force_login(learner)
    return learner


def token_of(activity) -> str:
    """A play token for the course's one learner (the `learner` fixture)."""
    return play_token(activity.module.course.enrolments.get().user, activity, "en")


def post(client, activity, body: str | bytes):
    return client.post(
        reverse("courses:h5p-xapi", kwargs={"token": token_of(activity)}),
        body,
        content_type="application/json",
    )


def stored() -> tuple[int, int, int]:
    return (
        XAPIStatement.objects.count(),
        H5PAttempt.objects.count(),
        ActivityCompletion.objects.count(),
    )


def completing(activity) -> dict[str, Any]:
    """A statement that would complete the activity, were it not refused."""
    return statement(activity, "completed", scaled=1.0, completion=True)


def nested(depth: int, inner: Any = "x") -> Any:
    for _level in range(depth):
        inner = {"n": inner}
    return inner


def _extension(data: dict[str, Any], key: str, value: Any) -> None:
    data["context"]["extensions"] = {key: value}


HOSTILE = {
    "nul-verb": lambda d: d["verb"].update(id=d["verb"]["id"] + "\u0000"),
    "nul-display": lambda d: d["verb"]["display"].update({"en-US": "com\u0000pleted"}),
    "nul-extension-value": lambda d: _extension(d, "http://x.example/e", "a\u0000b"),
    "nul-extension-key": lambda d: _extension(d, "http://x.example/\u0000", 1),
    "nul-deep-in-a-list": lambda d: _extension(d, "http://x.example/e", [[{"k": ["\u0000"]}]]),
    "nul-duration": lambda d: d["result"].update(duration="PT1S\u0000"),
    "nul-response": lambda d: d["result"].update(response="\u0000"),
    "surrogate-value": lambda d: d["object"].update(definition={"name": {"nb": "\ud800"}}),
    "surrogate-key": lambda d: d["result"].update({"\udc00": True}),
}


@pytest.mark.parametrize("change", HOSTILE.values(), ids=HOSTILE.keys())
def test_text_the_database_cannot_store_is_a_400_and_nothing_is_stored(
    client, activity, learner, change
):
    data = completing(activity)
    change(data)
    before = stored()

    # json.dumps writes NUL and surrogates as \u escapes, as a hostile player would.
    response = post(client, activity, json.dumps(data))

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "The statement holds a NUL character or invalid text.",
        "code": "text",
    }
    assert stored() == before


def test_the_same_statement_without_the_nul_is_stored(client, activity, learner):
    """The statements above are refused for their text alone."""
    data = completing(activity)
    _extension(data, "http://x.example/e", [[{"k": ["ab"]}]])

    assert post(client, activity, json.dumps(data)).status_code == 201
    assert stored() == (1, 1, 1)


@pytest.mark.parametrize(
    "body",
    [
        "[" * 30_000 + "]" * 30_000,  # past what Python's json parser can recurse
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        "[" * 60_000,  # not even closed
    ],
    ids=["arrays", "objects", "unclosed"],
)
def test_a_body_nested_too_deep_is_a_400_before_it_is_parsed(client, activity, learner, body):
    before = stored()

    response = post(client, activity, body)

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": f"The statement nests more than {xapi.MAX_DEPTH} levels deep.",
        "code": "depth",
    }
    assert stored() == before


def test_the_depth_limit_counts_levels_and_not_brackets_in_text(client, activity, learner):
    data = completing(activity)
    data["result"]["response"] = "[[[[" * 1000  # brackets in text are text
    _extension(data, "http://x.example/e", nested(xapi.MAX_DEPTH - 3))  # 32 levels in all
    assert post(client, activity, json.dumps(data)).status_code == 201

    _extension(data, "http://x.example/e", nested(xapi.MAX_DEPTH - 2))  # 33
    response = post(client, activity, json.dumps(data))

    assert response.status_code == 400
    assert response.json()["code"] == "depth"
    assert XAPIStatement.objects.count() == 1


@pytest.mark.parametrize(
    "number",
    ["NaN", "Infinity", "-Infinity", "1e999", "9" * 5000],
    ids=["nan", "infinity", "minus-infinity", "overflow", "huge-integer"],
)
def test_numbers_json_cannot_hold_are_a_400(client, activity, learner, number):
    body = json.dumps(completing(activity))[:-1] + f', "x-number": {number}}}'
    before = stored()

    response = post(client, activity, body)

    assert response.status_code == 400
    assert response.json()["success"] is False
    assert response.json()["code"] in {"json", "number"}
    assert stored() == before


@pytest.mark.parametrize("body", [b'{"verb": "\xff"}', b'{"a": "\xed\xa0\x80"}'])
def test_a_body_that_is_not_utf8_is_a_400(client, activity, learner, body):
    response = post(client, activity, body)

    assert response.status_code == 400
    assert response.json()["code"] == "json"
    assert stored() == (0, 0, 0)


def test_the_service_refuses_such_statements_from_any_caller(activity, learner):
    """A statement built in Python (not parsed from a body) gets the same checks."""
    for change in HOSTILE.values():
        data = completing(activity)
        change(data)
        with pytest.raises(ValidationError) as refused:
            xapi.record_xapi_statement(user=learner, activity=activity, statement=data)
        assert refused.value.code == "text"
    data = completing(activity)
    data["result"]["score"]["min"] = float("nan")
    with pytest.raises(ValidationError):
        xapi.record_xapi_statement(user=learner, activity=activity, statement=data)
    data = completing(activity)
    _extension(data, "http://x.example/e", nested(100_000))  # deeper than Python recurses
    with pytest.raises(ValidationError):
        xapi.record_xapi_statement(user=learner, activity=activity, statement=data)
    assert stored() == (0, 0, 0)


# The player's saved state -----------------------------------------------------------------------


def state_url(activity, **names: str) -> str:
    url = reverse("courses:h5p-state", kwargs={"token": token_of(activity)})
    query = "&".join(f"{key}={value}" for key, value in names.items())
    return f"{url}?{query}" if query else url


@pytest.mark.parametrize(
    "names",
    [{"dataType": "state%00"}, {"subContentId": "%00"}],
    ids=["nul-type", "nul-sub-content"],
)
def test_a_state_named_with_a_nul_is_a_400_to_read_and_to_save(client, activity, learner, names):
    url = state_url(activity, **names)

    read = client.get(url)
    saved = client.post(url, {"data": json.dumps({"answer": "x"})})

    assert (read.status_code, saved.status_code) == (400, 400)
    assert read.json() == {"success": False, "message": "The saved state is not named correctly."}
    assert not H5PContentUserData.objects.exists()


def test_a_state_nested_too_deep_is_a_400(client, activity, learner):
    response = client.post(state_url(activity), {"data": "[" * 30_000 + "]" * 30_000})

    assert response.status_code == 400
    assert response.json()["message"] == "The saved state is not valid JSON."
    assert not H5PContentUserData.objects.exists()


def test_the_service_refuses_a_state_name_with_a_nul(activity, learner):
    with pytest.raises(ValidationError):
        xapi.save_player_state(
            user=learner, activity=activity, data_type="state\x00", sub_content_id="0", data="{}"
        )
    assert not H5PContentUserData.objects.exists()
