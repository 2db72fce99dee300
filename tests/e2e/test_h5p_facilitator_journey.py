"""H5P as the issue asks: an administrator installs the libraries, a facilitator uploads both
our own package and the third-party sample's content, attaches them to the cohort's
activities, and a participant gets the player. Every page of ours passes axe.

Trust: only administrators install libraries (their JavaScript runs in learners'
browsers); facilitators upload content whose libraries are installed.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from playwright.sync_api import expect

from courses import services as course_services
from courses.models import Activity, H5PPackage
from lup.demo.seed import DEMO_PASSWORD
from lup.roles import ensure_role_groups
from tests.e2e.journeys import sign_in
from tests.factories import UserFactory
from tests.lup.curriculum import build_curriculum

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "h5p-samples" / "true-false.h5p"


def person(email: str, *, group: str | None = None, staff: bool = False):
    user = UserFactory(email=email, is_staff=staff)
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if group:
        user.user_permissions.add(*ensure_role_groups()[group].permissions.all())
    return user


def with_new_question(package: Path, target: Path, question: str) -> Path:
    """A copy of a package with its own question: new content, the same libraries."""
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "content/content.json":
                content = json.loads(data)
                content["question"] = f"<p>{question}</p>"
                data = json.dumps(content).encode()
            copy.writestr(item, data)
    return target


def upload(browser_page, file: Path) -> None:
    browser_page.goto("/courses/h5p/upload/")
    browser_page.check_accessibility()
    form = browser_page.locator('form[enctype="multipart/form-data"]')
    form.locator("#id_file").set_input_files(str(file))
    form.locator('button[type="submit"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/courses/h5p/packages/[0-9a-f-]+/$"))
    browser_page.check_accessibility()


def attach(browser_page, activity: Activity) -> None:
    browser_page.locator("#id_activity").select_option(str(activity.pk))
    browser_page.locator('main form button[type="submit"]').click()
    expect(browser_page.locator(".site-messages")).to_contain_text(activity.title)
    browser_page.check_accessibility()


@pytest.mark.skipif(not SAMPLE.is_file(), reason=f"the third-party sample is absent: {SAMPLE}")
def test_a_facilitator_uploads_both_packages_and_a_participant_gets_the_player(
    browser_page, tmp_path
):
    setup = build_curriculum(team_size=1)
    module = setup.page.module
    reflection = Activity.objects.create(module=module, position=5, title="Refleksjon", kind="h5p")
    quiz = Activity.objects.create(module=module, position=6, title="Sant eller usant", kind="h5p")
    administrator = person("admin@example.no", group="Programme administrators", staff=True)
    facilitator = person("fasilitator@example.no", group="Facilitators")
    setup.cohort.facilitators.add(facilitator)
    learner = setup.manager
    learner.set_password(DEMO_PASSWORD)
    learner.save()
    EmailAddress.objects.create(user=learner, email=learner.email, verified=True, primary=True)
    ours = Path(tmp_path / "var")
    out = io.StringIO()
    call_command("build_demo_h5p", stdout=out)
    our_package = Path(out.getvalue().strip().splitlines()[-1].split()[-1])
    assert our_package.is_file(), out.getvalue()

    # The administrator installs the libraries by uploading the original packages.
    browser_page.goto("/accounts/login/?next=/courses/h5p/upload/")
    browser_page.check_accessibility()
    sign_in(browser_page, administrator.email)
    browser_page.check_accessibility()
    upload(browser_page, SAMPLE)
    upload(browser_page, our_package)
    browser_page.locator("form.sign-out button").click()
    browser_page.check_accessibility()

    # The facilitator uploads content of their own with those libraries, and attaches it.
    browser_page.goto("/accounts/login/?next=/courses/h5p/upload/")
    browser_page.check_accessibility()
    sign_in(browser_page, facilitator.email)
    browser_page.check_accessibility()
    upload(browser_page, our_package)  # the same file: found, not stored twice
    attach(browser_page, reflection)
    upload(
        browser_page,
        with_new_question(
            SAMPLE, ours.with_suffix(".h5p"), "Innovasjon er nytt, nyttig og nyttiggjort."
        ),
    )
    attach(browser_page, quiz)
    assert H5PPackage.objects.count() == 3
    browser_page.locator("form.sign-out button").click()
    browser_page.check_accessibility()

    # The participant opens the activities: the player is there, from our own site.
    course_services.enrol(user=learner, course=module.course, starts_on=setup.cohort.starts_on)
    browser_page.goto(f"/accounts/login/?next=/courses/activities/{quiz.public_id}/")
    browser_page.check_accessibility()
    sign_in(browser_page, learner.email)
    browser_page.check_accessibility()
    frame = browser_page.locator("iframe")
    # A new attempt's player, reached with its play token only.
    expect(frame).to_have_attribute("src", re.compile(r"^/courses/play/[^/]+/$"))
    expect(frame).to_have_attribute("title", re.compile(".+"))
    expect(
        browser_page.page.frame_locator("iframe").frame_locator("iframe").get_by_text("nyttiggjort")
    ).to_be_visible(timeout=20_000)
