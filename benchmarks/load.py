"""Requests/s and latency of the main pages under concurrent users, through gunicorn on
PostgreSQL, with persistent database connections off (DATABASE_CONN_MAX_AGE=0) and on (60).

Usage:  .venv/bin/python benchmarks/load.py [--users 50] [--workers 4] [--duration 20]
            [--warmup 5] [--rounds 1] [--conn-max-age 0 60] [--redis] [--reseed]
            [--database lup_bench_load] [--json]

It creates its own PostgreSQL database on 127.0.0.1:5432 (user postgres, trust
authentication), migrates it and runs seed_demo once; later runs reuse it (--reseed
drops and rebuilds that database, and only that one). It then signs in the users
(sessions created directly with the same settings, see `_sign_in`), and for each
DATABASE_CONN_MAX_AGE starts gunicorn (config.wsgi, sync workers, DJANGO_DEBUG=0, a
random DJANGO_SECRET_KEY) on a free loopback port, puts it under load for --warmup
seconds, measures for --duration seconds and stops it. With --rounds N the
configurations alternate N times and each one's figures are pooled.

The users are threads, each with its own signed-in session, requesting a weighted mix
of the pages of their role: managers and enthusiasts of the running cohort (distinct
people) and the demo facilitator, administrator and HR (several sessions each; the
administrator's and HR's sessions record the two-factor sign-in). The pages: home, My
programme, the cohort list, the running cohort, a team, the catalogue, the target
dashboard and a certificate's public verification. Any answer but 2xx is an error
(a 302 to the sign-in page would mean the sessions are wrong); the exit status is 1
if there was any.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/14"
HOST = "127.0.0.1"
# The certificate verification is rate-limited per address (60/minute); all the load
# comes from one address, so the limit is lifted for the benchmark.
VERIFY_RATE = "1000000/minute"

# Each role's pages and their weights (how often a user of that role asks for each).
ROLE_PAGES: dict[str, dict[str, int]] = {
    "enthusiast": {
        "home": 2,
        "my-programme": 4,
        "cohort-list": 1,
        "cohort-detail": 2,
        "catalogue": 2,
        "verify": 1,
    },
    "manager": {
        "home": 2,
        "my-programme": 3,
        "team": 3,
        "cohort-list": 1,
        "cohort-detail": 1,
        "catalogue": 2,
        "verify": 1,
    },
    "facilitator": {"home": 1, "cohort-list": 2, "cohort-detail": 3, "team": 3, "catalogue": 1},
    "administrator": {
        "dashboard": 4,
        "cohort-list": 2,
        "cohort-detail": 2,
        "team": 2,
        "catalogue": 1,
    },
    "hr": {"dashboard": 4, "cohort-list": 2, "cohort-detail": 2, "team": 2},
}
# Shares of the users by role; enthusiasts take what rounding leaves.
ROLE_SHARES = {"administrator": 0.10, "hr": 0.06, "facilitator": 0.12, "manager": 0.32}
DEMO_EMAILS = {
    "administrator": "admin@baerum.kommune.no",
    "hr": "hr@baerum.kommune.no",
    "facilitator": "fasilitator@baerum.kommune.no",
    "manager": "leder@baerum.kommune.no",
    "enthusiast": "ildsjel@baerum.kommune.no",
}


# --- the child: seed, sign in and find the URLs, with the site's own settings --------------


def prepare(users: int, reseed: bool) -> dict[str, Any]:
    """Migrate, seed if needed, and return the signed-in users with their pages."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()

    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.urls import reverse
    from django.utils import timezone

    from certificates.models import Certificate
    from lup import scoping
    from lup.models import Participant, Programme

    call_command("migrate", verbosity=0)
    user_model = get_user_model()
    seed_seconds = None
    if reseed or not user_model.objects.filter(email=DEMO_EMAILS["administrator"]).exists():
        # seed_demo is one transaction: its logins exist only if everything was seeded.
        started = time.perf_counter()
        call_command("seed_demo", stdout=sys.stderr)
        seed_seconds = round(time.perf_counter() - started, 1)
    Session.objects.all().delete()  # this database's own: earlier runs' sessions

    programme = Programme.objects.get(slug="lup")
    today = timezone.localdate()
    running = programme.cohorts.filter(starts_on__lte=today).order_by("-starts_on").first()
    assert running is not None, "the demo has no running cohort"
    codes = list(Certificate.objects.order_by("pk").values_list("code", flat=True)[:200])
    assert codes, "the demo has no certificates"

    counts = {role: round(users * share) for role, share in ROLE_SHARES.items()}
    counts["enthusiast"] = users - sum(counts.values())
    people: list[tuple[str, Any]] = []
    for role in ("administrator", "hr", "facilitator"):
        person = user_model.objects.get(email=DEMO_EMAILS[role])
        people += [(role, person)] * counts[role]  # one person, several sessions
    for role in ("manager", "enthusiast"):
        participants = (
            Participant.objects.filter(
                enrolment__cohort=running, role=role, status=Participant.Status.ACTIVE
            )
            .select_related("user", "enrolment")
            .order_by("user__email")
        )
        # The demo login first, then distinct people of the running cohort.
        chosen = sorted(participants, key=lambda p: p.user.email != DEMO_EMAILS[role])
        if len(chosen) < counts[role]:
            raise SystemExit(f"only {len(chosen)} {role}s in the running cohort")
        people += [(role, p.user) for p in chosen[: counts[role]]]

    signed_in = []
    for index, (role, person) in enumerate(people):
        cohorts = scoping.cohorts_for(person)
        assert cohorts.filter(pk=running.pk).exists(), f"{person.email} cannot see the cohort"
        teams = list(
            scoping.enrolments_for(person).filter(cohort=running).values_list("pk", flat=True)
        )
        if role == "manager":
            teams = [
                p.enrolment_id
                for p in person.lup_participations.filter(role=role, enrolment__cohort=running)
            ]
        dashboards = list(scoping.programmes_for(person).values_list("slug", flat=True))
        rng = random.Random(index)
        urls: dict[str, list[str]] = {
            "home": [reverse("lup:home")],
            "my-programme": [reverse("lup:my-programme")],
            "cohort-list": [reverse("lup:cohort-list")],
            "cohort-detail": [reverse("lup:cohort-detail", args=[running.pk])],
            "team": [reverse("lup:team-detail", args=[pk]) for pk in teams],
            "catalogue": [reverse("lup:catalogue")],
            "dashboard": [reverse("lup:dashboard", args=[slug]) for slug in dashboards],
            "verify": [
                reverse("certificates-verify:certificate", args=[code])
                for code in rng.sample(codes, min(20, len(codes)))
            ],
        }
        pages = {}
        for page, weight in ROLE_PAGES[role].items():
            if not urls[page]:
                raise SystemExit(f"{person.email} ({role}) has no URL for {page}")
            pages[page] = {"weight": weight, "urls": urls[page]}
        signed_in.append(
            {
                "role": role,
                "email": person.email,
                "session": _sign_in(person, two_factor=role in ("administrator", "hr")),
                "pages": pages,
            }
        )
    from django.conf import settings

    return {
        "seed_seconds": seed_seconds,
        "cookie": settings.SESSION_COOKIE_NAME,
        "running_cohort": running.pk,
        "users": signed_in,
    }


