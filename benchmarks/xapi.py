"""Ingesting the H5P player's xAPI statements: server time on SQLite, throughput through
gunicorn on PostgreSQL.

Usage:  .venv/bin/python benchmarks/xapi.py [--scales 1 10] [--runs 200] [--seconds 10]

(i) For each scale, in its own process with a fresh SQLite file: migrate, install our own
    H5P package, store scale × 1,000 statements of other learners (so the table is not
    empty), then post `runs` statements as one signed-in learner through Django's test
    client (the whole request: middleware, play token, JSON, queries) and print the
    median, min and max and the queries per statement. Goal: median under 10 ms.
(ii) With --runs 5 or more and PostgreSQL on 127.0.0.1:5432 (user postgres, trust): a
    temporary database, gunicorn with 2 workers on a free local port (persistent database
    connections, DATABASE_CONN_MAX_AGE=60 unless set), and a learner's play token; a pool of
    threads posts statements with urllib for `--seconds` (at most 15) and the script
    prints statements per second and the median latency. Without
    PostgreSQL, or with fewer runs (the test suite's quick check), it says why it skips.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
MAX_SECONDS = 15


def statement(activity_id: str, verb: str = "answered", raw: int = 1) -> dict[str, Any]:
    """A statement shaped like the player's (about 1 KB)."""
    object_id = f"http://127.0.0.1/courses/activities/{activity_id}/"
    return {
        "actor": {"name": "x", "mbox": "mailto:x@learners.invalid", "objectType": "Agent"},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-US": verb}},
        "object": {
            "id": object_id,
            "objectType": "Activity",
            "definition": {
                "extensions": {"http://h5p.org/x-api/h5p-local-content-id": activity_id},
                "name": {"en-US": "Refleksjon: innovasjon i din tjeneste"},
            },
        },
        "context": {
            "contextActivities": {
                "category": [
                    {"id": "http://h5p.org/libraries/LUP.Reflection-1.0", "objectType": "Activity"}
                ]
            },
            "extensions": {"http://id.tincanapi.com/extension/ending-point": 1},
        },
        "result": {
            "score": {"min": 0, "max": 2, "raw": raw, "scaled": raw / 2},
            "completion": True,
            "success": raw == 2,
            "duration": "PT42.17S",
            "response": "Vi vil spørre brukerne hva som gjør tjenesten god, før vi endrer noe.",
        },
    }


def _django(h5p_root: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.conf import settings

    settings.COURSES_H5P_ROOT = h5p_root


def _learner_and_activity(email: str) -> tuple[Any, Any]:
    """An enrolled learner and an H5P activity showing our own package."""
    from django.contrib.auth import get_user_model

    from courses.h5p.services import install_package
    from courses.h5p_library import reflection_package
    from courses.models import Activity, Course, Enrolment, Module

    package, _created = install_package(
        upload=io.BytesIO(reflection_package()), uploaded_by=None, allow_new_libraries=True
    )
    course = Course.objects.create(title="Benchmark", slug="benchmark")
    module = Module.objects.create(course=course, position=1, title="Modul")
    activity = Activity.objects.create(
        module=module, position=1, title="Refleksjon", kind="h5p", h5p_package=package
    )
    user = get_user_model().objects.create_user(email, email)
    Enrolment.objects.create(course=course, user=user)
    return user, activity


def measure_sqlite(scale: int, runs: int, h5p_root: str) -> dict[str, Any]:
    _django(h5p_root)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from courses.models import Enrolment, XAPIStatement

    call_command("migrate", verbosity=0)
    user, activity = _learner_and_activity("bench@example.no")
    others = [
        get_user_model().objects.create_user(f"other{i}@example.no", f"other{i}@example.no")
        for i in range(10)
    ]
    Enrolment.objects.bulk_create(Enrolment(course=activity.module.course, user=o) for o in others)
    XAPIStatement.objects.bulk_create(
        (
            XAPIStatement(
                user=others[i % len(others)],
                activity=activity,
                verb="answered",
                score_raw=1,
                score_max=2,
                score_scaled=0.5,
                raw=statement(str(activity.public_id)),
            )
            for i in range(scale * 1000)
        ),
        batch_size=1000,
    )
    from courses.h5p.play_tokens import issue_play_token

    client = Client(HTTP_HOST="127.0.0.1")
    token = issue_play_token(user=user, activity=activity, language="nb")
    url = f"/courses/play/{token}/xapi/"  # as the player posts: the token, no session
    bodies = [json.dumps(statement(str(activity.public_id), raw=i % 3)) for i in range(3)]

    def post(body: str) -> None:
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 201, response.content

    for body in bodies:  # warm: templates, translations, SQLite pages, the completion
        post(body)
    with CaptureQueriesContext(connection) as queries:
        post(bodies[1])
    query_count = len(queries)
    timings = []
    for index in range(runs):
        started = time.perf_counter()
        post(bodies[index % 3])
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "scale": scale,
        "stored": XAPIStatement.objects.count(),
        "queries": query_count,
        "median_ms": round(statistics.median(timings), 2),
        "min_ms": round(min(timings), 2),
        "max_ms": round(max(timings), 2),
    }


