"""Server time and queries of the main pages on a database seeded at national scale.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seed356 \\
        .venv/bin/python benchmarks/national.py [--runs 30] [--json]
    .venv/bin/python benchmarks/national.py --scales 1 3   # fresh SQLite files, seeded here

The database must already hold `manage.py seed_demo --scale N` (seeding 356 municipalities
takes about 20 minutes, so it is not redone per run; see README "What the demo shows").
Every page is requested as one municipality's people (Bærum's, the first), through
Django's test client: the whole request, middleware, session, queries and template.

- administrator: the target dashboard;
- HR: the participant report page, the full CSV export of the municipality (streamed and
  read to the end), and a 500-row page of the completions feed (API, a report token);
- facilitator: the running cohort's progress grid;
- participant: My programme, and the catalogue searched across all municipalities.

Run it on databases seeded at several scales and compare: a page that does not grow with
the country keeps its query count and stays within twice its scale-1 time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    sys.path.insert(0, str(ROOT))
    django.setup()


def national_pages() -> list[tuple[str, str, Any, str]]:
    """(role, page, signed-in test client, URL) for every page measured, as Bærum's people.
    Also used by tests/test_national_scale.py, which asserts their query counts."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from lup.api.tokens import create_api_token
    from lup.models import OrganisationMembership, Participant, Programme
    from lup.reporting.models import ApiToken
    from lup.roles import ADMINISTRATORS_GROUP, HR_GROUP, ensure_role_groups

    programme = Programme.objects.get(slug="lup")
    organisation = programme.organisation
    groups = ensure_role_groups()
    today = timezone.localdate()
    running = programme.cohorts.get(starts_on__lte=today, ends_on__gte=today)

    def bench_user(email: str, group: str) -> Client:
        # Permissions directly rather than the group, whose members must use two-factor.
        user, _created = get_user_model().objects.get_or_create(
            username=email, defaults={"email": email}
        )
        user.user_permissions.set(groups[group].permissions.all())
        OrganisationMembership.objects.get_or_create(organisation=organisation, user=user)
        return person(user)

    def person(user: Any) -> Client:
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="nb")
        client.force_login(user)
        return client

    admin = bench_user("bench-admin@example.no", ADMINISTRATORS_GROUP)
    hr = bench_user("bench-hr@example.no", HR_GROUP)
    facilitator = person(running.facilitators.first())
    learner = Participant.objects.filter(enrolment__cohort=running).select_related("user")[0]
    participant = person(learner.user)
    _token, secret = create_api_token(
        name="National benchmark",
        organisation=organisation,
        scope=ApiToken.Scope.REPORTS,
        expires_at=timezone.now() + dt.timedelta(hours=1),
        created_by=None,
    )
    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {secret}")
    return [
        ("administrator", "dashboard", admin, reverse("lup:dashboard", args=["lup"])),
        ("HR", "participant report", hr, reverse("lup:report-participants")),
        (
            "HR",
            "CSV export, whole municipality",
            hr,
            reverse("lup:report-participants-export") + "?preset=default",
        ),
        ("HR", "completions feed, 500 rows", api, "/api/v1/completions/?page_size=500"),
        (
            "facilitator",
            "cohort grid",
            facilitator,
            reverse("lup:cohort-grid", kwargs={"pk": running.pk}),
        ),
        ("participant", "My programme", participant, reverse("lup:my-programme")),
        ("participant", "catalogue search", participant, reverse("lup:catalogue") + "?q=skole"),
    ]


def fetch(client: Any, url: str) -> int:
    """GET `url`, read it to the end (a streamed export too); the body's size."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        return len(b"".join(response.streaming_content))
    return len(response.content)


def measure(runs: int) -> dict[str, Any]:
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lup.models import Organisation, Participant

    pages = national_pages()
    results = []
    for role, label, client, url in pages:
        for _ in range(3):  # warm: templates, translations, the database's caches
            fetch(client, url)
        with CaptureQueriesContext(connection) as queries:
            size = fetch(client, url)
        query_count = len(queries)  # now: the next request empties the query log
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            fetch(client, url)
            timings.append((time.perf_counter() - started) * 1000)
        results.append(
            {
                "role": role,
                "page": label,
                "queries": query_count,
                "bytes": size,
                "median_ms": round(statistics.median(timings), 1),
                "p95_ms": round(sorted(timings)[max(0, int(len(timings) * 0.95) - 1)], 1),
            }
        )
    return {
        "organisations": Organisation.objects.count(),
        "participants": Participant.objects.count(),
        "database": connection.vendor,
        "pages": results,
    }


def seed_and_measure(scale: int, runs: int) -> dict[str, Any]:
    """In a child process on a fresh database (`_harness.measure_in_child`): migrate, seed
    `scale`, measure."""
    setup_django()
    from django.core.management import call_command

    from lup.demo.seed import seed_demo

    call_command("migrate", verbosity=0)
    seed_demo(scale=scale)
    return measure(runs)


def report(result: dict[str, Any], runs: int) -> None:
    print(
        f"{result['organisations']} organisations, {result['participants']} participants "
        f"({result['database']}), {runs} runs a page"
    )
    print(f"{'role':<13} {'page':<32} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for page in result["pages"]:
        print(
            f"{page['role']:<13} {page['page']:<32} {page['queries']:>7} "
            f"{page['median_ms']:>10} {page['p95_ms']:>8}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--scales",
        type=int,
        nargs="+",
        help="seed each scale on a fresh SQLite file first (quick look; the national figures "
        "come from PostgreSQL databases seeded once, given by DATABASE_URL)",
    )
    parser.add_argument("--json", action="store_true", help="print the JSON only")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(seed_and_measure(args.child, args.runs)))
        return 0
    if args.scales:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from _harness import measure_in_child

        for scale in args.scales:
            report(measure_in_child(__file__, scale, args.runs), args.runs)
        return 0
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit(
            "Set DATABASE_URL to a database seeded with seed_demo --scale N, or give --scales."
        )
    result = measure(args.runs)
    if args.json:
        print(json.dumps(result))
    else:
        report(result, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
