"""Formulas in H5P content are typeset by MathJax from our own static files, in Chromium,
under the player's real policy, with nothing fetched from a CDN.

H5P.MathDisplay 1.0.0 to 1.0.8 ask the host for the MathJax to load
(`H5P.getLibraryConfig('H5P.MathDisplay').renderer.mathjax`, defaulting to cdnjs). No real
package in ../shared/h5p-samples uses MathDisplay, so this test does in the content frame
what those versions' `getMathJax` does, step for step (read the library config through
h5p-standalone's real `H5P.getLibraryConfig`, load `src` with a script element, on load
`MathJax.Hub.Config(config)`, then queue a typeset of the content): the counterparts met
are the real player, the real MathJax 2 package and our real Content-Security-Policy, on
a real package (True/False from the samples) whose question carries a formula. What is
not met: MathDisplay's own script. Later MathDisplay versions carry MathJax in the library
and are served with its files, like any library.
"""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from courses.h5p.services import install_package
from courses.h5p_player import MATHJAX_CONFIG
from courses.models import Activity
from tests.e2e.test_h5p_journey import participant_with_h5p
from tests.e2e.test_h5p_real_content import (
    content_of,
    no_player_errors,
    open_player,
    sample,
    sign_in_on,
)

ROOT = Path(__file__).resolve().parents[2]
FORMULA = r"\(\frac{a}{b} + x^2\)"

# What H5P.MathDisplay 1.0.8's getMathJax does with the host's library config.
LOAD_LIKE_MATHDISPLAY = """
() => new Promise((resolve, reject) => {
  const settings = H5P.getLibraryConfig('H5P.MathDisplay');
  const mathjax = settings.renderer.mathjax;
  const script = document.createElement('script');
  script.type = 'text/javascript';
  script.src = mathjax.src;
  script.onerror = () => reject(new Error('MathJax did not load from ' + mathjax.src));
  script.onload = () => {
    MathJax.Hub.Config(mathjax.config);
    const container = document.getElementsByClassName('h5p-container')[0] || document;
    MathJax.Hub.Queue(['Typeset', MathJax.Hub, container], () => resolve(settings));
  };
  document.body.appendChild(script);
})
"""


def setup_module_lists():
    """setup.py's list of the MathJax files the wheel carries (setup() runs only as main)."""
    spec = importlib.util.spec_from_file_location("lup_setup", ROOT / "setup.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def package_with_a_formula(tmp_path: Path) -> Path:
    """The real True/False package with a formula in its question: nothing else changed."""
    source = sample("true-false.h5p")
    target = tmp_path / "true-false-with-a-formula.h5p"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "content/content.json":
                content = json.loads(data)
                content["question"] = f"<p>Is {FORMULA} a formula?</p>"
                data = json.dumps(content).encode()
            copy.writestr(item, data)
    return target


@pytest.mark.parametrize("on_player_origin", [True, False], ids=["player-origin", "site-origin"])
def test_a_formula_is_typeset_by_our_own_mathjax(
    browser_page, player_origin, settings, tmp_path, on_player_origin
):
    if not on_player_origin:
        settings.COURSES_H5P_PLAYER_ORIGIN = ""  # the strict policy must allow it too
    package, _created = install_package(
        upload=str(package_with_a_formula(tmp_path)), uploaded_by=None, allow_new_libraries=True
    )
    _learner, activity = participant_with_h5p(package)
    activity.h5p_completion = Activity.H5PCompletion.SCORE
    activity.save(update_fields=["h5p_completion"])
    site = browser_page.base_url.replace("127.0.0.1", "localhost")
    origins_asked: set[str] = set()
    mathjax_files: set[str] = set()

    def record(request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https"):
            origins_asked.add(f"{parts.scheme}://{parts.netloc}")
        if "/vendor/mathjax/" in parts.path:
            mathjax_files.add(parts.path.split("/vendor/mathjax/", 1)[1])

    browser_page.on("request", record)
    sign_in_on(browser_page, site)
    outer = open_player(browser_page, activity, site)
    content = content_of(outer)
    expect(content).to_contain_text("a formula?")

    config = content.evaluate(LOAD_LIKE_MATHDISPLAY)
    mathjax = config["renderer"]["mathjax"]
    assert mathjax["src"].endswith("/vendor/mathjax/MathJax.js")
    assert mathjax["config"] == json.loads(json.dumps(MATHJAX_CONFIG))

    # The formula is typeset (MathJax's HTML-CSS output), its TeX source gone from the text.
    typeset = content.locator("span.MathJax").first
    expect(typeset).to_be_visible(timeout=20_000)
    assert "frac" not in content.inner_text()
    no_player_errors(outer)
    expect(outer.locator("#h5p-blocked")).to_be_hidden()
    assert browser_page.policy_violations == []

    # Nothing from a CDN: only the site's and the player's origins were asked.
    player = player_origin if on_player_origin else site
    assert origins_asked <= {site, player}, origins_asked
    # Every MathJax file the browser asked for is in the wheel too (setup.py).
    assert "MathJax.js" in mathjax_files
    assert any(name.startswith("fonts/HTML-CSS/TeX/woff/") for name in mathjax_files)
    keeps = setup_module_lists().mathjax_keeps
    assert [name for name in sorted(mathjax_files) if not keeps(name)] == []
