"""Load and a PostgreSQL restart through the proxy: concurrent users on the cluster of
`benchmarks/cluster.py` (nginx, two gunicorn app servers, Celery worker and beat,
PostgreSQL, Redis, S3), on loopback.

Usage:
    .venv/bin/python benchmarks/cluster_load.py [--users 50 200] [--duration 30]
        [--warmup 5] [--think 5] [--app-workers 3] [--restart-postgres] [--json]

Users are threads, each with its own signed-in session (made as `load.py` makes them),
each waiting --think seconds on average between two requests (0: none, which measures the
cluster's capacity rather than what people see), requesting a weighted mix by role
through nginx: the pages of `load.py` (home, My
programme, cohorts, a team, the catalogue, the dashboard, a certificate's verification),
and writes: learners post xAPI statements from the H5P player (each with its own id) and
HR downloads the whole municipality's CSV export (audited). Per endpoint it reports
requests, errors, p50/p95/p99; afterwards it checks that every statement the site
accepted (201) is in the database.

--restart-postgres restarts the machine's PostgreSQL (`pg_ctlcluster`, or `service
postgresql restart`) in the middle of the last measured window, without touching the app
servers, and reports how requests were answered meanwhile (503 with Retry-After is the
promise; any other 5xx is an error), how long until the first accepted write after it,
and whether any accepted write was lost. It restarts the PostgreSQL every other database
on this machine uses too: never run it beside a test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cluster as cluster_script
import load

ROOT = Path(__file__).resolve().parent.parent
WRITE_PAGES = {"xapi", "export"}
EXTRA_WEIGHTS = {"enthusiast": {"xapi": 4}, "manager": {"xapi": 3}, "hr": {"export": 1}}


@dataclass
class Sample:
    page: str
    started: float
    seconds: float
    status: str
    server: str = ""


@dataclass
class Run:
    users: int
    duration: float
    samples: list[Sample] = field(default_factory=list)
    accepted_statements: list[str] = field(default_factory=list)
    restart: dict[str, Any] | None = None


# --- the child: users with sessions, and xAPI tokens for the learners ------------------------


def prepare_with_writes(users: int) -> dict[str, Any]:
    """`load.prepare`, plus for each learner a play token and its activity's xAPI address,
    and for HR the export address."""
    prepared = load.prepare(users, reseed=False)
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from courses.h5p.play_tokens import issue_play_token
    from courses.models import Activity

    activity = Activity.objects.filter(h5p_package__isnull=False).select_related("module").first()
    if activity is None:
        raise SystemExit("the demo has no H5P activity")
    emails = {user["email"] for user in prepared["users"]}
    people = {person.email: person for person in get_user_model().objects.filter(email__in=emails)}
    export = reverse("lup:report-participants-export") + "?preset=default"
    for user in prepared["users"]:
        if user["role"] in ("enthusiast", "manager"):
            token = issue_play_token(user=people[user["email"]], activity=activity, language="nb")
            user["pages"]["xapi"] = {
                "weight": EXTRA_WEIGHTS[user["role"]]["xapi"],
                "urls": [reverse("courses:h5p-xapi", kwargs={"token": token})],
                "activity": str(activity.public_id),
            }
        if user["role"] == "hr":
            user["pages"]["export"] = {"weight": EXTRA_WEIGHTS["hr"]["export"], "urls": [export]}
    return prepared


# --- the parent ----------------------------------------------------------------------------


def statement(activity: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"name": "x", "mbox": "mailto:x@learners.invalid", "objectType": "Agent"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/interacted", "display": {"en-US": "x"}},
        "object": {
            "id": f"https://lup.test/courses/activities/{activity}/",
            "objectType": "Activity",
        },
    }


def run_users(
    base: str,
    users: list[dict[str, Any]],
    cookie: str,
    *,
    warmup: float,
    duration: float,
    seed: int,
    think: float = 0.0,
    restart_at: float | None = None,
) -> Run:
    import requests

    run = Run(users=len(users), duration=duration)
    stop = threading.Event()
    per_thread: list[list[Sample]] = [[] for _ in users]
    accepted: list[list[str]] = [[] for _ in users]

    def user_loop(index: int) -> None:
        user = users[index]
        rng = random.Random(seed * 1000 + index)
        names = list(user["pages"])
        weights = [user["pages"][name]["weight"] for name in names]
        with requests.Session() as session:
            session.cookies.set(cookie, user["session"])
            while not stop.is_set():
                page = rng.choices(names, weights)[0]
                url = base + rng.choice(user["pages"][page]["urls"])
                sent_id = None
                started = time.perf_counter()
                try:
                    if page == "xapi":
                        body = statement(user["pages"][page]["activity"])
                        sent_id = body["id"]
                        response = session.post(url, json=body, timeout=60)
                    else:
                        response = session.get(url, allow_redirects=False, timeout=60)
                        if page == "export":
                            response.content  # noqa: B018 - read the stream to its end
                    status = str(response.status_code)
                    server = response.headers.get("X-Upstream", "").split(",")[-1].strip()
                except requests.RequestException as exc:
                    status, server = type(exc).__name__, ""
                ended = time.perf_counter()
                per_thread[index].append(Sample(page, started, ended - started, status, server))
                if sent_id and status == "201":
                    accepted[index].append(sent_id)
                if think:
                    # A person reads what they asked for before the next click.
                    stop.wait(rng.uniform(0.5, 1.5) * think)

    threads = [threading.Thread(target=user_loop, args=[i], daemon=True) for i in range(len(users))]
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    window_start = time.perf_counter()
    if restart_at is not None:
        time.sleep(restart_at)
        run.restart = restart_postgres()
        run.restart["at"] = time.perf_counter() - window_start
    time.sleep(max(0.0, window_start + duration - time.perf_counter()))
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    for samples in per_thread:
        run.samples += [s for s in samples if s.started >= window_start]
    run.accepted_statements = [sent for ids in accepted for sent in ids]
    return run


def restart_postgres() -> dict[str, Any]:
    """Restart the machine's PostgreSQL; when it began and how long the command took."""
    if shutil.which("pg_ctlcluster"):
        version = subprocess.run(
            ["pg_lsclusters", "-h"], capture_output=True, text=True, check=True
        ).stdout.split()
        command = ["pg_ctlcluster", version[0], version[1], "restart"]
    else:
        command = ["service", "postgresql", "restart"]
    began = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return {
        "command": " ".join(command),
        "began": began,
        "took_s": round(time.perf_counter() - began, 2),
    }