def setup_postgres(h5p_root: str) -> dict[str, str]:
    """In the temporary PostgreSQL database: migrate, a learner's play token, an activity."""
    _django(h5p_root)
    from django.core.management import call_command

    from courses.h5p.play_tokens import issue_play_token

    call_command("migrate", verbosity=0)
    user, activity = _learner_and_activity("load@example.no")
    token = issue_play_token(user=user, activity=activity, language="nb")
    return {"token": token, "activity": str(activity.public_id)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_reachable() -> str | None:
    """None if PostgreSQL answers on 127.0.0.1:5432, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(sql)


def load(base: str, token: str, activity_id: str, seconds: float, threads: int) -> dict:
    url = f"{base}/courses/play/{token}/xapi/"  # the player's address: no cookie, no CSRF
    headers = {"Content-Type": "application/json"}
    bodies = [json.dumps(statement(activity_id, raw=i % 3)).encode() for i in range(3)]
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []
    stop = time.monotonic() + seconds

    def worker(number: int) -> None:
        index = number
        while time.monotonic() < stop:
            request = urllib.request.Request(  # noqa: S310 - our own local server
                url, data=bodies[index % 3], headers=headers, method="POST"
            )
            index += 1
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    response.read()
                    ok = response.status == 201
                    problem = f"HTTP {response.status}"
            except (urllib.error.URLError, OSError) as error:
                ok, problem = False, str(error)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    failures.append(problem)

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(worker, range(threads)))
    wall = time.perf_counter() - began
    return {
        "statements": len(latencies),
        "failures": len(failures),
        "first_failure": failures[0] if failures else "",
        "per_second": round(len(latencies) / wall, 1),
        "median_ms": round(statistics.median(latencies), 2) if latencies else None,
        "seconds": round(wall, 1),
    }


def run_gunicorn(seconds: float, threads: int) -> int:
    problem = _postgres_reachable()
    if problem:
        print(f"gunicorn + PostgreSQL: skipped, PostgreSQL is not reachable ({problem})")
        return 0
    database = f"lup_bench_xapi_{os.getpid()}"
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "DJANGO_DEBUG": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
        }
        env.pop("REDIS_URL", None)
        env.setdefault("COURSES_LEARNER_PSEUDONYM_KEY", "benchmark-pseudonym-key")
        _admin(f'CREATE DATABASE "{database}"')
        server = None
        try:
            output = subprocess.run(
                [sys.executable, __file__, "--child-postgres", "--h5p-root", tmp],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            setup = json.loads(output.strip().splitlines()[-1])
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi:application",
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                ],
                env=env,
                cwd=ROOT,
            )
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                        break
                except (urllib.error.URLError, OSError):
                    if time.monotonic() > deadline or server.poll() is not None:
                        print("gunicorn + PostgreSQL: gunicorn did not start")
                        return 1
                    time.sleep(0.2)
            result = load(base, setup["token"], setup["activity"], seconds, threads)
        finally:
            if server is not None:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    print(
        f"gunicorn (2 workers) + PostgreSQL, {threads} threads for {result['seconds']} s: "
        f"{result['per_second']} statements/s, median {result['median_ms']} ms per statement, "
        f"{result['statements']} stored, {result['failures']} failed"
        + (f" (first: {result['first_failure']})" if result["failures"] else "")
    )
    return 0 if result["statements"] and not result["failures"] else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--child-sqlite", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-postgres", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--h5p-root", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_sqlite is not None:
        print(json.dumps(measure_sqlite(args.child_sqlite, args.runs, args.h5p_root)))
        return 0
    if args.child_postgres:
        print(json.dumps(setup_postgres(args.h5p_root)))
        return 0

    for scale in args.scales:
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                "DJANGO_DEBUG": "0",
            }
            env.pop("REDIS_URL", None)
            # A throwaway key: with DEBUG off, learners' pseudonyms need one of their own.
            env.setdefault("COURSES_LEARNER_PSEUDONYM_KEY", "benchmark-pseudonym-key")
            output = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child-sqlite",
                    str(scale),
                    "--runs",
                    str(args.runs),
                    "--h5p-root",
                    f"{tmp}/h5p",
                ],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            result = json.loads(output.strip().splitlines()[-1])
            print(
                f"SQLite, scale {scale:>3} ({result['stored']} statements stored): "
                f"{result['queries']} queries per statement, median {result['median_ms']} ms "
                f"(min {result['min_ms']}, max {result['max_ms']}; {args.runs} statements)"
            )
            goal = result["median_ms"] < 10
            print("goal (median < 10 ms):", "met" if goal else "NOT met")
    if args.runs < 5:
        print("gunicorn + PostgreSQL: skipped for a quick run (--runs below 5)")
        return 0
    return run_gunicorn(min(args.seconds, MAX_SECONDS), args.threads)


if __name__ == "__main__":
    sys.exit(main())
