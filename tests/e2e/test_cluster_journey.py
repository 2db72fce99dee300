"""The site behind nginx with two app servers, a Celery worker and beat, PostgreSQL, Redis
and an S3 store (benchmarks/cluster.py): a journey whose requests alternate servers.

Each request goes to whichever app server nginx picks (round robin, named in the
`X-Upstream` header), so everything a person relies on between two requests must live
outside the app server: the session (database), rate limits (Redis), files (the bucket),
and work handed to the worker (an own-data archive built by Celery, downloaded from
either server). Runs in CI's PostgreSQL pass, which has every part; `.ci/run` installs
nginx.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.db import connection
from playwright.sync_api import expect

from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import sign_in, sign_in_with_two_factor

MANAGER = "leder@baerum.kommune.no"
UPLOADED = b"%PDF-1.7\n% brukerreise\n%%EOF\n"
CLUSTER_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "cluster.py"


def _cluster_module() -> Any:
    spec = importlib.util.spec_from_file_location("cluster_benchmark", CLUSTER_SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def _answered_by(header: str | None) -> str:
    """The app server that answered: the last one nginx tried (it names each it tried)."""
    return (header or "").split(",")[-1].strip()


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the cluster runs on PostgreSQL and Redis: CI's PostgreSQL pass runs it",
    ),
]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    cluster_script = _cluster_module()
    if cluster_script.nginx_binary() is None:
        message = "nginx is not installed (apt-get install nginx)"
        if os.environ.get("LUP_REQUIRE_BROWSER") == "1":  # CI: every part must be there
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    running = cluster_script.free_cluster(
        database=f"lup_cluster_test_{worker}",
        redis_db=12 - int(worker or 0),
        drop_database_on_stop=True,
        # A daily allowance, so the limit is reached in a few requests and no minute ends
        # in the middle of the test.
        extra_env={"CERTIFICATES_VERIFY_RATE": "5/day"},
    )
    with running:
        yield running


def _cluster_database(cluster: Any, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(cluster.database_url) as database:
        return list(database.execute(sql).fetchall())


def test_a_learner_journey_alternates_app_servers(cluster, chromium):
    context = chromium.new_context(locale="nb-NO", timezone_id="Europe/Oslo")
    pages: list[tuple[str, str | None]] = []
    try:
        page = BrowserPage(context.new_page(), cluster.url)
        page.page.on(
            "response",
            lambda response: (
                pages.append((response.url, response.headers.get("x-upstream")))
                if response.request.resource_type == "document"
                else None
            ),
        )
        page.goto("/accounts/login/")
        page.check_accessibility()
        sign_in(page, MANAGER)
        expect(page.page).to_have_url(re.compile(r"/$"))
        page.check_accessibility()

        # Still signed in whichever server answers: the session is in the database.
        for path in ("/me/programme/", "/", "/me/data/", "/me/programme/"):
            page.goto(path)
            expect(page.page).to_have_url(re.compile(re.escape(path) + "$"))
            page.check_accessibility()

        # H5P content from the bucket, played through either server.
        [(activity,)] = _cluster_database(
            cluster,
            "SELECT public_id FROM courses_activity WHERE h5p_package_id IS NOT NULL "
            "ORDER BY id LIMIT 1",
        )
        page.goto(f"/courses/activities/{activity}/")
        player = page.frame_locator("iframe[data-h5p-player]").frame_locator("iframe.h5p-iframe")
        expect(player.locator(".h5p-content")).to_be_visible(timeout=30_000)
        page.check_accessibility()

        # An upload: the answer's file goes to the bucket through one server and comes
        # back through both.
        assignments = _cluster_database(
            cluster,
            "SELECT public_id FROM courses_activity WHERE kind = 'assignment' ORDER BY id",
        )
        form = page.locator('form[enctype="multipart/form-data"]')
        for (assignment,) in assignments:
            page.goto(f"/courses/activities/{assignment}/")
            if form.count() and form.locator("#id_file").count():
                break
        else:
            pytest.fail("no assignment of the demo manager takes a file now")
        page.check_accessibility()
        form.locator("#id_text").fill("Brukerreisen vår, som PDF.")
        form.locator("#id_file").set_input_files(
            {"name": "brukerreise.pdf", "mimeType": "application/pdf", "buffer": UPLOADED}
        )
        form.locator('button[type="submit"]').click()
        download = page.locator('article.attempt a[href*="/submissions/"]').first
        expect(download).to_be_visible()
        page.check_accessibility()
        file_url = cluster.url + str(download.get_attribute("href"))
        fetched = [context.request.get(file_url) for _ in range(4)]
        assert [response.status for response in fetched] == [200] * 4
        assert all(response.body() == UPLOADED for response in fetched)
        assert len({_answered_by(r.headers.get("x-upstream")) for r in fetched}) == 2

        # Work for the worker: the archive is built by Celery into the bucket, then
        # downloaded through whichever server answers.
        page.goto("/me/data/")
        page.locator('form[action="/me/data/archives/"] button[type="submit"]').click()
        page.check_accessibility()
        link = page.locator('a[href^="/me/data/archives/"]').first
        for _attempt in range(30):
            if link.count():
                break
            page.wait_for_timeout(1000)
            page.reload()
        page.check_accessibility()
        href = link.get_attribute("href")
        assert href
        archive = context.request.get(cluster.url + href)
        assert archive.status == 200
        assert archive.body()[:2] == b"PK"
    finally:
        context.close()

    answered_by = {_answered_by(upstream) for url, upstream in pages if upstream}
    assert len(answered_by) == 2, pages  # both app servers served this person
    assert not any("/accounts/login/" in url for url, _ in pages[2:]), pages


def test_the_rate_limit_holds_across_app_servers(cluster):
    """Five verifications a day from one address, counted in Redis by both servers."""
    answers = []
    for _attempt in range(7):
        request = urllib.request.Request(f"{cluster.url}/verify/AAAAAAAA/")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                answers.append((response.status, response.headers["X-Upstream"]))
        except urllib.error.HTTPError as error:
            answers.append((error.code, error.headers["X-Upstream"]))

    assert all(status != 429 for status, _ in answers[:5]), answers
    assert [status for status, _ in answers[5:]] == [429, 429], answers
    assert len({_answered_by(upstream) for _, upstream in answers}) == 2, answers


class _Links(HTMLParser):
    """The `href`s of a page's links."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


