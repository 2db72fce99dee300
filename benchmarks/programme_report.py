"""Server time of the programme report (page and PDF) at demo scale 1 and 20, on SQLite.

Usage:  .venv/bin/python benchmarks/programme_report.py [--scales 1 20] [--runs 20]

Each scale runs in its own process with its own fresh SQLite file: migrate,
seed_demo --scale N, then time N requests of Bærum's programme report, as a page and as
a PDF, through Django's test client (the whole request: middleware, session, queries,
template or reportlab). It prints the median, min and max and the query count of each, then
the ratio of the largest scale's medians to scale 1's (issue 22: a fixed number of queries
at scale 20).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import measure_in_child

ROOT = Path(__file__).resolve().parent.parent


def measure(scale: int, runs: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lup.demo.seed import seed_demo
    from lup.models import OrganisationMembership, Participant, Programme
    from lup.roles import ensure_role_groups

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed_demo(scale=scale)
    seed_seconds = time.perf_counter() - started
    # HR's permissions directly rather than its group, which requires MFA; the membership
    # gives the scope (Bærum, the first organisation).
    user = get_user_model().objects.create_user("bench@example.no", "bench@example.no")
    user.user_permissions.add(*ensure_role_groups()["HR"].permissions.all())
    OrganisationMembership.objects.create(
        organisation=Programme.objects.get(slug="lup").organisation, user=user
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    result: dict[str, Any] = {
        "scale": scale,
        "seed_seconds": round(seed_seconds, 2),
        "participants": Participant.objects.count(),
    }
    for name, url in (
        ("html", "/programmes/lup/report/"),
        ("pdf", "/programmes/lup/report.pdf"),
    ):
        for _ in range(3):  # warm caches: templates, translations, fonts, SQLite pages
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        result[f"{name}_queries"] = len(queries)  # count now: the next request resets the log
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        result[f"{name}_median_ms"] = round(statistics.median(timings), 2)
        result[f"{name}_min_ms"] = round(min(timings), 2)
        result[f"{name}_max_ms"] = round(max(timings), 2)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.child, args.runs)))
        return 0

    results = []
    for scale in args.scales:
        result = measure_in_child(__file__, scale, args.runs)
        results.append(result)
        print(
            f"scale {scale:>3}: {result['participants']:>6} participants (seeded in "
            f"{result['seed_seconds']} s)"
        )
        for name, label in (("html", "page"), ("pdf", "PDF ")):
            print(
                f"  {label}: {result[f'{name}_queries']} queries, median "
                f"{result[f'{name}_median_ms']} ms (min {result[f'{name}_min_ms']}, max "
                f"{result[f'{name}_max_ms']})"
            )
    if len(results) > 1:
        first, last = results[0], results[-1]
        for name in ("html", "pdf"):
            ratio = last[f"{name}_median_ms"] / first[f"{name}_median_ms"]
            same = last[f"{name}_queries"] == first[f"{name}_queries"]
            print(
                f"{name}: ratio scale {last['scale']} / scale {first['scale']}: {ratio:.2f}x; "
                f"queries {'the same' if same else 'NOT the same'}"
            )
    return 0  # times are reported, never the exit status: a loaded machine is no bug


if __name__ == "__main__":
    sys.exit(main())
