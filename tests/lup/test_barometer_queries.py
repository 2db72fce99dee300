"""The barometer's results page and its CSV export take the same number of queries with a
single answer as with many (in several cohorts, sectors and moments): nothing is read per
response, cohort or sector (issue 22)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lup.barometer import services
from lup.models import Participant
from tests.factories import (
    CohortFactory,
    ParticipantFactory,
    SectorFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
)
from tests.roles import build_world

pytestmark = pytest.mark.django_db

ANSWERS = {
    "introduced": "yes",
    "how_many": "2",
    "kinds": ["service"],
    "origin": "own",
    "enablers": {"leadership": "5", "culture": "4", "competence": "3"},
    "barriers": {"no_time": "5", "risk": "2"},
    "gains": ["quality"],
}
# Generous, so that a selector's change of one or two queries does not fail this test; a
# count that grows with the data does (below: the same with one answer as with many).
MOST_QUERIES = 30


def answer(cohort: Any, *, moments: tuple[str, ...], sector: Any = None) -> None:
    """A unit of `cohort`, with its manager, answering at each of `moments`."""
    unit = ServiceUnitFactory(
        organisation=cohort.programme.organisation,
        **({"sector": sector} if sector is not None else {}),
    )
    enrolment = UnitEnrolmentFactory(cohort=cohort, unit=unit)
    manager = ParticipantFactory(enrolment=enrolment, role=Participant.Role.MANAGER).user
    for moment in moments:
        day = cohort.starts_on if moment == "start" else cohort.ends_on
        round_ = services.open_round(enrolment=enrolment, moment=moment, today=day)
        services.answer_round(round=round_, user=manager, version=1, answers=ANSWERS, today=day)


def queries_of(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("route", ["lup:barometer-results", "lup:barometer-export"])
def test_the_results_page_and_export_take_a_fixed_number_of_queries(
    client: Any, route: str, django_assert_num_queries: Any
) -> None:
    world = build_world()
    programme = world.programme
    answer(world.cohort_a, moments=("start",))
    client.force_login(world.people["administrator"])  # with two-factor (tests.roles)
    url = reverse(route, args=[programme.slug])
    client.get(url)  # the question set and settings are made on the first visit
    few = queries_of(client, url)
    assert few <= MOST_QUERIES

    # Many answers: three cohorts, two sectors, the start and the end.
    sectors = [
        SectorFactory(organisation=programme.organisation, name=name)
        for name in ("Skole", "Barnehage")
    ]
    cohorts = [
        world.cohort_a,
        world.cohort_b,
        CohortFactory(
            programme=programme,
            name="LUP 3",
            starts_on=dt.date(2024, 8, 1),
            ends_on=dt.date(2025, 1, 31),
        ),
    ]
    for number in range(12):
        answer(cohorts[number % 3], moments=("start", "end"), sector=sectors[number % 2])

    with django_assert_num_queries(few):
        response = client.get(url)
    assert response.status_code == 200
    if route == "lup:barometer-results":
        assert response.context["results"].programme.moments["end"].shown
