"""The privacy statement in the browser: an anonymous visitor opens /personvern/, chooses
their municipality and reads who is responsible and what is kept; an administrator signs in
and downloads the records of processing activities as a PDF. Every page passes axe at a
desktop and a phone width.

The site defaults to Norwegian bokmål, so the journey finds things by ids, links and data
that do not depend on the language.
"""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from lup.demo.seed import DEMO_PASSWORD
from lup.models import OrganisationMembership
from lup.privacy.periods import audit_retention_days
from lup.roles import ADMINISTRATORS_GROUP, ensure_role_groups
from tests.e2e.journeys import sign_in
from tests.factories import OrganisationFactory, UserFactory

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def check_at_both_widths(browser_page) -> None:
    for viewport in (PHONE, DESKTOP):
        browser_page.set_viewport_size(viewport)
        browser_page.check_accessibility()


@pytest.fixture
def organisations():
    baerum = OrganisationFactory.create(
        name="Bærum kommune",
        slug="baerum",
        organisation_number="974547283",
        data_protection_officer="Personvernombudet",
        data_protection_email="personvernombud@baerum.example.no",
    )
    OrganisationFactory.create(name="Asker kommune", slug="asker")
    return baerum


def test_a_visitor_chooses_the_municipality_and_reads_its_statement(browser_page, organisations):
    browser_page.goto("/personvern/")
    check_at_both_widths(browser_page)
    expect(browser_page.locator('a[href="/personvern/asker/"]')).to_be_visible()

    browser_page.locator('a[href="/personvern/baerum/"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/personvern/baerum/$"))
    check_at_both_widths(browser_page)

    expect(browser_page.locator("#controller-name")).to_have_text("Bærum kommune")
    officer = browser_page.locator('#officer a[href="mailto:personvernombud@baerum.example.no"]')
    expect(officer).to_be_visible()
    expect(browser_page.locator('[data-retention="audit"]')).to_contain_text(
        str(audit_retention_days())
    )
    expect(browser_page.locator('[data-right="complaint"] a')).to_have_attribute(
        "href", "https://www.datatilsynet.no/"
    )
    # Nothing for administrators on the public page.
    expect(browser_page.locator("#records-download")).to_have_count(0)


def test_an_administrator_downloads_the_records_of_processing(browser_page, organisations):
    administrator = UserFactory.create(email="admin@example.no", is_staff=True)
    administrator.set_password(DEMO_PASSWORD)
    administrator.save()
    EmailAddress.objects.create(
        user=administrator, email=administrator.email, verified=True, primary=True
    )
    # The role's permissions without the group that requires two-factor (as other journeys).
    administrator.user_permissions.add(
        *ensure_role_groups()[ADMINISTRATORS_GROUP].permissions.all()
    )
    OrganisationMembership.objects.create(organisation=organisations, user=administrator)

    browser_page.goto("/accounts/login/?next=/personvern/")
    browser_page.check_accessibility()
    sign_in(browser_page, administrator.email)

    # Signed in, /personvern/ is their own organisation's statement, with the download.
    expect(browser_page.page).to_have_url(re.compile(r"/personvern/$"))
    check_at_both_widths(browser_page)
    expect(browser_page.locator("#controller-name")).to_have_text("Bærum kommune")
    with browser_page.page.expect_download() as download_info:
        browser_page.locator("#records-download").click()
    download = download_info.value
    assert re.fullmatch(
        r"behandlingsprotokoll-baerum-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename
    )
    path = download.path()
    assert path is not None
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
