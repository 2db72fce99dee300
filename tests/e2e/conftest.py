"""Browser journeys: the system Chromium driven by Playwright against Django's live server.

Every page a test visits must pass axe-core (WCAG 2.1 A and AA). Tests use the
`browser_page` fixture:

    browser_page.goto("/")              # relative to the live server
    browser_page.check_accessibility()  # axe on the page now shown

Any other Playwright `Page` method works on `browser_page` too; Playwright's
`expect()` wants the real page: `expect(browser_page.page).to_have_url(...)`. When a test
passes, its teardown fails if some page it navigated to was never checked,
so a journey cannot forget a page, or if the Content-Security-Policy refused anything
(a script, a style, a form target) on any page it visited.
"""

from __future__ import annotations

import copy
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

# Playwright's sync API runs an asyncio event loop in this thread; without this,
# Django refuses ORM calls made from the test body (seeding, reading expected figures).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is a browser journey."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so teardown knows whether the test body passed."""
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    return report


def _chromium_path() -> str | None:
    """LUP_CHROMIUM if set (and only it), else the chromium on PATH or in /usr/bin."""
    explicit = os.environ.get("LUP_CHROMIUM")
    candidates: list[str | None] = (
        [explicit] if explicit else [shutil.which("chromium"), "/usr/bin/chromium"]
    )
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """The system Chromium, headless, shared by the session (Playwright never downloads one)."""
    executable = _chromium_path()
    if executable is None:
        message = "system Chromium not found; apt-get install chromium (or set LUP_CHROMIUM)"
        if os.environ.get("LUP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"LUP_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class Visit:
    url: str
    checked: bool = False


class BrowserPage:
    """A Playwright page on the live server that remembers which pages axe has checked."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.visits: list[Visit] = []
        self.policy_violations: list[str] = []
        page.on("framenavigated", self._on_navigated)
        page.on("console", self._on_console)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.page, name)

    def _on_navigated(self, frame: Any) -> None:
        if frame != self.page.main_frame or frame.url == "about:blank":
            return
        if not frame.url.startswith(f"{self.base_url}/"):
            return  # another origin (a test identity provider): not one of our pages
        url, fragment = urldefrag(frame.url)
        if fragment and self.visits and urldefrag(self.visits[-1].url).url == url:
            return  # a jump within the same document (skip link, anchor), not a new page
        self.visits.append(Visit(frame.url))

    def _on_console(self, message: Any) -> None:
        # Chromium reports each Content-Security-Policy violation on the console.
        if "Content Security Policy" in message.text:
            self.policy_violations.append(f"{self.page.url}: {message.text}")

    def url_for(self, path: str) -> str:
        return path if "://" in path else f"{self.base_url}{path}"

    def goto(self, path: str, **kwargs: Any) -> Any:
        """Open a path on the live server (or an absolute URL)."""
        return self.page.goto(self.url_for(path), **kwargs)

    def check_accessibility(self) -> None:
        """Run axe-core (WCAG 2.1 A/AA) on the page now shown; fail listing every violation."""
        if not AXE_SCRIPT.is_file():
            pytest.fail(f"axe-core not found at {AXE_SCRIPT}; run npm ci", pytrace=False)
        self.page.wait_for_load_state("load")
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the browser's debugging protocol, which the page's
            # Content-Security-Policy does not govern: a <script> tag would be refused, and
            # turning the policy off (bypass_csp) would hide the violations checked below.
            self.page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
        violations = self.page.evaluate(
            """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
                .then(results => results.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.map(n => n.target.join(' ')),
                })))""",
            WCAG_TAGS,
        )
        if self.visits:
            self.visits[-1].checked = True
        if violations:
            lines = [f"axe-core found {len(violations)} violation(s) on {self.page.url}:"]
            for violation in violations:
                lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
                lines.extend(f"    {target}" for target in violation["targets"])
            pytest.fail("\n".join(lines), pytrace=False)

    def unchecked_pages(self) -> list[str]:
        return [visit.url for visit in self.visits if not visit.checked]


class RequestsInFlight:
    """Counts the live server's requests from accept to the end of their thread.

    A page being closed still sends what its unload handlers send (the H5P player saves
    its state then). If such a request is still running when the test's database is
    flushed, the two deadlock on PostgreSQL, or the late request fails because the
    database is closed to it. A journey's teardown waits until the server is quiet.
    """

    def __init__(self, httpd: Any) -> None:
        self.count = 0
        self.last_change = time.monotonic()
        self.changed = threading.Condition()
        accept, handle = httpd.process_request, httpd.process_request_thread

        def process_request(request: Any, client_address: Any) -> None:
            self._add(1)  # in the server's own thread, as soon as it has accepted
            try:
                accept(request, client_address)
            except BaseException:
                self._add(-1)
                raise

        def process_request_thread(request: Any, client_address: Any) -> None:
            try:
                handle(request, client_address)
            finally:
                self._add(-1)

        # ThreadingMixIn looks both up on the instance for every connection.
        httpd.process_request = process_request
        httpd.process_request_thread = process_request_thread

    def _add(self, step: int) -> None:
        with self.changed:
            self.count += step
            self.last_change = time.monotonic()
            self.changed.notify_all()

    def wait_until_quiet(self, quiet: float = 0.2, timeout: float = 15.0) -> None:
        """Return once no request has run for `quiet` seconds (or after `timeout`)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while time.monotonic() < deadline:
                idle_for = time.monotonic() - self.last_change
                if self.count == 0 and idle_for >= quiet:
                    return
                self.changed.wait(timeout=quiet if self.count == 0 else 0.1)


