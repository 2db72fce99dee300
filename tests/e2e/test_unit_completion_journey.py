"""The whole loop in the browser: a team's work makes its unit complete, and the target
dashboard's count rises by one.

A manager marks a content page done and submits the team's assignment; the facilitator
returns it; an enthusiast resubmits; the facilitator approves it and records attendance
at the closing gathering; the unit flips to completed; HR sees the count go up.
"""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from courses import services as course_services
from courses.models import Submission
from lup.demo.seed import DEMO_PASSWORD
from lup.models import OrganisationMembership, UnitEnrolment
from lup.roles import ensure_role_groups
from lup.selectors import programme_target_progress
from tests.e2e.journeys import sign_in
from tests.factories import UserFactory
from tests.lup.curriculum import build_curriculum


def can_sign_in(user, password: str = DEMO_PASSWORD):
    user.set_password(password)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def loop():
    setup = build_curriculum(team_size=1)
    for person in (setup.manager, *setup.enthusiasts):
        can_sign_in(person)
    facilitator = can_sign_in(UserFactory(email="fasilitator@example.no"))
    setup.cohort.facilitators.add(facilitator)
    # Someone reading the dashboard: HR's permissions, without the two-factor group.
    reader = can_sign_in(UserFactory(email="leser@example.no"))
    reader.user_permissions.add(*ensure_role_groups()["HR"].permissions.all())
    OrganisationMembership.objects.create(
        organisation=setup.cohort.programme.organisation, user=reader
    )
    # The enthusiast has already read the content page.
    course_services.mark_done(user=setup.enthusiasts[0], activity=setup.page)
    return setup, facilitator, reader


def switch_to(browser_page, email: str, next_path: str) -> None:
    if browser_page.locator("form.sign-out button").count():
        browser_page.locator("form.sign-out button").click()
        browser_page.check_accessibility()
    browser_page.goto(f"/accounts/login/?next={next_path}")
    browser_page.check_accessibility()
    sign_in(browser_page, email)
    expect(browser_page.page).to_have_url(re.compile(rf"{re.escape(next_path)}$"))
    browser_page.check_accessibility()


def headline_count(browser_page) -> int:
    return int(browser_page.locator("#headline strong").inner_text().split()[0])


def test_a_teams_work_completes_its_unit_and_moves_the_dashboard(browser_page, loop):
    setup, facilitator, reader = loop
    programme = setup.cohort.programme
    dashboard = f"/programmes/{programme.slug}/"
    page_path = f"/courses/activities/{setup.page.public_id}/"
    assignment_path = f"/courses/activities/{setup.assignment.activity.public_id}/"

    switch_to(browser_page, reader.email, dashboard)
    before = headline_count(browser_page)
    assert before == programme_target_progress(programme).completed

    # The manager reads the content page and marks it done.
    switch_to(browser_page, setup.manager.email, page_path)
    browser_page.locator('form[action$="/done/"] button[type="submit"]').click()
    expect(browser_page.locator('form[action$="/done/"]')).to_have_count(0)
    browser_page.check_accessibility()

    # ...and submits the team's assignment.
    browser_page.goto(assignment_path)
    browser_page.check_accessibility()
    form = browser_page.locator('form[enctype="multipart/form-data"]')
    form.locator("#id_text").fill("Brukerreisen vår: fra søknad til første dag.")
    form.locator('button[type="submit"]').click()
    expect(browser_page.locator("article.attempt")).to_have_count(1)
    browser_page.check_accessibility()
    first = Submission.objects.get()

    # The facilitator returns it with feedback.
    switch_to(browser_page, facilitator.email, f"/courses/submissions/{first.public_id}/review/")
    browser_page.locator('input[name="decision"][value="return"]').check()
    browser_page.locator("#id_feedback").fill("Ta med det brukerne sa.")
    browser_page.locator("main form button[type='submit']").click()
    expect(browser_page.locator(".site-messages .ds-alert")).to_be_visible()
    browser_page.check_accessibility()

    # An enthusiast on the team reads the feedback and resubmits.
    switch_to(browser_page, setup.enthusiasts[0].email, assignment_path)
    expect(browser_page.get_by_text("Ta med det brukerne sa.")).to_be_visible()
    form = browser_page.locator('form[enctype="multipart/form-data"]')
    form.locator("#id_text").fill("Nå med sitater fra tre brukere.")
    form.locator('button[type="submit"]').click()
    expect(browser_page.locator("article.attempt")).to_have_count(2)
    browser_page.check_accessibility()
    second = Submission.objects.get(attempt=2)

    # The facilitator approves it, then records attendance at the closing gathering.
    switch_to(browser_page, facilitator.email, f"/courses/submissions/{second.public_id}/review/")
    browser_page.locator('input[name="decision"][value="approve"]').check()
    browser_page.locator("main form button[type='submit']").click()
    expect(browser_page.locator(".site-messages .ds-alert")).to_be_visible()
    browser_page.check_accessibility()
    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.ENROLLED  # not yet: attendance

    browser_page.goto(f"/gatherings/{setup.gathering.pk}/attendance/")
    browser_page.check_accessibility()
    for participant in setup.enrolment.participants.all():
        browser_page.locator(f'label[for="present-{participant.pk}"]').click()
    browser_page.locator("#attendance-form button[type=submit]").click()
    expect(browser_page.locator(".site-messages .ds-alert")).to_be_visible()
    browser_page.check_accessibility()

    # The unit flipped to completed, and the dashboard shows one more.
    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.COMPLETED
    switch_to(browser_page, reader.email, dashboard)
    assert headline_count(browser_page) == before + 1
