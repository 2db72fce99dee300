"""An administrator uploads H5P packages: a hostile one is refused with its problems listed,
a good one is stored and attached to an H5P activity. Every page is checked with axe."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from courses.models import Activity, H5PLibrary, H5PPackage
from lup.demo.seed import DEMO_PASSWORD
from tests.courses.factories import ActivityFactory
from tests.courses.h5p.corpus import Entry, make_zip, minimal_entries, minimal_package
from tests.e2e.journeys import sign_in
from tests.factories import UserFactory

EMAIL = "h5p@example.no"


@pytest.fixture
def uploader(settings, tmp_path):
    settings.COURSES_H5P_ROOT = str(tmp_path / "h5p")
    person = UserFactory(email=EMAIL)
    person.set_password(DEMO_PASSWORD)
    person.save()
    EmailAddress.objects.create(user=person, email=EMAIL, verified=True, primary=True)
    person.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="courses",
            codename__in=["add_h5ppackage", "install_h5p_library", "change_activity"],
        )
    )
    return person


def test_an_administrator_uploads_and_attaches_an_h5p_package(browser_page, uploader, tmp_path):
    activity = ActivityFactory(kind=Activity.Kind.H5P, title="Quiz om innovasjon")
    hostile = tmp_path / "farlig.h5p"
    hostile.write_bytes(make_zip([*minimal_entries(), Entry("../evil.js", b"alert(1)")]))
    good = tmp_path / "quiz.h5p"
    good.write_bytes(minimal_package(title="Innovasjonsquiz"))

    browser_page.goto("/accounts/login/?next=/courses/h5p/upload/")
    browser_page.check_accessibility()
    sign_in(browser_page, EMAIL)
    expect(browser_page.page).to_have_url(re.compile(r"/courses/h5p/upload/$"))
    browser_page.check_accessibility()

    form = browser_page.locator('form[enctype="multipart/form-data"]')
    form.locator("#id_file").set_input_files(str(hostile))
    form.locator('button[type="submit"]').click()
    problems = browser_page.locator("#upload-problems")
    expect(problems).to_contain_text("../evil.js")
    browser_page.check_accessibility()
    assert not H5PPackage.objects.exists()
    assert not H5PLibrary.objects.exists()

    form.locator("#id_file").set_input_files(str(good))
    form.locator('button[type="submit"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/courses/h5p/packages/[0-9a-f-]+/$"))
    expect(browser_page.locator("h1")).to_have_text("Innovasjonsquiz")
    browser_page.check_accessibility()

    browser_page.locator("#id_activity").select_option(str(activity.pk))
    browser_page.locator('main form button[type="submit"]').click()
    expect(browser_page.locator(".site-messages")).to_contain_text("Quiz om innovasjon")
    browser_page.check_accessibility()
    activity.refresh_from_db()
    assert activity.h5p_package == H5PPackage.objects.get()
