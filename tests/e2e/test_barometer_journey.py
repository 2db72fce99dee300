"""Measuring what the programme changes, in the browser (issue 22's "Done when").

A unit answers the innovation barometer when its cohort starts; its project's benefit gets a
named owner outside the team and a baseline; a phase change asks for the benefit's update;
the owner is reminded, follows the reminder and records it; a year later the unit answers
the follow-up; and the administrator's report shows the change in the share of innovative
units. Four other units of the cohort answer through the service (not the browser), so the
programme's group reaches the five answers below which nothing is shown: the report must
hide the follow-up while it has four answers and show the change once the fifth comes in.

The passing of a year is simulated by moving the cohort's dates back: the rounds already
made keep the dates they were opened with, exactly as they would after a real year.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from lup.barometer.models import BarometerResponse, BarometerRound
from lup.barometer.selectors import programme_results
from lup.barometer.services import add_months, answer_round, current_question_set, open_round
from lup.innovation.models import Benefit, BenefitUpdate, InnovationProject
from lup.innovation.services import start_project
from lup.models import OrganisationMembership, Participant, UnitEnrolment
from lup.notifications.models import Notification
from lup.roles import ADMINISTRATORS_GROUP, ensure_role_groups
from tests.e2e.journeys import sign_in_with_two_factor
from tests.e2e.test_project_journey import submit
from tests.e2e.test_unit_completion_journey import can_sign_in, switch_to
from tests.factories import (
    ParticipantFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
    UserFactory,
)
from tests.lup.curriculum import build_curriculum
from tests.roles import with_two_factor

OTHER_UNITS = 4  # with the journey's unit: five, the smallest group the results show


@dataclass
class World:
    setup: Any
    project: InnovationProject
    owner: Any
    administrator: Any
    others: list[UnitEnrolment]


def _answer_for(enrolment: UnitEnrolment, moment: str, *, innovative: bool, today: dt.date):
    """One of the other units answers through the service, as its manager."""
    round = open_round(enrolment=enrolment, moment=moment, today=today)
    manager = enrolment.participants.get(role=Participant.Role.MANAGER).user
    version = current_question_set(enrolment.cohort.programme).version
    answers = {
        "introduced": "yes" if innovative else "no",
        "how_many": "2" if innovative else "0",
        "enablers": {"leadership": "3"},
    }
    return answer_round(round=round, user=manager, version=version, answers=answers, today=today)


@pytest.fixture
def world() -> World:
    today = timezone.localdate()
    setup = build_curriculum(team_size=1)
    cohort = setup.cohort
    cohort.starts_on, cohort.ends_on = today - dt.timedelta(days=3), today + dt.timedelta(days=180)
    cohort.save()
    organisation = setup.enrolment.unit.organisation
    for person in (setup.manager, *setup.enthusiasts):
        can_sign_in(person)
    # The benefit's owner: the head of the service area, in the line organisation but not
    # on the unit's team.
    owner = can_sign_in(UserFactory(email="kommunalsjef@example.no", first_name="Kari"))
    OrganisationMembership.objects.create(organisation=organisation, user=owner)
    groups = ensure_role_groups()
    administrator = with_two_factor(
        can_sign_in(UserFactory(email="programadmin@example.no", is_staff=True))
    )
    administrator.groups.add(groups[ADMINISTRATORS_GROUP])
    OrganisationMembership.objects.create(organisation=organisation, user=administrator)
    project = start_project(
        enrolment=setup.enrolment,
        title="Digitalt nattilsyn",
        need="Beboerne vekkes av nattlige runder.",
        audience="Beboere og nattevakter",
    )
    others = []
    for index in range(OTHER_UNITS):
        enrolment = UnitEnrolmentFactory(
            cohort=cohort, unit=ServiceUnitFactory(organisation=organisation)
        )
        ParticipantFactory(enrolment=enrolment, role=Participant.Role.MANAGER)
        _answer_for(enrolment, BarometerRound.Moment.START, innovative=index == 0, today=today)
        others.append(enrolment)
    assert EmailAddress.objects.filter(user=administrator, verified=True).exists()
    return World(setup, project, owner, administrator, others)


def answer_barometer(browser_page: Any, enrolment: UnitEnrolment, moment: str, **answers):
    """On the team's barometer page: open the round at `moment` and answer it."""
    browser_page.goto(f"/teams/{enrolment.pk}/barometer/")
    browser_page.check_accessibility()
    browser_page.locator(f"#answer-{moment}").click()
    browser_page.check_accessibility()
    browser_page.locator(f"#q-introduced-{answers['introduced']}").check()
    browser_page.locator("#q-how_many").fill(answers["how_many"])
    browser_page.locator("#q-enablers-leadership").select_option(answers["leadership"])
    browser_page.locator("#barometer-submit").click()
    expect(browser_page.locator(f"#round-{moment}")).to_contain_text(re.compile(r"\d"))
    browser_page.check_accessibility()


