"""The scale-out path for real: a Celery worker process takes a task from Redis, reads
PostgreSQL and does the work. The rest of the suite runs tasks inline (eager); this test
proves the same task code works through a broker. It runs where CI runs it: on PostgreSQL
with REDIS_URL set (SQLite's test database lives in memory and cannot be shared).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from courses.models import XAPIStatement
from courses.tasks import forward_xapi_statement
from courses.xapi import learner_pseudonym
from tests.courses.factories import ActivityFactory
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent


def _needs_real_parts() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must share the test database")
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: the worker takes its tasks from Redis")


class _FakeLRS(BaseHTTPRequestHandler):
    received: list[dict[str, object]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'["ok"]')

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def learning_record_store() -> Iterator[str]:
    _FakeLRS.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeLRS)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/xapi"
    server.shutdown()


@pytest.fixture
def worker(learning_record_store: str) -> Iterator[subprocess.Popen[bytes]]:
    _needs_real_parts()
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "COURSES_LRS_ENDPOINT": learning_record_store,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-l", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.django_db(transaction=True)
def test_a_worker_forwards_a_statement_taken_from_redis(worker):
    learner = UserFactory(email="ildsjel@example.no")
    activity = ActivityFactory()
    # In the outbox, as `courses.xapi.record_xapi_statement` leaves it with an LRS configured.
    record = XAPIStatement.objects.create(
        user=learner,
        activity=activity,
        verb="http://adlnet.gov/expapi/verbs/completed",
        raw={
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": "https://lup.test/courses/activities/x/"},
        },
        forwarding_state=XAPIStatement.Forwarding.PENDING,
        next_attempt_at=timezone.now(),
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        forward_xapi_statement.delay(record.pk)
    finally:
        celery_app.conf.task_always_eager = eager

    deadline = time.monotonic() + 60
    while not _FakeLRS.received and time.monotonic() < deadline:
        if worker.poll() is not None:
            output = worker.stdout.read().decode() if worker.stdout else ""
            pytest.fail(f"the worker stopped:\n{output}")
        time.sleep(0.2)
    assert _FakeLRS.received, "the worker did not forward the statement within a minute"
    forwarded = _FakeLRS.received[0]
    assert forwarded["verb"] == {"id": "http://adlnet.gov/expapi/verbs/completed"}
    assert forwarded["id"] == str(record.statement_id)
    # The worker wrote the learner's pseudonym, never their e-mail, as it does inline.
    assert forwarded["actor"]["account"]["name"] == learner_pseudonym(learner)  # type: ignore[index]
    assert "ildsjel@example.no" not in json.dumps(forwarded)
    # ...and recorded the outcome in the database it shares with the site.
    deadline = time.monotonic() + 30
    record.refresh_from_db()
    while record.forwarding_state != XAPIStatement.Forwarding.SENT and time.monotonic() < deadline:
        time.sleep(0.2)
        record.refresh_from_db()
    assert record.forwarding_state == XAPIStatement.Forwarding.SENT