def _sign_in(user: Any, *, two_factor: bool) -> str:
    """A session as django-allauth leaves it after signing in with the password (and, for
    the roles that require it, the authenticator app): the authentication records, then
    Django's login. Passwords and TOTP codes are not typed: the administrator's code
    could be used only once, and hashing 50 passwords would only slow the setup."""
    from importlib import import_module

    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.contrib.auth import login
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_HOST=HOST)
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request.user = AnonymousUser()
    record_authentication(request, user, "password", email=user.email)
    if two_factor:
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        record_authentication(request, user, "mfa", id=totp.pk, type=totp.type)
    login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
    request.session.save()
    return str(request.session.session_key)


# --- the parent: database, gunicorn and the load --------------------------------------------


@dataclass
class Sample:
    page: str
    ended: float
    seconds: float
    status: str  # the HTTP status, or the exception's name

    @property
    def ok(self) -> bool:
        return self.status.isdigit() and 200 <= int(self.status) < 300


@dataclass
class Phase:
    conn_max_age: int
    duration: float
    samples: list[Sample] = field(default_factory=list)
    db_connections: int = 0
    warmup_errors: Counter[str] = field(default_factory=Counter)


def ensure_database(name: str, reseed: bool) -> None:
    import psycopg
    from psycopg import sql

    if not name.startswith("lup_bench"):
        raise SystemExit("--database must start with lup_bench (it may be dropped)")
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reseed:
            print(f"dropping database {name}", file=sys.stderr)
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            print(f"creating database {name}", file=sys.stderr)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def db_sessions(name: str) -> int:
    """Connections ever opened to the database (PostgreSQL 14+), as far as reported yet."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        row = conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = %s", [name]
        ).fetchone()
    return int(row[0]) if row else 0


def site_env(database: str, secret_key: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "CACHE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"{PG_SERVER}/{database}",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secret_key,
        # The site refuses to start in production without its own keys (config/checks.py).
        COURSES_LEARNER_PSEUDONYM_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECURE_COOKIES="0",
        DJANGO_LOG_LEVEL="WARNING",
        CERTIFICATES_VERIFY_RATE=VERIFY_RATE,
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_gunicorn(env: dict[str, str], workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    import requests

    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        f"--bind={HOST}:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--timeout=60",
        "--graceful-timeout=5",
        "--log-level=warning",
        f"--error-logfile={log}",
    ]
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=output, start_new_session=True
        )
    base = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return process, base
        except requests.RequestException:
            pass
        time.sleep(0.2)
    stop_gunicorn(process)
    tail = log.read_text(errors="replace")[-3000:]
    raise SystemExit(f"gunicorn did not answer /healthz; its log ends:\n{tail}")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: master and workers
            process.wait()


def run_phase(
    *,
    base: str,
    users: list[dict[str, Any]],
    cookie: str,
    conn_max_age: int,
    warmup: float,
    duration: float,
    database: str,
    seed: int,
) -> Phase:
    import requests

    phase = Phase(conn_max_age=conn_max_age, duration=duration)
    stop = threading.Event()
    per_thread: list[list[Sample]] = [[] for _ in users]

    def user_loop(index: int) -> None:
        user = users[index]
        rng = random.Random(seed * 1000 + index)
        names = list(user["pages"])
        weights = [user["pages"][name]["weight"] for name in names]
        samples = per_thread[index]
        with requests.Session() as session:
            session.cookies.set(cookie, user["session"])
            while not stop.is_set():
                page = rng.choices(names, weights)[0]
                url = base + rng.choice(user["pages"][page]["urls"])
                started = time.perf_counter()
                try:
                    response = session.get(url, allow_redirects=False, timeout=60)
                    status = str(response.status_code)
                except requests.RequestException as exc:
                    status = type(exc).__name__
                ended = time.perf_counter()
                samples.append(Sample(page, ended, ended - started, status))

    threads = [threading.Thread(target=user_loop, args=[i], daemon=True) for i in range(len(users))]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, begun + warmup - time.perf_counter()))
    window_start = time.perf_counter()
    sessions_before = db_sessions(database)
    time.sleep(max(0.0, window_start + duration - time.perf_counter()))
    window_end = time.perf_counter()
    sessions_after = db_sessions(database)
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    for samples in per_thread:
        for sample in samples:
            if window_start <= sample.ended < window_end:
                phase.samples.append(sample)
            elif sample.ended < window_start and not sample.ok:
                phase.warmup_errors[f"{sample.page} {sample.status}"] += 1
    phase.db_connections = sessions_after - sessions_before
    return phase


# --- figures ---------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000


def figures(samples: list[Sample], seconds: float) -> dict[str, Any]:
    latencies = [s.seconds for s in samples]
    return {
        "requests": len(samples),
        "errors": sum(not s.ok for s in samples),
        "requests_per_s": round(len(samples) / seconds, 1) if seconds else 0.0,
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else math.nan,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
    }


def summarise(phases: list[Phase], conn_max_ages: list[int]) -> list[dict[str, Any]]:
    results = []
    for age in conn_max_ages:
        mine = [p for p in phases if p.conn_max_age == age]
        samples = [s for p in mine for s in p.samples]
        seconds = sum(p.duration for p in mine)
        errors = Counter(f"{s.page} {s.status}" for s in samples if not s.ok)
        warmup_errors: Counter[str] = sum((p.warmup_errors for p in mine), Counter())
        pages = {
            page: figures([s for s in samples if s.page == page], seconds)
            for page in sorted({s.page for s in samples})
        }
        db_connections = sum(p.db_connections for p in mine)
        results.append(
            {
                "conn_max_age": age,
                **figures(samples, seconds),
                "db_connections_opened": db_connections,
                "error_details": dict(errors),
                "warmup_errors": dict(warmup_errors),
                "pages": pages,
            }
        )
    return results


def print_tables(report: dict[str, Any]) -> None:
    print(
        f"LUP load: {report['users']} users ({report['roles']}), gunicorn {report['workers']} "
        f"sync workers, nproc {report['nproc']}, {report['postgres']}, "
        f"cache {report['cache']}"
    )
    print(
        f"each configuration: {report['warmup_s']:g} s warm-up, {report['duration_s']:g} s "
        f"measured, {report['rounds']} round(s); client and server on this machine "
        f"(1-min load average before: {report['load_average_before']:.2f})"
    )
    print()
    header = (
        f"{'conn_max_age':>12} {'requests':>9} {'errors':>7} {'req/s':>7} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'db conns/s':>10}"
    )
    print(header)
    print("-" * len(header))
    for row in report["configurations"]:
        seconds = report["duration_s"] * report["rounds"]
        print(
            f"{row['conn_max_age']:>12} {row['requests']:>9} {row['errors']:>7} "
            f"{row['requests_per_s']:>7.1f} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
            f"{row['p99_ms']:>8.1f} {row['db_connections_opened'] / seconds:>10.1f}"
        )
    print()
    configurations = report["configurations"]
    pages = sorted({page for row in configurations for page in row["pages"]})
    columns = "".join(f" | {'max_age=' + str(row['conn_max_age']):>24}" for row in configurations)
    print(f"{'page':<14}{columns}")
    print(f"{'':<14}" + f" | {'n':>6} {'p50 ms':>8} {'p95 ms':>8}" * len(configurations))
    for page in pages:
        cells = ""
        for row in configurations:
            stats = row["pages"].get(page)
            cells += (
                f" | {stats['requests']:>6} {stats['p50_ms']:>8.1f} {stats['p95_ms']:>8.1f}"
                if stats
                else f" | {'':>24}"
            )
        print(f"{page:<14}{cells}")
    for row in configurations:
        for label, details in (("errors", "error_details"), ("warm-up errors", "warmup_errors")):
            if row[details]:
                print(f"\nmax_age={row['conn_max_age']} {label}: {row[details]}")


def nproc() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def postgres_version() -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0] if row else '?'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent users (threads)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--duration", type=float, default=20, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=5, help="unmeasured seconds first")
    parser.add_argument("--rounds", type=int, default=1, help="alternate the configurations")
    parser.add_argument("--conn-max-age", type=int, nargs="+", default=[0, 60])
    parser.add_argument("--redis", action="store_true", help=f"cache in Redis ({REDIS_URL})")
    parser.add_argument("--reseed", action="store_true", help="drop and rebuild the database")
    parser.add_argument("--database", default="lup_bench_load")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child-prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_prepare:
        print(json.dumps(prepare(args.users, args.reseed)))
        return 0
    if args.users < 5:
        parser.error("--users must be at least 5 (one of each role)")

    ensure_database(args.database, args.reseed)
    # Sessions are signed with the key: the same random one for the setup and the server.
    env = site_env(args.database, secret_key=secrets.token_urlsafe(50))
    print("migrating, seeding if needed and signing in the users ...", file=sys.stderr)
    child = [sys.executable, __file__, "--child-prepare", f"--users={args.users}"]
    if args.reseed:
        child.append("--reseed")
    output = subprocess.run(
        child, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True
    ).stdout
    prepared = json.loads(output.strip().splitlines()[-1])
    if prepared["seed_seconds"] is not None:
        print(f"seeded in {prepared['seed_seconds']} s", file=sys.stderr)
    users = prepared["users"]

    load_before = os.getloadavg()[0]
    phases: list[Phase] = []
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            for age in args.conn_max_age:
                phase_env = {**env, "DATABASE_CONN_MAX_AGE": str(age)}
                if args.redis:
                    # A fresh key prefix: every phase starts with a cold cache.
                    phase_env.update(
                        REDIS_URL=REDIS_URL,
                        CACHE_KEY_PREFIX=f"lup-bench-load-{secrets.token_hex(4)}",
                    )
                log = Path(tmp) / f"gunicorn-{round_}-{age}.log"
                print(f"round {round_ + 1}: DATABASE_CONN_MAX_AGE={age} ...", file=sys.stderr)
                process, base = start_gunicorn(phase_env, args.workers, log)
                try:
                    phases.append(
                        run_phase(
                            base=base,
                            users=users,
                            cookie=prepared["cookie"],
                            conn_max_age=age,
                            warmup=args.warmup,
                            duration=args.duration,
                            database=args.database,
                            seed=round_,
                        )
                    )
                finally:
                    stop_gunicorn(process)
                crashes = [
                    line
                    for line in log.read_text(errors="replace").splitlines()
                    if "Traceback" in line or "ERROR" in line or "CRITICAL" in line
                ]
                if crashes:
                    print(f"gunicorn log ({len(crashes)} error lines):", file=sys.stderr)
                    print(log.read_text(errors="replace")[-3000:], file=sys.stderr)

    roles = Counter(user["role"] for user in users)
    report = {
        "users": len(users),
        "roles": ", ".join(f"{count} {role}" for role, count in roles.items()),
        "workers": args.workers,
        "nproc": nproc(),
        "postgres": postgres_version(),
        "cache": "redis" if args.redis else "locmem",
        "warmup_s": args.warmup,
        "duration_s": args.duration,
        "rounds": args.rounds,
        # Other work on the machine would share its CPUs with gunicorn and the client.
        "load_average_before": round(load_before, 2),
        "configurations": summarise(phases, args.conn_max_age),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_tables(report)
    return 1 if any(row["errors"] for row in report["configurations"]) else 0


if __name__ == "__main__":
    sys.exit(main())
