"""Intake in the browser: the office opens a call for a coming cohort, a unit manager
applies with the team they propose, the office accepts, and the manager then replaces an
enthusiast on the new team. axe on every page, at 1366 px, and at 390 px where the page is
new, with no page wider than the phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from lup.demo.seed import seed_demo
from lup.intake.models import Application, Call
from lup.models import Cohort, Participant, Programme, UnitEnrolment
from tests.e2e.journeys import sign_in, sign_in_with_two_factor

ADMINISTRATOR = "admin@baerum.kommune.no"
MANAGER = "leder@baerum.kommune.no"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def next_cohort():
    """The demo, and a cohort planned after its coming one (without a call yet)."""
    seed_demo(scale=1)
    programme = Programme.objects.get(slug="lup")
    last = programme.cohorts.order_by("-starts_on").first()
    return Cohort.objects.create(
        programme=programme,
        name="LUP 7",
        starts_on=last.starts_on + dt.timedelta(days=180),
        ends_on=last.starts_on + dt.timedelta(days=350),
    )


def fits_the_phone(browser_page) -> None:
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    browser_page.set_viewport_size(DESKTOP)


def test_a_call_from_opening_to_a_new_team(browser_page, next_cohort, mailoutbox):
    browser_page.set_viewport_size(DESKTOP)
    # The office opens the call from the dashboard's intake page.
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in_with_two_factor(browser_page, ADMINISTRATOR)
    browser_page.check_accessibility()
    browser_page.goto("/programmes/lup/")
    browser_page.check_accessibility()
    browser_page.locator("#intake-link").click()
    expect(browser_page.page).to_have_url(re.compile(r"/programmes/lup/intake/$"))
    expect(browser_page.locator("#candidates")).to_contain_text("Skole")
    browser_page.check_accessibility()
    fits_the_phone(browser_page)
    browser_page.locator(f'#calls a[href$="?cohort={next_cohort.pk}"]').click()
    browser_page.check_accessibility()
    form = browser_page.locator("#call-form")
    form.locator("#id_capacity").fill("2")
    deadline = timezone.localdate() + dt.timedelta(days=14)
    form.locator("#id_deadline").fill(deadline.isoformat())
    form.locator("#id_message").fill("Velkommen til LUP 7.")
    fits_the_phone(browser_page)
    form.locator('button[type="submit"]').click()
    call = Call.objects.get(cohort=next_cohort)
    expect(browser_page.page).to_have_url(re.compile(rf"/calls/{call.pk}/$"))
    browser_page.check_accessibility()
    browser_page.locator('form.sign-out button[type="submit"]').click()
    browser_page.check_accessibility()

    # The manager finds the call on the home page and applies with two enthusiasts.
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in(browser_page, MANAGER)
    browser_page.check_accessibility()
    browser_page.locator(f'#home-open-calls a[href="/calls/{call.pk}/"]').click()
    browser_page.check_accessibility()
    browser_page.locator("#apply-link").click()
    browser_page.check_accessibility()
    fits_the_phone(browser_page)
    form = browser_page.locator("#application-form")
    unit_value = form.locator("#id_unit option").nth(1).get_attribute("value")
    form.locator("#id_unit").select_option(unit_value)
    form.locator("#id_enthusiasts").fill("ny.en@baerum.kommune.no\nny.to@baerum.kommune.no")
    form.locator("#id_motivation").fill("Vi vil gjøre det enklere å søke om avlastning.")
    form.locator('button[type="submit"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/me/applications/$"))
    application = Application.objects.get(call=call)
    assert application.status == Application.Status.PENDING
    expect(browser_page.locator("#my-applications")).to_contain_text(application.unit.name)
    expect(browser_page.locator("#my-applications form button")).to_be_visible()  # withdraw
    browser_page.check_accessibility()
    fits_the_phone(browser_page)
    browser_page.locator('form.sign-out button[type="submit"]').click()
    browser_page.check_accessibility()

    # The office accepts on the call's page. (allauth takes each authenticator code once:
    # the used one is forgotten, as a new 30-second period would.)
    cache.clear()
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in_with_two_factor(browser_page, ADMINISTRATOR)
    browser_page.check_accessibility()
    browser_page.goto(f"/calls/{call.pk}/")
    browser_page.check_accessibility()
    fits_the_phone(browser_page)
    row = browser_page.locator(f"#application-{application.pk}")
    row.locator("select").select_option("accept")
    row.locator("textarea").fill("Velkommen!")
    row.locator('button[type="submit"]').click()
    expect(browser_page.locator('.site-messages .ds-alert[data-color="success"]')).to_be_visible()
    browser_page.check_accessibility()
    enrolment = UnitEnrolment.objects.get(cohort=next_cohort, unit_id=int(unit_value))
    assert set(enrolment.participants.values_list("user__email", flat=True)) == {
        MANAGER,
        "ny.en@baerum.kommune.no",
        "ny.to@baerum.kommune.no",
    }
    browser_page.locator('form.sign-out button[type="submit"]').click()
    browser_page.check_accessibility()

    # The manager replaces one of the new team's enthusiasts.
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in(browser_page, MANAGER)
    browser_page.check_accessibility()
    browser_page.goto("/me/applications/")
    browser_page.check_accessibility()
    browser_page.locator(f'#my-applications a[href="/teams/{enrolment.pk}/"]').click()
    expect(browser_page.page).to_have_url(re.compile(rf"/teams/{enrolment.pk}/$"))
    browser_page.check_accessibility()
    leaving = enrolment.participants.get(user__email="ny.to@baerum.kommune.no")
    browser_page.locator(f'a[href="/teams/{enrolment.pk}/members/{leaving.pk}/replace/"]').click()
    browser_page.check_accessibility()
    form = browser_page.locator("#team-replace-form")
    form.locator("#id_email").fill("ny.tre@baerum.kommune.no")
    form.locator('button[type="submit"]').click()
    expect(browser_page.locator("#team-members")).to_contain_text("ny.tre@baerum.kommune.no")
    browser_page.check_accessibility()
    current = set(
        Participant.objects.current()
        .filter(enrolment=enrolment)
        .values_list("user__email", flat=True)
    )
    assert current == {MANAGER, "ny.en@baerum.kommune.no", "ny.tre@baerum.kommune.no"}
