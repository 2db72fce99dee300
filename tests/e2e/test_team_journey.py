"""The unit's manager runs the team in the browser: finds it from My programme, invites an
enthusiast by e-mail, replaces them, and hands the manager role over. axe on every page,
at 1366 px and at 390 px where the page is new."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lup.demo.seed import seed_demo
from lup.models import AuditEvent, Participant, Programme
from tests.e2e.journeys import sign_in

MANAGER = "leder@baerum.kommune.no"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def team():
    seed_demo(scale=1)
    today = timezone.localdate()
    cohort = Programme.objects.get(slug="lup").cohorts.get(starts_on__lte=today, ends_on__gte=today)
    return Participant.objects.get(
        enrolment__cohort=cohort, user__email=MANAGER, role=Participant.Role.MANAGER
    ).enrolment


def test_the_manager_changes_the_team_and_hands_over(browser_page, team, mailoutbox):
    browser_page.set_viewport_size(DESKTOP)
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in(browser_page, MANAGER)
    expect(browser_page.page).to_have_url(browser_page.url_for("/"))
    browser_page.check_accessibility()
    browser_page.goto("/me/programme/")
    browser_page.check_accessibility()
    browser_page.locator("#my-team a").click()
    expect(browser_page.page).to_have_url(re.compile(rf"/teams/{team.pk}/$"))
    browser_page.check_accessibility()
    expect(browser_page.locator("#team-minimum")).to_be_visible()
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    browser_page.set_viewport_size(DESKTOP)

    # Invite a new enthusiast by work e-mail.
    form = browser_page.locator("#team-invite-form")
    form.locator("#id_email").fill("ny.ildsjel@baerum.kommune.no")
    form.locator("#id_first_name").fill("Nora")
    form.locator("#id_last_name").fill("Nyhus")
    form.locator('button[type="submit"]').click()
    expect(browser_page.page).to_have_url(re.compile(rf"/teams/{team.pk}/$"))
    expect(browser_page.locator("#team-members")).to_contain_text("Nora Nyhus")
    browser_page.check_accessibility()
    newcomer = Participant.objects.get(enrolment=team, user__email="ny.ildsjel@baerum.kommune.no")
    assert newcomer.role == Participant.Role.ENTHUSIAST

    # Replace her: she leaves, someone else takes the place at once.
    browser_page.locator(f'a[href="/teams/{team.pk}/members/{newcomer.pk}/replace/"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/replace/$"))
    browser_page.check_accessibility()
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    browser_page.set_viewport_size(DESKTOP)
    browser_page.locator("#id_email").fill("erstatter@baerum.kommune.no")
    browser_page.locator("#team-replace-form button[type=submit]").click()
    expect(browser_page.page).to_have_url(re.compile(rf"/teams/{team.pk}/$"))
    browser_page.check_accessibility()
    newcomer.refresh_from_db()
    assert newcomer.status == Participant.Status.WITHDRAWN
    replacement = Participant.objects.get(enrolment=team, user__email="erstatter@baerum.kommune.no")

    # Hand the manager role to the replacement; the old manager is an enthusiast now.
    browser_page.locator("#handover_successor").select_option(str(replacement.pk))
    browser_page.locator("#team-handover-form button[type=submit]").click()
    expect(browser_page.page).to_have_url(re.compile(r"/me/programme/$"))
    expect(browser_page.locator(".site-messages .ds-alert")).to_be_visible()
    browser_page.check_accessibility()
    replacement.refresh_from_db()
    assert replacement.role == Participant.Role.MANAGER
    assert Participant.objects.get(enrolment=team, user__email=MANAGER).role == "enthusiast"
    added = AuditEvent.objects.filter(action=AuditEvent.Action.TEAM_MEMBER_ADDED).count()
    assert added == 2
    assert sorted(message.to[0] for message in mailoutbox) == [
        "erstatter@baerum.kommune.no",
        "ny.ildsjel@baerum.kommune.no",
    ]
