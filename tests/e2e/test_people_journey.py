"""The programme administrator manages the office's people in its own page, not the admin:
opens "People and roles" from the dashboard, adds a person by work e-mail with the HR role,
gives them the prize jury role too, then takes them out of the office.

Every page is checked with axe at a desktop and a phone width, where the page fits the
screen (the table scrolls in its own region). The site speaks bokmål, so the journey finds
its way by ids and checks what was stored.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from playwright.sync_api import expect

from lup.demo.seed import seed_demo
from lup.models import Organisation, OrganisationMembership
from lup.roles import HR_GROUP, PRIZE_JURY_GROUP
from tests.e2e.journeys import sign_in_with_two_factor

ADMINISTRATOR = "admin@baerum.kommune.no"
NEWCOMER = "ny.hr@baerum.kommune.no"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def organisation() -> Organisation:
    cache.clear()  # two-factor codes are accepted once
    seed_demo(scale=1)
    return Organisation.objects.get(programmes__slug="lup")


def check_both_widths(browser_page) -> None:
    """axe at a desktop and a phone width; on the phone the page fits the screen."""
    browser_page.set_viewport_size(DESKTOP)
    browser_page.check_accessibility()
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    browser_page.set_viewport_size(DESKTOP)


def groups_of(email: str) -> set[str]:
    person = get_user_model().objects.get(email=email)
    return set(person.groups.values_list("name", flat=True))


def test_the_administrator_gives_and_takes_roles(browser_page, organisation):
    browser_page.set_viewport_size(DESKTOP)
    browser_page.goto("/")
    browser_page.check_accessibility()
    sign_in_with_two_factor(browser_page, ADMINISTRATOR)
    expect(browser_page.page).to_have_url(re.compile(r"/programmes/lup/$"))
    browser_page.check_accessibility()

    # From the dashboard to the people page: the two-factor note, the office's table.
    browser_page.locator("#people-link").click()
    expect(browser_page.page).to_have_url(
        re.compile(rf"/organisations/{organisation.slug}/people/$")
    )
    expect(browser_page.locator("#two-factor-note")).to_be_visible()
    expect(browser_page.locator("#people-list")).to_be_visible()
    check_both_widths(browser_page)

    # Nothing chosen: the form comes back with its errors, and they pass axe too.
    browser_page.locator("#add-person-button").click()
    expect(browser_page.locator("#id_email_error")).to_be_visible()
    check_both_widths(browser_page)

    # A newcomer with the HR role.
    browser_page.locator("#id_email").fill(NEWCOMER)
    browser_page.locator("#id_first_name").fill("Nina")
    browser_page.locator("#id_last_name").fill("Hansen")
    browser_page.locator("#id_roles_2").check()  # HR
    browser_page.locator("#add-person-button").click()
    expect(browser_page.locator(".site-messages")).to_be_visible()
    assert groups_of(NEWCOMER) == {HR_GROUP}
    newcomer = get_user_model().objects.get(email=NEWCOMER)
    check_both_widths(browser_page)

    # The prize jury too, from their row.
    browser_page.locator(f"#role-{newcomer.pk}-prize_jury").check()
    browser_page.locator(f"#roles-form-{newcomer.pk} button[value='save']").click()
    expect(browser_page.locator(".site-messages")).to_be_visible()
    assert groups_of(NEWCOMER) == {HR_GROUP, PRIZE_JURY_GROUP}
    browser_page.check_accessibility()

    # Out of the office: no membership, no role.
    browser_page.locator(f"#roles-form-{newcomer.pk} button[value='remove']").click()
    expect(browser_page.locator(f"#person-{newcomer.pk}")).to_have_count(0)
    assert groups_of(NEWCOMER) == set()
    assert not OrganisationMembership.objects.filter(user=newcomer).exists()
    browser_page.check_accessibility()