def test_a_units_barometer_and_benefit_plan_reach_the_programme_report(browser_page, world):
    today = timezone.localdate()
    setup, project = world.setup, world.project
    enrolment = setup.enrolment
    enthusiast = setup.enthusiasts[0]

    # 1. At the start, the unit answers the barometer. An impossible number is refused with
    #    the error beside its question, and nothing is stored.
    switch_to(browser_page, enthusiast.email, f"/teams/{enrolment.pk}/barometer/")
    browser_page.locator("#answer-start").click()
    browser_page.check_accessibility()
    browser_page.locator("#q-introduced-no").check()
    browser_page.locator("#q-how_many").fill("100000")
    browser_page.locator("#barometer-submit").click()
    expect(browser_page.locator("#q-how_many-error")).to_be_visible()
    browser_page.check_accessibility()
    assert not BarometerResponse.objects.filter(round__enrolment=enrolment).exists()
    answer_barometer(
        browser_page, enrolment, "start", introduced="no", how_many="0", leadership="2"
    )
    start = BarometerResponse.objects.get(round__enrolment=enrolment)
    assert start.innovative is False
    assert start.answered_by == enthusiast

    # 2. The project's benefit gets a named owner outside the team, its class, the benefit
    #    map and a baseline with its date and method.
    browser_page.goto(f"/projects/{project.pk}/benefits/new/")
    browser_page.check_accessibility()
    form = browser_page.locator("#benefit-form")
    form.locator("#id_description").fill("Færre runder om natten")
    form.locator("#id_type").select_option("time")
    form.locator("#id_indicator").fill("Timer brukt på runder per år")
    form.locator("#id_unit_of_measure").select_option("hours_year")
    form.locator("#id_baseline_value").fill("1200")
    form.locator("#id_baseline_on").fill((today - dt.timedelta(days=30)).isoformat())
    form.locator("#id_baseline_method").fill("Timer talt i turnus i fire uker")
    form.locator("#id_target_value").fill("600")
    form.locator("#id_owner").fill("Kommunalsjef")
    form.locator("#id_owner_person").select_option(str(world.owner.pk))
    form.locator("#id_benefit_class").select_option("capacity")
    form.locator("#id_leads_from_change").fill("Sensorer varsler ved behov")
    form.locator("#id_effect").fill("Nattevakten går bare når det trengs")
    submit(browser_page, "benefit-form")
    expect(browser_page.locator("#measurement-form")).to_be_visible()
    browser_page.check_accessibility()
    benefit = Benefit.objects.get(project=project)
    assert benefit.owner_person == world.owner
    assert benefit.baseline_method == "Timer talt i turnus i fire uker"

    # 3. The project moves on: leaving a phase asks for the benefit's update on the project
    #    page, and reminds its owner.
    # A new project starts in the roadmap's first phase, Forankring.
    browser_page.goto(f"/projects/{project.pk}/")
    browser_page.check_accessibility()
    browser_page.get_by_role("link", name=re.compile("Bytt fase|Change phase")).click()
    browser_page.check_accessibility()
    browser_page.locator("#phase_phase").select_option(label="Innsikt")
    submit(browser_page, "phase-form")
    expect(browser_page.locator("#timeline")).to_contain_text("Innsikt")
    browser_page.check_accessibility()
    expect(browser_page.locator("#phase-updates")).to_contain_text("Forankring")
    expect(browser_page.locator(f"#benefit-update-form-{benefit.pk}")).to_be_visible()
    reminder = Notification.objects.get(recipient=world.owner, kind=Notification.Kind.BENEFIT_DUE)
    assert f"/benefits/{benefit.pk}/update/" in reminder.url
    assert any(world.owner.email in message.to for message in mail.outbox)

    # 4. The owner follows the reminder from the product's notifications and records the
    #    update; without a value it is refused and nothing is stored.
    switch_to(browser_page, world.owner.email, "/me/notifications/")
    browser_page.locator(f"#notification-{reminder.pk} a").first.click()
    expect(browser_page.page).to_have_url(re.compile(rf"/benefits/{benefit.pk}/update/$"))
    browser_page.check_accessibility()
    prefix = f"update-{benefit.pk}"
    browser_page.locator(f"#id_{prefix}-measured_on").fill(today.isoformat())
    submit(browser_page, "benefit-update-form")
    expect(browser_page.locator(f"#id_{prefix}-value_error")).to_be_visible()
    browser_page.check_accessibility()
    assert not BenefitUpdate.objects.exists()
    browser_page.locator(f"#id_{prefix}-value").fill("1100")
    submit(browser_page, "benefit-update-form")
    expect(browser_page.locator("#update-done")).to_be_visible()
    browser_page.check_accessibility()
    update = BenefitUpdate.objects.get(benefit=benefit)
    assert update.phase.name == "Forankring"
    assert update.recorded_by == world.owner
    # The reminder went by e-mail at once, and opening it from the list marked it read.
    reminder.refresh_from_db()
    assert reminder.emailed_at is not None
    assert reminder.read_at is not None

    # 5. A year later (the cohort's dates moved back): the follow-up is open. Four units
    #    have answered it; the fifth, the journey's unit, now answers in the browser.
    cohort = setup.cohort
    cohort.ends_on = add_months(today, -12) - dt.timedelta(days=1)
    cohort.starts_on = cohort.ends_on - dt.timedelta(days=180)
    cohort.save()
    for other in world.others:
        _answer_for(other, BarometerRound.Moment.FOLLOW_UP, innovative=True, today=today)
    # With four follow-up answers the programme's follow-up is not shown, not even its count.
    results = programme_results(cohort.programme, current_question_set(cohort.programme))
    assert not results.programme.moments[BarometerRound.Moment.FOLLOW_UP].shown
    assert results.programme.change is None
    switch_to(browser_page, enthusiast.email, f"/teams/{enrolment.pk}/barometer/")
    answer_barometer(
        browser_page, enrolment, "follow_up", introduced="yes", how_many="3", leadership="5"
    )
    comparison = browser_page.locator("#barometer-comparison")
    expect(comparison).to_contain_text("3")
    browser_page.check_accessibility()

    # 6. The administrator's report shows the change for the programme: from 1 of 5 units
    #    innovative at the start (20 %) to 5 of 5 at the follow-up (100 %), +80 points.
    switch_to_administrator(browser_page, world, f"/programmes/{cohort.programme.slug}/report/")
    programme_row = browser_page.locator("#report-barometer-table tbody tr").first
    expect(programme_row).to_contain_text("20 %")
    expect(programme_row).to_contain_text("100 %")
    expect(programme_row).to_contain_text("+80")
    expect(browser_page.locator("#report-barometer-chart")).to_be_visible()
    browser_page.check_accessibility()
    # The barometer's own results page agrees.
    browser_page.goto(f"/programmes/{cohort.programme.slug}/barometer/")
    expect(browser_page.locator("#barometer-chart")).to_be_visible()
    browser_page.check_accessibility()
    browser_page.set_viewport_size({"width": 390, "height": 844})
    browser_page.goto(f"/programmes/{cohort.programme.slug}/report/")
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= 390
    browser_page.check_accessibility()


def switch_to_administrator(browser_page: Any, world: World, next_path: str) -> None:
    """Sign out, and sign in as the programme's administrator with two-factor."""
    if browser_page.locator("form.sign-out button").count():
        browser_page.locator("form.sign-out button").click()
        browser_page.check_accessibility()
    browser_page.goto(f"/accounts/login/?next={next_path}")
    browser_page.check_accessibility()
    sign_in_with_two_factor(browser_page, world.administrator.email)
    expect(browser_page.page).to_have_url(re.compile(rf"{re.escape(next_path)}$"))
    browser_page.check_accessibility()
