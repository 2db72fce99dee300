"""A participant does H5P activities in the browser: our own reflection and a third-party
True/False question. The player runs in a frame on our site, reports xAPI statements, and
the activity completes with a score; the learner's answers are there again after a reload.

axe checks our pages (the activity page and the player's frame page). The content inside
the player's own inner frame is H5P's, not ours, and axe does not enter it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote_plus

import pytest
from allauth.account.models import EmailAddress
from django.db import OperationalError
from playwright.sync_api import expect

from courses.h5p.services import install_package
from courses.models import (
    Activity,
    ActivityCompletion,
    H5PAttempt,
    H5PContentUserData,
    XAPIStatement,
)
from lup.demo.seed import DEMO_PASSWORD
from tests.courses.h5p_setup import install_reflection
from tests.e2e.conftest import AXE_SCRIPT
from tests.e2e.journeys import sign_in
from tests.lup.curriculum import build_curriculum

REPO_ROOT = Path(__file__).resolve().parents[2]
TRUE_FALSE = REPO_ROOT.parent / "shared" / "h5p-samples" / "true-false.h5p"
LEARNER = "ildsjel@solbakken.example.no"
T = TypeVar("T")
ANSWER = "Vi vil spørre elevene hva som gjør første skoledag trygg, før vi endrer noe."


@pytest.fixture
def h5p_files(settings, tmp_path):
    settings.COURSES_H5P_ROOT = str(tmp_path / "h5p")
    settings.COURSES_H5P_SAVE_FREQ = 2


def participant_with_h5p(package) -> tuple[object, Activity]:
    """A participant of a cohort whose course has an H5P activity showing `package`."""
    setup = build_curriculum()
    module = setup.page.module
    activity = Activity.objects.create(
        module=module,
        position=10,
        title="Refleksjon om innovasjon",
        kind=Activity.Kind.H5P,
        h5p_package=package,
    )
    learner = setup.enthusiasts[0]
    learner.email = learner.username = LEARNER
    learner.first_name, learner.last_name = "Ida", "Ildsjel"
    learner.set_password(DEMO_PASSWORD)
    learner.save()
    EmailAddress.objects.create(user=learner, email=LEARNER, verified=True, primary=True)
    return learner, activity


def read_db(query: Callable[[], T]) -> T:
    """Run a read while the live server may be writing: the in-memory SQLite database of
    the tests locks a table for a moment, so a read is tried again."""
    for _attempt in range(50):
        try:
            return query()
        except OperationalError:
            time.sleep(0.1)
    return query()


def wait_for_saved_state(browser_page, saved: list[str], needle: str) -> None:
    """Wait until the player has posted a state containing `needle` and had the answer."""
    deadline = time.monotonic() + 15
    while not any(needle in body for body in saved):
        assert time.monotonic() < deadline, f"no saved state with {needle!r}: {saved}"
        browser_page.page.wait_for_timeout(200)


def watch_saved_states(browser_page) -> list[str]:
    """The bodies of the player's state saves that the server has answered."""
    saved: list[str] = []

    def finished(request) -> None:
        if "/play/" in request.url and "/state/" in request.url and request.method == "POST":
            saved.append(unquote_plus(request.post_data or ""))

    browser_page.page.on("requestfinished", finished)
    return saved


def watch_policy_violations(browser_page) -> list[str]:
    """Every Content-Security-Policy violation the browser reports on the console."""
    violations: list[str] = []
    browser_page.page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def open_activity(browser_page, activity) -> None:
    browser_page.goto(f"/courses/activities/{activity.public_id}/")
    expect(browser_page.locator("iframe[data-h5p-player]")).to_be_visible()
    browser_page.check_accessibility()


def player(browser_page):
    """The content inside the player: our frame page, then H5P's own frame in it."""
    return browser_page.frame_locator("iframe[data-h5p-player]").frame_locator("iframe.h5p-iframe")


