"""Every real third-party H5P package in ../shared/h5p-samples plays in Chromium and can be
completed, with the player on an origin of its own (COURSES_H5P_PLAYER_ORIGIN): the site
at http://localhost:<port>, the player at http://127.0.0.1:<port>, which share no cookie.

For each package: it imports, the activity page shows the player, the content inside the
player's frames shows something (never an empty box, never our error), and the activity
completes by its rule:

- scored content completes on a score above zero. A few are answered through their own
  buttons (True/False in test_h5p_journey, Multiple Choice here, and Drag and Drop, whose
  "Check" with nothing placed scores 0 and must complete nothing); the rest report a full
  score through the content's own xAPI call (`triggerXAPIScored`, what their "Check" calls),
  so the statement still travels the whole way: player, token, server, completion;
- content without a score completes when viewed to the end (the learner scrolls to it),
  or by the learner's "Mark as done".

Where the player cannot run something, the learner is told: the interactive video's film
lies on h5p.org and the timeline's pictures on upload.wikimedia.org, which the player's
policy does not allow (COURSES_H5P_EMBED_SOURCES may), and the page names the host; Advanced
Fill the Blanks needs 'unsafe-eval', so on the site's own origin (no player origin) it
says so instead of leaving an empty box.
"""

from __future__ import annotations

import json
import re
import time
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from courses.h5p.services import install_package
from courses.models import Activity, ActivityCompletion, XAPIStatement
from tests.e2e.journeys import sign_in
from tests.e2e.test_h5p_journey import LEARNER, participant_with_h5p, read_db

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "h5p-samples"
SCORED = {
    "true-false.h5p",
    "multiple-choice-713.h5p",
    "fill-in-the-blanks-837.h5p",
    "drag-and-drop-712.h5p",
    "question-set-616.h5p",
    "summary-714.h5p",
    "mark-the-words-2-1408.h5p",
    "advanced-blanks-example-1-503253.h5p",
    "interactive-video-2-618.h5p",
}
UNSCORED = {"accordion-6-7138.h5p", "dialog-cards-620.h5p", "timeline-3-716.h5p"}
VIEWED_HINT = re.compile("gått gjennom den til slutten|gone through it to the end")
# What a package needs from elsewhere, which the player's policy refuses and names.
EXTERNAL = {
    "interactive-video-2-618.h5p": "h5p.org",
    "timeline-3-716.h5p": "upload.wikimedia.org",
}


def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"the real H5P samples are not there: {SAMPLES} (shared/h5p-samples)")
    return path


def test_the_samples_are_all_covered():
    """A package added to the shared samples must be given a rule here."""
    if not SAMPLES.is_dir():
        pytest.skip(f"the real H5P samples are not there: {SAMPLES}")
    assert {path.name for path in SAMPLES.glob("*.h5p")} == SCORED | UNSCORED


def learner_with(name: str, completion: str) -> tuple[object, Activity]:
    package, _created = install_package(
        upload=str(sample(name)), uploaded_by=None, allow_new_libraries=True
    )
    learner, activity = participant_with_h5p(package)
    activity.h5p_completion = completion
    activity.save(update_fields=["h5p_completion"])
    return learner, activity


def open_player(browser_page, activity, site: str):
    browser_page.goto(f"{site}/courses/activities/{activity.public_id}/")
    frame = browser_page.locator("iframe[data-h5p-player]")
    expect(frame).to_be_visible()
    browser_page.check_accessibility()
    return browser_page.frame_locator("iframe[data-h5p-player]")


def content_of(outer):
    """The content inside H5P's own frame, once it shows something."""
    content = outer.frame_locator("iframe.h5p-iframe").locator(".h5p-content")
    expect(content).to_be_visible(timeout=20_000)
    expect(content).not_to_be_empty()
    return content


def shows_something(content) -> bool:
    return content.evaluate(
        """root => (root.innerText || '').trim().length > 0
            || !!root.querySelector('img, video, iframe, canvas, svg')"""
    )


def completed(learner, activity) -> bool:
    return read_db(
        lambda: ActivityCompletion.objects.filter(user=learner, activity=activity).exists()
    )


def report_full_score(content) -> None:
    """A full score through H5P core's own xAPI event, for the content shown (its id, its
    address), as a content type's "Check" sends it. (h5p-standalone's H5P.instances is empty
    in the content frame, so the content type's own `triggerXAPIScored` is out of reach.)"""
    content.evaluate(
        """() => {
            const contentId = Object.keys(H5PIntegration.contents)[0].replace('cid-', '');
            const instance = {contentId: contentId};
            const event = new H5P.XAPIEvent();
            event.setActor();
            event.setVerb('answered');
            event.setObject(instance);
            event.setScoredResult(1, 1, instance, true, true);
            H5P.externalDispatcher.trigger(event);
        }"""
    )


def sign_in_on(browser_page, site: str) -> None:
    browser_page.base_url = site
    browser_page.goto(f"{site}/")
    browser_page.check_accessibility()
    sign_in(browser_page, LEARNER)
    browser_page.check_accessibility()


def no_player_errors(outer) -> None:
    for element in ("#h5p-error", "#h5p-token-error", "#h5p-save-error"):
        expect(outer.locator(element)).to_be_hidden()


