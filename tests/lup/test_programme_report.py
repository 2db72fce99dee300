"""The programme's own report (issue 22, part 4): its figures against a small known world, the
empty period, bad dates, who may read it, the tenant wall, the PDF's text and a fixed number
of queries."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lup.innovation.models import Nomination, PrizeCategory, ProjectReuse
from lup.models import OrganisationMembership
from lup.programme_report.selectors import Period, programme_report
from lup.roles import HR_GROUP, ensure_role_groups
from tests.conftest import administrator_permissions
from tests.factories import (
    BenefitFactory,
    BenefitMeasurementFactory,
    CohortFactory,
    InnovationProjectFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    ProjectPhaseFactory,
    SectorFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
    UserFactory,
)
from tests.roles import with_two_factor

pytestmark = pytest.mark.django_db
PERIOD = {"starts_on": "2025-07-01", "ends_on": "2026-06-30"}


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def make_project(enrolment, title, *, created, phase=None):
    project = InnovationProjectFactory(enrolment=enrolment, title=title, phase=phase)
    type(project).objects.filter(pk=project.pk).update(created_at=noon(created))
    return project


def reuse(source, unit, day):
    reused = ProjectReuse.objects.create(source=source, unit=unit)
    ProjectReuse.objects.filter(pk=reused.pk).update(created_at=noon(day))
    return reused


@pytest.fixture
def world(administrator):
    """Bærum: four units in two sectors, a target of 4; two units completed in January 2026,
    one enrolled. Three projects (two phases and none), benefits in hours, kroner and per
    cent, reuses inside Bærum and by Asker, a prize winner. Asker has its own programme,
    reuse and winner, none of which may show in Bærum's report."""
    baerum = OrganisationFactory(name="Bærum kommune")
    OrganisationMembership.objects.create(organisation=baerum, user=administrator)
    school = SectorFactory(organisation=baerum, name="Skole")
    care = SectorFactory(organisation=baerum, name="Helse og omsorg")
    school_a = ServiceUnitFactory(organisation=baerum, sector=school, name="Eiksmarka skole")
    school_b = ServiceUnitFactory(organisation=baerum, sector=school, name="Jar skole")
    care_a = ServiceUnitFactory(organisation=baerum, sector=care, name="Lindelia sykehjem")
    ServiceUnitFactory(organisation=baerum, sector=care, name="Nordraaksvei")
    programme = ProgrammeFactory(
        organisation=baerum,
        slug="lup",
        name="Ledelse av utvikling og innovasjon",
        target_units=4,
        starts_on=dt.date(2025, 7, 1),
        deadline=dt.date(2027, 6, 30),
    )
    first = CohortFactory(
        programme=programme, starts_on=dt.date(2025, 8, 1), ends_on=dt.date(2026, 1, 15)
    )
    second = CohortFactory(
        programme=programme, starts_on=dt.date(2026, 2, 1), ends_on=dt.date(2027, 1, 31)
    )
    enrolment_a = UnitEnrolmentFactory(
        cohort=first, unit=school_a, status="completed", completed_at=noon(dt.date(2026, 1, 15))
    )
    enrolment_b = UnitEnrolmentFactory(
        cohort=first, unit=care_a, status="completed", completed_at=noon(dt.date(2026, 1, 15))
    )
    enrolment_c = UnitEnrolmentFactory(cohort=second, unit=school_b)
    explore = ProjectPhaseFactory(programme=programme, key="utforske", name="Utforske", position=1)
    test = ProjectPhaseFactory(programme=programme, key="teste", name="Teste", position=2)
    sensors = make_project(
        enrolment_a, "Sensorer om natten", created=dt.date(2025, 9, 1), phase=test
    )
    meals = make_project(enrolment_b, "Måltidsvenn", created=dt.date(2025, 10, 1), phase=explore)
    make_project(enrolment_c, "Lesekompis", created=dt.date(2026, 3, 1))
    hours = BenefitFactory(
        project=sensors, unit_of_measure="hours_year", baseline_value=1200, target_value=600
    )
    BenefitMeasurementFactory(benefit=hours, value=Decimal("900"))
    kroner = BenefitFactory(
        project=meals,
        type="costs",
        unit_of_measure="nok_year",
        baseline_value=0,
        target_value=100000,
    )
    BenefitMeasurementFactory(benefit=kroner, value=Decimal("40000"))
    BenefitFactory(
        project=meals, type="quality", unit_of_measure="percent", baseline_value=50, target_value=80
    )

    asker = OrganisationFactory(name="Asker kommune")
    asker_unit = ServiceUnitFactory(organisation=asker, name="Asker helsehus")
    asker_programme = ProgrammeFactory(organisation=asker, slug="asker-lup")
    asker_enrolment = UnitEnrolmentFactory(
        cohort=CohortFactory(programme=asker_programme), unit=asker_unit
    )
    asker_project = make_project(asker_enrolment, "Askers hemmelighet", created=dt.date(2025, 9, 1))
    reuse(sensors, school_b, dt.date(2026, 2, 10))  # inside Bærum
    reuse(sensors, asker_unit, dt.date(2026, 3, 10))  # across municipalities
    # Asker's own: another Asker unit reuses Asker's project; not Bærum's business.
    reuse(
        asker_project,
        ServiceUnitFactory(organisation=asker, name="Asker bibliotek"),
        dt.date(2026, 3, 1),
    )

    category = PrizeCategory.objects.create(
        programme=programme, key="arets", name="Årets innovasjon"
    )
    Nomination.objects.create(
        category=category, project=meals, year=2026, reason="Flere spiser sammen.", is_winner=True
    )
    asker_category = PrizeCategory.objects.create(
        programme=asker_programme, key="arets", name="Askerprisen"
    )
    Nomination.objects.create(
        category=asker_category,
        project=asker_project,
        year=2026,
        reason="Hemmelig.",
        is_winner=True,
    )
    return programme


