"""The REST completions feed and HR's export tell the same story: for every participant,
every field they share has the same value (an HR system syncing the feed and HR reading
the spreadsheet must never disagree on hours, dates or status)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from lup.models import Participant
from lup.reporting.services import save_preset
from tests.roles import build_world

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
# The export's columns for what the feed also says, by the feed's name for it.
SHARED = {
    "email": "email",
    "first_name": "first_name",
    "last_name": "last_name",
    "unit_code": "unit_code",
    "unit_name": "unit_name",
    "cohort": "cohort",
    "status": "status_code",
    "completed_on": "completed_on",
    "learning_hours": "learning_hours",
}


@pytest.fixture
def world():
    world = build_world()
    world.programme.learning_hours = Decimal("7.5")
    world.programme.save()
    completed = world.team_u1.participants.get(user=world.people["enthusiast"])
    completed.status = Participant.Status.COMPLETED
    # Late in the evening in Oslo, already the next day in UTC: dates are Oslo's in both.
    completed.completed_at = dt.datetime(2025, 11, 3, 23, 30, tzinfo=OSLO)
    completed.save()
    return world


def export_rows(client, world) -> dict[str, dict[str, str]]:
    preset = save_preset(
        organisation=world.programme.organisation,
        key="feed-fields",
        name="The feed's fields",
        report="participants",
        columns=list(SHARED.values()),
    )
    response = client.get(
        reverse("lup:report-participants-export"),
        {"preset": preset.key, "format": "csv", "delimiter": "comma"},
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    keys = list(SHARED.values())
    return {row[0]: dict(zip(keys, row, strict=True)) for row in rows[1:]}


def feed_rows(client) -> dict[str, dict[str, str]]:
    results = client.get("/api/v1/completions/?page_size=500").json()["results"]
    rows = {}
    for item in results:
        completed_at = item["completed_at"]
        rows[item["person"]["email"]] = {
            "email": item["person"]["email"],
            "first_name": item["person"]["first_name"],
            "last_name": item["person"]["last_name"],
            "unit_code": item["unit"]["code"],
            "unit_name": item["unit"]["name"],
            "cohort": item["cohort"]["name"],
            "status_code": item["status"],
            "completed_on": (
                dt.datetime.fromisoformat(completed_at).astimezone(OSLO).date().isoformat()
                if completed_at
                else ""
            ),
            "learning_hours": item["learning_hours"] or "",
        }
    return rows


def test_the_feed_and_the_export_agree_on_every_shared_field(client, world):
    client.force_login(world.people["hr"])

    exported = export_rows(client, world)
    fed = feed_rows(client)

    assert set(exported) == set(fed)  # the same people: HR's scope
    assert exported == fed
    enthusiast = exported[world.people["enthusiast"].email]
    assert enthusiast["learning_hours"] == "7.5"  # credited once completed ...
    assert enthusiast["completed_on"] == "2025-11-03"  # ... on Oslo's date
    others = [row for email, row in exported.items() if email != enthusiast["email"]]
    assert others
    assert all(row["learning_hours"] == "" for row in others)  # not before
