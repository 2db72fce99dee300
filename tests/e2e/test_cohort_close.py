"""A programme administrator closes the running cohort: one unit moves to the next cohort
with its team, every other unit still enrolled has not completed.

Every page is checked with axe at a desktop and a phone width. The site speaks bokmål, so
the journey finds its way by ids and checks what was stored.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from lup.demo.seed import seed_demo
from lup.models import Cohort, Participant, Programme, UnitEnrolment
from tests.e2e.journeys import sign_in_with_two_factor

ADMINISTRATOR = "admin@baerum.kommune.no"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def cohorts() -> tuple[Cohort, Cohort]:
    """The running cohort of the demo programme and the one after it."""
    cache.clear()  # two-factor codes are accepted once
    seed_demo(scale=1)
    today = timezone.localdate()
    programme = Programme.objects.get(slug="lup")
    running = programme.cohorts.get(starts_on__lte=today, ends_on__gte=today)
    later = programme.cohorts.filter(starts_on__gt=running.starts_on).order_by("starts_on").first()
    assert later is not None
    return running, later


def check_both_widths(browser_page) -> None:
    """axe at a desktop and a phone width; on the phone the page fits the screen."""
    browser_page.set_viewport_size(DESKTOP)
    browser_page.check_accessibility()
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    browser_page.set_viewport_size(DESKTOP)


def test_administrator_closes_the_cohort_moving_one_unit(browser_page, cohorts):
    running, later = cohorts
    enrolled = list(
        running.enrolments.filter(status=UnitEnrolment.Status.ENROLLED).order_by("unit__name")
    )
    assert len(enrolled) >= 2
    moving = next(e for e in enrolled if not later.enrolments.filter(unit=e.unit).exists())
    team = set(moving.participants.values_list("pk", flat=True))
    assert team

    browser_page.set_viewport_size(DESKTOP)
    browser_page.goto("/")
    browser_page.check_accessibility()
    sign_in_with_two_factor(browser_page, ADMINISTRATOR)
    expect(browser_page.page).to_have_url(re.compile(r"/programmes/lup/$"))
    browser_page.check_accessibility()

    # The cohort page offers to close it (the cohort has started).
    browser_page.goto(f"/cohorts/{running.pk}/")
    check_both_widths(browser_page)
    browser_page.locator("#cohort-close-link").click()
    expect(browser_page.page).to_have_url(re.compile(rf"/cohorts/{running.pk}/close/$"))
    check_both_widths(browser_page)
    expect(browser_page.locator("#close-summary")).to_be_visible()
    expect(browser_page.locator("#units-to-settle tbody tr")).to_have_count(len(enrolled))

    # One unit moves to the next cohort; the others keep "not completed".
    choice = browser_page.locator(f"#id_unit-{moving.pk}")
    choice.select_option(str(later.pk))
    browser_page.locator("#close-cohort-button").click()
    expect(browser_page.page).to_have_url(re.compile(rf"/cohorts/{running.pk}/$"))
    expect(browser_page.locator("#cohort-closed")).to_be_visible()
    expect(browser_page.locator(".site-messages .ds-alert")).to_be_visible()
    expect(browser_page.locator("#cohort-close-link")).to_have_count(0)
    row = browser_page.locator("#team-list tbody tr", has_text=moving.unit.name)
    expect(row).to_contain_text(later.name)
    check_both_widths(browser_page)

    running.refresh_from_db()
    moving.refresh_from_db()
    assert running.is_closed
    assert moving.status == UnitEnrolment.Status.MOVED
    assert moving.moved_to.cohort == later
    assert set(moving.moved_to.participants.values_list("pk", flat=True)) == team
    others = running.enrolments.filter(pk__in=[e.pk for e in enrolled]).exclude(pk=moving.pk)
    assert set(others.values_list("status", flat=True)) <= {
        UnitEnrolment.Status.NOT_COMPLETED,
        UnitEnrolment.Status.COMPLETED,  # a team that had met the rule, recorded on closing
    }
    assert not Participant.objects.filter(enrolment=moving).exists()

    # The closing page now tells what became of each unit.
    browser_page.goto(f"/cohorts/{running.pk}/close/")
    check_both_widths(browser_page)
    expect(browser_page.locator("#closing-outcome")).to_contain_text(later.name)
