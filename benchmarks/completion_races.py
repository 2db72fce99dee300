"""Completions lost to concurrency, on PostgreSQL: races of the completion scenarios.

Usage:  .venv/bin/python benchmarks/completion_races.py [--races 50] [--scenario NAME ...]
            [--database lup_bench_races] [--keep]

Runs each scenario of tests/lup/test_completion_concurrency.py (`SCENARIOS`; the test runs
the same ones) --races times, each race on a fresh unit and team: two racers, each a thread
with its own database connection (calling the services, as a request would), held at a
gate inside their transactions until both have written their own step, so that each asks
the completion rule while the other's step is still uncommitted. The scenarios:

  last-two-members            the manager and the one enthusiast needed finish at once
  two-enthusiasts-one-needed  two enthusiasts finish at once, either completes the unit
  last-two-activities         one person's last two activities at once (two tabs)
  same-activity-twice         one person marks their last activity done twice at once
  same-attendance-twice       a facilitator ticks the last member present twice at once
  approval-and-attendance     the project's approval and the last attendance at once
                              (the rule requires an approved project and attendance)
  reconcile-and-activity      the scheduled reconcile and a member's activity at once

For each it prints the races, the lost participant completions (a member who meets the rule
but is not stamped), the lost unit completions, the units short of the rule (a racer's step
rolled back), stale feed rows (a completed unit's member whose row was last touched before
the unit completed), the errors, and the median race time. Exit status 1 if anything was
lost or failed: that is a bug, never a slow machine.

PostgreSQL: the server of DATABASE_URL when it is postgres://..., else
postgres://postgres@127.0.0.1:5432, with a database of its own (--database): created and
migrated when missing, and then dropped at the end (unless --keep); an existing one is
used as it is and kept. SQLite cannot race (it serialises its writers). tests/test_benchmarks.py
runs it briefly: --runs is taken as --races, and --scales (the other benchmarks' data
scale) is accepted and ignored.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


def postgres_server() -> str:
    """The PostgreSQL server to race on: DATABASE_URL's, or the local default."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"
    return DEFAULT_SERVER


def ensure_database(server: str, name: str) -> bool:
    """Create the database when missing; returns whether it was created here."""
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return False
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    except psycopg.OperationalError as error:
        raise SystemExit(
            f"completion races need PostgreSQL (SQLite serialises its writers, so nothing can "
            f"race): none answered at {server} ({error}). Set DATABASE_URL=postgres://..."
        ) from error


def drop_database(server: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def run(races: int, scenarios: list[str], database_url: str, media: str) -> list[Any]:
    """Set Django up on the race database, migrate it and run the scenarios."""
    for key in list(os.environ):
        if key.startswith(("REDIS_", "CELERY_", "CACHE_")):
            del os.environ[key]  # a local cache, and tasks run inline
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_MEDIA_ROOT=media,
        COURSES_PRIVATE_ROOT=str(Path(media) / "private"),
    )
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)  # the certificate e-mail tasks log each one

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests.lup.test_completion_concurrency import SCENARIOS

    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    tallies = []
    for name in scenarios or list(SCENARIOS):
        print(f"{name}: {races} races ...", file=sys.stderr, flush=True)
        tallies.append(SCENARIOS[name](races, None))
    return tallies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--races", type=int, default=50, help="races per scenario")
    parser.add_argument("--runs", type=int, help="the same as --races (tests/test_benchmarks.py)")
    parser.add_argument("--scales", type=int, nargs="+", help="accepted and ignored")
    parser.add_argument("--scenario", action="append", default=[], help="only these (repeat)")
    parser.add_argument("--database", default="lup_bench_races")
    parser.add_argument("--keep", action="store_true", help="keep a database created here")
    args = parser.parse_args()
    races = args.runs if args.runs is not None else args.races
    if races < 1:
        parser.error("--races must be at least 1")

    server = postgres_server()
    created = ensure_database(server, args.database)
    try:
        with tempfile.TemporaryDirectory() as media:
            tallies = run(races, args.scenario, f"{server}/{args.database}", media)
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if created and not args.keep:
            drop_database(server, args.database)

    host = urlsplit(server).hostname
    print(f"PostgreSQL at {host}, database {args.database}; {races} races per scenario")
    print(
        f"{'scenario':<38} {'races':>5} {'lost participant':>16} {'lost unit':>9} "
        f"{'short':>5} {'stale':>5} {'errors':>6}  race time"
    )
    for tally in tallies:
        milliseconds = [seconds * 1000 for seconds in tally.seconds]
        print(
            f"{tally.scenario:<38} {tally.races:>5} {tally.lost_participants:>16} "
            f"{tally.lost_units:>9} {tally.unearned_units:>5} {tally.stale_rows:>5} "
            f"{len(tally.errors):>6}  median {statistics.median(milliseconds):.0f} ms "
            f"(max {max(milliseconds):.0f})"
        )
        for error in sorted({error.splitlines()[0] for error in tally.errors})[:3]:
            print(f"    {error}")
    lost = sum(tally.lost for tally in tallies)
    failed = sum(not tally.clean for tally in tallies)
    print(f"lost completions: {lost}; scenarios with anything lost or failed: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
