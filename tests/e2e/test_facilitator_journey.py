"""A facilitator follows the running cohort and takes attendance on a phone; a participant
checks in with the QR code.

Every page is checked with axe. The site speaks bokmål, so the journeys find their way
by ids and links and check what was stored.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lup.demo.seed import seed_demo
from lup.models import Attendance, Cohort, Gathering, Participant, Programme
from lup.services.attendance import check_in_code_is_valid, current_check_in_code
from tests.e2e.journeys import sign_in

FACILITATOR = "fasilitator@baerum.kommune.no"
MANAGER = "leder@baerum.kommune.no"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def running_cohort() -> Cohort:
    seed_demo(scale=1)
    today = timezone.localdate()
    return Programme.objects.get(slug="lup").cohorts.get(starts_on__lte=today, ends_on__gte=today)


def fits_the_screen(browser_page, width: int) -> bool:
    return browser_page.evaluate("document.documentElement.scrollWidth") <= width


def test_facilitator_follows_the_cohort_and_takes_attendance_on_a_phone(
    browser_page, running_cohort, settings
):
    browser_page.goto("/")
    browser_page.check_accessibility()
    sign_in(browser_page, FACILITATOR)
    expect(browser_page.page).to_have_url(browser_page.url_for("/"))
    browser_page.check_accessibility()

    # The cohort page links to the progress grid.
    browser_page.goto(f"/cohorts/{running_cohort.pk}/")
    browser_page.check_accessibility()
    browser_page.locator("#cohort-grid-link").click()
    expect(browser_page.page).to_have_url(re.compile(rf"/cohorts/{running_cohort.pk}/progress/$"))
    browser_page.check_accessibility()
    expect(browser_page.locator("#cohort-grid tbody tr")).not_to_have_count(0)
    expect(browser_page.locator("#review-queue tbody tr")).not_to_have_count(0)

    # Only the units behind schedule.
    browser_page.locator("#filter-behind").check()
    browser_page.locator("form.filter-row button[type=submit]").click()
    expect(browser_page.page).to_have_url(re.compile(r"\?.*behind=1"))
    browser_page.check_accessibility()
    expect(
        browser_page.locator("#cohort-grid tbody tr").first.locator(".ds-tag")
    ).not_to_have_count(0)

    # On a phone: the closing gathering's attendance list, from the cohort page. It is
    # months away, so nobody can be marked present yet (that would complete units early).
    closing = running_cohort.gatherings.get(kind=Gathering.Kind.CLOSING)
    browser_page.set_viewport_size(PHONE)
    browser_page.goto(f"/cohorts/{running_cohort.pk}/")
    browser_page.check_accessibility()
    browser_page.locator(f'a[href="/gatherings/{closing.pk}/attendance/"]').click()
    expect(browser_page.page).to_have_url(re.compile(rf"/gatherings/{closing.pk}/attendance/$"))
    browser_page.check_accessibility()
    assert fits_the_screen(browser_page, PHONE["width"])

    participant = (
        Participant.objects.current()
        .filter(enrolment__cohort=running_cohort)
        .order_by("enrolment__unit__name", "-role")
        .first()
    )
    browser_page.locator(f'label[for="present-{participant.pk}"]').click()
    browser_page.locator("#attendance-form button[type=submit]").click()
    expect(browser_page.page).to_have_url(re.compile(rf"/gatherings/{closing.pk}/attendance/$"))
    expect(browser_page.locator('.site-messages .ds-alert[data-color="danger"]')).to_have_count(1)
    browser_page.check_accessibility()
    expect(browser_page.locator(f"#present-{participant.pk}")).not_to_be_checked()
    assert not Attendance.objects.filter(gathering=closing).exists()

    # A gathering under way: the facilitator ticks who is here.
    under_way = Gathering.objects.create(
        cohort=running_cohort,
        kind=Gathering.Kind.SESSION,
        title="Ekstra samling: testing",
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=3),
    )
    browser_page.goto(f"/gatherings/{under_way.pk}/attendance/")
    browser_page.check_accessibility()
    checkbox = browser_page.locator(f"#present-{participant.pk}")
    expect(checkbox).not_to_be_checked()
    browser_page.locator(f'label[for="present-{participant.pk}"]').click()
    expect(checkbox).to_be_checked()
    browser_page.locator("#attendance-form button[type=submit]").click()
    expect(browser_page.page).to_have_url(re.compile(rf"/gatherings/{under_way.pk}/attendance/$"))
    expect(browser_page.locator(".site-messages .ds-alert")).to_be_visible()
    browser_page.check_accessibility()
    expect(browser_page.locator(f"#present-{participant.pk}")).to_be_checked()
    assert Attendance.objects.filter(gathering=under_way, participant=participant).count() == 1

    # The QR code to show on the screen: its code turns (every 2 seconds here), and the
    # page's script fetches the next one without reloading.
    settings.LUP_CHECK_IN_CODE_SECONDS = 2
    browser_page.goto(f"/gatherings/{under_way.pk}/qr/")
    browser_page.check_accessibility()
    expect(browser_page.locator(".qr-code svg")).to_be_visible()
    link = browser_page.locator("#check-in-url")
    expect(link).to_contain_text(f"/gatherings/{under_way.pk}/check-in/")
    first = link.text_content()
    expect(link).not_to_have_text(first, timeout=10_000)
    expect(browser_page.locator(".qr-code svg")).to_have_count(1)
    assert link.get_attribute("href") == link.text_content()
    assert fits_the_screen(browser_page, PHONE["width"])


def test_participant_checks_in_with_the_qr_code_on_a_phone(browser_page, running_cohort, settings):
    now = timezone.localtime()
    today = now.date()
    gathering = Gathering.objects.create(
        cohort=running_cohort,
        kind=Gathering.Kind.SESSION,
        title="Ekstra samling: prototyping",
        starts_at=timezone.make_aware(dt.datetime.combine(today, dt.time(0, 1))),
        ends_at=timezone.make_aware(dt.datetime.combine(today, dt.time(23, 59))),
        place="Kunnskapssenteret, Bekkestua",
    )
    browser_page.set_viewport_size(PHONE)

    # Scanning the code opens the check-in page, which asks to sign in first (the scan is
    # remembered while signing in takes longer than the code on the screen lasts).
    settings.LUP_CHECK_IN_CODE_SECONDS = 3
    code = current_check_in_code(gathering)[0]
    browser_page.goto(f"/gatherings/{gathering.pk}/check-in/{code}/")
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/login/\?next="))
    browser_page.check_accessibility()
    browser_page.wait_for_timeout(6500)  # the code in the address has run out meanwhile
    assert not check_in_code_is_valid(gathering, code)
    sign_in(browser_page, MANAGER)
    expect(browser_page.page).to_have_url(re.compile(rf"/gatherings/{gathering.pk}/check-in/"))
    browser_page.check_accessibility()
    assert fits_the_screen(browser_page, PHONE["width"])

    browser_page.locator("#check-in-button").click()
    expect(browser_page.locator("#checked-in")).to_be_visible()
    browser_page.check_accessibility()
    attendance = Attendance.objects.get(gathering=gathering)
    assert attendance.participant.user.email == MANAGER
    assert attendance.method == Attendance.Method.CHECK_IN


DESKTOP = {"width": 1366, "height": 900}


def test_a_facilitators_day_starts_on_the_home_page(browser_page, running_cohort):
    """Home shows what waits; the review page names the unit and goes on to the next
    answer; the attendance list narrows to a name on a phone. axe on every page, at both
    widths where the page is new."""
    browser_page.set_viewport_size(DESKTOP)
    browser_page.goto("/")
    browser_page.check_accessibility()
    sign_in(browser_page, FACILITATOR)
    expect(browser_page.page).to_have_url(browser_page.url_for("/"))
    card = browser_page.locator("#facilitated .ds-card").first
    expect(card).to_contain_text(running_cohort.name)
    browser_page.check_accessibility()
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    assert fits_the_screen(browser_page, PHONE["width"])
    browser_page.set_viewport_size(DESKTOP)

    # "N answers waiting for review" leads to the queue, and the queue to the first answer.
    card.locator('a[href$="#review-heading"]').click()
    expect(browser_page.page).to_have_url(re.compile(rf"/cohorts/{running_cohort.pk}/progress/"))
    browser_page.check_accessibility()
    waiting = browser_page.locator("#review-queue tbody tr").count()
    assert waiting >= 2  # the demo leaves answers waiting
    browser_page.locator('#review-queue a[href*="/review/"]').first.click()
    expect(browser_page.page).to_have_url(re.compile(r"/courses/submissions/.+/review/$"))
    browser_page.check_accessibility()
    first_review = browser_page.page.url
    facts = browser_page.locator("dl.facts").first
    expect(facts).to_contain_text(running_cohort.name)  # "Fra: <unit>, <cohort>"
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    assert fits_the_screen(browser_page, PHONE["width"])
    browser_page.set_viewport_size(DESKTOP)

    # Approve: the next answer opens at once.
    browser_page.locator('input[name="decision"][value="approve"]').check()
    browser_page.locator("form.answer-form button[type=submit]").click()
    expect(browser_page.page).not_to_have_url(first_review)
    expect(browser_page.page).to_have_url(re.compile(r"/courses/submissions/.+/review/$"))
    expect(browser_page.locator(".site-messages .ds-alert")).to_be_visible()
    browser_page.check_accessibility()
    browser_page.locator('nav.button-row a[href$="#review-heading"]').click()
    expect(browser_page.page).to_have_url(re.compile(rf"/cohorts/{running_cohort.pk}/progress/"))
    expect(browser_page.locator("#review-queue tbody tr")).to_have_count(waiting - 1)
    browser_page.check_accessibility()

    # On a phone, the attendance list of a gathering under way, narrowed to one person.
    under_way = Gathering.objects.create(
        cohort=running_cohort,
        kind=Gathering.Kind.SESSION,
        title="Ekstra samling: gevinster",
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=3),
    )
    person = (
        Participant.objects.current()
        .filter(enrolment__cohort=running_cohort)
        .select_related("user")
        .order_by("enrolment__unit__name", "-role")
        .last()
    )
    browser_page.set_viewport_size(PHONE)
    browser_page.goto("/")
    browser_page.check_accessibility()
    browser_page.locator(f'#facilitated a[href="/gatherings/{under_way.pk}/attendance/"]').click()
    expect(browser_page.page).to_have_url(re.compile(rf"/gatherings/{under_way.pk}/attendance/$"))
    browser_page.check_accessibility()
    browser_page.locator("#attendance-search").fill(person.user.last_name)
    browser_page.locator("#attendance-filter button[type=submit]").click()
    expect(browser_page.locator(f"#present-{person.pk}")).to_be_visible()
    browser_page.check_accessibility()
    assert fits_the_screen(browser_page, PHONE["width"])
    shown = browser_page.locator('#attendance-form input[name="present"]').count()
    assert (
        1 <= shown < Participant.objects.current().filter(enrolment__cohort=running_cohort).count()
    )
    browser_page.locator(f'label[for="present-{person.pk}"]').click()
    browser_page.locator("#attendance-form button[type=submit]").click()
    expect(browser_page.locator(".site-messages .ds-alert")).to_be_visible()
    expect(browser_page.locator("#attendance-search")).to_have_value(person.user.last_name)
    browser_page.check_accessibility()
    assert Attendance.objects.filter(gathering=under_way).count() == 1
