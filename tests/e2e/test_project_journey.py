"""The innovation project in the browser: a unit's team writes its project and canvas, records
a benefit's baseline and two follow-ups, and the facilitator approves the project, which
completes the unit (its programme requires an approved project, and its people have already
completed their curriculum).

The steps are functions so later journeys (publishing, reuse) can continue from them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lup.innovation.models import BenefitMeasurement, CanvasVersion, InnovationProject
from lup.models import UnitEnrolment
from tests.e2e.test_unit_completion_journey import can_sign_in, switch_to
from tests.factories import UserFactory
from tests.lup.curriculum import build_curriculum
from tests.lup.test_completion import approve_team_assignment, do_everything


@dataclass
class ProjectJourney:
    setup: Any
    facilitator: Any
    project: InnovationProject | None = None


@pytest.fixture
def journey() -> ProjectJourney:
    """A unit whose manager and enthusiast have completed the curriculum, in a programme
    that also requires an approved innovation project."""
    setup = build_curriculum(team_size=1)
    rule = setup.cohort.programme.completion_rule
    rule.require_project_approval = True
    rule.save()
    for person in (setup.manager, *setup.enthusiasts):
        can_sign_in(person)
    facilitator = can_sign_in(UserFactory(email="fasilitator@example.no"))
    setup.cohort.facilitators.add(facilitator)
    approve_team_assignment(setup, setup.manager, facilitator)
    for person in (setup.manager, *setup.enthusiasts):
        do_everything(setup, person)
    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.ENROLLED  # held back by the project
    return ProjectJourney(setup=setup, facilitator=facilitator)


def submit(browser_page: Any, form_id: str) -> None:
    browser_page.locator(f"#{form_id} button[type=submit]").click()


def start_project(browser_page: Any, journey: ProjectJourney) -> InnovationProject:
    """An enthusiast starts the team's project from "My programme"."""
    switch_to(browser_page, journey.setup.enthusiasts[0].email, "/me/programme/")
    browser_page.locator("#my-project a").click()
    browser_page.check_accessibility()
    # A first attempt without the need is refused with a clear message, and saves nothing.
    browser_page.locator("#id_title").fill("Digitalt nattilsyn")
    browser_page.locator("#id_audience").fill("Beboere og nattevakter")
    submit(browser_page, "project-form")
    expect(browser_page.locator("#id_need_error")).to_be_visible()
    browser_page.check_accessibility()
    assert not InnovationProject.objects.exists()
    browser_page.locator("#id_need").fill("Beboerne vekkes av nattlige runder.")
    browser_page.locator("#id_idea").fill("Sensorer varsler nattevakten ved behov.")
    browser_page.locator("#project-form input[name=members]").first.check()
    submit(browser_page, "project-form")
    expect(browser_page.locator("h1")).to_have_text("Digitalt nattilsyn")
    browser_page.check_accessibility()
    journey.project = InnovationProject.objects.get(enrolment=journey.setup.enrolment)
    return journey.project


def change_phase(browser_page: Any, journey: ProjectJourney, phase: str) -> None:
    """On the project page: move to `phase` (today), and see it on the timeline."""
    browser_page.get_by_role("link", name=re.compile("Bytt fase|Change phase")).click()
    browser_page.check_accessibility()
    browser_page.locator("#phase_phase").select_option(label=phase)
    submit(browser_page, "phase-form")
    expect(browser_page.locator("#timeline")).to_contain_text(phase)
    browser_page.check_accessibility()


def fill_canvas(browser_page: Any, journey: ProjectJourney) -> None:
    """The team fills in its canvas and sees the version in the history."""
    assert journey.project is not None
    browser_page.goto(f"/projects/{journey.project.pk}/canvas/")
    browser_page.check_accessibility()
    browser_page.locator("#id_field_purpose").fill("Bedre søvn for beboerne.")
    browser_page.locator("#id_field_goals").fill("Halvere antall nattlige runder.")
    submit(browser_page, "canvas-form")
    expect(browser_page.locator("#canvas-version")).to_contain_text("1")
    browser_page.check_accessibility()
    assert CanvasVersion.objects.filter(project=journey.project).count() == 1
    browser_page.locator("#canvas-version a").click()
    expect(browser_page.locator("#canvas-history tbody tr")).to_have_count(1)
    browser_page.check_accessibility()
    browser_page.locator("#canvas-history tbody a").click()
    expect(browser_page.locator("#canvas-comparison")).to_contain_text("Bedre søvn for beboerne.")
    browser_page.check_accessibility()


