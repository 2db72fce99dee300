"""Start the test OpenID Connect provider in a subprocess, wait until it answers, stop it.

    with start_provider(redirect_uris=[...], users=[ProviderUser(...)]) as provider:
        provider.issuer          # http://127.0.0.1:<port>/o
        provider.audit("token")  # what it was asked for, as dicts

Everything is bounded in time: start-up (migrations, key generation) and the discovery
check must finish within `timeout` seconds, and stopping escalates to a kill.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "lup-test-client"
CLIENT_SECRET = "lup-test-client-secret-not-real"
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class ProviderUser:
    """A person who can sign in at the provider."""

    username: str
    password: str
    email: str
    first_name: str = "Kari"
    last_name: str = "Nordmann"
    pid: str = "01017012345"  # a made-up test number, never a real person's
    acr: str | None = None  # None: the provider's default (LUP_OIDC_ACR)
    locale: str = "nb"
    # Ansattporten: the organisations the person may act for (authorization_details).
    organisation_numbers: tuple[str, ...] = ()


@dataclass
class RunningProvider:
    base_url: str
    run_dir: Path
    users: dict[str, ProviderUser] = field(default_factory=dict)
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/o"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def audit(self, event: str | None = None) -> list[dict[str, Any]]:
        """The provider's audit log (see validators.py), oldest first."""
        path = self.run_dir / "audit.jsonl"
        if not path.exists():
            return []
        entries = [json.loads(line) for line in path.read_text().splitlines() if line]
        return [entry for entry in entries if event is None or entry["event"] == event]

    def clear_audit(self) -> None:
        (self.run_dir / "audit.jsonl").unlink(missing_ok=True)


def _log_tail(path: Path, limit: int = 4000) -> str:
    return path.read_text(errors="replace")[-limit:] if path.exists() else ""


def _wait_ready(process: subprocess.Popen[str], deadline: float, stderr_path: Path) -> int:
    """The port from the provider's `READY <port>` line, or fail with its stderr."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while (remaining := deadline - time.monotonic()) > 0:
            if not selector.select(timeout=min(remaining, 0.5)):
                if process.poll() is not None:
                    break
                continue
            line = process.stdout.readline()
            if line.startswith("READY "):
                return int(line.split()[1])
            if not line and process.poll() is not None:
                break
    raise RuntimeError(
        f"the test OpenID Connect provider did not start (exit {process.poll()}):\n"
        + _log_tail(stderr_path)
    )


def _wait_discovery(url: str, deadline: float) -> dict[str, Any]:
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
                return dict(json.load(response))
        except OSError as error:
            last_error = error
            time.sleep(0.1)
    raise RuntimeError(f"no OpenID configuration at {url}: {last_error}")


@contextmanager
def start_provider(
    redirect_uris: Sequence[str],
    users: Sequence[ProviderUser],
    *,
    acr: str | None = None,
    timeout: float = STARTUP_TIMEOUT,
) -> Iterator[RunningProvider]:
    """Run the provider until the block ends; `acr` sets LUP_OIDC_ACR, its default level."""
    run_dir = Path(tempfile.mkdtemp(prefix="lup-oidc-provider-"))
    config = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": list(redirect_uris),
        "users": [asdict(user) for user in users],
    }
    (run_dir / "config.json").write_text(json.dumps(config, indent=2))
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if acr is not None:
        env["LUP_OIDC_ACR"] = acr
    stderr_path = run_dir / "stderr.log"
    deadline = time.monotonic() + timeout
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider.server", str(run_dir)],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        port = _wait_ready(process, deadline, stderr_path)
        provider = RunningProvider(
            base_url=f"http://127.0.0.1:{port}",
            run_dir=run_dir,
            users={user.username: user for user in users},
        )
        _wait_discovery(provider.discovery_url, deadline)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
        if process.stdout is not None:
            process.stdout.close()
        shutil.rmtree(run_dir, ignore_errors=True)