def percentile(values: list[float], p: float) -> float:
    return load.percentile(values, p)


def summarise(run: Run) -> dict[str, Any]:
    def figures(samples: list[Sample]) -> dict[str, Any]:
        seconds = [s.seconds for s in samples]
        return {
            "requests": len(samples),
            "errors": sum(not _ok(s) for s in samples),
            "p50_ms": round(percentile(seconds, 50), 1),
            "p95_ms": round(percentile(seconds, 95), 1),
            "p99_ms": round(percentile(seconds, 99), 1),
        }

    pages = defaultdict(list)
    for sample in run.samples:
        pages[sample.page].append(sample)
    reads = [s for s in run.samples if s.page not in WRITE_PAGES]
    return {
        "users": run.users,
        "duration_s": run.duration,
        "requests_per_s": round(len(run.samples) / run.duration, 1),
        "all": figures(run.samples),
        "pages_only": figures(reads),
        "by_endpoint": {page: figures(samples) for page, samples in sorted(pages.items())},
        "statuses": dict(Counter(s.status for s in run.samples)),
        "servers": dict(Counter(s.server for s in run.samples if s.server)),
        "accepted_statements": len(run.accepted_statements),
    }


def _ok(sample: Sample) -> bool:
    return sample.status.isdigit() and int(sample.status) < 400


def restart_figures(run: Run) -> dict[str, Any]:
    """What the users saw around the restart: how requests were answered from the restart
    on, when the last one failed, and when a write was accepted again after that (the
    recovery, counted from the moment the restart began)."""
    assert run.restart is not None
    began = run.restart["began"]
    after = [s for s in run.samples if s.started + s.seconds >= began]
    failed = [s for s in after if not _ok(s)]
    last_failure = max((s.started + s.seconds for s in failed), default=began)
    first_write = min(
        (
            s.started + s.seconds
            for s in after
            if s.page == "xapi" and s.status == "201" and s.started >= last_failure
        ),
        default=None,
    )
    return {
        **run.restart,
        "answers_from_then_on": dict(Counter(s.status for s in after)),
        "failures": dict(Counter(f"{s.page} {s.status}" for s in failed)),
        "not_503_failures": sum(s.status != "503" for s in failed),
        "last_failure_after_s": round(last_failure - began, 2) if failed else None,
        "writes_again_after_s": round(first_write - began, 2) if first_write else None,
    }


