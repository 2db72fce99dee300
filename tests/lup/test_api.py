"""The REST API shows each role exactly its scope, like the HTML pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lup.selectors import programme_target_progress
from tests.factories import ParticipantFactory
from tests.roles import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def listed_emails(client) -> set[str]:
    response = client.get("/api/v1/participants/")
    assert response.status_code == 200
    return {row["email"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("enthusiast", {"enthusiast@example.no"}),
        ("manager", {"manager@example.no", "enthusiast@example.no"}),
        ("facilitator", {"manager@example.no", "enthusiast@example.no", "manager2@example.no"}),
    ],
)
def test_participants_in_the_api_are_the_roles_scope(client, world, role, expected):
    client.force_login(world.people[role])

    assert listed_emails(client) == expected


def test_administrators_see_their_organisation_only(client, world):
    client.force_login(world.people["administrator"])
    baerum = listed_emails(client)
    client.force_login(world.people["other_administrator"])
    asker = listed_emails(client)

    assert "enthusiast@example.no" in baerum
    assert not baerum & asker
    assert len(asker) == 1


def test_objects_outside_the_scope_are_404(client, world):
    client.force_login(world.people["other_administrator"])
    baerum_cohort = world.cohort_a.public_id

    assert client.get(f"/api/v1/cohorts/{baerum_cohort}/").status_code == 404
    assert client.get(f"/api/v1/programmes/{world.programme.public_id}/").status_code == 404
    assert client.get("/api/v1/cohorts/not-a-uuid/").status_code == 404


def test_anonymous_callers_get_nothing(client, world):
    assert client.get("/api/v1/participants/").status_code == 403
    assert client.get("/api/v1/me/").status_code == 403


def test_me_describes_the_roles(client, world):
    client.force_login(world.people["hr"])

    me = client.get("/api/v1/me/").json()

    assert me["roles"] == ["HR"]
    assert me["organisations"] == ["Bærum kommune"]


def test_programme_progress_matches_the_dashboard(client, world):
    client.force_login(world.people["hr"])

    progress = client.get(f"/api/v1/programmes/{world.programme.public_id}/progress/").json()

    expected = programme_target_progress(world.programme)
    assert progress["completed"] == expected.completed
    assert progress["target"] == expected.target
    assert progress["population"] == expected.population


def test_participant_list_runs_a_fixed_number_of_queries(client, world):
    client.force_login(world.people["administrator"])
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/participants/")
    for _ in range(20):
        ParticipantFactory(enrolment=world.team_u2)
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/participants/")

    assert len(many.captured_queries) == len(few.captured_queries)
