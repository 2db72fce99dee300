"""An enthusiast puts the gatherings in their own calendar: from the cohort page they make
the secret calendar address, which a calendar app reads without signing in (read back here
with the `icalendar` library), and stop it again, after which the address answers 404.
Every page is checked with axe at a desktop and a phone width, where it fits the screen."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from lup.calendar.events import gathering_uid
from lup.demo.logins import ENTHUSIAST
from lup.demo.seed import seed_demo
from lup.models import Gathering, Participant
from tests.e2e.journeys import sign_in

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def cohort():
    seed_demo(scale=1)
    return Participant.objects.current().get(user__email=ENTHUSIAST).enrolment.cohort


def check_both_widths(browser_page) -> None:
    browser_page.set_viewport_size(DESKTOP)
    browser_page.check_accessibility()
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    browser_page.set_viewport_size(DESKTOP)


def test_an_enthusiast_subscribes_to_the_gatherings_and_stops_it(browser_page, cohort):
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in(browser_page, ENTHUSIAST)
    expect(browser_page.locator(".signed-in-as")).to_be_visible()
    browser_page.check_accessibility()
    browser_page.goto(f"/cohorts/{cohort.pk}/")
    check_both_widths(browser_page)
    first = cohort.gatherings.order_by("starts_at").first()
    expect(browser_page.locator(f'a[href="/gatherings/{first.pk}/calendar.ics"]')).to_have_count(1)

    browser_page.locator("#my-calendar-link").click()
    check_both_widths(browser_page)
    browser_page.locator("#calendar-make").click()
    expect(browser_page.locator("#calendar-address")).to_be_visible()
    check_both_widths(browser_page)
    webcal = browser_page.locator("#calendar-webcal").input_value()
    https = browser_page.locator("#calendar-https").input_value()
    assert webcal.startswith("webcal://")
    assert https.endswith(webcal.split("://", 1)[1])

    # What a calendar app reads, without the browser's session.
    path = "/" + https.split("://", 1)[1].split("/", 1)[1]
    response = browser_page.page.context.request.get(
        browser_page.base_url + path, headers={"Cookie": ""}
    )
    assert response.status == 200
    calendar = Calendar.from_ical(response.body())
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    expected = {gathering_uid(g) for g in Gathering.objects.filter(cohort=cohort)}
    assert expected <= uids

    browser_page.goto("/me/calendar/")
    check_both_widths(browser_page)
    browser_page.locator("#calendar-revoke").click()
    expect(browser_page.locator("#calendar-make")).to_be_visible()
    check_both_widths(browser_page)
    gone = browser_page.page.context.request.get(browser_page.base_url + path)
    assert gone.status == 404
