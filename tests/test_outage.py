"""Graceful trouble: a database or Redis that does not answer is a 503 with Retry-After in
the site's layout (JSON for API clients), never a bare 500; /livez says the process is up
while /readyz says what is unavailable.

The outages here are real where they can be: a site started with gunicorn against a
PostgreSQL port nobody listens on, or an SQLite file it cannot open; a Redis client
pointed at a closed port. In-process tests cover the exception mapping itself.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
import requests
from django.db import IntegrityError, OperationalError
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# In-process: which exceptions are outages ----------------------------------------------


@pytest.fixture
def failing_page():
    """The privacy page (public, no sign-in) raising what we tell it to."""

    def fail(error: BaseException):
        return mock.patch("config.views.statement_views.privacy_index", side_effect=error)

    return fail


@pytest.mark.django_db
def test_a_database_that_does_not_answer_is_503_with_retry_after(failing_page):
    client = Client(raise_request_exception=False)
    with failing_page(OperationalError("connection to server failed: Connection refused")):
        response = client.get("/personvern/", HTTP_ACCEPT_LANGUAGE="nb")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "Midlertidig utilgjengelig" in html  # bokmål, in the site's layout
    assert "Prøv igjen om 30 sekunder" in html
    assert '<main id="main"' in html
    assert "Connection refused" not in html  # nothing technical reaches people


@pytest.mark.django_db
def test_an_api_client_gets_json(failing_page):
    client = Client(raise_request_exception=False)
    with failing_page(OperationalError("server closed the connection unexpectedly")):
        response = client.get("/personvern/", HTTP_ACCEPT="application/json")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["retry_after"] == 30


@pytest.mark.django_db
@pytest.mark.parametrize("error", [IntegrityError("duplicate key"), ValueError("a bug")])
def test_other_errors_stay_500(failing_page, error):
    """A bug is not an outage: retrying would not help, and it must not look like one."""
    client = Client(raise_request_exception=False)
    with failing_page(error):
        response = client.get("/personvern/")

    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.django_db
def test_an_outage_raised_from_another_error_is_still_an_outage(failing_page):
    try:
        try:
            raise OperationalError("the server terminated the connection")
        except OperationalError as lost:
            raise RuntimeError("while rendering") from lost
    except RuntimeError as wrapped:
        error = wrapped
    client = Client(raise_request_exception=False)
    with failing_page(error):
        response = client.get("/personvern/")

    assert response.status_code == 503


# A real Redis that does not answer -----------------------------------------------------


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT_REDIS,
        }
    }


@pytest.mark.django_db
def test_signing_in_while_redis_is_down_is_503(redis_down):
    """The sign-in's rate limit lives in the cache: with Redis down, 503, nothing changed."""
    client = Client(raise_request_exception=False)
    response = client.post(
        "/accounts/login/", {"login": "leder@baerum.kommune.no", "password": "x"}
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "30"


@pytest.mark.django_db
def test_readiness_names_the_cache_when_redis_is_down(redis_down):
    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "cache": "unavailable"}
    assert Client().get("/livez").status_code == 200


@pytest.mark.django_db
def test_readiness_when_all_is_well(client):
    for path in ("/readyz", "/healthz"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.json() == {"status": "ready", "database": "ok", "cache": "ok"}
    assert client.get("/livez").json() == {"status": "up"}


# A real site whose database does not answer --------------------------------------------


def _site_env(database_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "CACHE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        COURSES_LEARNER_PSEUDONYM_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_LOG_LEVEL="CRITICAL",
    )
    return env


@pytest.fixture(
    params=["postgresql", "sqlite"],
    ids=["postgresql-refused", "sqlite-unopenable"],
)
def site_without_database(request, tmp_path) -> Iterator[str]:
    """gunicorn serving the site with a database it cannot reach."""
    if request.param == "postgresql":
        database_url = f"postgres://postgres@127.0.0.1:{closed_port()}/lup"
    else:
        database_url = f"sqlite:///{tmp_path}/no-such-folder/db.sqlite3"
    port = closed_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                "--workers=1",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=_site_env(database_url),
            stdout=output,
            stderr=output,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(200):
            if process.poll() is not None:
                break
            try:
                requests.get(f"{base}/livez", timeout=10)  # the worker may still be starting
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        if process.poll() is not None:
            pytest.fail(f"gunicorn stopped: {log.read_text(errors='replace')[-2000:]}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.database_free  # the site under test has no database at all
def test_a_site_whose_database_is_down_answers_503_and_stays_alive(site_without_database):
    base = site_without_database

    assert requests.get(f"{base}/livez", timeout=5).status_code == 200
    ready = requests.get(f"{base}/readyz", timeout=5)
    assert ready.status_code == 503
    assert ready.json()["database"] == "unavailable"
    assert ready.headers["Retry-After"] == "30"

    # The front page sends a visitor to sign in without asking the database; the sign-in
    # page needs it, and so does the API with a token to look up.
    front = requests.get(f"{base}/", allow_redirects=False, timeout=10)
    assert front.status_code == 302
    page = requests.get(
        f"{base}/accounts/login/",
        headers={"Accept-Language": "nb"},
        allow_redirects=False,
        timeout=10,
    )
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "30"
    assert "Midlertidig utilgjengelig" in page.text
    api = requests.get(  # requests sends Accept: */*, as most API clients do
        f"{base}/api/v1/me/", headers={"Authorization": "Bearer some-token"}, timeout=10
    )
    assert api.status_code == 503
    assert api.json()["retry_after"] == 30