# Links a crawl does not follow: signing out ends the session it crawls with; the
# player's library and content files and the static files are not pages.
_NOT_CRAWLED = re.compile(r"^/(accounts/logout/|static/|courses/h5p/|media/|i18n/)")
PAGES_PER_ROLE = 90
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")


def _kind(path: str) -> str:
    """A page's kind: its path without ids or query (two of each kind are enough)."""
    return _ID.sub("<id>", path.split("?")[0])


def _crawl(context: Any, base_url: str) -> list[tuple[str, int, str, str]]:
    """(path, status, server, redirect target) of every page reachable from the start
    page by links and redirects, as the signed-in person of `context` (breadth first, GET
    only, this site only)."""
    host = urlsplit(base_url).netloc
    queue, seen = deque(["/"]), {"/"}
    visited: list[tuple[str, int, str, str]] = []
    kinds: dict[str, int] = {}
    while queue and len(visited) < PAGES_PER_ROLE:
        path = queue.popleft()
        response = context.request.get(base_url + path, max_redirects=0)
        server = _answered_by(response.headers.get("x-upstream"))
        location = response.headers.get("location", "")
        visited.append((path, response.status, server, location))
        if location:
            hrefs = [location]
        elif "text/html" in response.headers.get("content-type", ""):
            parser = _Links()
            parser.feed(response.text())
            hrefs = parser.hrefs
        else:
            continue
        for href in hrefs:
            url = urlsplit(urldefrag(urljoin(base_url + path, href)).url)
            if url.scheme not in ("http", "https") or url.netloc != host:
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if target in seen or _NOT_CRAWLED.match(url.path):
                continue
            seen.add(target)
            kinds[_kind(target)] = kinds.get(_kind(target), 0) + 1
            if kinds[_kind(target)] <= 2:
                queue.append(target)
    return visited


@pytest.mark.parametrize(
    ("email", "two_factor"),
    [
        ("admin@baerum.kommune.no", True),
        ("hr@baerum.kommune.no", True),
        ("fasilitator@baerum.kommune.no", False),
        (MANAGER, False),
        ("ildsjel@baerum.kommune.no", False),
    ],
)
def test_every_role_reaches_its_pages_through_either_server(cluster, chromium, email, two_factor):
    """Each demo role signs in through the proxy (two-factor where the role needs it) and
    follows the links it is shown (two pages of each kind, up to PAGES_PER_ROLE): each
    answers (a page, a file or a redirect; never an error, never the sign-in page)
    whichever server nginx picks."""
    context = chromium.new_context(locale="nb-NO", timezone_id="Europe/Oslo")
    try:
        page = BrowserPage(context.new_page(), cluster.url)
        page.goto("/accounts/login/")
        if two_factor:
            sign_in_with_two_factor(page, email)
        else:
            sign_in(page, email)
        expect(page.page).to_have_url(re.compile(r"/$"))
        visited = _crawl(context, cluster.url)
    finally:
        context.close()

    failed = [(path, status) for path, status, _, _ in visited if status >= 400]
    assert not failed, failed
    signed_out = [path for path, _, _, location in visited if "/accounts/login/" in location]
    assert not signed_out, signed_out  # the session holds on both servers
    assert len(visited) >= 5, visited  # the start page links to the role's pages
    assert len({server for _, _, server, _ in visited}) == 2, visited


# Last in the file: it stops a server of the module's cluster.
def test_a_stopped_app_server_costs_no_request(cluster):
    """nginx passes a request that cannot reach one server to the other."""
    cluster.stop_app("app2")
    statuses = []
    for _attempt in range(6):
        with urllib.request.urlopen(f"{cluster.url}/livez", timeout=30) as response:  # noqa: S310
            statuses.append((response.status, response.headers["X-Upstream"]))

    assert [status for status, _ in statuses] == [200] * 6
    assert {_answered_by(upstream) for _, upstream in statuses} == {
        f"127.0.0.1:{cluster.app_ports[0]}"
    }
