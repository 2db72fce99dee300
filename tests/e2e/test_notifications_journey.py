"""An enthusiast finds their notifications from the home page, opens one, marks the rest
read and chooses the daily e-mail for a kind; the administrator reads the programme's
e-mails from the dashboard, in Nynorsk. Every page passes axe at a desktop and a phone
width, where it fits the screen."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from playwright.sync_api import expect

from lup import app_settings
from lup.demo.logins import ADMINISTRATOR, ENTHUSIAST
from lup.demo.seed import seed_demo
from lup.models import Programme
from lup.notifications.models import Delivery, Notification, NotificationPreference
from tests.e2e.journeys import sign_in, sign_in_with_two_factor

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
Kind = Notification.Kind


@pytest.fixture
def enthusiast():
    seed_demo(scale=1)
    person = get_user_model().objects.get(email=ENTHUSIAST)
    for number in range(3):
        Notification.objects.create(
            recipient=person,
            kind=Kind.ANSWER_RETURNED,
            key=f"journey:{number}",
            context={"activity": f"Brukerreise {number}", "organisation": "Bærum kommune"},
            url=f"{app_settings.SITE_URL()}/me/programme/",
            delivery=Delivery.OFF,
        )
    return person


def check_both_widths(browser_page) -> None:
    browser_page.set_viewport_size(DESKTOP)
    browser_page.check_accessibility()
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    browser_page.set_viewport_size(DESKTOP)


def test_an_enthusiast_reads_their_notifications_and_chooses_the_daily_email(
    browser_page, enthusiast
):
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in(browser_page, ENTHUSIAST)
    expect(browser_page.locator("#notifications-link")).to_be_visible()
    check_both_widths(browser_page)

    browser_page.locator("#notifications-link").click()
    check_both_widths(browser_page)
    expect(browser_page.locator("#unread-count")).to_contain_text("3")
    first = enthusiast.lup_notifications.order_by("-created_at", "-pk").first()
    browser_page.locator(f"#notification-{first.pk} h2 a").click()
    expect(browser_page.page).to_have_url(f"{browser_page.base_url}/me/programme/")
    browser_page.check_accessibility()
    browser_page.goto("/me/notifications/")
    check_both_widths(browser_page)
    browser_page.locator("#mark-all-read").click()
    expect(browser_page.locator("#unread-count")).to_contain_text("0")
    check_both_widths(browser_page)
    assert not enthusiast.lup_notifications.filter(read_at__isnull=True).exists()

    browser_page.locator("#choices-link").click()
    check_both_widths(browser_page)
    browser_page.locator("#id_answer_returned_1").check()  # "In one daily e-mail"
    browser_page.locator("#choices-save").click()
    check_both_widths(browser_page)
    assert list(NotificationPreference.objects.values_list("kind", "delivery")) == [
        (Kind.ANSWER_RETURNED, Delivery.DAILY)
    ]


def test_the_administrator_reads_the_programmes_emails(browser_page):
    seed_demo(scale=1)
    cache.clear()  # used authenticator codes
    programme = Programme.objects.order_by("pk").first()
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in_with_two_factor(browser_page, ADMINISTRATOR)
    # One programme: the administrator lands on its dashboard.
    expect(browser_page.page).to_have_url(f"{browser_page.base_url}/programmes/{programme.slug}/")
    browser_page.check_accessibility()

    browser_page.locator("#email-previews-link").click()
    check_both_widths(browser_page)
    browser_page.locator("#preview-language").select_option("nn")
    browser_page.locator("#language-form button").click()
    expect(browser_page.locator("#email-digest")).to_be_visible()
    check_both_widths(browser_page)
    for kind in Kind:
        expect(browser_page.locator(f"#email-{kind}")).to_have_count(1)
