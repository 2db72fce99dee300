"""Our wheel, installed into a real Wagtail site by following the README, as an outsider would.

The test builds the wheel from this repository and makes a fresh virtual environment (Python
3.11). It installs Wagtail from requirements/host-wagtail.txt and our dependencies from
uv.lock, both with hashes, then the wheel without dependencies. It runs `wagtail start
hostsite`, a site nobody here wrote, and gives it a DRF API of its own (Wagtail's API v2,
as Wagtail's documentation adds it). It applies the code blocks of the README's section
"Installing the apps into another Django project" as written: each block that follows a
`<!-- wheel-host: ... -->` comment goes into the file the comment names.

Then it migrates, stores the third-party True/False package with our `import_h5p` command,
builds a course in the site's `manage.py shell`, and serves the site with its own
development settings (`runserver`, DEBUG on, static files from the installed apps). In
Chromium a learner signs in through the site's sign-in page (its LOGIN_URL) and opens the
activity. The H5P player shows the question inside its frames; the learner answers it, and
the site's database holds the completion. The site's own API, admin and pages answer as
before.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
UV = ROOT / ".venv" / "bin" / "uv"
HELPERS = Path(__file__).resolve().parent / "wheel_host"
TRUE_FALSE = ROOT.parent / "shared" / "h5p-samples" / "true-false.h5p"
README_SECTION = "## Installing the apps into another Django project"
HOST_REQUIREMENTS = ROOT / "requirements" / "host-wagtail.txt"
APPS = ("lup", "courses", "certificates")
# The player's files the templates and the player frame load, under this static path.
PLAYER_FILES = ("main.bundle.js", "frame.bundle.js", "styles/h5p.css")
PLAYER_STATIC = "vendor/h5p-standalone"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]

# `<!-- wheel-host: append to PATH -->`, `<!-- wheel-host: create PATH -->` or
# `<!-- wheel-host: insert into PATH after|before "TEXT" -->`, then a fenced code block.
BLOCK = re.compile(
    r"<!-- wheel-host: (?P<action>append to|create|insert into) (?P<path>\S+)"
    r'(?: (?P<where>after|before) "(?P<anchor>[^"]+)")? -->\n'
    r"```[\w-]*\n(?P<code>.*?)```",
    re.DOTALL,
)


@dataclass(frozen=True)
class ReadmeBlock:
    action: str
    path: str
    where: str | None
    anchor: str | None
    code: str

    def apply(self, site: Path) -> None:
        """Put the block into the site's file, as the README says."""
        target = site / self.path
        if self.action == "create":
            assert not target.exists(), f"the README creates {self.path}, which exists"
            target.write_text(self.code)
            return
        text = target.read_text()
        if self.action == "append to":
            target.write_text(text.rstrip("\n") + "\n\n\n" + self.code)
            return
        assert self.anchor is not None
        assert text.count(self.anchor) == 1, f"{self.anchor!r} is not once in {self.path}"
        code = self.code.rstrip("\n")
        replacement = f"{self.anchor}{code}" if self.where == "after" else f"{code}{self.anchor}"
        target.write_text(text.replace(self.anchor, replacement))


def readme_blocks() -> list[ReadmeBlock]:
    """The README section's blocks for a host, in order."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index(README_SECTION)
    end = readme.find("\n## ", start + len(README_SECTION))
    section = readme[start : end if end != -1 else None]
    return [
        ReadmeBlock(
            action=match["action"],
            path=match["path"],
            where=match["where"],
            anchor=match["anchor"],
            code=match["code"],
        )
        for match in BLOCK.finditer(section)
    ]


def test_the_readme_gives_a_host_every_block_it_needs():
    """What the browser test below applies, checked without building anything."""
    blocks = readme_blocks()
    by_target = {(block.action, block.path, block.where): block for block in blocks}

    settings = by_target[("append to", "hostsite/settings/base.py", None)].code
    urls = by_target[("append to", "hostsite/urls.py", None)].code
    for block in blocks:
        if block.path.endswith(".py"):
            compile(block.code, block.path, "exec")  # each is Python as written
    # Global DRF defaults would change the host's own API: our views carry their own.
    assert "REST_FRAMEWORK" not in settings
    assert "LOGIN_URL" in settings  # hosts without allauth have no "account_login"
    assert "urlpatterns +=" not in urls  # appended after a catch-all, ours would never match
    head = {
        block.code.strip()
        for block in blocks
        if block.path == "hostsite/templates/base.html" and block.action == "insert into"
    }
    assert head == {
        "{% block head_title %}{% endblock %}",
        "{% block extra_head %}{% endblock %}",
    }
    assert ("create", "hostsite/celery.py", None) in by_target


def run(
    command: list[str | Path],
    *,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 300,
    with_stderr: bool = False,
) -> str:
    """Run a command; its output (with stderr: both), or the test fails with what it
    printed."""
    completed = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        shown = " ".join(str(part) for part in command)
        pytest.fail(
            f"`{shown}` failed ({completed.returncode}):\n"
            f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}",
            pytrace=False,
        )
    return completed.stdout + completed.stderr if with_stderr else completed.stdout


def pins(requirements: str) -> dict[str, str]:
    """{normalised name: version} of a requirements file's `name==version` lines."""
    return {
        re.sub(r"[-_.]+", "-", match[1]).lower(): match[2]
        for match in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", requirements, re.M)
    }


