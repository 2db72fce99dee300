"""A programme administrator sets how long Bærum keeps learning records: a wrong value is
explained, a right one is saved and audited. Each page is checked with axe at a desktop
and a phone width; the site speaks bokmål, so the journey finds its way by ids."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from playwright.sync_api import expect

from lup.demo.seed import seed_demo
from lup.models import AuditEvent
from lup.privacy.models import RetentionPeriod
from tests.e2e.journeys import sign_in_with_two_factor

ADMINISTRATOR = "admin@baerum.kommune.no"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def administrator() -> None:
    cache.clear()  # two-factor codes are accepted once
    seed_demo(scale=1)
    # Until the role group grants it (lup.roles), the demo administrator gets it directly.
    get_user_model().objects.get(email=ADMINISTRATOR).user_permissions.add(
        Permission.objects.get(content_type__app_label="lup", codename="change_retentionperiod")
    )


def check_both_widths(browser_page) -> None:
    browser_page.set_viewport_size(DESKTOP)
    browser_page.check_accessibility()
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    browser_page.set_viewport_size(DESKTOP)


def test_administrator_sets_a_retention_period(browser_page, administrator):
    browser_page.set_viewport_size(DESKTOP)
    browser_page.goto("/")
    browser_page.check_accessibility()
    sign_in_with_two_factor(browser_page, ADMINISTRATOR)
    browser_page.check_accessibility()

    browser_page.goto("/privacy/retention/")
    check_both_widths(browser_page)
    expect(browser_page.locator("#retention-organisation")).to_contain_text("Bærum")

    field = browser_page.locator("#id_learning_records")
    field.fill("0")
    browser_page.locator('#retention-form button[type="submit"]').click()
    expect(browser_page.locator("#id_learning_records_error")).to_be_visible()
    expect(field).to_have_attribute("aria-invalid", "true")
    check_both_widths(browser_page)
    assert not RetentionPeriod.objects.exists()

    browser_page.locator("#id_learning_records").fill("36")
    browser_page.locator('#retention-form button[type="submit"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/privacy/retention/$"))
    expect(browser_page.locator(".site-messages .ds-alert")).to_be_visible()
    expect(browser_page.locator("#id_learning_records")).to_have_value("36")
    check_both_widths(browser_page)

    [period] = RetentionPeriod.objects.all()
    assert (period.organisation.slug, period.category, period.months) == (
        "baerum",
        "learning_records",
        36,
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RETENTION_CHANGED).count() == 1