def stored_statements(database_url: str, ids: list[str]) -> int:
    import psycopg

    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT count(*) FROM courses_xapistatement WHERE statement_id = ANY(%s::uuid[])",
            [ids],
        ).fetchone()
    return int(row[0]) if row else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument(
        "--think",
        type=float,
        default=5.0,
        help="mean seconds a user waits between requests (0: none, the server's capacity)",
    )
    parser.add_argument("--app-workers", type=int, default=3, help="gunicorn workers per server")
    parser.add_argument("--restart-postgres", action="store_true")
    parser.add_argument("--database", default="lup_bench_cluster")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child-prepare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_prepare:
        print(json.dumps(prepare_with_writes(args.child_prepare)))
        return 0

    running = cluster_script.free_cluster(
        database=args.database,
        app_workers=args.app_workers,
        drop_database_on_stop=True,
        extra_env={"CERTIFICATES_VERIFY_RATE": load.VERIFY_RATE, "DJANGO_LOG_LEVEL": "WARNING"},
    )
    print("starting the cluster ...", file=sys.stderr)
    report: dict[str, Any] = {
        "nproc": load.nproc(),
        "app_workers_per_server": args.app_workers,
        "think_s": args.think,
    }
    with running:
        print("signing in the users ...", file=sys.stderr)
        output = subprocess.run(
            # At most 50 distinct people (the demo's running cohort has 26 managers);
            # more users share their sessions, as several tabs of one person would.
            [sys.executable, __file__, "--child-prepare", str(min(max(args.users), 50))],
            cwd=ROOT,
            env=running.env(),
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        prepared = json.loads(output.strip().splitlines()[-1])
        runs = []
        for number, users in enumerate(args.users):
            last = number == len(args.users) - 1
            restart_at = args.duration / 3 if (args.restart_postgres and last) else None
            print(
                f"{users} users for {args.duration:.0f} s"
                + (" with a PostgreSQL restart" if restart_at is not None else "")
                + " ...",
                file=sys.stderr,
            )
            chosen = _spread(prepared["users"], users)
            run = run_users(
                running.url,
                chosen,
                prepared["cookie"],
                warmup=args.warmup,
                duration=args.duration,
                seed=number,
                think=args.think,
                restart_at=restart_at,
            )
            time.sleep(2)  # let the last writes commit
            summary = summarise(run)
            summary["stored_statements"] = stored_statements(
                running.database_url, run.accepted_statements
            )
            summary["lost_writes"] = summary["accepted_statements"] - summary["stored_statements"]
            if run.restart is not None:
                summary["restart"] = restart_figures(run)
            runs.append(summary)
        report["runs"] = runs
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    failed = any(
        run["lost_writes"]
        or (run["all"]["errors"] if "restart" not in run else run["restart"]["not_503_failures"])
        for run in report["runs"]
    )
    return 1 if failed else 0


def _spread(users: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """`count` of the prepared users, every role kept in its share (sessions are reused when
    fewer distinct people were prepared)."""
    return [users[index % len(users)] for index in range(count)]


def print_report(report: dict[str, Any]) -> None:
    print(
        f"Through nginx, 2 app servers x {report['app_workers_per_server']} gunicorn workers, "
        f"nproc {report['nproc']}, users think {report['think_s']} s between requests"
    )
    for run in report["runs"]:
        print(
            f"\n{run['users']} users, {run['duration_s']:.0f} s: {run['requests_per_s']} req/s, "
            f"statuses {run['statuses']}, servers {run['servers']}"
        )
        print(
            f"{'endpoint':<16}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        )
        rows = [("pages (all)", run["pages_only"]), *run["by_endpoint"].items()]
        for name, row in rows:
            print(
                f"{name:<16}{row['requests']:>9}{row['errors']:>8}{row['p50_ms']:>9}"
                f"{row['p95_ms']:>9}{row['p99_ms']:>9}"
            )
        print(f"median over all requests: {run['all']['p50_ms']} ms")
        print(
            f"xAPI statements accepted (warm-up too) {run['accepted_statements']}, in the database "
            f"{run['stored_statements']}, lost {run['lost_writes']}"
        )
        if "restart" in run:
            restart = run["restart"]
            print(
                f"PostgreSQL restart ({restart['command']}) at {restart['at']:.1f} s took "
                f"{restart['took_s']} s; answers from then on {restart['answers_from_then_on']}; "
                f"failures {restart['failures']} ({restart['not_503_failures']} not 503), "
                f"the last {restart['last_failure_after_s']} s after the restart began; writes "
                f"accepted again {restart['writes_again_after_s']} s after it began"
            )


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.exit(main())
