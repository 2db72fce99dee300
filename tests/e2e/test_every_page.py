"""Every page each demo role reaches by following links passes axe (WCAG 2.1 A/AA) and
fits the screen, at 1366 px and at 390 px.

Each role signs in (two-factor where the role needs it) and follows the links it is shown,
breadth first, one page of each kind (its path without ids; the admin's pages aside:
superusers' tools, not the product's). On each page, at both widths: axe finds nothing and
the page is no wider than the window. Wide tables scroll inside their own region (WCAG
1.4.10 allows it for data tables), so only the page itself is measured there; but a
table's actions (cells marked `.actions`) must be in view without scrolling it.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from playwright.sync_api import expect

from lup.demo.seed import seed_demo
from tests.e2e.journeys import sign_in, sign_in_with_two_factor

WIDTHS = (1366, 390)
PAGES_PER_ROLE = 40
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")
# Not pages of the product: signing out, files and downloads, the admin (superusers').
_NOT_CRAWLED = re.compile(
    r"^/(accounts/logout/|static/|media/|i18n/|admin/|courses/h5p/)"
    r"|\.(csv|json|pdf|xlsx|zip|ics)$|/(export|download|qr|file)/?$"
)

ROLES = [
    ("admin@baerum.kommune.no", True),
    ("hr@baerum.kommune.no", True),
    ("fasilitator@baerum.kommune.no", False),
    ("leder@baerum.kommune.no", False),
    ("ildsjel@baerum.kommune.no", False),
]


def _kind(path: str) -> str:
    return _ID.sub("<id>", path.split("?")[0])


# Action cells outside their scrolling table's visible box.
HIDDEN_ACTIONS = """() => Array.from(document.querySelectorAll('.table-wrapper'))
.flatMap(wrapper => {
  const box = wrapper.getBoundingClientRect();
  return Array.from(wrapper.querySelectorAll('.actions'))
    .filter(cell => {
      const edge = cell.getBoundingClientRect();
      return edge.right > box.right + 1 || edge.left < box.left - 1;
    })
    .map(cell => (wrapper.querySelector('table') || {}).id || 'a table');
})"""


def _links(browser_page) -> list[str]:
    return browser_page.page.eval_on_selector_all(
        "a[href]", "links => links.map(link => link.getAttribute('href'))"
    )


@pytest.mark.slow
@pytest.mark.parametrize(("email", "two_factor"), ROLES, ids=[email for email, _ in ROLES])
def test_every_page_a_role_reaches_passes_axe_and_fits_at_both_widths(
    browser_page, email, two_factor
):
    seed_demo(scale=1)
    browser_page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    if two_factor:
        sign_in_with_two_factor(browser_page, email)
    else:
        sign_in(browser_page, email)
    expect(browser_page.page).not_to_have_url(re.compile(r"/accounts/"))
    browser_page.check_accessibility()
    host = urlsplit(browser_page.base_url).netloc
    start = urlsplit(browser_page.page.url).path
    queue, kinds = deque([start]), {_kind(start)}
    too_wide: list[str] = []
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        path = queue.popleft()
        response = browser_page.goto(path)
        visited += 1
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        assert response.status < 400, (path, response.status)
        for width in WIDTHS:
            browser_page.set_viewport_size({"width": width, "height": 900})
            browser_page.check_accessibility()
            scroll_width = browser_page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                too_wide.append(f"{path} at {width} px: {scroll_width} px wide")
            hidden = browser_page.evaluate(HIDDEN_ACTIONS)
            if hidden:
                too_wide.append(f"{path} at {width} px: actions out of view in {set(hidden)}")
        for href in _links(browser_page):
            url = urlsplit(urldefrag(urljoin(browser_page.page.url, href)).url)
            if url.scheme not in ("http", "https") or url.netloc != host:
                continue
            if _NOT_CRAWLED.search(url.path) or _kind(url.path) in kinds:
                continue
            kinds.add(_kind(url.path))
            queue.append(url.path + (f"?{url.query}" if url.query else ""))

    assert visited >= 5, visited
    assert not too_wide, "pages wider than the window:\n" + "\n".join(too_wide)