def report_url(slug="lup", **query):
    url = reverse("lup:programme-report", kwargs={"slug": slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def pdf_url(slug="lup", **query):
    url = reverse("lup:programme-report-pdf", kwargs={"slug": slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# The figures


def test_the_report_counts_completions_projects_benefits_reuses_and_winners(world):
    report = programme_report(world, Period(dt.date(2025, 7, 1), dt.date(2026, 6, 30)))

    assert report.completed_in_period == 2
    assert report.progress.completed == 2
    assert report.progress.target == 4
    assert report.progress.population == 4
    assert report.projects == 3
    assert report.projects_started == 3
    assert [(row.label, row.projects) for row in report.by_phase] == [
        ("", 1),
        ("Utforske", 1),
        ("Teste", 1),
    ]
    assert [(row.label, row.projects) for row in report.by_sector] == [
        ("Helse og omsorg", 1),
        ("Skole", 2),
    ]
    sums = {row.unit_of_measure: (row.expected, row.realised) for row in report.summable_benefits}
    assert sums == {
        "hours_year": (Decimal(600), Decimal(300)),
        "nok_year": (Decimal(100000), Decimal(40000)),
    }
    assert [row.unit_of_measure for row in report.other_benefits] == ["percent"]
    spreading = report.spreading
    assert (spreading.reuses, spreading.across_municipalities, spreading.within_organisation) == (
        2,
        1,
        1,
    )
    assert [source.title for source in spreading.sources] == ["Sensorer om natten"]
    assert {(r.unit, r.organisation) for r in spreading.sources[0].reused_by} == {
        ("Jar skole", "Bærum kommune"),
        ("Asker helsehus", "Asker kommune"),
    }
    assert [(story.title, story.category) for story in report.stories] == [
        ("Måltidsvenn", "Årets innovasjon")
    ]
    assert not report.period_is_empty


def test_a_later_period_counts_only_what_happened_in_it(world):
    report = programme_report(world, Period(dt.date(2026, 3, 1), dt.date(2026, 6, 30)))

    assert report.completed_in_period == 0  # both completed in January
    assert report.progress.completed == 2  # ...and still count towards the target
    assert report.projects == 3
    assert report.projects_started == 1
    assert report.spreading.reuses == 1  # only Asker's reuse, in March
    assert report.spreading.across_municipalities == 1


def test_the_page_shows_each_section(client, administrator, world, english_site):
    client.force_login(administrator)

    response = client.get(report_url(**PERIOD))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Bærum kommune" in html
    assert "Programme report: Ledelse av utvikling og innovasjon" in html
    for section in (
        "report-completion",
        "report-projects",
        "report-benefits",
        "report-spreading",
        "report-stories",
        "report-series-table",
        "report-benefit-sums-table",
        "report-reuse-graph",
    ):
        assert f'id="{section}"' in html, section
    assert "Benefits, as reported by the units" in html
    assert "Sensorer om natten" in html
    assert "Asker helsehus" in html
    assert "Måltidsvenn" in html
    assert "Flere spiser sammen." in html
    assert "Askers hemmelighet" not in html
    assert "Askerprisen" not in html
    assert "Asker bibliotek" not in html
    assert 'id="report-empty"' not in html
    assert "to come" not in html.lower()


def test_the_default_period_runs_from_the_programme_start_to_today(
    client, administrator, world, english_site
):
    client.force_login(administrator)

    response = client.get(report_url())

    assert response.status_code == 200
    report = response.context["report"]
    assert report.period.starts_on == dt.date(2025, 7, 1)
    assert report.period.ends_on == report.made_on


def test_a_period_with_no_data_says_so(client, administrator, world, english_site):
    client.force_login(administrator)

    response = client.get(report_url(starts_on="2025-07-01", ends_on="2025-07-31"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="report-empty"' in html
    assert "Nothing happened in this period" in html
    assert 'id="report-no-projects"' in html
    assert 'id="report-no-reuses"' in html
    assert 'id="report-no-stories"' in html


def test_a_period_before_the_programme_started_is_no_error(
    client, administrator, world, english_site
):
    client.force_login(administrator)

    response = client.get(report_url(starts_on="2020-01-01", ends_on="2020-12-31"))

    assert response.status_code == 200
    assert 'id="report-empty"' in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"starts_on": "2026-06-30", "ends_on": "2026-01-01"},  # to before from
        {"starts_on": "yesterday", "ends_on": "2026-01-01"},
        {"starts_on": "2026-13-45"},
        {"ends_on": "2999-01-01"},  # after today
        {"starts_on": "0001-01-01"},
        {"starts_on": "2999-01-01"},  # after the default end, today
    ],
)
def test_bad_dates_get_a_clear_error(client, administrator, world, english_site, query):
    client.force_login(administrator)

    for url in (report_url(**query), pdf_url(**query)):
        response = client.get(url)
        assert response.status_code == 400
        html = response.content.decode()
        assert 'id="period-errors"' in html
        assert 'aria-invalid="true"' in html
        assert 'id="report-completion"' not in html


# Who may read it


def test_hr_of_the_organisation_reads_the_report(client, world, english_site):
    ensure_role_groups()
    hr = with_two_factor(UserFactory(email="hr@baerum.kommune.no"))
    hr.groups.add(Group.objects.get(name=HR_GROUP))
    OrganisationMembership.objects.create(organisation=world.organisation, user=hr)
    client.force_login(hr)

    assert client.get(report_url()).status_code == 200
    assert client.get(pdf_url()).status_code == 200


def test_participants_are_refused(client, world):
    participant = ParticipantFactory(enrolment=world.cohorts.first().enrolments.first())
    client.force_login(participant.user)

    assert client.get(report_url()).status_code == 403
    assert client.get(pdf_url()).status_code == 403


def test_another_municipalitys_administrator_does_not_find_the_programme(client, world):
    outsider = UserFactory(email="admin@asker.kommune.no")
    outsider.user_permissions.add(*administrator_permissions())
    OrganisationMembership.objects.create(
        organisation=OrganisationFactory(name="Lier kommune"), user=outsider
    )
    client.force_login(outsider)

    assert client.get(report_url()).status_code == 404
    assert client.get(pdf_url()).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(report_url())

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_dashboard_links_to_the_report(client, administrator, world):
    client.force_login(administrator)

    html = client.get(reverse("lup:dashboard", kwargs={"slug": "lup"})).content.decode()

    assert 'id="programme-report-link"' in html
    assert report_url() in html


# The PDF


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["/usr/bin/pdftotext", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_the_pdf_has_the_same_content(client, administrator, world, english_site, tmp_path):
    client.force_login(administrator)

    response = client.get(pdf_url(**PERIOD))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "programme-report-lup-2025-07-01-2026-06-30.pdf" in response["Content-Disposition"]
    text = " ".join(pdf_text(response.content, tmp_path).split())  # lines wrap
    assert "Bærum kommune" in text
    assert "Programme report: Ledelse av utvikling og innovasjon" in text
    assert "Period: July 1, 2025 to June 30, 2026." in text
    assert "Made " in text
    assert "2 units completed in the period; 2 of the target of 4 units" in text
    assert "Benefits, as reported by the units" in text
    assert "hours per year" in text
    assert "kroner per year" in text
    assert "Sensorer om natten" in text
    assert "Asker helsehus" in text
    assert "Måltidsvenn" in text
    assert "Flere spiser sammen." in text
    assert "Askers hemmelighet" not in text


def test_the_pdf_is_a4_and_in_the_users_language(client, administrator, world, tmp_path):
    client.force_login(administrator)

    response = client.get(pdf_url(**PERIOD), HTTP_ACCEPT_LANGUAGE="nb")

    assert response.status_code == 200
    info = subprocess.run(
        ["/usr/bin/pdfinfo", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "595.276 x 841.89 pts (A4)" in info
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "1. juli 2025" in text


def test_an_empty_period_pdf_says_so(client, administrator, world, english_site, tmp_path):
    client.force_login(administrator)

    response = client.get(pdf_url(starts_on="2025-07-01", ends_on="2025-07-31"))

    assert response.status_code == 200
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "Nothing happened in this period" in text


# Queries


def grow(programme, size):
    """`size` more units, each enrolled, completed, with a project, a benefit, a reuse and a
    prize winner."""
    organisation = programme.organisation
    sector = SectorFactory(organisation=organisation)
    cohort = CohortFactory(
        programme=programme, starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 2, 28)
    )
    phase = ProjectPhaseFactory(programme=programme)
    category = PrizeCategory.objects.create(
        programme=programme, key=f"k{size}", name=f"Kategori {size}"
    )
    previous = None
    for number in range(size):
        unit = ServiceUnitFactory(organisation=organisation, sector=sector)
        enrolment = UnitEnrolmentFactory(
            cohort=cohort, unit=unit, status="completed", completed_at=noon(dt.date(2026, 2, 28))
        )
        project = make_project(
            enrolment, f"P{size}-{number}", created=dt.date(2025, 10, 1), phase=phase
        )
        BenefitMeasurementFactory(benefit=BenefitFactory(project=project))
        if previous is not None:
            reuse(previous, unit, dt.date(2026, 3, 1))
        Nomination.objects.create(
            category=category, project=project, year=2026, reason="R", is_winner=number == 0
        )
        previous = project


def test_the_selector_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    period = Period(dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    with django_assert_num_queries(11):
        programme_report(world, period)
    grow(world, 12)
    with django_assert_num_queries(11):
        report = programme_report(world, period)
    assert report.projects == 15


def test_the_pages_run_the_same_number_of_queries_at_two_sizes(
    client, administrator, world, django_assert_num_queries
):
    client.force_login(administrator)
    counts = []
    for size in (2, 10):
        grow(world, size)
        for url in (report_url(**PERIOD), pdf_url(**PERIOD)):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[0] == counts[2], counts  # the page
    assert counts[1] == counts[3], counts  # the PDF
    with django_assert_num_queries(counts[0]):
        client.get(report_url(**PERIOD))
