"""The programme's own report (issue 22, part 4): its figures against a small known world, the
barometer's before and after, the reuse graph, the empty period, bad dates, who may read it,
the tenant wall, the PDF's text and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lup.barometer.models import BarometerResponse, BarometerRound
from lup.barometer.services import current_question_set, save_settings
from lup.innovation.models import Nomination, PrizeCategory, ProjectReuse
from lup.models import OrganisationMembership
from lup.programme_report.charts import reuse_graph
from lup.programme_report.selectors import Period, ShareCell, programme_report
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


def barometer_answer(enrolment, moment, day, *, innovative, leadership=None):
    """The unit's barometer answered on `day` (stored directly: the barometer's own tests
    cover answering; here only the figures matter)."""
    made = BarometerRound.objects.create(
        enrolment=enrolment, moment=moment, opens_on=day, closes_on=day
    )
    return BarometerResponse.objects.create(
        round=made,
        question_set=current_question_set(enrolment.cohort.programme),
        answers={
            "introduced": innovative,
            "enablers": {} if leadership is None else {"leadership": leadership},
            "barriers": {},
        },
        innovative=innovative,
        answered_at=noon(day),
    )


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

    # Two start answers: too few to show, but the programme has its question set.
    barometer_answer(enrolment_a, "start", dt.date(2025, 8, 5), innovative=False)
    barometer_answer(enrolment_b, "start", dt.date(2025, 8, 5), innovative=True)

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


# The barometer's before and after


@pytest.fixture
def barometer(world):
    """The first cohort (named "Kull høst 2025") gets five more units: one of five
    innovative at the start (with the world's two: 2 of 7), four of five at the end, all five
    at the follow-up in August 2026. The second ("Kull vår 2026") gets four start answers,
    all innovative: too few to show. Leadership is rated 2 at the start, 5 at the end, 6 at
    the follow-up. The national figure is 75 %, from KS."""
    first, second = world.cohorts.order_by("starts_on")
    first.name, second.name = "Kull høst 2025", "Kull vår 2026"
    first.save(update_fields=["name"])
    second.save(update_fields=["name"])
    organisation = world.organisation
    for number in range(5):
        enrolment = UnitEnrolmentFactory(
            cohort=first, unit=ServiceUnitFactory(organisation=organisation, name=f"Enhet {number}")
        )
        barometer_answer(
            enrolment, "start", dt.date(2025, 8, 5), innovative=number == 0, leadership=2
        )
        barometer_answer(
            enrolment, "end", dt.date(2026, 1, 20), innovative=number < 4, leadership=5
        )
        barometer_answer(enrolment, "follow_up", dt.date(2026, 8, 1), innovative=True, leadership=6)
    for number in range(4):
        enrolment = UnitEnrolmentFactory(
            cohort=second, unit=ServiceUnitFactory(organisation=organisation, name=f"Vår {number}")
        )
        barometer_answer(enrolment, "start", dt.date(2026, 2, 5), innovative=True, leadership=2)
    save_settings(
        programme=world,
        follow_up_months=6,
        reference_share="0.75",
        reference_source="KS Innovasjonsbarometer 2020",
    )
    return world


def cells(row):
    return [(cell.state, cell.percent, cell.answers) for cell in row.cells]


def test_the_barometer_shows_shares_and_changes_and_hides_small_groups(barometer, english_site):
    report = programme_report(barometer, Period(dt.date(2025, 7, 1), dt.date(2026, 6, 30)))
    section = report.barometer

    assert section.has_answers
    programme, first, second = section.groups
    assert programme.name == "Ledelse av utvikling og innovasjon"
    # 6 of 11 at the start (54.5 %, shown as 55 %), 4 of 5 at the end.
    assert cells(programme) == [("shown", 55, 11), ("shown", 80, 5), ("none", None, None)]
    assert programme.change_points == 25
    assert first.name == "Kull høst 2025"
    assert cells(first) == [("shown", 29, 7), ("shown", 80, 5), ("none", None, None)]
    assert first.change_points == 51
    # Four answers: the group is named, its figure and even its count are not.
    assert second.name == "Kull vår 2026"
    assert cells(second) == [("too_few", None, None), ("none", None, None), ("none", None, None)]
    assert second.change_points is None
    assert (section.reference_percent, section.reference_source) == (
        75,
        "KS Innovasjonsbarometer 2020",
    )
    assert section.latest_moment == "end"
    leadership = next(
        row
        for table in section.factors
        if table.key == "enablers"
        for row in table.rows
        if row.label == "Support from leaders"
    )
    assert (leadership.start.mean, leadership.latest.mean, leadership.change) == (2.0, 5.0, 3.0)


def test_answers_given_after_the_period_are_left_out(barometer, english_site):
    within = programme_report(barometer, Period(dt.date(2025, 7, 1), dt.date(2026, 7, 31)))
    later = programme_report(barometer, Period(dt.date(2025, 7, 1), dt.date(2026, 8, 1)))
    before_the_end = programme_report(barometer, Period(dt.date(2025, 7, 1), dt.date(2026, 1, 19)))

    assert within.barometer.groups[0].cells[2].state == "none"  # answered on 1 August
    assert later.barometer.groups[0].cells[2] == ShareCell("shown", 100, 5)
    assert later.barometer.groups[0].change_points == 45  # to the follow-up now
    assert later.barometer.latest_moment == "follow_up"
    # Before the end answers (20 January) and the second cohort's (February): only the
    # first cohort's seven start answers.
    programme = before_the_end.barometer.groups[0]
    assert cells(programme) == [("shown", 29, 7), ("none", None, None), ("none", None, None)]
    assert programme.change_points is None
    assert before_the_end.barometer.latest_moment is None


def table_row(html, name):
    match = re.search(rf'<tr>\s*<th scope="row">{re.escape(name)}</th>(.*?)</tr>', html, re.S)
    assert match, name
    return match.group(1)


def test_the_page_shows_the_barometer_before_and_after(
    client, administrator, barometer, english_site
):
    client.force_login(administrator)

    html = client.get(report_url(**PERIOD)).content.decode()

    assert "Innovation barometer: before and after" in html
    assert (
        "National reference: 75 % of units innovative (source: KS Innovasjonsbarometer 2020)."
        in html
    )
    first = table_row(html, "Kull høst 2025")
    assert "29 %" in first
    assert "(7 answers)" in first
    assert "80 %" in first
    assert "(5 answers)" in first
    assert "+51" in first
    second = table_row(html, "Kull vår 2026")
    assert "Too few answers to show (under 5)" in second
    assert "%" not in second
    assert "4 answers" not in second
    assert 'id="report-barometer-chart"' in html
    assert re.search(r'<svg[^>]*role="img"[^>]*id="report-barometer-chart"', html)
    leadership = table_row(html, "Support from leaders")
    assert ">2.0<" in leadership
    assert ">5.0<" in leadership
    assert "+3.0" in leadership


def test_a_programme_without_barometer_answers_says_so(client, administrator, world, english_site):
    BarometerResponse.objects.all().delete()
    client.force_login(administrator)

    html = client.get(report_url(**PERIOD)).content.decode()

    assert 'id="report-no-barometer"' in html
    assert "No unit had answered the innovation barometer by June 30, 2026." in html
    assert 'id="report-barometer-table"' not in html


# The reuse graph


def test_the_reuse_graph_draws_a_line_per_reuse_styled_by_municipality(
    client, administrator, world, english_site
):
    client.force_login(administrator)

    html = client.get(report_url(**PERIOD)).content.decode()

    svg = re.search(r'<svg[^>]*id="report-reuse-graph".*?</svg>', html, re.S)
    assert svg, "the graph"
    graph = svg.group(0)
    assert 'role="img"' in graph
    assert 'aria-labelledby="report-reuse-graph-title report-reuse-graph-desc"' in graph
    assert "<title" in graph
    assert "<desc" in graph
    lines = re.findall(r'<line class="reuse (reuse-\w+)"', graph)
    assert sorted(lines) == ["reuse-across", "reuse-within"]  # two reuses, one across
    for unit in ("Eiksmarka skole", "Jar skole", "Asker helsehus"):
        assert unit in graph
    assert "1 across municipalities (dashed), 1 within the organisation (solid)" in graph
    # The list is still there, as the graph's text alternative.
    assert 'id="report-reuse-list"' in html
    assert "Asker helsehus, Asker kommune (across municipalities)" in html


def test_reuses_across_municipalities_differ_by_dash_as_well_as_colour():
    css = (Path(__file__).resolve().parents[2] / "static" / "site.css").read_text()
    within = re.search(r"\.chart \.reuse-within \{([^}]*)\}", css).group(1)
    across = re.search(r"\.chart \.reuse-across \{([^}]*)\}", css).group(1)
    assert "stroke-dasharray" in across
    assert "stroke-dasharray" not in within
    colour = re.compile(r"stroke: ([^;]+);")
    assert colour.search(across).group(1) != colour.search(within).group(1)


def test_two_reuses_between_the_same_two_units_are_two_lines(world, english_site):
    # Eiksmarka skole again in the second cohort, with a second project Jar skole reuses.
    first, second = world.cohorts.order_by("starts_on")
    eiksmarka = first.enrolments.get(unit__name="Eiksmarka skole").unit
    again = UnitEnrolmentFactory(cohort=second, unit=eiksmarka)
    night = make_project(again, "Nattevakt", created=dt.date(2026, 3, 1))
    reuse(night, eiksmarka.organisation.units.get(name="Jar skole"), dt.date(2026, 4, 1))
    report = programme_report(world, Period(dt.date(2025, 7, 1), dt.date(2026, 6, 30)))

    graph = reuse_graph(report.spreading)

    assert graph is not None
    assert len(graph.edges) == report.spreading.reuses == 3
    assert [node.unit for node in graph.sources] == ["Eiksmarka skole"]
    assert sorted(node.unit for node in graph.reusers) == ["Asker helsehus", "Jar skole"]
    to_jar = [edge for edge in graph.edges if "Jar skole" in edge.label]
    assert len(to_jar) == 2
    assert (to_jar[0].y1, to_jar[0].y2) != (to_jar[1].y1, to_jar[1].y2)
    assert [edge.other_municipality for edge in graph.edges].count(True) == 1


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
        "report-reuse-list",
        "report-barometer",
        "report-barometer-table",
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
    # The two start answers came in August: none by the end of July.
    assert 'id="report-no-barometer"' in html
    assert "No unit had answered the innovation barometer by July 31, 2025." in html


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


def test_the_pdf_has_the_barometer_and_the_reuse_graph(
    client, administrator, barometer, english_site, tmp_path
):
    client.force_login(administrator)

    response = client.get(pdf_url(**PERIOD))

    assert response.status_code == 200
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "Innovation barometer: before and after" in text
    assert "answers given by June 30, 2026" in text
    assert (
        "National reference: 75 % of units innovative (source: KS Innovasjonsbarometer 2020)"
        in (text)
    )
    assert "Kull høst 2025" in text
    assert "Kull vår 2026" in text
    assert "29 % (7 answers)" in text
    assert "80 % (5 answers)" in text
    assert "+51" in text
    assert "Too few answers" in text
    assert "100 %" not in text  # the follow-up came after the period
    assert "What helped and what held back" in text
    assert "Support from leaders" in text
    # The graph's own text, drawn beside its lines, and what the lines mean.
    assert "Who reused whose" in text
    assert "dashed green lines: across municipalities" in text
    assert text.count("Eiksmarka skole") >= 2  # in the graph and in the table


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
    """`size` more units, each enrolled, completed, with a project, a benefit, a reuse within
    the organisation and one by another municipality's unit, barometer answers at the start
    and the end, and a prize winner."""
    organisation = programme.organisation
    elsewhere = ServiceUnitFactory(
        organisation=OrganisationFactory(name=f"Kommune {size}"), name=f"Enhet {size}"
    )
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
        reuse(project, elsewhere, dt.date(2026, 3, 2))
        barometer_answer(enrolment, "start", dt.date(2025, 9, 5), innovative=False, leadership=3)
        barometer_answer(enrolment, "end", dt.date(2026, 2, 20), innovative=True, leadership=5)
        Nomination.objects.create(
            category=category, project=project, year=2026, reason="R", is_winner=number == 0
        )
        previous = project


def test_the_selector_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    period = Period(dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    with django_assert_num_queries(14):
        programme_report(world, period)
    grow(world, 12)
    with django_assert_num_queries(14):
        report = programme_report(world, period)
    assert report.projects == 15
    assert report.spreading.reuses == 2 + 11 + 12
    assert report.barometer.groups[0].cells[1] == ShareCell("shown", 100, 12)


def test_the_pages_run_the_same_number_of_queries_at_two_sizes(
    client, administrator, world, django_assert_num_queries, english_site
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
    # The second size drew more reuses and counted more barometer answers, in as many queries.
    html = client.get(report_url(**PERIOD)).content.decode()
    assert html.count('<line class="reuse ') == 2 + (1 + 2) + (9 + 10)
    assert "(12 answers)" in html
    with django_assert_num_queries(counts[0]):
        client.get(report_url(**PERIOD))