def add_benefit(browser_page: Any, journey: ProjectJourney, baseline_on: dt.date) -> None:
    """The team describes an expected benefit with its baseline (nullpunkt)."""
    assert journey.project is not None
    browser_page.goto(f"/projects/{journey.project.pk}/benefits/new/")
    browser_page.check_accessibility()
    form = browser_page.locator("#benefit-form")
    form.locator("#id_description").fill("Færre runder om natten")
    form.locator("#id_type").select_option("time")
    form.locator("#id_indicator").fill("Timer brukt på runder per år")
    form.locator("#id_unit_of_measure").select_option("hours_year")
    form.locator("#id_baseline_value").fill("1200")
    form.locator("#id_baseline_on").fill(baseline_on.isoformat())
    form.locator("#id_target_value").fill("600")
    form.locator("#id_owner").fill("Enhetsleder")
    submit(browser_page, "benefit-form")
    expect(browser_page.locator("#measurement-form")).to_be_visible()
    browser_page.check_accessibility()


def record_measurement(browser_page: Any, day: dt.date, value: str) -> None:
    """On the benefit's page: record a follow-up measurement."""
    before = BenefitMeasurement.objects.count()
    browser_page.locator("#id_measured_on").fill(day.isoformat())
    browser_page.locator("#id_value").fill(value)
    submit(browser_page, "measurement-form")
    expect(browser_page.locator(".site-messages .ds-alert")).to_be_visible()
    browser_page.check_accessibility()
    assert BenefitMeasurement.objects.count() == before + 1


def approve_project(browser_page: Any, journey: ProjectJourney) -> None:
    """The facilitator approves the project at the final presentation."""
    assert journey.project is not None
    switch_to(browser_page, journey.facilitator.email, f"/projects/{journey.project.pk}/review/")
    browser_page.locator('input[name="point"][value="final"]').check()
    browser_page.locator('input[name="decision"][value="approve"]').check()
    browser_page.locator("#id_comment").fill("Godt dokumentert gevinst.")
    submit(browser_page, "review-form")
    expect(browser_page.locator("#project-status")).to_contain_text(re.compile("Godkjent|Approved"))
    browser_page.check_accessibility()


def read_benefit_rollup(browser_page: Any, journey: ProjectJourney) -> str:
    """The facilitator reads the programme's benefits roll-up; returns the table's text."""
    programme = journey.setup.cohort.programme
    browser_page.goto(f"/programmes/{programme.slug}/benefits/")
    browser_page.check_accessibility()
    return str(browser_page.locator("#benefit-rollup").inner_text())


def test_a_teams_project_is_approved_and_completes_its_unit(browser_page, journey):
    today = timezone.localdate()
    start_project(browser_page, journey)
    change_phase(browser_page, journey, "Innsikt")
    fill_canvas(browser_page, journey)
    add_benefit(browser_page, journey, baseline_on=today - dt.timedelta(days=60))
    record_measurement(browser_page, today - dt.timedelta(days=30), "1000")
    record_measurement(browser_page, today, "850")
    # The chart's figures are on the page as a table too.
    browser_page.locator("details.ds-details summary").click()
    expect(browser_page.locator("table[id$='-table']")).to_contain_text("850")
    browser_page.check_accessibility()

    approve_project(browser_page, journey)

    enrolment = journey.setup.enrolment
    enrolment.refresh_from_db()
    assert enrolment.status == UnitEnrolment.Status.COMPLETED
    browser_page.goto(f"/teams/{enrolment.pk}/")
    expect(browser_page.locator("#team-project")).to_contain_text("Digitalt nattilsyn")
    expect(browser_page.locator("main")).to_contain_text(re.compile("Fullført|Completed"))
    browser_page.check_accessibility()

    # The programme's roll-up counts the benefit realised so far: 1200 − 850 hours per year.
    assert "350" in read_benefit_rollup(browser_page, journey)
