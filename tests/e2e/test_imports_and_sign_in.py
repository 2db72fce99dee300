"""The programme administrator imports service units and participants in the product's own
pages, reached from the dashboard (not the admin); a bad file changes nothing; a wrong
password gets a clear error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lup.demo.seed import seed_demo
from lup.models import ServiceUnit
from tests.e2e.journeys import sign_in, sign_in_with_two_factor

ADMINISTRATOR = "admin@baerum.kommune.no"


@pytest.fixture
def demo_data() -> None:
    seed_demo(scale=1)


def test_a_wrong_password_is_reported_accessibly(browser_page, demo_data):
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()

    sign_in(browser_page, ADMINISTRATOR, "wrong-password")

    expect(browser_page.locator('[role="alert"]')).to_be_visible()
    expect(browser_page.locator("#id_login")).to_have_value(ADMINISTRATOR)
    browser_page.check_accessibility()


def test_the_administrator_imports_units_from_the_dashboard_and_a_bad_file_changes_nothing(
    browser_page, demo_data, tmp_path
):
    bad = tmp_path / "enheter-feil.csv"
    bad.write_text(
        "kode;navn;sektor\n99001;Ny enhet;Skole\n99002;Feil;Svømmehall\n;Uten kode;Skole\n"
    )
    good = tmp_path / "enheter.csv"
    good.write_text("\ufeffkode;navn;sektor\n99001;Ny enhet;Skole\n99002;Gammel enhet;Barnehage\n")
    units_before = ServiceUnit.objects.count()

    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in_with_two_factor(browser_page, ADMINISTRATOR)
    browser_page.check_accessibility()  # where signing in leads: the dashboard
    if "/programmes/lup/" not in browser_page.page.url:
        browser_page.goto("/programmes/lup/")
        browser_page.check_accessibility()
    browser_page.locator("#unit-import-link").click()
    expect(browser_page.page).to_have_url(re.compile(r"/organisations/baerum/units/import/$"))
    browser_page.check_accessibility()

    browser_page.locator("#id_file").set_input_files(str(bad))
    browser_page.locator("#import-save").click()

    expect(browser_page.locator("#import-rejected")).to_be_visible()
    rows = browser_page.locator("#import-errors tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("3")
    expect(rows.first).to_contain_text("Svømmehall")
    browser_page.check_accessibility()
    assert ServiceUnit.objects.count() == units_before

    # "Check only" says what the import would do and saves nothing.
    browser_page.locator("#id_file").set_input_files(str(good))
    browser_page.locator("#import-check").click()
    expect(browser_page.locator("#import-checked")).to_be_visible()
    browser_page.check_accessibility()
    assert ServiceUnit.objects.count() == units_before

    browser_page.locator("#id_file").set_input_files(str(good))
    browser_page.locator("#import-save").click()

    expect(browser_page.page).to_have_url(re.compile(r"/organisations/baerum/units/import/$"))
    expect(browser_page.locator(".ds-alert").first).to_contain_text("2")
    browser_page.check_accessibility()
    assert ServiceUnit.objects.count() == units_before + 2


def test_another_municipalitys_administrator_cannot_be_imported_onto_a_team(
    browser_page, demo_data, tmp_path
):
    """The outside check's attack, in the browser: Bærum's administrator imports a file
    that names Asker's administrator; the row is refused, and nothing is imported."""
    from django.contrib.auth import get_user_model

    from lup.models import (
        Organisation,
        OrganisationMembership,
        Participant,
        Programme,
        UnitEnrolment,
    )

    asker = Organisation.objects.create(name="Asker kommune", slug="asker")
    asker_admin = get_user_model().objects.create_user(
        "admin@asker.kommune.no", "admin@asker.kommune.no"
    )
    OrganisationMembership.objects.create(organisation=asker, user=asker_admin)
    programme = Programme.objects.get(slug="lup")
    # A unit still working in a cohort that is open (the demo closes finished cohorts).
    enrolment = (
        UnitEnrolment.objects.filter(
            cohort__programme=programme,
            cohort__closed_at__isnull=True,
            status=UnitEnrolment.Status.ENROLLED,
            unit__organisation=programme.organisation,
        )
        .select_related("cohort", "unit")
        .order_by("cohort__starts_on", "unit__code")
        .first()
    )
    cohort, unit = enrolment.cohort, enrolment.unit
    data = tmp_path / "deltakere.csv"
    data.write_text(
        "e-post;fornavn;etternavn;enhetskode;kull;rolle\n"
        f"ny.ildsjel@baerum.kommune.no;Ny;Ildsjel;{unit.code};{cohort.name};ildsjel\n"
        f"admin@asker.kommune.no;Asker;Admin;{unit.code};{cohort.name};ildsjel\n"
    )
    people_before = get_user_model().objects.count()

    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in_with_two_factor(browser_page, ADMINISTRATOR)
    browser_page.check_accessibility()  # where signing in leads: the dashboard
    if "/programmes/lup/" not in browser_page.page.url:
        browser_page.goto("/programmes/lup/")
        browser_page.check_accessibility()
    browser_page.locator("#participant-import-link").click()
    expect(browser_page.page).to_have_url(re.compile(r"/programmes/lup/participants/import/$"))
    browser_page.check_accessibility()
    browser_page.locator("#id_file").set_input_files(str(data))
    browser_page.locator("#import-save").click()

    rows = browser_page.locator("#import-errors tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("3")
    expect(rows.first).to_contain_text("admin@asker.kommune.no")
    browser_page.check_accessibility()
    assert get_user_model().objects.count() == people_before
    assert not Participant.objects.filter(user=asker_admin).exists()
