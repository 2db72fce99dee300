"""Stjæl og del in the browser: publish with consent, find, reuse, export and import, award.

The demo manager publishes the team's project under an open licence; a member of another
unit finds it by search and filter, marks that their unit reuses it with their own project,
and the source page shows the reuse. The project is exported as JSON and imported into
another organisation by a programme administrator; the jury declares a winner and the
catalogue shows it. Assertions are on ids, numbers and names, not on wording.
"""

from __future__ import annotations

import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import expect

from lup.demo.seed import DEMO_PASSWORD, seed_demo
from lup.innovation.models import InnovationProject, Nomination, ProjectReuse
from lup.models import Organisation, OrganisationMembership, Participant
from lup.roles import PRIZE_JURY_GROUP, ensure_role_groups
from tests.e2e.journeys import sign_in
from tests.factories import UserFactory

MANAGER = "leder@baerum.kommune.no"


def can_sign_in(user, password: str = DEMO_PASSWORD):
    user.set_password(password)
    user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def switch_to(browser_page, email: str, next_path: str) -> None:
    browser_page.context.clear_cookies()
    browser_page.goto(f"/accounts/login/?next={next_path}")
    browser_page.check_accessibility()
    sign_in(browser_page, email)
    expect(browser_page.page).to_have_url(re.compile(rf"{re.escape(next_path)}(\?.*)?$"))
    browser_page.check_accessibility()


@pytest.fixture
def demo():
    seed_demo(scale=1)
    project = InnovationProject.objects.get(enrolment__participants__user__email=MANAGER)
    InnovationProject.objects.filter(pk=project.pk).update(title="Nattlys og trygg søvn")
    project.refresh_from_db()
    # A member of another team in the same cohort, with a project of their own.
    other = (
        Participant.objects.current()
        .filter(enrolment__cohort=project.enrolment.cohort, enrolment__project__isnull=False)
        .exclude(enrolment=project.enrolment)
        .select_related("user", "enrolment__unit", "enrolment__project")
        .order_by("enrolment__unit__code", "pk")
        .first()
    )
    can_sign_in(other.user)
    # Hole's programme administrator imports (the permission directly: no two-factor group).
    hole = Organisation.objects.get(slug="hole")
    importer = can_sign_in(UserFactory(email="admin@hole.kommune.no"))
    importer.user_permissions.add(
        *ensure_role_groups()["Programme administrators"].permissions.filter(
            codename="add_innovationproject"
        )
    )
    OrganisationMembership.objects.create(organisation=hole, user=importer)
    juror = can_sign_in(UserFactory(email="jury@baerum.kommune.no"))
    juror.groups.add(ensure_role_groups()[PRIZE_JURY_GROUP])
    OrganisationMembership.objects.create(organisation=project.organisation, user=juror)
    return project, other, hole, juror