def repository_files() -> list[str]:
    """The repository's files as a clone with these changes would have them: tracked or
    new, not ignored, and still there."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    return [path for path in listed if path and (ROOT / path).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built as `make wheel` builds it, from a copy of the repository's files
    (setuptools' build/ folder here may hold files of older builds) and its node_modules."""
    source = tmp_path_factory.mktemp("source")
    for path in repository_files():
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, source / path)
    (source / "node_modules").symlink_to(ROOT / "node_modules")
    out = tmp_path_factory.mktemp("dist")
    run([UV, "build", "--wheel", "--out-dir", out], cwd=source, timeout=180)
    (built,) = out.glob("lup_learning-*.whl")
    return built


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.database_free  # the host site has its own SQLite database
def test_the_wheel_carries_the_player_and_every_file_the_apps_need(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())

    for name in PLAYER_FILES:
        assert f"courses/static/{PLAYER_STATIC}/{name}" in names
    assert f"courses/static/{PLAYER_STATIC}/LICENSE" in names
    # MathJax for H5P.MathDisplay, only the parts its configuration loads (setup.py).
    mathjax = [name for name in names if name.startswith("courses/static/vendor/mathjax/")]
    assert "courses/static/vendor/mathjax/MathJax.js" in mathjax
    assert "courses/static/vendor/mathjax/LICENSE" in mathjax
    assert any("/fonts/HTML-CSS/TeX/woff/" in name for name in mathjax)
    assert not [name for name in mathjax if "/unpacked/" in name or "/SVG/" in name]
    # Templates, static files, compiled translations, migrations, the H5P content type in
    # courses/h5p_library: every file of the apps in the repository.
    apps = [path for path in repository_files() if path.split("/")[0] in APPS]
    assert [path for path in apps if path not in names] == []
    assert any(name.endswith("/LC_MESSAGES/django.mo") for name in names)
    assert any(name.startswith("courses/h5p_library/") for name in names)
    # The standalone site, the tests and the player's sources stay out.
    assert not [name for name in names if name.split("/")[0] in {"config", "tests"}]
    assert not [name for name in names if "node_modules" in name or name.endswith(".d.ts")]


def chromium_path() -> str | None:
    """LUP_CHROMIUM if set (and only it), else the chromium on PATH or in /usr/bin."""
    explicit = os.environ.get("LUP_CHROMIUM")
    candidates: list[str | None] = (
        [explicit] if explicit else [shutil.which("chromium"), "/usr/bin/chromium"]
    )
    return next((c for c in candidates if c and Path(c).is_file()), None)


def host_environment(venv: Path) -> dict[str, str]:
    """The machine's environment with the host's virtual environment first on PATH, and
    none of this repository's settings (tests/settings.py puts some in os.environ)."""
    ours = ("DJANGO_", "COURSES_", "CERTIFICATES_", "LUP_", "CELERY_", "PYTHON", "UV_PROJECT")
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(ours)
        and name not in {"DATABASE_URL", "REDIS_URL", "SITE_URL", "VIRTUAL_ENV"}
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["UV_PYTHON_DOWNLOADS"] = "never"  # the machine's Python 3.11, never a download
    return env


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """An anonymous GET to the host's server: (status, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


@dataclass
class Host:
    site: Path
    env: dict[str, str]
    port: int
    log: Path
    course: dict[str, Any] = field(default_factory=dict)
    inspected: dict[str, Any] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str, stdin: str | None = None) -> str:
        return run(["python", "manage.py", *args], cwd=self.site, env=self.env, stdin=stdin)

    def shell(self, script: str) -> dict[str, Any]:
        """Run one of tests/wheel_host's scripts with the site's `manage.py shell`."""
        output = self.manage("shell", "--no-imports", stdin=(HELPERS / script).read_text())
        return json.loads(output.strip().splitlines()[-1])

    def server_log(self) -> str:
        return self.log.read_text()[-4000:]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def give_the_site_its_own_api(site: Path) -> None:
    """Wagtail's API v2 (DRF) in the site, before our apps: what they must leave alone."""
    shutil.copy(HELPERS / "host_api.py", site / "hostsite" / "api.py")
    settings = site / "hostsite" / "settings" / "base.py"
    text = settings.read_text()
    assert '    "wagtail.admin",\n' in text
    settings.write_text(
        text.replace(
            '    "wagtail.admin",\n',
            '    "wagtail.admin",\n    "wagtail.api.v2",\n    "rest_framework",\n',
        )
    )
    urls = site / "hostsite" / "urls.py"
    text = urls.read_text()
    assert "urlpatterns = [\n" in text
    urls.write_text(
        "from .api import api_router\n"
        + text.replace(
            "urlpatterns = [\n", 'urlpatterns = [\n    path("api/v2/", api_router.urls),\n'
        )
    )


