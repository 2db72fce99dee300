"""The target dashboard: figures, forecast, breakdowns, CSV, access, and a fixed query count
(the forecast itself: tests/lup/test_forecast.py)."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lup.demo.seed import seed_demo
from lup.models import OrganisationMembership, Programme, UnitEnrolment
from lup.selectors import programme_target_progress
from tests.conftest import administrator_permissions
from tests.factories import (
    CohortFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    SectorFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)


def completed_at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def programme(administrator):
    """Ten active units in two sectors, a target of 8, completions in January and April."""
    organisation = OrganisationFactory(name="Bærum kommune")
    OrganisationMembership.objects.create(organisation=organisation, user=administrator)
    school = SectorFactory(organisation=organisation, name="Skole")
    care = SectorFactory(organisation=organisation, name="Helse og omsorg")
    units = [ServiceUnitFactory(organisation=organisation, sector=school) for _ in range(4)]
    units += [ServiceUnitFactory(organisation=organisation, sector=care) for _ in range(6)]
    ServiceUnitFactory(organisation=organisation, sector=care, active=False)
    programme = ProgrammeFactory(
        organisation=organisation,
        slug="lup",
        target_units=8,
        starts_on=dt.date(2025, 7, 1),
        deadline=dt.date(2026, 12, 31),
    )
    first = CohortFactory(
        programme=programme,
        name="LUP 1",
        starts_on=dt.date(2025, 8, 1),
        ends_on=dt.date(2026, 1, 15),
    )
    second = CohortFactory(
        programme=programme,
        name="LUP 2",
        starts_on=dt.date(2026, 2, 1),
        ends_on=dt.date(2026, 4, 30),
    )
    current = CohortFactory(
        programme=programme,
        name="LUP 3",
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 10, 31),
    )
    for unit in units[:2] + units[4:5]:
        UnitEnrolmentFactory(
            cohort=first,
            unit=unit,
            status="completed",
            completed_at=completed_at(dt.date(2026, 1, 15)),
        )
    UnitEnrolmentFactory(cohort=first, unit=units[2], status="withdrawn")
    UnitEnrolmentFactory(
        cohort=second,
        unit=units[5],
        status="completed",
        completed_at=completed_at(dt.date(2026, 4, 30)),
    )
    for unit in units[6:9]:
        enrolment = UnitEnrolmentFactory(cohort=current, unit=unit)
        ParticipantFactory(enrolment=enrolment)
    guest = ServiceUnitFactory(organisation=OrganisationFactory(name="Hole kommune"))
    UnitEnrolmentFactory(
        cohort=second,
        unit=guest,
        status="completed",
        completed_at=completed_at(dt.date(2026, 4, 30)),
    )
    return programme


def test_headline_figures_count_units_of_the_population_only(programme):
    progress = programme_target_progress(programme, today=TODAY)

    assert progress.completed == 4
    assert progress.target == 8
    assert progress.population == 10  # the inactive unit is out
    assert progress.guest_units_completed == 1
    assert progress.units_in_progress == 3
    assert progress.remaining == 4
    assert progress.percent_of_target == 50


def test_a_fixed_population_size_overrides_the_register(programme):
    programme.population_size_override = 200
    programme.save()

    assert programme_target_progress(programme, today=TODAY).population == 200


def test_population_can_be_narrowed_to_sectors(programme):
    programme.population_sectors.set(programme.organisation.sectors.filter(name="Skole"))

    progress = programme_target_progress(programme, today=TODAY)

    assert progress.population == 4
    assert progress.completed == 2
    assert [row.label for row in progress.by_sector if row.label] == ["Skole"]


def test_burn_up_series_is_cumulative_by_month(programme):
    series = {
        point.day: point.completed
        for point in programme_target_progress(programme, today=TODAY).series
    }

    assert series[dt.date(2025, 12, 31)] == 0
    assert series[dt.date(2026, 1, 31)] == 3
    assert series[dt.date(2026, 4, 30)] == 4
    assert series[TODAY] == 4


def test_forecast_counts_the_running_cohort_at_the_assumed_rate(programme, settings):
    """Four finished enrolments are too little history (fewer than 10): the three units of
    LUP 3, which ends before the deadline, count at the assumed 75 %."""
    settings.LUP_FORECAST_DEFAULT_PERCENT = 75
    progress = programme_target_progress(programme, today=TODAY)

    assert progress.forecast.basis == "assumed"
    assert progress.forecast_at_deadline == round(4 + 3 * 0.75)
    assert progress.forecast.reachable == 7
    assert (progress.forecast_low, progress.forecast_high) == (
        round(4 + 3 * 0.55),
        round(4 + 3 * 0.95),
    )
    assert not progress.on_track  # 7 reachable, the target is 8
    assert progress.forecast.status == "behind"


def test_breakdowns_by_sector_and_cohort(programme):
    progress = programme_target_progress(programme, today=TODAY)

    sectors = {row.label: row for row in progress.by_sector}
    assert (sectors["Skole"].units_in_scope, sectors["Skole"].units_completed) == (4, 2)
    assert (
        sectors["Helse og omsorg"].units_in_scope,
        sectors["Helse og omsorg"].units_completed,
    ) == (6, 2)
    assert sectors["Helse og omsorg"].units_in_progress == 3
    assert sectors[""].units_completed == 1  # the guests' row
    cohorts = {row.label: row for row in progress.by_cohort}
    assert (cohorts["LUP 1"].units_completed, cohorts["LUP 1"].phase) == (3, "past")
    assert (cohorts["LUP 3"].units_in_progress, cohorts["LUP 3"].phase) == (3, "current")
    assert cohorts["LUP 3"].participants == 3


def test_a_unit_completing_twice_counts_once_from_its_first_completion(programme):
    enrolment = UnitEnrolment.objects.filter(status="completed", cohort__name="LUP 1").first()
    enrolment.unit.enrolments.filter(cohort__name="LUP 1").update(
        status="withdrawn", completed_at=None
    )
    UnitEnrolmentFactory(
        cohort=programme.cohorts.get(name="LUP 2"),
        unit=enrolment.unit,
        status="completed",
        completed_at=completed_at(dt.date(2026, 4, 30)),
    )

    assert programme_target_progress(programme, today=TODAY).completed == 4


def test_dashboard_page_shows_the_figures(client, administrator, programme):
    client.force_login(administrator)

    response = client.get(
        reverse("lup:dashboard", kwargs={"slug": "lup"}), HTTP_ACCEPT_LANGUAGE="en"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>4 of 8</strong>" in html
    assert "10 units in scope" in html
    assert '<svg class="chart" viewBox' in html
    assert '<title id="burnup-title">' in html
    assert 'id="burnup-table"' in html


def test_dashboard_is_in_bokmal_by_default(client, administrator, programme):
    client.force_login(administrator)

    html = client.get(reverse("lup:dashboard", kwargs={"slug": "lup"})).content.decode()

    assert '<html lang="nb"' in html
    assert "<strong>4 av 8</strong>" in html


def test_home_sends_an_administrator_with_one_programme_to_its_dashboard(
    client, administrator, programme
):
    client.force_login(administrator)

    response = client.get("/")

    assert response.url == reverse("lup:dashboard", kwargs={"slug": "lup"})


def test_participants_see_their_own_participation_and_not_the_dashboard(client, programme):
    participant = ParticipantFactory(
        enrolment=UnitEnrolment.objects.filter(status="enrolled").first()
    )
    client.force_login(participant.user)

    home = client.get("/")
    dashboard = client.get(reverse("lup:dashboard", kwargs={"slug": "lup"}))

    assert home.status_code == 200
    assert participant.enrolment.unit.name in home.content.decode()
    assert dashboard.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, programme):
    response = client.get(reverse("lup:dashboard", kwargs={"slug": "lup"}))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_unknown_programme_is_404(client, administrator, programme):
    client.force_login(administrator)

    assert client.get(reverse("lup:dashboard", kwargs={"slug": "nope"})).status_code == 404


def test_figures_export_as_csv_for_norwegian_excel(client, administrator, programme):
    client.force_login(administrator)

    response = client.get(
        reverse("lup:dashboard-csv", kwargs={"slug": "lup"}), HTTP_ACCEPT_LANGUAGE="en"
    )

    body = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    total = rows[1]
    assert total[0] == "total"
    assert total[3:6] == ["10", "3", "4"]
    assert total[6] == "8"
    progress = programme_target_progress(programme)  # the view's day: today
    assert total[7:] == [
        str(figure)
        for figure in (
            progress.forecast_at_deadline,
            progress.forecast_low,
            progress.forecast_high,
            progress.units_in_ended_cohorts,
            progress.units_behind_schedule,
            progress.units_withdrawn,
        )
    ]
    assert total[12] == "1"  # the unit that withdrew from LUP 1
    assert ["sector", "Skole", "", "4", "0", "2"] + [""] * 7 in rows
    assert any(row[0] == "cohort" and row[1] == "LUP 3" for row in rows)
    assert len({len(row) for row in rows}) == 1


def test_figures_csv_guards_names_a_spreadsheet_would_run_as_formulas(
    client, administrator, programme
):
    """A sector named by someone with bad intent must not become a formula in HR's Excel."""
    from lup.models import Sector

    Sector.objects.filter(name="Skole").update(name='=HYPERLINK("https://evil.example","x")')
    client.force_login(administrator)

    body = client.get(reverse("lup:dashboard-csv", kwargs={"slug": "lup"})).content.decode()

    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    sectors = [row[1] for row in rows if row[0] in {"sector", "sektor"}]
    assert '\'=HYPERLINK("https://evil.example","x")' in sectors
    assert not any(cell.startswith("=") for row in rows for cell in row)


