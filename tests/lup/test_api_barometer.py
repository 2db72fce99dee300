"""The innovation barometer in the API as on its pages: a team's rounds and the questions to
answer, answering an open round through the same service (refusals are 400s by question and
store nothing; another team's round is refused as on the page), and a programme's results
for its administrators and HR, where a group under five answers carries no figures."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lup.barometer import services
from lup.barometer.models import BarometerResponse, BarometerRound
from lup.models import Participant
from tests.factories import (
    CohortFactory,
    ParticipantFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
)
from tests.roles import build_world

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
JSON = "application/json"
GOOD = {
    "introduced": "yes",
    "how_many": 3,
    "kinds": ["service", "process"],
    "origin": "adopted",
    "spread": False,
    "enablers": {"leadership": 5, "culture": "4"},
    "barriers": {"no_time": 6},
}


@pytest.fixture
def world() -> Any:
    world = build_world()
    # Cohort A starts today: its teams' start round is open.
    world.cohort_a.starts_on = TODAY
    world.cohort_a.ends_on = TODAY + dt.timedelta(days=200)
    world.cohort_a.save()
    return world


@pytest.fixture
def client(client: Any) -> Any:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def as_(client: Any, person: Any) -> Any:
    client.force_login(person)
    return client


def team_url(team: Any) -> str:
    return f"/api/v1/teams/{team.public_id}/barometer/"


def answer(client: Any, team: Any, moment: str = "start", **body: Any) -> Any:
    given = {"version": 1, "answers": GOOD, **body}
    return client.post(f"{team_url(team)}{moment}/", given, JSON)


# The team's rounds ---------------------------------------------------------------------------


def test_the_team_reads_its_rounds_and_the_questions(client: Any, world: Any) -> None:
    response = as_(client, world.people["enthusiast"]).get(team_url(world.team_u1))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    data = response.json()
    assert data["team"] == str(world.team_u1.public_id)
    assert data["can_answer"] is True
    assert data["question_set"]["version"] == 1
    questions = {question["key"]: question for question in data["question_set"]["questions"]}
    assert questions["introduced"]["type"] == "yes_no"
    assert questions["enablers"]["min"] == 1
    assert {item["key"] for item in questions["enablers"]["items"]} >= {"leadership"}
    assert questions["introduced"]["text"].startswith("Has your unit put to use")
    rounds = {item["moment"]: item for item in data["rounds"]}
    assert [item["moment"] for item in data["rounds"]] == ["start", "end", "follow_up"]
    assert rounds["start"]["state"] == "open"
    assert rounds["end"]["state"] == "upcoming"
    assert rounds["start"]["answers"] is None


@pytest.mark.parametrize(
    ("role", "status", "can_answer"),
    [
        ("manager", 200, True),
        ("hr", 200, False),
        ("administrator", 200, False),
        ("superuser", 200, False),
        ("facilitator", 403, None),  # sees the team, not its barometer
        ("other_administrator", 404, None),
        ("asker_manager", 404, None),
    ],
)
def test_who_reads_a_teams_rounds(
    client: Any, world: Any, role: str, status: int, can_answer: Any
) -> None:
    response = as_(client, world.people[role]).get(team_url(world.team_u1))

    assert response.status_code == status
    if status == 200:
        assert response.json()["can_answer"] is can_answer


def test_an_unknown_or_malformed_team_is_not_found(client: Any, world: Any) -> None:
    as_(client, world.people["administrator"])

    assert client.get("/api/v1/teams/nope/barometer/").status_code == 404
    assert client.get(f"/api/v1/teams/{world.cohort_a.public_id}/barometer/").status_code == 404


# Answering ------------------------------------------------------------------------------------


def test_a_team_member_answers_an_open_round_and_may_correct_it(client: Any, world: Any) -> None:
    as_(client, world.people["enthusiast"])

    first = answer(client, world.team_u1)
    corrected = answer(client, world.team_u1, answers={"introduced": False})

    assert first.status_code == 201, first.content
    assert first.json()["state"] == "answered"
    assert first.json()["answers"]["how_many"] == 3
    assert corrected.status_code == 200, corrected.content
    saved = BarometerResponse.objects.get()
    assert saved.answers == {"introduced": False}
    assert saved.innovative is False
    assert saved.answered_by == world.people["enthusiast"]
    shown = client.get(team_url(world.team_u1)).json()
    assert shown["rounds"][0]["answers"] == {"introduced": False}
    assert shown["rounds"][0]["version"] == 1


@pytest.mark.parametrize(
    ("answers", "wrong"),
    [
        ({**GOOD, "enablers": {"leadership": 7}}, "enablers"),
        ({**GOOD, "enablers": {"leadership": 0}}, "enablers"),
        ({**GOOD, "barriers": {"made_up": 3}}, "barriers"),
        ({**GOOD, "how_many": 100000}, "how_many"),
        ({**GOOD, "how_many": "many"}, "how_many"),
        ({**GOOD, "origin": "stolen"}, "origin"),
        ({**GOOD, "origin": ["own", "adopted"]}, "origin"),  # one choice, not a list
        ({**GOOD, "origin": {"own": True}}, "origin"),
        ({**GOOD, "kinds": ["service", "telepathy"]}, "kinds"),
        ({**GOOD, "introduced": "maybe"}, "introduced"),
        ({key: value for key, value in GOOD.items() if key != "introduced"}, "introduced"),
        ({**GOOD, "unknown": "x"}, "unknown"),
    ],
    ids=[
        "rating-too-high",
        "rating-too-low",
        "unknown-factor",
        "number-too-large",
        "not-a-number",
        "unknown-option",
        "list-for-one-choice",
        "object-for-one-choice",
        "unknown-options",
        "not-yes-or-no",
        "innovation-question-missing",
        "unknown-question",
    ],
)
def test_answers_that_do_not_fit_are_400s_by_question_and_nothing_is_stored(
    client: Any, world: Any, answers: dict[str, Any], wrong: str
) -> None:
    response = answer(as_(client, world.people["manager"]), world.team_u1, answers=answers)

    assert response.status_code == 400
    assert set(response.json()) == {"answers"}
    assert set(response.json()["answers"]) == {wrong}
    assert not BarometerResponse.objects.exists()
    # Not even the round the answer would have opened.
    assert not BarometerRound.objects.exists()


def test_answers_that_are_not_an_object_or_without_a_version_are_400s(
    client: Any, world: Any
) -> None:
    as_(client, world.people["manager"])
    url = f"{team_url(world.team_u1)}start/"

    not_an_object = client.post(url, {"version": 1, "answers": ["yes"]}, JSON)
    no_version = client.post(url, {"answers": GOOD}, JSON)
    empty = client.post(url, {}, JSON)

    assert not_an_object.status_code == 400
    assert "answers" in not_an_object.json()
    assert no_version.status_code == 400
    assert "version" in no_version.json()
    assert empty.status_code == 400
    assert set(empty.json()) == {"version", "answers"}
    assert not BarometerResponse.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"version": 10**30, "answers": GOOD},
        {"version": "one", "answers": GOOD},
        {"version": 1, "answers": {"intro\u0000duced": "yes"}},
        {"version": 1, "answers": {**GOOD, "enablers": {"leader\u0000ship": 3}}},
        {"version": 1, "answers": {**GOOD, "enablers": {"leadership": [3]}}},
        {"version": 1, "answers": {**GOOD, "kinds": [{"service": 1}]}},
        {"version": 1, "answers": {**GOOD, "how_many": 3.5}},
        {"version": 1, "answers": {"introduced": {"yes": True}}},
        {"version": 1, "answers": None},
    ],
    ids=[
        "huge-version",
        "word-version",
        "nul-in-question",
        "nul-in-factor",
        "list-rating",
        "object-option",
        "fraction",
        "object-for-yes-no",
        "null-answers",
    ],
)
def test_hostile_bodies_are_400s_never_server_errors(client: Any, world: Any, body: Any) -> None:
    response = as_(client, world.people["manager"]).post(
        f"{team_url(world.team_u1)}start/", body, JSON
    )

    assert response.status_code == 400
    assert not BarometerResponse.objects.exists()


def test_a_version_no_longer_current_is_refused(client: Any, world: Any) -> None:
    schema = services.current_question_set(world.programme).schema
    services.publish_question_set(programme=world.programme, schema=schema)

    response = answer(as_(client, world.people["manager"]), world.team_u1, version=1)

    assert response.status_code == 400
    assert "questions have changed" in response.json()["non_field_errors"][0]
    assert not BarometerResponse.objects.exists()


def test_a_closed_round_and_a_round_not_yet_open_are_refused(client: Any, world: Any) -> None:
    as_(client, world.people["manager"])
    BarometerRound.objects.create(
        enrolment=world.team_u1,
        moment="start",
        opens_on=TODAY - dt.timedelta(days=60),
        closes_on=TODAY - dt.timedelta(days=1),
    )

    closed = answer(client, world.team_u1)
    not_yet = answer(client, world.team_u1, moment="end")

    assert closed.status_code == 400
    assert "This survey is closed" in closed.json()["non_field_errors"][0]
    assert not_yet.status_code == 400
    assert "This survey is open from" in not_yet.json()["non_field_errors"][0]
    assert not BarometerResponse.objects.exists()
    assert BarometerRound.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("hr", 403),  # reads the results, does not answer for the unit
        ("administrator", 403),
        ("superuser", 403),
        ("facilitator", 403),
        ("other_manager", 404),  # another team of the same cohort
        ("other_administrator", 404),
        ("asker_manager", 404),
    ],
)
def test_only_the_units_team_answers(client: Any, world: Any, role: str, status: int) -> None:
    response = answer(as_(client, world.people[role]), world.team_u1)

    assert response.status_code == status
    assert not BarometerResponse.objects.exists()


def test_a_token_does_not_answer_for_a_team(client: Any, world: Any) -> None:
    """A system's token acts for the administrator who made it: not a team member."""
    for owner, status in (("administrator", 403), ("other_administrator", 404)):
        _token, secret = world.tokens[owner]
        response = client.post(
            f"{team_url(world.team_u1)}start/",
            {"version": 1, "answers": GOOD},
            JSON,
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        assert response.status_code == status
    assert not BarometerResponse.objects.exists()


def test_a_withdrawn_member_and_an_unknown_moment(client: Any, world: Any) -> None:
    as_(client, world.people["enthusiast"])

    unknown = client.post(f"{team_url(world.team_u1)}someday/", {"version": 1}, JSON)
    Participant.objects.filter(user=world.people["enthusiast"]).update(
        status=Participant.Status.WITHDRAWN
    )
    withdrawn = answer(client, world.team_u1)

    assert unknown.status_code == 404
    assert withdrawn.status_code == 404
    assert not BarometerResponse.objects.exists()


# Results -------------------------------------------------------------------------------------


def answered_teams(cohort: Any, count: int, **changes: Any) -> None:
    """`count` units of the cohort, each answered at the start (through the service)."""
    for _index in range(count):
        enrolment = UnitEnrolmentFactory(
            cohort=cohort, unit=ServiceUnitFactory(organisation=cohort.programme.organisation)
        )
        manager = ParticipantFactory(enrolment=enrolment, role=Participant.Role.MANAGER).user
        round_ = services.open_round(enrolment=enrolment, moment="start", today=cohort.starts_on)
        services.answer_round(
            round=round_,
            user=manager,
            version=1,
            answers={**GOOD, **changes},
            today=cohort.starts_on,
        )


def results_url(world: Any) -> str:
    return f"/api/v1/programmes/{world.programme.public_id}/barometer/"


def test_the_results_show_groups_of_five_and_hide_smaller_ones(client: Any, world: Any) -> None:
    answered_teams(world.cohort_a, 4)
    answered_teams(world.cohort_a, 1, introduced="no")
    small = CohortFactory(programme=world.programme, name="Liten")
    answered_teams(small, 3, enablers={"leadership": 1})

    response = as_(client, world.people["hr"]).get(results_url(world))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    data = response.json()
    assert data["min_answers"] == 5
    assert {factor["question"] for factor in data["factors"]} == {"enablers", "barriers"}
    overall = {figures["moment"]: figures for figures in data["overall"]["moments"]}
    assert overall["start"]["state"] == "shown"
    assert overall["start"]["answers"] == 8
    assert overall["start"]["innovative_share"] == pytest.approx(7 / 8)
    assert overall["end"] == {
        "moment": "end",
        "state": "no_answers",
        "answers": None,
        "innovative_share": None,
        "means": {},
    }
    cohorts = {group["name"]: group for group in data["cohorts"]}
    start_a = cohorts["LUP 1"]["moments"][0]
    assert (start_a["state"], start_a["answers"]) == ("shown", 5)
    assert start_a["innovative_share"] == pytest.approx(0.8)
    assert start_a["means"]["enablers"]["leadership"] == 5.0
    # The small cohort: that there are too few answers, and nothing else, not even how many.
    hidden = cohorts["Liten"]["moments"][0]
    assert hidden == {
        "moment": "start",
        "state": "too_few",
        "answers": None,
        "innovative_share": None,
        "means": {},
    }
    assert cohorts["Liten"]["change"] is None
    assert "1.0" not in json.dumps(cohorts["Liten"])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("hr", 200),
        ("administrator", 200),
        ("superuser", 200),
        ("enthusiast", 404),
        ("manager", 404),
        ("facilitator", 404),
        ("other_administrator", 404),
        ("asker_hr", 404),
    ],
)
def test_who_reads_the_results(client: Any, world: Any, role: str, status: int) -> None:
    assert as_(client, world.people[role]).get(results_url(world)).status_code == status


def test_another_organisations_token_finds_no_results(client: Any, world: Any) -> None:
    _token, secret = world.tokens["other_administrator"]
    response = client.get(results_url(world), HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 404
    assert client.get("/api/v1/programmes/nope/barometer/").status_code in (403, 404)


def test_the_results_take_a_fixed_number_of_queries(client: Any, world: Any) -> None:
    as_(client, world.people["administrator"])
    answered_teams(world.cohort_a, 5)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(results_url(world)).status_code == 200
        return len(queries)

    few = count()
    answered_teams(world.cohort_b, 6)
    assert count() == few
