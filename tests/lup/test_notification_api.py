"""The signed-in person's notifications in the API: their own only, written in the request's
language, with the unread count; marking read by ids (another person's are ignored) or all;
a bad body is a 400 that changes nothing; tokens and anonymous callers get nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lup.notifications.models import Delivery, Notification
from tests.roles import build_world

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
LIST = "/api/v1/me/notifications/"
READ = "/api/v1/me/notifications/read/"


@pytest.fixture
def world():
    return build_world()


def make(person, *, read=False, due_on="2026-06-01", url="https://lup.test/me/programme/"):
    return Notification.objects.create(
        recipient=person,
        kind=Kind.DUE_SOON,
        key=f"due:{Notification.objects.count()}",
        context={
            "module": "Forstå behovet",
            "due_on": due_on,
            "days_before": 7,
            "activities": ["Intervju"],
        },
        url=url,
        delivery=Delivery.OFF,
        read_at=timezone.now() if read else None,
    )


def unread_of(person) -> int:
    return Notification.objects.filter(recipient=person, read_at__isnull=True).count()


def test_the_list_is_ones_own_newest_first_in_the_requests_language(client, world):
    enthusiast = world.people["enthusiast"]
    older = make(enthusiast, read=True)
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - dt.timedelta(days=1)
    )
    newer = make(enthusiast)
    make(world.people["manager"])
    client.force_login(enthusiast)

    english = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").json()
    norwegian = client.get(LIST, HTTP_ACCEPT_LANGUAGE="nb").json()

    assert english["count"] == 2
    assert english["unread"] == 1
    assert [row["id"] for row in english["results"]] == [newer.pk, older.pk]
    first = english["results"][0]
    assert first["kind"] == "due_soon"
    assert first["subject"] == "Due June 1, 2026: Forstå behovet"
    assert first["lines"][0] == "“Forstå behovet” is due June 1, 2026. Still to do:"
    assert first["url"] == "https://lup.test/me/programme/"
    assert first["read_at"] is None
    assert english["results"][1]["read_at"] is not None
    assert "1. juni 2026" in norwegian["results"][0]["subject"]


def test_the_list_takes_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    enthusiast = world.people["enthusiast"]
    make(enthusiast)
    client.force_login(enthusiast)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(20):
        make(enthusiast)

    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(LIST).json()["count"] == 21


def test_marking_read_by_ids_ignores_another_persons(client, world):
    enthusiast, manager = world.people["enthusiast"], world.people["manager"]
    mine, other_mine = make(enthusiast), make(enthusiast)
    theirs = make(manager)
    client.force_login(enthusiast)

    response = client.post(READ, {"ids": [mine.pk, theirs.pk]}, content_type="application/json")

    assert response.status_code == 200
    assert response.json() == {"marked": 1, "unread": 1}
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=other_mine.pk).read_at is None
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_marking_all_read_marks_only_ones_own(client, world):
    enthusiast, manager = world.people["enthusiast"], world.people["manager"]
    make(enthusiast), make(enthusiast)
    make(manager)
    client.force_login(enthusiast)

    response = client.post(READ, {"all": True}, content_type="application/json")

    assert response.json() == {"marked": 2, "unread": 0}
    assert unread_of(manager) == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"all": False},
        {"ids": [1], "all": True},
        {"ids": ["abc"]},
        {"ids": [0]},
        {"ids": [2**63]},
        {"ids": "1"},
        {"ids": list(range(1, 502))},
    ],
)
def test_a_bad_body_is_refused_and_changes_nothing(client, world, body):
    enthusiast = world.people["enthusiast"]
    make(enthusiast)
    client.force_login(enthusiast)

    response = client.post(READ, body, content_type="application/json")

    assert response.status_code == 400
    assert unread_of(enthusiast) == 1


def test_api_tokens_and_anonymous_callers_get_nothing(client, world):
    administrator = world.people["administrator"]
    make(administrator)
    _token, secret = world.tokens["administrator"]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    assert client.get(LIST, **bearer).status_code == 403
    assert (
        client.post(READ, {"all": True}, content_type="application/json", **bearer).status_code
        == 403
    )
    assert client.get(LIST).status_code == 403
    assert client.post(READ, {"all": True}, content_type="application/json").status_code == 403
    assert unread_of(administrator) == 1