def test_a_participant_does_our_reflection_and_resumes_it(browser_page, h5p_files):
    learner, activity = participant_with_h5p(install_reflection())
    violations = watch_policy_violations(browser_page)
    saved = watch_saved_states(browser_page)
    browser_page.goto("/")
    browser_page.check_accessibility()
    sign_in(browser_page, LEARNER)
    expect(browser_page.page).to_have_url(re.compile(r"/$"))
    browser_page.check_accessibility()

    open_activity(browser_page, activity)
    content = player(browser_page)
    answer = content.get_by_label(re.compile("Tenk på tjenesten deres"))
    expect(answer).to_be_visible(timeout=15_000)

    # Checking too early explains what is missing, and records nothing.
    content.get_by_role("button", name="Sjekk og send inn").click()
    expect(content.locator(".lup-reflection__feedback")).to_contain_text("minst 20 tegn")

    answer.fill(ANSWER)
    content.get_by_label("Den er ny for oss, tatt i bruk og skaper verdi").check()
    content.get_by_role("button", name="Sjekk og send inn").click()
    expect(content.locator(".lup-reflection__feedback")).to_contain_text("Riktig!")

    # The server has recorded the completion and the score: the page says so at once.
    expect(browser_page.locator("#h5p-done-tag")).to_be_visible(timeout=15_000)
    expect(browser_page.locator("#h5p-result")).to_contain_text("100 %")
    browser_page.check_accessibility()
    wait_for_saved_state(browser_page, saved, '"checked":true')
    completion = read_db(lambda: ActivityCompletion.objects.get(user=learner, activity=activity))
    assert completion.source == ActivityCompletion.Source.H5P
    attempt = read_db(lambda: H5PAttempt.objects.get(user=learner, activity=activity))
    assert (attempt.best_score_raw, attempt.best_score_max, attempt.best_score_scaled) == (
        2,
        2,
        1.0,
    )
    verbs = read_db(
        lambda: sorted(XAPIStatement.objects.filter(user=learner).values_list("verb", "top_level"))
    )
    assert ("answered", False) in verbs  # the self-check, as sub-content
    assert {("answered", True), ("completed", True)} <= set(verbs)
    assert read_db(
        lambda: H5PContentUserData.objects.filter(user=learner, activity=activity).exists()
    )

    # After a reload: completed, with the score, and the answers are still there.
    open_activity(browser_page, activity)
    expect(browser_page.locator('.ds-alert[data-color="success"]')).to_be_visible()
    expect(browser_page.locator("#h5p-result")).to_contain_text("100 %")
    content = player(browser_page)
    expect(content.get_by_label(re.compile("Tenk på tjenesten deres"))).to_have_value(
        ANSWER, timeout=15_000
    )
    expect(content.get_by_label("Den er ny for oss, tatt i bruk og skaper verdi")).to_be_checked()
    expect(content.locator(".lup-reflection__feedback")).to_contain_text("Riktig!")

    # The player's frame page is one of ours too. Its policy refuses the inline script the
    # harness would add axe with, so axe is evaluated through the browser's debugging
    # protocol first (which the policy does not govern).
    frame_src = browser_page.locator("iframe[data-h5p-player]").get_attribute("src")
    browser_page.goto(frame_src)
    expect(browser_page.locator("iframe.h5p-iframe")).to_be_visible()
    browser_page.page.evaluate(AXE_SCRIPT.read_text())
    browser_page.check_accessibility()
    assert violations == []


def test_a_participant_answers_a_third_party_true_false_question(browser_page, h5p_files):
    if not TRUE_FALSE.is_file():
        pytest.skip(f"the third-party sample is not there: {TRUE_FALSE}")
    package, _created = install_package(
        upload=str(TRUE_FALSE), uploaded_by=None, allow_new_libraries=True
    )
    learner, activity = participant_with_h5p(package)
    violations = watch_policy_violations(browser_page)
    saved = watch_saved_states(browser_page)
    browser_page.goto("/")
    browser_page.check_accessibility()
    sign_in(browser_page, LEARNER)
    expect(browser_page.page).to_have_url(re.compile(r"/$"))
    browser_page.check_accessibility()

    open_activity(browser_page, activity)
    content = player(browser_page)
    expect(content.get_by_text("Is this false?")).to_be_visible(timeout=15_000)
    content.get_by_role("radio", name="False").click()
    content.get_by_role("button", name="Check").click()
    expect(content.locator(".h5p-question-feedback")).to_be_visible()

    expect(browser_page.locator("#h5p-done-tag")).to_be_visible(timeout=15_000)
    expect(browser_page.locator("#h5p-result")).to_contain_text("100 %")
    browser_page.check_accessibility()
    wait_for_saved_state(browser_page, saved, '"answer":false')
    assert read_db(
        lambda: ActivityCompletion.objects.filter(user=learner, activity=activity).exists()
    )
    attempt = read_db(lambda: H5PAttempt.objects.get(user=learner, activity=activity))
    assert (attempt.best_score_raw, attempt.best_score_max, attempt.best_score_scaled) == (
        1,
        1,
        1.0,
    )

    # After a reload: completed, and the answer is still chosen.
    open_activity(browser_page, activity)
    expect(browser_page.locator('.ds-alert[data-color="success"]')).to_be_visible()
    expect(player(browser_page).get_by_role("radio", name="False")).to_have_attribute(
        "aria-checked", "true", timeout=15_000
    )
    assert violations == []
