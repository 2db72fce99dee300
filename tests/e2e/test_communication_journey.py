"""Issue 21's "done when", in the browser with the mail caught by a real SMTP server: the
facilitator returns an answer (its team is told, each once) and writes to the running cohort
(every member and facilitator is told, once); an enthusiast then finds the announcement in
their notifications and opens it. Every page passes axe; new ones at a phone width too."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from courses.api import Submission
from lup.demo.logins import ENTHUSIAST, FACILITATOR
from lup.demo.seed import seed_demo
from lup.models import Cohort, Participant, Programme
from lup.notifications.models import Announcement, Notification
from tests.e2e.journeys import sign_in
from tests.smtp import Received

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def running_cohort() -> Cohort:
    seed_demo(scale=1)
    today = timezone.localdate()
    return Programme.objects.get(slug="lup").cohorts.get(starts_on__lte=today, ends_on__gte=today)


def check_both_widths(browser_page) -> None:
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    browser_page.set_viewport_size(DESKTOP)
    browser_page.check_accessibility()


def addresses(smtp_server: Received, subject_part: str) -> list[str]:
    return sorted(
        address
        for recipients, message in smtp_server.messages
        if subject_part in str(message["Subject"])
        for address in recipients
    )


def test_a_returned_answer_and_an_announcement_reach_the_people_once(
    browser_page, running_cohort, smtp_server: Received
):
    browser_page.set_viewport_size(DESKTOP)
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in(browser_page, FACILITATOR)
    browser_page.check_accessibility()

    # Return the first waiting answer with feedback, from the review queue.
    browser_page.goto(f"/cohorts/{running_cohort.pk}/progress/")
    browser_page.check_accessibility()
    browser_page.locator('#review-queue a[href*="/review/"]').first.click()
    expect(browser_page.page).to_have_url(re.compile(r"/courses/submissions/.+/review/$"))
    browser_page.check_accessibility()
    public_id = re.search(r"/submissions/([^/]+)/review/", browser_page.page.url).group(1)
    submission = Submission.objects.get(public_id=public_id)
    browser_page.locator('input[name="decision"][value="return"]').check()
    browser_page.locator('textarea[name="feedback"]').fill("Beskriv brukerens behov tydeligere.")
    browser_page.locator("form.answer-form button[type=submit]").click()
    expect(browser_page.locator(".site-messages .ds-alert")).to_be_visible()
    browser_page.check_accessibility()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED
    told = set(
        Notification.objects.filter(
            kind=Notification.Kind.ANSWER_RETURNED, key__contains=str(submission.public_id)
        ).values_list("recipient__email", flat=True)
    )
    assert told  # the team that handed it in
    returned = [
        address
        for recipients, message in smtp_server.messages
        if message["Auto-Submitted"] == "auto-generated"
        for address in recipients
    ]
    assert sorted(returned) == sorted(told)  # each once, nobody else

    # Write to the whole cohort from its page.
    smtp_server.messages.clear()
    browser_page.goto(f"/cohorts/{running_cohort.pk}/")
    browser_page.check_accessibility()
    browser_page.locator("#cohort-announcement-write-link").click()
    check_both_widths(browser_page)
    reach = int(browser_page.locator("#announcement-reach").get_attribute("data-count"))
    # Sending nothing is refused on the page, and nothing is stored.
    browser_page.locator("#announcement-send").click()
    expect(browser_page.locator("#form-errors")).to_be_visible()
    browser_page.check_accessibility()
    assert not Announcement.objects.exists()
    browser_page.locator("#id_subject").fill("Samling 3 flyttes til Kulturhuset")
    browser_page.locator("#id_body").fill("Vi møtes i Kulturhuset, sal 2. Ta med teamcanvaset.")
    browser_page.locator("#announcement-send").click()
    expect(browser_page.page).to_have_url(re.compile(r"/announcements/\d+/$"))
    check_both_widths(browser_page)

    members = set(
        Participant.objects.current()
        .filter(enrolment__cohort=running_cohort, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    facilitators = set(running_cohort.facilitators.values_list("email", flat=True))
    expected = sorted((members | facilitators) - {FACILITATOR})
    assert addresses(smtp_server, "Samling 3 flyttes") == expected  # each once
    assert reach == len(expected)
    assert ENTHUSIAST in expected

    # The enthusiast finds it among their notifications and opens it.
    browser_page.page.context.clear_cookies()
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in(browser_page, ENTHUSIAST)
    browser_page.check_accessibility()
    browser_page.locator("#notifications-link").click()
    browser_page.check_accessibility()
    announcement = Announcement.objects.get()
    notification = Notification.objects.get(
        recipient__email=ENTHUSIAST, key=f"announcement:{announcement.pk}"
    )
    item = browser_page.locator(f"#notification-{notification.pk}")
    expect(item).to_contain_text("Samling 3 flyttes til Kulturhuset")
    item.locator("h2 a").click()
    expect(browser_page.page).to_have_url(re.compile(rf"/announcements/{announcement.pk}/$"))
    expect(browser_page.locator("main")).to_contain_text("Ta med teamcanvaset.")
    browser_page.check_accessibility()
    notification.refresh_from_db()
    assert notification.read_at is not None