@pytest.mark.parametrize("name", sorted(SCORED))
def test_scored_content_plays_and_completes_on_a_score(browser_page, player_origin, name):
    learner, activity = learner_with(name, Activity.H5PCompletion.SCORE)
    site = browser_page.base_url.replace("127.0.0.1", "localhost")
    sign_in_on(browser_page, site)
    outer = open_player(browser_page, activity, site)
    content = content_of(outer)
    assert shows_something(content)

    if name in EXTERNAL:
        # The film lies on another host the policy does not allow: the learner is told.
        expect(outer.locator("#h5p-blocked")).to_contain_text(EXTERNAL[name], timeout=15_000)
        browser_page.policy_violations.clear()
    if name == "drag-and-drop-712.h5p":
        # "Check" with nothing placed scores 0: recorded, and it completes nothing.
        content.get_by_role("button", name=re.compile("Check|Sjekk", re.I)).first.click()
        expect_statements(learner, activity, at_least=1)
        assert not completed(learner, activity)
    if name == "multiple-choice-713.h5p":
        answer_multiple_choice(content, sample(name))
    else:
        report_full_score(content)

    expect(browser_page.locator("#h5p-done-tag")).to_be_visible(timeout=15_000)
    assert completed(learner, activity)
    no_player_errors(outer)
    if name not in EXTERNAL:
        assert browser_page.policy_violations == []


@pytest.mark.parametrize("name", sorted(UNSCORED))
def test_content_without_a_score_completes_when_viewed_to_the_end(
    browser_page, player_origin, name
):
    learner, activity = learner_with(name, Activity.H5PCompletion.VIEWED)
    site = browser_page.base_url.replace("127.0.0.1", "localhost")
    sign_in_on(browser_page, site)
    outer = open_player(browser_page, activity, site)
    content = content_of(outer)
    assert shows_something(content)
    expect(browser_page.get_by_text(VIEWED_HINT)).to_be_visible()

    browser_page.locator("iframe[data-h5p-player]").scroll_into_view_if_needed()
    browser_page.mouse.wheel(0, 20_000)
    expect(browser_page.locator("#h5p-done-tag")).to_be_visible(timeout=15_000)
    assert completed(learner, activity)
    verbs = read_db(
        lambda: list(XAPIStatement.objects.filter(user=learner).values_list("verb", flat=True))
    )
    assert "experienced" in verbs
    no_player_errors(outer)
    if name in EXTERNAL:
        # Its pictures lie on another host the policy does not allow: the learner is told.
        expect(outer.locator("#h5p-blocked")).to_contain_text(EXTERNAL[name])
        browser_page.policy_violations.clear()
    assert browser_page.policy_violations == []


def test_content_without_a_score_completes_when_the_learner_marks_it_done(
    browser_page, player_origin
):
    learner, activity = learner_with("dialog-cards-620.h5p", Activity.H5PCompletion.MARKED_DONE)
    site = browser_page.base_url.replace("127.0.0.1", "localhost")
    browser_page.set_viewport_size({"width": 390, "height": 844})  # a phone: axe checks it too
    sign_in_on(browser_page, site)
    outer = open_player(browser_page, activity, site)
    assert shows_something(content_of(outer))
    browser_page.mouse.wheel(0, 20_000)
    browser_page.wait_for_timeout(2_500)  # longer than "viewed to the end" waits
    assert not completed(learner, activity)  # viewing is not enough under this rule

    browser_page.get_by_role("button", name="Merk som fullført").click()
    expect(browser_page.locator('.ds-alert[data-color="success"]').first).to_be_visible()
    browser_page.check_accessibility()
    assert completed(learner, activity)


def test_content_that_needs_eval_says_so_on_the_sites_own_origin(browser_page, settings, h5p_files):
    """Without a player origin the frame keeps the strict policy: Advanced Fill the Blanks
    cannot run, and the learner reads why instead of looking at an empty box."""
    settings.COURSES_H5P_PLAYER_ORIGIN = ""
    _learner, activity = learner_with(
        "advanced-blanks-example-1-503253.h5p", Activity.H5PCompletion.SCORE
    )
    site = browser_page.base_url
    sign_in_on(browser_page, site)
    outer = open_player(browser_page, activity, site)
    message = outer.locator("#h5p-blocked, #h5p-error").filter(visible=True).first
    expect(message).to_be_visible(timeout=20_000)
    expect(message).not_to_be_empty()
    browser_page.policy_violations.clear()


def expect_statements(learner, activity, *, at_least: int) -> None:
    for _attempt in range(100):
        count = read_db(
            lambda: XAPIStatement.objects.filter(user=learner, activity=activity).count()
        )
        if count >= at_least:
            return
        time.sleep(0.1)
    raise AssertionError(f"fewer than {at_least} statements recorded")


def answer_multiple_choice(content, package: Path) -> None:
    """Tick every correct answer (read from the package's content.json) and check."""
    with zipfile.ZipFile(package) as archive:
        data = json.loads(archive.read("content/content.json"))
    for answer in data["answers"]:
        if answer.get("correct"):
            text = re.sub(r"<[^>]+>", "", answer["text"]).strip()
            option = content.get_by_role("checkbox", name=text).or_(
                content.get_by_role("radio", name=text)
            )
            option.first.click()
    content.get_by_role("button", name=re.compile("Check|Sjekk", re.I)).first.click()