def test_publish_find_reuse_export_import_and_award(browser_page, demo):
    project, other, hole, juror = demo

    # 1. The manager publishes with consent and a licence.
    publish = f"/projects/{project.pk}/publish/"
    browser_page.goto(f"/accounts/login/?next={publish}")
    browser_page.check_accessibility()
    sign_in(browser_page, MANAGER)
    expect(browser_page.page).to_have_url(re.compile(rf"{publish}$"))
    browser_page.check_accessibility()
    browser_page.locator("#publish-form input[value='CC-BY-4.0']").check()
    browser_page.locator("#publish-form button[type=submit]").click()  # no consent yet
    expect(browser_page.locator("#id_consent")).to_have_attribute("aria-invalid", "true")
    browser_page.check_accessibility()
    project.refresh_from_db()
    assert project.published_at is None
    browser_page.locator("#publish-form input[value='CC-BY-4.0']").check()
    browser_page.locator("#id_consent").check()
    browser_page.locator("#publish-form button[type=submit]").click()
    page_path = f"/catalogue/{project.public_id}/"
    expect(browser_page.page).to_have_url(re.compile(rf"{page_path}$"))
    expect(browser_page.locator("#project-licence")).to_contain_text("CC BY 4.0")
    browser_page.check_accessibility()

    # 2. Another unit's member finds it by text and sector, and marks the reuse.
    switch_to(browser_page, other.user.email, "/catalogue/")
    browser_page.locator("#id_q").fill("nattlys")
    browser_page.locator("#id_sector").select_option(project.enrolment.unit.sector.name)
    browser_page.locator("#catalogue-search button[type=submit]").click()
    cards = browser_page.locator("#catalogue-results article")
    expect(cards).to_have_count(1)
    browser_page.check_accessibility()
    cards.first.locator("h3 a").click()
    expect(browser_page.page).to_have_url(re.compile(rf"{page_path}$"))
    browser_page.check_accessibility()
    browser_page.locator(f"#project-actions a[href='{page_path}reuse/']").click()
    browser_page.check_accessibility()
    own = other.enrolment.project
    browser_page.locator("#id_unit").select_option(str(other.enrolment.unit.pk))
    browser_page.locator("#id_project").select_option(str(own.pk))
    browser_page.locator("#reuse-form button[type=submit]").click()
    expect(browser_page.page).to_have_url(re.compile(rf"{page_path}$"))
    expect(browser_page.locator("#reusing-units")).to_contain_text(other.enrolment.unit.name)
    browser_page.check_accessibility()
    assert ProjectReuse.objects.filter(source=project, project=own).exists()

    # 3. Export as JSON (and the printable page), then import into Hole.
    exported = browser_page.page.request.get(browser_page.url_for(f"{page_path}export.json"))
    document = exported.json()
    assert document["schema"] == "lup-innovation-project/1"
    assert MANAGER not in exported.text()
    browser_page.goto(f"{page_path}print/")
    expect(browser_page.locator("h1")).to_contain_text("Nattlys og trygg søvn")
    browser_page.check_accessibility()

    switch_to(browser_page, "admin@hole.kommune.no", "/catalogue/import/")
    upload = {"name": "prosjekt.json", "mimeType": "application/json"}
    browser_page.locator("#id_file").set_input_files({**upload, "buffer": b'{"schema": 1}'})
    browser_page.locator("#import-form button[type=submit]").click()
    expect(browser_page.locator("#import-errors li")).not_to_have_count(0)
    browser_page.check_accessibility()
    browser_page.locator("#id_organisation").select_option(str(hole.pk))
    browser_page.locator("#id_file").set_input_files(
        {**upload, "buffer": json.dumps(document).encode()}
    )
    browser_page.locator("#import-form button[type=submit]").click()
    imported = InnovationProject.objects.get(organisation=hole, origin_id=str(project.public_id))
    expect(browser_page.page).to_have_url(re.compile(rf"/catalogue/{imported.public_id}/$"))
    expect(browser_page.locator("#project-origin")).to_contain_text(project.organisation.name)
    browser_page.check_accessibility()

    # 4. The jury declares a winner of this year's nominations; the catalogue shows it.
    year = timezone.localdate().year
    nomination = (
        Nomination.objects.filter(year=year, category__programme__organisation=project.organisation)
        .select_related("project")
        .order_by("category__position", "pk")
        .first()
    )
    switch_to(browser_page, juror.email, f"/prize/jury/?year={year}")
    row = browser_page.locator(f"tr[data-nomination='{nomination.pk}']")
    row.locator("select[name=score]").select_option("5")
    row.locator("form[action$='/score/'] button").click()
    browser_page.check_accessibility()
    browser_page.locator(
        f"tr[data-nomination='{nomination.pk}'] form[action$='/winner/'] button"
    ).click()
    expect(browser_page.locator(f"tr[data-nomination='{nomination.pk}'] .ds-tag")).to_have_count(1)
    browser_page.check_accessibility()
    nomination.refresh_from_db()
    assert nomination.is_winner

    browser_page.goto("/catalogue/")
    expect(browser_page.locator("#winners")).to_contain_text(nomination.project.title)
    browser_page.check_accessibility()