@pytest.fixture(scope="module")
def host(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    """The Wagtail site with our wheel installed as the README says, served on a free port."""
    if not TRUE_FALSE.is_file():
        pytest.skip(f"the H5P samples are not there (shared/h5p-samples): {TRUE_FALSE}")
    if chromium_path() is None:
        message = "system Chromium not found; apt-get install chromium (or set LUP_CHROMIUM)"
        if os.environ.get("LUP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"LUP_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    work = tmp_path_factory.mktemp("wheel-host")
    venv = work / "venv"
    env = host_environment(venv)

    # Our dependencies exactly as uv.lock has them, and Wagtail's from its own lock: the
    # packages both name must be the same versions (the .in file says how to relock).
    ours = work / "lup-learning.txt"
    run(
        [
            *(UV, "export", "--frozen", "--no-dev", "--no-default-groups", "--no-emit-project"),
            *("--format", "requirements-txt", "--no-header", "--quiet", "-o", ours),
        ]
    )
    wagtails = pins(HOST_REQUIREMENTS.read_text())
    differing = {
        name: (version, wagtails[name])
        for name, version in pins(ours.read_text()).items()
        if name in wagtails and wagtails[name] != version
    }
    assert not differing, (
        f"uv.lock and {HOST_REQUIREMENTS.name} pin different versions (ours, Wagtail's): "
        f"{differing}; relock it as requirements/host-wagtail.in says"
    )
    run([UV, "venv", "--quiet", "--python", "3.11", venv], env=env, timeout=120)
    python = venv / "bin" / "python"
    run(
        [
            *(UV, "pip", "install", "--quiet", "--python", python, "--require-hashes"),
            *("-r", ours, "-r", HOST_REQUIREMENTS),
        ],
        env=env,
    )
    run([UV, "pip", "install", "--quiet", "--python", python, "--no-deps", wheel], env=env)
    run([UV, "pip", "check", "--python", python], env=env)  # the lock met the wheel's needs

    run(["wagtail", "start", "hostsite"], cwd=work, env=env)
    site = work / "hostsite"
    give_the_site_its_own_api(site)
    for block in readme_blocks():
        block.apply(site)

    served = Host(site=site, env=env, port=free_port(), log=work / "server.log")
    # Errors fail; the only warnings are lup.W010's about the site's own models that look
    # like personal data, outside LUP's register (README), never about our apps' models.
    checked = run(["python", "manage.py", "check"], cwd=site, env=env, with_stderr=True)
    issues = re.findall(r"^\S+: \((\S+)\) (\S+)", checked, re.M)
    assert {code for code, _model in issues} <= {"lup.W010"}, checked
    assert not [model for _code, model in issues if model.split(".")[0] in APPS], checked
    served.manage("migrate", "--noinput")
    served.manage("import_h5p", str(TRUE_FALSE), "--install-libraries")
    served.course = served.shell("make_course.py")
    served.inspected = served.shell("inspect_host.py")

    with served.log.open("w") as log:
        server = subprocess.Popen(
            ["python", "manage.py", "runserver", "--noreload", f"127.0.0.1:{served.port}"],
            cwd=site,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, f"the site's server stopped:\n{served.server_log()}"
                try:
                    if get(served.port, "/")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, f"no answer in 60 s:\n{served.server_log()}"
                time.sleep(0.3)
            yield served
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def in_a_browser_thread(journey: Any, *args: Any) -> Any:
    """Run a Playwright journey in a thread of its own: the sync API refuses to start in a
    thread where another test's Playwright is still running (tests/e2e's session browser)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(journey, *args).result(timeout=240)


def learner_journey(host: Host, screenshots: Path) -> dict[str, Any]:
    """The learner signs in through the site and answers the True/False question."""
    from playwright.sync_api import expect, sync_playwright

    course = host.course
    failed: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(base_url=host.base_url)
        page.on(
            "response",
            lambda response: (
                failed.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )
        try:
            # Not signed in: our page sends the learner to the site's own sign-in page.
            page.goto(course["activity_url"])
            login = re.escape(host.inspected["login_url"])
            expect(page).to_have_url(re.compile(rf"{login}\?next="))
            page.locator("input[name=username]").fill(course["learner"])
            page.locator("input[name=password]").fill(course["password"])
            page.locator("input[name=password]").press("Enter")
            expect(page).to_have_url(host.base_url + course["activity_url"])
            expect(page).to_have_title(re.compile(re.escape(course["activity"])))

            # The player's page in our frame, H5P's own frame inside it: the question shows.
            content = page.frame_locator("iframe").first.frame_locator("iframe.h5p-iframe")
            expect(content.get_by_text("Is this false?")).to_be_visible(timeout=30_000)
            content.get_by_role("radio", name="False").click()
            content.get_by_role("button", name="Check").click()
            expect(content.locator(".h5p-question-feedback")).to_be_visible()
            page.screenshot(path=screenshots / "answered.png", full_page=True)

            me = page.request.get("/api/v1/me/")  # our API, with the learner's session
            return {"failed": failed, "me": [me.status, me.json()]}
        except Exception:
            page.screenshot(path=screenshots / "failure.png", full_page=True)
            raise
        finally:
            browser.close()


def administrator_journey(host: Host) -> str:
    """The site's administrator signs in to Wagtail's admin: its dashboard's heading."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(base_url=host.base_url)
            page.goto("/admin/")
            page.locator("input[name=username]").fill(host.course["administrator"])
            page.locator("input[name=password]").fill(host.course["password"])
            page.locator("input[name=password]").press("Enter")
            expect(page).to_have_url(f"{host.base_url}/admin/")
            heading = page.locator("h1").first
            expect(heading).to_be_visible()
            return heading.inner_text()
        finally:
            browser.close()


def wait_for_completions(host: Host) -> dict[str, Any]:
    """The site's database once it holds a completion (the player reports as it likes)."""
    deadline = time.monotonic() + 30
    while True:
        stored = host.shell("read_completions.py")
        if stored["completions"] or time.monotonic() > deadline:
            return stored
        time.sleep(1)


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.database_free  # the host site has its own SQLite database
def test_a_learner_answers_an_h5p_question_in_a_wagtail_site_that_installed_the_wheel(
    host, tmp_path
):
    inspected = host.inspected
    # The apps and the player come from the wheel in the site's environment, not from here.
    site_packages = str(host.site.parent / "venv")
    assert inspected["courses_module"].startswith(site_packages)
    for name, found in inspected["player_files"].items():
        assert found, name
        assert found.startswith(site_packages), (name, found)

    result = in_a_browser_thread(learner_journey, host, tmp_path)

    assert result["failed"] == [], f"requests that failed: {result['failed']}"
    stored = wait_for_completions(host)
    assert stored["completions"] == [["kari", "Check yourself", "h5p"]], host.server_log()
    assert stored["attempts"] == [["kari", 1, 1]]
    assert result["me"][0] == 200
    assert result["me"][1]["email"] == "kari@example.no"


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.database_free  # the host site has its own SQLite database
def test_the_wagtail_sites_own_api_admin_and_pages_are_as_before(host):
    inspected = host.inspected
    # The README set no global DRF defaults: DRF's own are in force for the site's API.
    assert inspected["has_rest_framework_setting"] is False
    assert inspected["drf_default_permissions"] == ["rest_framework.permissions.AllowAny"]
    assert inspected["drf_default_pagination"] == "None"
    # Wagtail's catch-all is still the last route, and Celery tasks run inline.
    assert inspected["last_route"] == "wagtail.urls"
    assert inspected["celery_app"] == "hostsite"
    assert inspected["celery_eager"] is True

    # Wagtail's API answers anonymous callers with its own pagination, as before.
    status, body = get(host.port, "/api/v2/pages/", {"Accept": "application/json"})
    assert status == 200, body[:2000]
    pages = json.loads(body)
    assert pages["meta"]["total_count"] >= 1
    assert {page["title"] for page in pages["items"]} >= {"Home"}
    # Ours refuses them: its views carry their own authentication and permissions.
    for path in ("/api/v1/me/", "/api/v1/organisations/", "/api/v1/completions/"):
        status, body = get(host.port, path, {"Accept": "application/json"})
        assert status in (401, 403), (path, status, body[:2000])
    # Our API's schema describes our operations only, without DRF's DEFAULT_SCHEMA_CLASS.
    status, body = get(host.port, "/api/v1/schema/?format=json")
    assert status == 200, body[:2000]
    operations = json.loads(body)["paths"]
    assert "/api/v1/me/" in operations
    assert not [path for path in operations if not path.startswith("/api/v1/")]
    # The site's home page and its admin still work.
    status, body = get(host.port, "/")
    assert status == 200
    assert "Welcome to your new Wagtail site" in body
    heading = in_a_browser_thread(administrator_journey, host)
    assert "hostsite" in heading
