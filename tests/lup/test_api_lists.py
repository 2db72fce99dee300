"""Every API list: a fixed number of queries per page, the caller's scope only, and bad
query parameters answered 400 with a message under the parameter's name."""

import base64

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lup.models import Attendance, Gathering, Participant
from tests.factories import (
    CohortFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
)
from tests.roles import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    world.gathering = add_gathering(world.cohort_a)
    return world


def add_gathering(cohort):
    gathering = Gathering.objects.create(
        cohort=cohort,
        title="Samling",
        starts_at=timezone.now(),
        ends_at=timezone.now() + timezone.timedelta(hours=3),
    )
    for participant in Participant.objects.filter(enrolment__cohort=cohort):
        Attendance.objects.create(
            gathering=gathering, participant=participant, method=Attendance.Method.FACILITATOR
        )
    return gathering


def grow(world, times=3):
    """More of everything a superuser sees: organisations, units, cohorts, teams, gatherings."""
    for _ in range(times):
        organisation = OrganisationFactory()
        cohort = CohortFactory(programme=ProgrammeFactory(organisation=organisation))
        enrolment = UnitEnrolmentFactory(
            cohort=cohort, unit=ServiceUnitFactory(organisation=organisation)
        )
        for _person in range(4):
            ParticipantFactory(enrolment=enrolment)
        add_gathering(cohort)
        for _person in range(3):
            attendee = ParticipantFactory(enrolment=world.team_u2)
            Attendance.objects.create(
                gathering=world.gathering,
                participant=attendee,
                method=Attendance.Method.FACILITATOR,
            )


LISTS = [
    "/api/v1/organisations/",
    "/api/v1/sectors/",
    "/api/v1/programmes/",
    "/api/v1/cohorts/",
    "/api/v1/units/",
    "/api/v1/participants/",
    "/api/v1/gatherings/",
    "/api/v1/gatherings/{gathering}/attendance/",
    "/api/v1/completions/",
]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("url", LISTS)
def test_every_list_runs_a_fixed_number_of_queries(client, world, url):
    client.force_login(world.people["superuser"])
    url = url.format(gathering=world.gathering.pk)
    few, few_rows = count_queries(client, url)
    grow(world)
    many, many_rows = count_queries(client, url)

    assert many_rows > few_rows
    assert many == few


@pytest.mark.parametrize("url", LISTS)
def test_nothing_outside_the_scope_is_listed_or_counted(client, world, url):
    client.force_login(world.people["other_administrator"])
    url = url.format(gathering=world.gathering.pk)
    response = client.get(url)
    if "attendance" in url:
        assert response.status_code == 404  # Bærum's gathering
        return
    body = response.json()
    text = response.content.decode()

    for baerum in (world.cohort_a, world.team_u1.unit, world.programme):
        assert str(baerum.public_id) not in text
    assert "enthusiast@example.no" not in text
    if "count" in body:
        assert body["count"] == len(body["results"])


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/participants/?cohort=not-a-uuid", "cohort"),
        ("/api/v1/participants/?role=boss", "role"),
        ("/api/v1/completions/?updated_since=yesterday", "updated_since"),
        ("/api/v1/completions/?updated_since=2025-02-30T10:00:00Z", "updated_since"),
        ("/api/v1/completions/?completed=perhaps", "completed"),
        ("/api/v1/cohorts/?running_on=2025-13-01", "running_on"),
        ("/api/v1/units/?sector=1.5", "sector"),
        ("/api/v1/units/?sector=99999999999999999999999", "sector"),
        ("/api/v1/participants/?page=first", "page"),
        ("/api/v1/participants/?page_size=501", "page_size"),
        ("/api/v1/completions/?page_size=0", "page_size"),
        ("/api/v1/completions/?cursor=not-a-cursor", "cursor"),
        (
            "/api/v1/completions/?cursor="
            + base64.b64encode(b"o=0&p=not-a-time").decode().replace("=", "%3D"),
            "cursor",
        ),
    ],
)
def test_bad_query_parameters_are_400_with_a_field_message(client, world, url, field):
    client.force_login(world.people["administrator"])

    response = client.get(url)

    assert response.status_code == 400, response.content
    messages = response.json()[field]
    assert messages
    assert all(isinstance(message, str) and message for message in messages)


def test_a_page_past_the_end_is_404(client, world):
    client.force_login(world.people["administrator"])

    assert client.get("/api/v1/participants/?page=99").status_code == 404


def test_a_feed_page_holds_up_to_500(client, world):
    client.force_login(world.people["superuser"])
    for _ in range(6):
        ParticipantFactory(enrolment=world.team_u2)

    page = client.get("/api/v1/completions/?page_size=500").json()
    small = client.get("/api/v1/completions/?page_size=2").json()

    assert len(page["results"]) == Participant.objects.count()
    assert page["next"] is None
    assert len(small["results"]) == 2
    assert small["next"]


def test_filters_narrow_the_list(client, world):
    client.force_login(world.people["administrator"])

    response = client.get(f"/api/v1/participants/?unit={world.team_u1.unit.public_id}")
    completed = client.get("/api/v1/completions/?completed=true").json()["results"]

    assert {row["email"] for row in response.json()["results"]} == {
        "manager@example.no",
        "enthusiast@example.no",
    }
    assert completed == []


@pytest.mark.parametrize(
    "moment",
    ["0290-12-03T02:35:35-18:54", "0001-01-01T00:00:00%2B23:59", "9999-12-31T23:59:59-23:59"],
)
def test_far_off_times_with_wide_offsets_are_answered_not_500(client, world, moment):
    """Found by Schemathesis on PostgreSQL, which refuses offsets beyond ±15:59: the time
    goes to the database in UTC, and one outside the years 1-9999 in UTC is a 400."""
    client.force_login(world.people["administrator"])

    for path in ("/api/v1/participants/", "/api/v1/completions/"):
        response = client.get(f"{path}?updated_since={moment}")

        assert response.status_code in {200, 400}, (path, response.status_code)
