"""Server time of a page of 500 rows of the API's completions feed, on SQLite.

Usage:  .venv/bin/python benchmarks/api.py [--scales 1 5] [--runs 40]

Each scale runs in its own process with its own fresh SQLite file: migrate,
seed_demo --scale N, create a reports-scope API token for Bærum, then time N
requests of `/api/v1/completions/?page_size=500` with the token through Django's
test client (the whole request: middleware, token lookup, throttle, query and JSON).
Pages are read in turn along the feed's `next` links, wrapping to the first page.
It prints the median, min and max, the rows per page and the query count.
Goal (issue 8): a page of 500 in a median under 150 ms, a fixed number of queries.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import measure_in_child

ROOT = Path(__file__).resolve().parent.parent
URL = "/api/v1/completions/?page_size=500"


def measure(scale: int, runs: int) -> dict[str, float]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from lup.api.tokens import create_api_token
    from lup.demo.seed import seed_demo
    from lup.models import Participant, Programme
    from lup.reporting.models import ApiToken

    # Measure the server, not the rate limit.
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []
    from rest_framework.settings import api_settings

    api_settings.reload()

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed_demo(scale=scale)
    seed_seconds = time.perf_counter() - started
    _token, secret = create_api_token(
        name="Benchmark",
        organisation=Programme.objects.get(slug="lup").organisation,
        scope=ApiToken.Scope.REPORTS,
        expires_at=timezone.now() + dt.timedelta(days=1),
        created_by=None,
    )
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {secret}")
    for _ in range(3):  # warm caches: translations, SQLite pages
        assert client.get(URL).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        first = client.get(URL).json()
    query_count = len(queries)  # count now: the next request resets the query log
    rows = len(first["results"])
    timings = []
    url = URL
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        url = response.json()["next"] or URL
    return {
        "scale": scale,
        "seed_seconds": round(seed_seconds, 2),
        "participants": Participant.objects.count(),
        "rows_per_page": rows,
        "queries": query_count,
        "median_ms": round(statistics.median(timings), 2),
        "min_ms": round(min(timings), 2),
        "max_ms": round(max(timings), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.child, args.runs)))
        return 0

    met = True
    for scale in args.scales:
        result = measure_in_child(__file__, scale, args.runs)
        print(
            f"scale {scale:>3}: {result['participants']:>6} participants, "
            f"{result['rows_per_page']} rows a page, {result['queries']} queries, "
            f"median {result['median_ms']} ms (min {result['min_ms']}, max {result['max_ms']}; "
            f"seeded in {result['seed_seconds']} s)"
        )
        met = met and result["median_ms"] < 150
    print("goal (a page's median < 150 ms):", "met" if met else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
