"""On PostgreSQL, what grows with the country is read through indexes: one person's scope
(the enrolments, participants and units they see) and the catalogue search.

Measured at 356 municipalities, these were the pages that grew (README, "Performance at
national scale"): the scopes were OR-ed subqueries PostgreSQL could only apply row by row
to every enrolment and participant in the country, and the search read every published
project. A test database is too small for the planner to prefer an index by itself, so
sequential scans are priced out here: a plan that still reads a whole table has no index
path at all, which is what these tests catch (a changed query shape, an index lost).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from lup import scoping
from lup.innovation import prize
from lup.innovation.catalogue import (
    CatalogueFilters,
    filter_catalogue,
    latest_winners,
    published_projects,
)
from lup.innovation.models import InnovationProject, Nomination
from lup.reporting.forms import CompletionFilterForm
from tests.factories import PublishedProjectFactory
from tests.roles import build_world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="query plans are PostgreSQL's (SQLite has neither the arrays nor the trigram "
        "indexes); run with DATABASE_URL=postgres://... as CI does",
    ),
]


def plan(queryset, *, whole_index_scans: bool = True) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not whole_index_scans:
            # Reading a whole table in the order of some index is a sequential scan too.
            cursor.execute("SET LOCAL enable_indexscan = off")
        return queryset.explain()


@pytest.fixture
def world():
    return build_world()


@pytest.mark.parametrize("role", ["hr", "administrator", "facilitator", "manager"])
def test_a_persons_teams_are_found_through_indexes(world, role):
    person = world.people[role]

    for queryset, table in (
        (scoping.enrolments_for(person), "lup_unitenrolment"),
        (scoping.participants_for(person), "lup_participant"),
        (scoping.units_for(person), "lup_serviceunit"),
    ):
        shown = plan(queryset)
        assert f"Seq Scan on {table} " not in shown, shown
        assert "ANY" in shown  # the person's ids, gathered once (an InitPlan), then looked up


@pytest.mark.parametrize("role", ["hr", "facilitator", "manager"])
def test_the_report_filters_choices_are_found_through_indexes(world, role):
    """The report's filter lists (programmes, cohorts, sectors, units of the person's
    scope) read no whole table: at 356 municipalities a hash join over every unit in the
    country cost the report page 7 ms per list."""
    form = CompletionFilterForm({}, user=world.people[role])

    for name, table in (
        ("programme", "lup_programme"),
        ("cohort", "lup_cohort"),
        ("sector", "lup_sector"),
        ("unit", "lup_serviceunit"),
    ):
        shown = plan(form.fields[name].queryset)
        assert f"Seq Scan on {table} " not in shown, (name, shown)
        # The gathered ids are applied on the table's own scan (its index condition, or a
        # filter on an index scan when the planner starts from the sort's join), never
        # joined to a subquery row by row.
        on_the_table = (
            rf" on {table}(_pkey)? .*\n(\s*Index Cond: .*\n)?\s*(Index Cond|Filter): \(id = ANY"
        )
        assert re.search(on_the_table, shown), (name, shown)


def test_the_catalogue_search_uses_the_trigram_indexes():
    # Published projects from this and another municipality.
    first = PublishedProjectFactory()
    InnovationProject.objects.bulk_create(
        InnovationProject(
            organisation=first.organisation,
            title=f"Prosjekt {number}",
            need=first.need,
            audience=first.audience,
            idea=first.idea,
            story=first.story,
            published_at=first.published_at,
            consent_at=first.consent_at,
            licence=first.licence,
            origin_organisation="Asker kommune",  # shared from elsewhere ("stjæl og del")
            origin_id=f"asker-{number}",
        )
        for number in range(50)
    )
    with connection.cursor() as cursor:
        # Only in this test's transaction: so small a table is cheaper to read through the
        # "published" index, which would hide whether the search can use its own at all.
        cursor.execute("DROP INDEX lup_project_published_idx")
        cursor.execute("ANALYZE lup_innovationproject")
    found = filter_catalogue(published_projects(), CatalogueFilters(text="skole"))

    shown = plan(found, whole_index_scans=False)

    for column in ("title", "need", "idea", "story", "audience"):
        assert f"lup_project_search_{column}" in shown, shown


def test_the_catalogues_newest_winners_are_read_from_the_top_of_an_index(world):
    """The winners strip reads a few rows of `lup_nomination_winners_idx`: at 356
    municipalities, sorting every winner in the country cost the catalogue 6 ms."""
    project = PublishedProjectFactory()
    categories = prize.ensure_prize_categories(world.programme)
    Nomination.objects.bulk_create(
        Nomination(category=category, project=project, year=year, reason="…", is_winner=True)
        for category in categories
        for year in range(2000, 2030)
    )
    with CaptureQueriesContext(connection) as queries:
        assert len(latest_winners()) > 0
    [query] = queries.captured_queries

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + query["sql"])
        shown = "\n".join(row[0] for row in cursor.fetchall())

    assert "lup_nomination_winners_idx" in shown, shown
    assert "Sort" not in shown.split("lup_nomination_winners_idx")[0], shown
