"""The programme office runs its cohorts in the product's own pages: the administrator
(two-factor) creates a cohort, plans a gathering with its place and agenda, assigns a
facilitator, and moves a unit into the new cohort from the running one, with its team.

Every page is checked with axe at a desktop and a phone width, and fits the phone. The
site speaks bokmål, so the journey finds its way by ids and checks what was stored.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from lup.demo.logins import FACILITATOR
from lup.demo.seed import seed_demo
from lup.models import AuditEvent, Cohort, Gathering, Programme, UnitEnrolment
from tests.e2e.journeys import sign_in_with_two_factor

ADMINISTRATOR = "admin@baerum.kommune.no"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def running() -> Cohort:
    """The running cohort of the demo programme."""
    cache.clear()  # two-factor codes are accepted once
    seed_demo(scale=1)
    today = timezone.localdate()
    programme = Programme.objects.get(slug="lup")
    return programme.cohorts.get(starts_on__lte=today, ends_on__gte=today)


def check_both_widths(browser_page) -> None:
    """axe at a desktop and a phone width; on the phone the page fits the screen."""
    browser_page.set_viewport_size(DESKTOP)
    browser_page.check_accessibility()
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    browser_page.set_viewport_size(DESKTOP)


def test_the_office_creates_a_cohort_plans_it_and_moves_a_unit_in(browser_page, running):
    facilitator = get_user_model().objects.get(email=FACILITATOR)
    moving = (
        running.enrolments.filter(status=UnitEnrolment.Status.ENROLLED)
        .order_by("unit__name")
        .first()
    )
    assert moving is not None
    team = set(moving.participants.values_list("pk", flat=True))
    starts = timezone.localdate() + dt.timedelta(days=400)

    browser_page.set_viewport_size(DESKTOP)
    browser_page.goto("/")
    browser_page.check_accessibility()
    sign_in_with_two_factor(browser_page, ADMINISTRATOR)
    expect(browser_page.page).to_have_url(re.compile(r"/programmes/lup/$"))
    browser_page.check_accessibility()

    # A new cohort, from the cohort list.
    browser_page.goto("/cohorts/")
    check_both_widths(browser_page)
    browser_page.locator("#cohort-create-lup").click()
    expect(browser_page.page).to_have_url(re.compile(r"/programmes/lup/cohorts/new/$"))
    check_both_widths(browser_page)
    # A wrong end first: the form says so, accessibly, and nothing is created.
    browser_page.locator("#id_name").fill("LUP Kontor")
    browser_page.locator("#id_starts_on").fill(starts.isoformat())
    browser_page.locator("#id_ends_on").fill((starts - dt.timedelta(days=1)).isoformat())
    browser_page.locator("#cohort-save").click()
    expect(browser_page.locator("#id_ends_on")).to_have_attribute("aria-invalid", "true")
    expect(browser_page.locator("#id_ends_on_error")).to_be_visible()
    check_both_widths(browser_page)
    assert not Cohort.objects.filter(name="LUP Kontor").exists()
    browser_page.locator("#id_ends_on").fill((starts + dt.timedelta(days=180)).isoformat())
    browser_page.locator("#cohort-save").click()
    cohort = Cohort.objects.get(name="LUP Kontor")
    expect(browser_page.page).to_have_url(re.compile(rf"/cohorts/{cohort.pk}/$"))
    check_both_widths(browser_page)
    assert cohort.starts_on == starts
    assert not cohort.facilitators.exists()

    # A gathering with its place and agenda.
    browser_page.locator("#gathering-plan-link").click()
    expect(browser_page.page).to_have_url(re.compile(rf"/cohorts/{cohort.pk}/gatherings/new/$"))
    check_both_widths(browser_page)
    browser_page.locator("#id_title").fill("Åpningssamling")
    browser_page.locator("#id_kind").select_option("opening")
    browser_page.locator("#id_starts_at").fill(f"{starts.isoformat()}T09:00")
    browser_page.locator("#id_ends_at").fill(f"{starts.isoformat()}T15:30")
    browser_page.locator("#id_place").fill("Bærum rådhus, kommunestyresalen")
    browser_page.locator("#id_agenda").fill("09.00 Velkommen\n10.00 Hva er innovasjon?")
    browser_page.locator("#gathering-save").click()
    expect(browser_page.page).to_have_url(re.compile(rf"/cohorts/{cohort.pk}/$"))
    expect(browser_page.locator(".gathering-list")).to_contain_text("kommunestyresalen")
    check_both_widths(browser_page)
    gathering = Gathering.objects.get(cohort=cohort)
    assert gathering.kind == Gathering.Kind.OPENING
    assert timezone.localtime(gathering.starts_at).time() == dt.time(9, 0)
    assert gathering.agenda.startswith("09.00 Velkommen")

    # A facilitator assigned on the cohort's edit page.
    browser_page.locator("#cohort-edit-link").click()
    expect(browser_page.page).to_have_url(re.compile(rf"/cohorts/{cohort.pk}/edit/$"))
    check_both_widths(browser_page)
    browser_page.locator(f'input[name="facilitators"][value="{facilitator.pk}"]').check()
    browser_page.locator("#cohort-save").click()
    expect(browser_page.page).to_have_url(re.compile(rf"/cohorts/{cohort.pk}/$"))
    check_both_widths(browser_page)
    assert list(cohort.facilitators.all()) == [facilitator]

    # A unit of the running cohort moves in, with its team.
    browser_page.goto(f"/cohorts/{running.pk}/")
    check_both_widths(browser_page)
    browser_page.locator(f'a[href="/teams/{moving.pk}/move/"]').click()
    expect(browser_page.page).to_have_url(re.compile(rf"/teams/{moving.pk}/move/$"))
    check_both_widths(browser_page)
    browser_page.locator("#id_to_cohort").select_option(str(cohort.pk))
    browser_page.locator("#unit-move-button").click()
    expect(browser_page.page).to_have_url(re.compile(rf"/cohorts/{running.pk}/$"))
    expect(browser_page.locator(".site-messages .ds-alert")).to_be_visible()
    row = browser_page.locator("#team-list tbody tr", has_text=moving.unit.name)
    expect(row).to_contain_text(cohort.name)
    check_both_widths(browser_page)

    moving.refresh_from_db()
    assert moving.status == UnitEnrolment.Status.MOVED
    assert moving.moved_to is not None
    assert moving.moved_to.cohort == cohort
    assert set(moving.moved_to.participants.values_list("pk", flat=True)) == team
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.UNIT_MOVED, details__to_cohort="LUP Kontor"
    ).exists()

    # The new cohort's page lists the unit that moved in.
    browser_page.goto(f"/cohorts/{cohort.pk}/")
    check_both_widths(browser_page)
    expect(browser_page.locator("#team-list")).to_contain_text(moving.unit.name)
