"""A programme administrator signs in and reads the target dashboard.

The site defaults to Norwegian bokmål, so the tests assert on numbers, ids and
structure, not on wording.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lup.demo.seed import seed_demo
from lup.models import Programme
from lup.selectors import programme_target_progress
from tests.e2e.journeys import sign_in, sign_in_with_two_factor

ADMINISTRATOR = "admin@baerum.kommune.no"


@pytest.fixture
def demo_data() -> None:
    seed_demo(scale=1)


def test_administrator_signs_in_and_reads_the_target_dashboard(browser_page, demo_data):
    progress = programme_target_progress(Programme.objects.get(slug="lup"))

    browser_page.goto("/")
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    browser_page.check_accessibility()

    # Administrators use two-factor authentication: password, then the authenticator code.
    sign_in_with_two_factor(browser_page, ADMINISTRATOR)
    expect(browser_page.page).to_have_url(re.compile(r"/programmes/lup/$"))
    browser_page.check_accessibility()

    headline = browser_page.locator("#headline")
    expect(headline).to_contain_text(str(progress.target))
    expect(headline.locator("strong")).to_contain_text(str(progress.completed))

    chart = browser_page.locator("svg.chart[role=img]")
    expect(chart.locator("title")).to_have_count(1)
    expect(chart.locator("title")).not_to_be_empty()
    expect(browser_page.locator("#sector-table tbody tr")).not_to_have_count(0)
    expect(browser_page.locator("#cohort-table tbody tr")).not_to_have_count(0)

    figures = browser_page.locator("#burnup-table")
    expect(figures).to_be_hidden()
    browser_page.locator("details.ds-details > summary").click()
    expect(figures).to_be_visible()
    expect(figures.locator("tbody tr")).not_to_have_count(0)
    browser_page.check_accessibility()

    # On a phone the page reflows to the screen's width (WCAG 1.4.10); wide tables scroll
    # inside their own keyboard-focusable regions.
    browser_page.set_viewport_size({"width": 320, "height": 640})
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= 320
    browser_page.check_accessibility()


def test_unit_manager_lands_on_their_participation(browser_page, demo_data):
    browser_page.goto("/")
    browser_page.check_accessibility()

    sign_in(browser_page, "leder@baerum.kommune.no")
    expect(browser_page.page).to_have_url(browser_page.url_for("/"))
    expect(browser_page.locator("#headline")).to_have_count(0)
    expect(browser_page.locator("main table tbody tr")).not_to_have_count(0)
    browser_page.check_accessibility()


def test_accessibility_statement_is_linked_from_the_footer(browser_page):
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()

    browser_page.locator("footer a[href='/tilgjengelighet/']").click()
    expect(browser_page.page).to_have_url(re.compile(r"/tilgjengelighet/$"))
    expect(browser_page.locator("main h1")).to_be_visible()
    browser_page.check_accessibility()


def test_language_switch_changes_the_page_language(browser_page):
    browser_page.goto("/accounts/login/")
    expect(browser_page.locator("html")).to_have_attribute("lang", "nb")
    browser_page.check_accessibility()

    language_form = browser_page.locator("form.language-switch")
    language_form.locator("select[name=language]").select_option("en")
    language_form.locator('button[type="submit"]').click()
    expect(browser_page.locator("html")).to_have_attribute("lang", "en")
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/login/$"))
    browser_page.check_accessibility()
