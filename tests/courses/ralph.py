"""Ralph, a real Learning Record Store (France Université Numérique's `ralph-malph`), for
the tests that send xAPI statements to one.

Ralph runs from a virtualenv of its own, made once from the hash-locked
requirements/ralph.txt in the system's temporary directory (outside the working tree, where
mypy and the linters would read its files), named by the lock's hash, so a new lock makes a
new one. Each server is Ralph's API (`ralph.api:app`) under
uvicorn, as Ralph's own deployment docs start it (`ralph runserver` is the same app under
uvicorn's file-watching reloader), with the file-system backend, on a port of this machine,
and HTTP Basic credentials made with `ralph auth`.

One change to Ralph (`SERVE`): its file-system LRS backend writes every POST as a new file
("create") under the same name, so 5.1.0 answers 500 to every POST after the first ("...
already exists and overwrite is not allowed"); the server here appends instead, which that
backend supports. The rest, from authentication to the 409 on a differing statement, is
Ralph's own.

When the virtualenv cannot be made for want of a network (and nothing is cached), the
tests skip with the reason; in CI (LUP_REQUIRE_BROWSER=1) they fail instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from base64 import b64encode
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "ralph.txt"
USERNAME = "lup"
PASSWORD = "ralph-test-password"  # a throwaway server's, on 127.0.0.1 only
# What uv says when it cannot reach the package index.
NO_NETWORK = (
    "error sending request",
    "failed to lookup address",
    "dns error",
    "network is unreachable",
    "connection refused",
    "timed out",
    "could not connect",
    "client error (connect)",
)

# Ralph's API under uvicorn, its file-system backend appending (see above).
SERVE = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), access_log=False)
"""

# Ralph's strict statement model: the one its own tests and converters validate against.
VALIDATE = """
import json, sys
from pydantic import ValidationError
from ralph.models.xapi.base.statements import BaseXapiStatement

problems = []
for statement in json.load(sys.stdin):
    try:
        BaseXapiStatement.model_validate(statement)
        problems.append([])
    except ValidationError as error:
        problems.append(
            [".".join(map(str, e["loc"])) + ": " + e["msg"] for e in error.errors()]
        )
print(json.dumps(problems))
"""


def _unavailable(reason: str) -> None:
    if os.environ.get("LUP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"LUP_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _uv() -> str:
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.exists() else shutil.which("uv")
    if not found:
        _unavailable("uv is not installed: it makes Ralph's virtualenv (make setup installs it)")
    return str(found)


def ralph_virtualenv() -> Path:
    """Ralph's virtualenv, made now unless it is there already (a lock file keeps two test
    runs from making it at once)."""
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()[:16]
    venv = Path(tempfile.gettempdir()) / f"lup-ralph-{digest}"
    ready = venv / ".installed"
    if ready.exists():
        return venv
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{venv}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ready.exists():
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        uv = _uv()
        python = venv / "bin" / "python"
        install = ["pip", "install", "--quiet", "--require-hashes", "-r", str(LOCK)]
        steps = [
            [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
            [uv, *install, "--python", str(python)],
        ]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=900, check=False)
            if done.returncode:
                shutil.rmtree(venv, ignore_errors=True)
                output = (done.stderr or done.stdout).strip()
                if any(sign in output.lower() for sign in NO_NETWORK):
                    _unavailable(
                        "Ralph's virtualenv cannot be made: no network to PyPI and nothing "
                        f"cached ({output.splitlines()[-1] if output else 'uv failed'})"
                    )
                pytest.fail(f"making Ralph's virtualenv failed:\n{output}", pytrace=False)
        ready.touch()
    return venv


@dataclass
class RalphHome:
    """Ralph's virtualenv and a configuration directory with our credentials."""

    venv: Path
    home: Path

    def environment(self, data: Path) -> dict[str, str]:
        return {
            "PATH": f"{self.venv / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "RALPH_APP_DIR": str(self.home),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(data),
        }

    def validate(self, statements: list[dict[str, Any]]) -> list[list[str]]:
        """Each statement's problems under Ralph's strict xAPI model (none: [])."""
        done = subprocess.run(
            [str(self.venv / "bin" / "python"), "-c", VALIDATE],
            input=json.dumps(statements),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            env=self.environment(self.home),
            cwd=self.home,
        )
        return list(json.loads(done.stdout))

    def start(self, port: int) -> RalphServer:
        data = Path(tempfile.mkdtemp(prefix="ralph-data-", dir=self.home))
        log = open(data / "server.log", "wb")  # noqa: SIM115 - closed when the server stops
        process = subprocess.Popen(
            [str(self.venv / "bin" / "python"), "-c", SERVE, str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.environment(data),
            cwd=data,
        )
        server = RalphServer(port=port, data=data, process=process, log=log)
        server.wait_until_ready()
        return server


@dataclass
class RalphServer:
    """One running Ralph: its xAPI endpoint, and what it stored."""

    port: int
    data: Path
    process: subprocess.Popen[bytes]
    log: Any

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def wait_until_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                pytest.fail(f"Ralph stopped at start:\n{self.output()}", pytrace=False)
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=2
                ) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.stop()
        pytest.fail(f"Ralph did not answer within {seconds} s:\n{self.output()}", pytrace=False)

    def output(self) -> str:
        path = self.data / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def statements(self, statement_id: str) -> list[dict[str, Any]]:
        """What GET /xAPI/statements?statementId=... answers: the statement, as a list."""
        request = urllib.request.Request(  # noqa: S310 - our own server
            f"{self.endpoint}statements?statementId={statement_id}",
            headers={
                "X-Experience-API-Version": "1.0.3",
                "Authorization": "Basic " + b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode(),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                found = json.loads(answer.read())
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return []
            raise
        if isinstance(found, dict) and "statements" in found:
            return list(found["statements"])
        return [found] if found else []

    def stored_copies(self, statement_id: str) -> int:
        """How many statements under this id Ralph wrote to its store (its files)."""
        return sum(
            1
            for path in self.data.rglob("*.jsonl")
            for line in path.read_text().splitlines()
            if line.strip() and json.loads(line).get("id") == statement_id
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.log.close()


def make_home(venv: Path, home: Path, site_url: str) -> RalphHome:
    """Our credentials in Ralph's authentication file, written by `ralph auth`."""
    ralph = RalphHome(venv=venv, home=home)
    credentials = ["-u", USERNAME, "-p", PASSWORD, "-s", "all"]
    account = ["--agent-ifi-account", "lup-learning", site_url]
    subprocess.run(
        [str(venv / "bin" / "ralph"), "auth", *credentials, *account, "--write-to-disk"],
        capture_output=True,
        timeout=120,
        check=True,
        env=ralph.environment(home),
        cwd=home,
    )
    return ralph


@pytest.fixture(scope="session")
def ralph_home(tmp_path_factory: pytest.TempPathFactory) -> RalphHome:
    """Ralph installed, with credentials for us (USERNAME, PASSWORD)."""
    venv = ralph_virtualenv()
    return make_home(venv, tmp_path_factory.mktemp("ralph"), "https://lup.test")


@pytest.fixture(scope="session")
def ralph(ralph_home: RalphHome) -> Iterator[RalphServer]:
    """A Ralph server for the whole session, stopped at its end."""
    from tests.courses.fake_lrs import closed_port

    server = ralph_home.start(closed_port())
    yield server
    server.stop()
