"""HR's completion reports in the browser: scope, filters, sorting, paging and query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lup.models import Participant, UnitEnrolment
from lup.reporting.forms import CompletionFilterForm
from lup.reporting.selectors import CompletionFilters, completion_rows, unit_rows
from tests.factories import ParticipantFactory, ProgrammeFactory
from tests.roles import build_world

REPORT = reverse("lup:report-participants")
UNITS = reverse("lup:report-units")


def complete(participant, when):
    participant.status = Participant.Status.COMPLETED
    participant.completed_at = when
    participant.save()
    return participant


@pytest.fixture
def world(db):
    world = build_world()
    world.programme.learning_hours = "37.5"
    world.programme.save()
    people = world.people
    world.enthusiast_row = complete(
        world.team_u1.participants.get(user=people["enthusiast"]),
        dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC),  # 1 January in Oslo
    )
    world.manager_row = complete(
        world.team_u1.participants.get(user=people["manager"]),
        dt.datetime(2025, 11, 3, 10, tzinfo=dt.UTC),
    )
    world.other_org_row = world.team_other.participants.get()
    return world


def table_rows(response):
    return re.findall(r"<tr><td>.*?</tr>", response.content.decode(), flags=re.S)


def test_hr_sees_every_participant_of_their_organisation_and_no_one_else(client, world):
    client.force_login(world.people["hr"])

    response = client.get(REPORT)

    assert response.status_code == 200
    rows = completion_rows(world.people["hr"])
    assert world.other_org_row not in rows
    assert rows.count() == 4  # U1's two, U2's manager, cohort B's manager
    assert response.context["page"].paginator.count == 4
    html = response.content.decode()
    assert "enthusiast@example.no" in html
    assert world.other_org_row.user.email not in html


def test_the_row_has_the_columns_hr_needs(client, world):
    client.force_login(world.people["hr"])

    response = client.get(
        REPORT, {"status": "completed", "sort": "completed_on"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    table = response.context["table"]
    assert len(table) == 2
    manager = [value for value, _kind in table[0]]
    unit = world.team_u1.unit
    assert manager[:9] == [
        "manager@example.no",
        "Kari Nordmann",
        unit.code,
        unit.name,
        unit.sector.name,
        "LUP 1",
        "Manager",
        world.programme.name,
        "Completed",
    ]
    assert manager[9] == world.cohort_a.starts_on
    assert manager[10] == dt.date(2025, 11, 3)
    assert str(manager[11]) == "37.5"
    # completed at 23:30 UTC on New Year's Eve: 1 January in Oslo
    assert table[1][10][0] == dt.date(2026, 1, 1)


def test_hours_of_learning_only_for_those_who_completed(client, world):
    client.force_login(world.people["hr"])

    response = client.get(REPORT, {"status": "active"})

    assert response.context["table"]
    assert all(row[11][0] is None for row in response.context["table"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"completed_from": "2025-11-01", "completed_to": "2025-11-30"}, {"manager@example.no"}),
        ({"completed_from": "2026-01-01"}, {"enthusiast@example.no"}),
        ({"completed_to": "2025-12-31"}, {"manager@example.no"}),
        ({"status": "completed"}, {"manager@example.no", "enthusiast@example.no"}),
    ],
)
def test_filters_by_status_and_completion_dates(client, world, params, expected):
    client.force_login(world.people["hr"])

    response = client.get(REPORT, params)

    assert {row[0][0] for row in response.context["table"]} == expected


def test_filters_by_cohort_unit_sector_and_programme(client, world):
    hr = world.people["hr"]
    client.force_login(hr)
    unit = world.team_u1.unit

    for params in (
        {"cohort": world.cohort_a.pk, "unit": unit.pk},
        {"sector": unit.sector.pk, "unit": unit.pk},
        {"programme": world.programme.pk, "unit": unit.pk},
    ):
        response = client.get(REPORT, params)
        assert {row[0][0] for row in response.context["table"]} == {
            "manager@example.no",
            "enthusiast@example.no",
        }
    response = client.get(REPORT, {"cohort": world.cohort_b.pk})
    assert len(response.context["table"]) == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"completed_from": "31.12.2025"}, "completed_from"),
        ({"completed_from": "2025-02-30"}, "completed_from"),
        ({"completed_from": "2025-12-01", "completed_to": "2025-11-01"}, "completed_to"),
        ({"programme": "999999"}, "programme"),
        ({"cohort": "not-a-number"}, "cohort"),
        ({"status": "finished"}, "status"),
    ],
)
def test_invalid_filters_give_a_field_error_and_no_rows(client, world, params, field):
    client.force_login(world.people["hr"])

    response = client.get(REPORT, params)

    assert response.status_code == 400
    assert field in response.context["filter_form"].errors
    assert response.context["table"] == []
    assert f'id="id_{field}_error"' in response.content.decode()


def test_another_organisations_cohort_is_an_unknown_choice(world):
    form = CompletionFilterForm(
        {"cohort": world.team_other.cohort_id}, user=world.people["hr"], report="participants"
    )

    assert not form.is_valid()
    assert "cohort" in form.errors


def test_the_api_can_choose_by_public_id(world):
    class PublicIdFilterForm(CompletionFilterForm):
        id_field = "public_id"

    form = PublicIdFilterForm(
        {"cohort": str(world.cohort_a.public_id)}, user=world.people["hr"], report="participants"
    )

    assert form.is_valid(), form.errors
    rows = completion_rows(world.people["hr"], form.filters())
    assert {row.enrolment.cohort_id for row in rows} == {world.cohort_a.pk}
    assert form.serialised() == {"cohort": str(world.cohort_a.public_id)}


def test_sorting_by_a_column_and_back(client, world):
    client.force_login(world.people["hr"])

    ascending = client.get(REPORT, {"sort": "email"}).context["table"]
    descending = client.get(REPORT, {"sort": "-email"})

    emails = [row[0][0] for row in ascending]
    assert emails == sorted(emails)
    assert [row[0][0] for row in descending.context["table"]] == sorted(emails, reverse=True)
    assert 'aria-sort="descending"' in descending.content.decode()


def test_an_unknown_sort_is_ignored(client, world):
    client.force_login(world.people["hr"])

    response = client.get(REPORT, {"sort": "password"})

    assert response.status_code == 200


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [REPORT, UNITS])
def test_a_page_takes_a_fixed_number_of_queries(client, world, url, django_assert_max_num_queries):
    client.force_login(world.people["hr"])
    client.get(url)  # warm up (content types, session)
    few = _queries(client, url)
    for _ in range(60):  # more than a page
        ParticipantFactory(enrolment=world.team_u2)

    many = _queries(client, url)
    with django_assert_max_num_queries(few):
        client.get(url, {"page": "2"})

    assert many == few
    assert few <= 16


def test_units_report_has_team_counts(client, world):
    client.force_login(world.people["hr"])

    response = client.get(UNITS, {"unit": world.team_u1.unit.pk})

    assert response.status_code == 200
    rows = list(unit_rows(world.people["hr"], CompletionFilters(unit=world.team_u1.unit)))
    assert len(rows) == 1
    assert (rows[0].team_size, rows[0].team_completed) == (2, 2)
    assert rows[0].manager_email == "manager@example.no"
    assert len(response.context["table"]) == 1


def test_units_report_filters_by_unit_status(world):
    UnitEnrolment.objects.filter(pk=world.team_u2.pk).update(
        status=UnitEnrolment.Status.COMPLETED, completed_at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    )

    rows = unit_rows(world.people["hr"], CompletionFilters(status="completed"))

    assert list(rows) == [world.team_u2]


def test_other_organisations_administrator_sees_only_their_own(client, world):
    client.force_login(world.people["other_administrator"])

    response = client.get(REPORT)

    assert [row[0][0] for row in response.context["table"]] == [world.other_org_row.user.email]


def test_participants_may_not_open_reports(client, world):
    client.force_login(world.people["manager"])

    assert client.get(REPORT).status_code == 403
    assert client.get(UNITS).status_code == 403


def test_reports_are_in_the_menu_for_hr_only(client, world):
    client.force_login(world.people["hr"])
    assert REPORT in client.get(REPORT).content.decode()
    client.force_login(world.people["facilitator"])
    assert REPORT not in client.get(reverse("lup:cohort-list")).content.decode()


def test_a_programme_without_rows_in_scope_is_not_a_choice(world):
    ProgrammeFactory(organisation=world.programme.organisation, slug="empty")

    form = CompletionFilterForm(user=world.people["hr"], report="participants")

    assert list(form.fields["programme"].queryset) == [world.programme]