def requests_in_flight(live_server: Any) -> RequestsInFlight:
    """The live server's (session-wide) request counter, installed on first use."""
    httpd = live_server.thread.httpd
    tracker = getattr(httpd, "lup_requests_in_flight", None)
    if tracker is None:
        tracker = RequestsInFlight(httpd)
        httpd.lup_requests_in_flight = tracker
    return tracker


@pytest.fixture
def browser_page(
    chromium: Any, live_server: Any, transactional_db: None, request: pytest.FixtureRequest
) -> Iterator[BrowserPage]:
    """A fresh Norwegian browser context on the live server; every page must pass axe."""
    in_flight = requests_in_flight(live_server)
    context = chromium.new_context(locale="nb-NO", timezone_id="Europe/Oslo")
    try:
        page = BrowserPage(context.new_page(), live_server.url)
        yield page
        call_report = getattr(request.node, "e2e_report_call", None)
        if call_report is not None and call_report.passed:
            unchecked = page.unchecked_pages()
            if unchecked:
                pytest.fail(
                    "pages visited without check_accessibility(): " + ", ".join(unchecked),
                    pytrace=False,
                )
            if page.policy_violations:
                pytest.fail(
                    "the Content-Security-Policy refused something a page needs:\n"
                    + "\n".join(page.policy_violations),
                    pytrace=False,
                )
    finally:
        context.close()
        # Before the database is flushed: let what the closing pages sent finish.
        in_flight.wait_until_quiet()


@pytest.fixture
def h5p_files(settings, tmp_path):
    """H5P packages and libraries stored in this test's own folder."""
    settings.COURSES_H5P_ROOT = str(tmp_path / "h5p")


@pytest.fixture
def player_origin(settings, live_server, h5p_files) -> str:
    """The player on 127.0.0.1, the site on localhost: two origins, no shared cookie."""
    site = live_server.url.replace("127.0.0.1", "localhost")
    port = urlsplit(site).port
    player = f"http://127.0.0.1:{port}"
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    settings.COURSES_SITE_URL = site
    settings.COURSES_H5P_PLAYER_ORIGIN = player
    # What config/settings.py does with COURSES_H5P_PLAYER_ORIGIN from the environment.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["frame-src"] = [*policy["DIRECTIVES"]["frame-src"], player]
    settings.CONTENT_SECURITY_POLICY = policy
    return player