@pytest.mark.slow
def test_dashboard_runs_the_same_number_of_queries_at_scale_1_and_5(
    client, administrator, monkeypatch
):
    # Certificates for Bærum only: the other four organisations' PDFs and credentials (four
    # fifths of their seed's time) change nothing on Bærum's dashboard.
    monkeypatch.setattr("lup.demo.seed.CERTIFIED_ORGANISATIONS", 1)
    seed_demo(scale=1)
    OrganisationMembership.objects.create(
        organisation=Programme.objects.get(slug="lup").organisation, user=administrator
    )
    client.force_login(administrator)
    url = reverse("lup:dashboard", kwargs={"slug": "lup"})

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    seed_demo(scale=5)
    assert Programme.objects.count() == 5
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200

    assert len(small.captured_queries) == len(large.captured_queries)
    # (13: one for the link to the curriculum editor, lup.permissions.editable_course_slug)
    assert len(large.captured_queries) <= 13


def test_selector_runs_three_queries(programme, django_assert_num_queries):
    """Sectors, enrolments (completions, units in progress and the managers' start read in
    one go) and cohorts."""
    with django_assert_num_queries(3):
        programme_target_progress(programme, today=TODAY)


def test_the_menu_marks_the_dashboard_as_the_current_page(client, administrator, programme):
    client.force_login(administrator)

    html = client.get(reverse("lup:dashboard", kwargs={"slug": "lup"})).content.decode()

    assert 'href="/" aria-current="page">Måloversikt</a>' in html


def test_an_administrator_of_another_organisation_gets_404(client, programme):
    outsider = UserFactory(email="admin@asker.kommune.no")
    outsider.user_permissions.add(*administrator_permissions())
    OrganisationMembership.objects.create(organisation=OrganisationFactory(), user=outsider)
    client.force_login(outsider)

    assert client.get(reverse("lup:dashboard", kwargs={"slug": "lup"})).status_code == 404
    assert client.get(reverse("lup:dashboard-csv", kwargs={"slug": "lup"})).status_code == 404
