"""A participant learns: My programme, the next step, mark it done, answer an assignment.

Every page is checked with axe. The site speaks bokmål; the journey finds its way by
links and forms, and checks what was stored.
"""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from courses.models import ActivityCompletion, RubricCriterion, Submission
from lup.demo.seed import DEMO_PASSWORD
from tests.e2e.journeys import sign_in
from tests.factories import UserFactory
from tests.lup.curriculum import build_curriculum

LEARNER = "leder@solbakken.example.no"


@pytest.fixture
def curriculum():
    setup = build_curriculum()
    setup.page.body = (
        "# Hva er innovasjon?\n\nInnovasjon er **nye løsninger** som skaper verdi for "
        "brukerne.\n\n- Innsikt\n- Idé\n- Test\n\n"
        "Les mer hos [KS](https://www.ks.no).\n\n<script>alert('x')</script>"
    )
    setup.page.save()
    setup.assignment.instructions = "Lag en **brukerreise** for en av tjenestene deres."
    setup.assignment.due_days_after_start = 180
    setup.assignment.save()
    manager = setup.manager
    manager.email = manager.username = LEARNER
    manager.first_name, manager.last_name = "Liv", "Leder"
    manager.set_password(DEMO_PASSWORD)
    manager.save()
    EmailAddress.objects.create(user=manager, email=LEARNER, verified=True, primary=True)
    return setup


def test_a_participant_follows_the_next_step_and_submits_an_assignment(browser_page, curriculum):
    browser_page.goto("/")
    browser_page.check_accessibility()
    sign_in(browser_page, LEARNER)
    expect(browser_page.page).to_have_url(re.compile(r"/$"))
    browser_page.check_accessibility()

    # Home: the way to My programme.
    browser_page.locator('main a[href="/me/programme/"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/me/programme/$"))
    browser_page.check_accessibility()
    next_step = browser_page.locator("#next-step-heading").locator("..")
    expect(next_step).to_contain_text("Hva er innovasjon?")

    # The next step: a content page, rendered and sanitised.
    next_step.locator("a.ds-button").click()
    expect(browser_page.page).to_have_url(re.compile(r"/courses/activities/[0-9a-f-]+/$"))
    browser_page.check_accessibility()
    content = browser_page.locator(".course-content")
    expect(content.locator("h2")).to_have_text("Hva er innovasjon?")
    expect(content.locator("strong")).to_have_text("nye løsninger")
    expect(content.locator("script")).to_have_count(0)

    browser_page.locator('form[action$="/done/"] button[type="submit"]').click()
    expect(browser_page.locator(".site-messages .ds-alert")).to_be_visible()
    expect(browser_page.locator('form[action$="/done/"]')).to_have_count(0)
    browser_page.check_accessibility()
    assert ActivityCompletion.objects.filter(
        user=curriculum.manager, activity=curriculum.page
    ).exists()

    # Back in My programme the next step has moved on to the assignment.
    browser_page.goto("/me/programme/")
    browser_page.check_accessibility()
    expect(next_step).to_contain_text("Brukerreise")
    next_step.locator("a.ds-button").click()
    expect(browser_page.page).to_have_url(re.compile(r"/courses/activities/[0-9a-f-]+/$"))
    browser_page.check_accessibility()
    expect(browser_page.locator(".course-content strong")).to_have_text("brukerreise")

    form = browser_page.locator('form[enctype="multipart/form-data"]')
    form.locator("#id_text").fill("Vi fulgte en ny elev fra søknad til første skoledag.")
    form.locator('button[type="submit"]').click()

    attempt = browser_page.locator("article.attempt")
    expect(attempt).to_have_count(1)
    expect(attempt).to_contain_text("Vi fulgte en ny elev")
    expect(attempt.locator('.ds-tag[data-color="info"]')).to_be_visible()
    expect(browser_page.locator('form[enctype="multipart/form-data"]')).to_have_count(0)
    browser_page.check_accessibility()
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.submitted_by == curriculum.manager

    # My programme shows the assignment waiting for review.
    browser_page.goto("/me/programme/")
    browser_page.check_accessibility()
    row = browser_page.locator(".activity-list li", has_text="Brukerreise")
    expect(row.locator('.ds-tag[data-color="info"]')).to_be_visible()


FACILITATOR = "veileder@example.no"


def test_a_bad_file_is_explained_and_a_facilitator_returns_the_answer(
    browser_page, curriculum, tmp_path
):
    facilitator = UserFactory(email=FACILITATOR, first_name="Vera", last_name="Veileder")
    facilitator.set_password(DEMO_PASSWORD)
    facilitator.save()
    EmailAddress.objects.create(user=facilitator, email=FACILITATOR, verified=True, primary=True)
    curriculum.cohort.facilitators.add(facilitator)
    RubricCriterion.objects.create(
        assignment=curriculum.assignment, title="Brukerinnsikt", levels=["Begynnende", "Godt"]
    )
    bad = tmp_path / "reise.exe"
    bad.write_bytes(b"MZ\x90\x00")
    good = tmp_path / "reise.pdf"
    good.write_bytes(b"%PDF-1.7\n% reisen\n")
    assignment_path = f"/courses/activities/{curriculum.assignment.activity.public_id}/"

    browser_page.goto(f"/accounts/login/?next={assignment_path}")
    browser_page.check_accessibility()
    sign_in(browser_page, LEARNER)
    expect(browser_page.page).to_have_url(re.compile(rf"{assignment_path}$"))
    browser_page.check_accessibility()

    form = browser_page.locator('form[enctype="multipart/form-data"]')
    form.locator("#id_file").set_input_files(str(bad))
    form.locator('button[type="submit"]').click()
    expect(browser_page.locator("#id_file-error")).to_contain_text(".exe")
    expect(browser_page.locator("#id_file")).to_have_attribute("aria-invalid", "true")
    browser_page.check_accessibility()
    assert not Submission.objects.exists()

    form.locator("#id_file").set_input_files(str(good))
    form.locator('button[type="submit"]').click()
    expect(browser_page.locator("article.attempt")).to_have_count(1)
    browser_page.check_accessibility()
    submission = Submission.objects.get()

    # The course page, then sign out.
    browser_page.locator(
        f'.pager-links a[href="/courses/{curriculum.page.module.course.slug}/"]'
    ).click()
    browser_page.check_accessibility()
    browser_page.locator("form.sign-out button").click()
    browser_page.check_accessibility()

    review_path = f"/courses/submissions/{submission.public_id}/review/"
    browser_page.goto(f"/accounts/login/?next={review_path}")
    browser_page.check_accessibility()
    sign_in(browser_page, FACILITATOR)
    expect(browser_page.page).to_have_url(re.compile(rf"{review_path}$"))
    browser_page.check_accessibility()

    browser_page.locator('input[name="decision"][value="return"]').check()
    browser_page.locator("main form button[type='submit']").click()
    expect(browser_page.locator("#id_feedback-error")).to_be_visible()
    browser_page.check_accessibility()

    browser_page.locator('input[name="decision"][value="return"]').check()
    browser_page.get_by_label("Begynnende").check()
    browser_page.locator("#id_feedback").fill("Snakk med flere brukere.")
    browser_page.locator("main form button[type='submit']").click()
    expect(browser_page.locator(".site-messages .ds-alert")).to_be_visible()
    browser_page.check_accessibility()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED
    assert submission.feedback == "Snakk med flere brukere."
