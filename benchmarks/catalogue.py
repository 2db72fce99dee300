"""Server time of the project catalogue ("stjæl og del") at demo scale 1 and 25, on SQLite.

Usage:  .venv/bin/python benchmarks/catalogue.py [--scales 1 25] [--runs 40]

Each scale runs in its own process with its own fresh SQLite file: migrate, seed_demo
--scale N (scale 25 has about 5,000 projects), then time requests of the catalogue's first
page through Django's test client (the whole request: middleware, session, queries and
template) for four searches: no filter, a text search, a sector and benefit-type filter,
and text with every filter. It prints the median, min and max and the query count of each.
Goals (issue 6): the first page takes the same number of queries at every scale, and its
median at scale 25 is under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import measure_in_child

ROOT = Path(__file__).resolve().parent.parent
SEARCHES: dict[str, dict[str, str]] = {
    "all": {},
    "text": {"q": "tilsyn natt"},
    "filters": {"sector": "Helse og omsorg", "benefit": "time"},
    "text+filters": {"q": "beboerne", "sector": "Helse og omsorg", "phase": "ny-praksis"},
}
GOAL_MS = 100


def measure(scale: int, runs: int) -> dict[str, object]:
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
    from lup.innovation import catalogue
    from lup.innovation.models import InnovationProject

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed_demo(scale=scale)
    seed_seconds = time.perf_counter() - started
    # Anyone signed in reads the catalogue: a user with no role at all.
    user = get_user_model().objects.create_user("bench@example.no", "bench@example.no")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    url = "/catalogue/"
    results: dict[str, dict[str, float]] = {}
    for name, params in SEARCHES.items():
        for _ in range(3):  # warm caches: templates, translations, SQLite pages
            assert client.get(url, params).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        query_count = len(queries)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results[name] = {
            "queries": query_count,
            "hits": catalogue.filter_catalogue(
                catalogue.published_projects(),
                catalogue.CatalogueFilters(
                    text=params.get("q", ""),
                    sector=params.get("sector", ""),
                    phase=params.get("phase", ""),
                    benefit_type=params.get("benefit", ""),
                ),
            ).count(),
            "median_ms": round(statistics.median(timings), 2),
            "min_ms": round(min(timings), 2),
            "max_ms": round(max(timings), 2),
        }
    return {
        "scale": scale,
        "seed_seconds": round(seed_seconds, 2),
        "projects": InnovationProject.objects.count(),
        "published": InnovationProject.objects.filter(published_at__isnull=False).count(),
        "searches": results,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 25])
    parser.add_argument("--runs", type=int, default=40)
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
            f"scale {scale:>3}: {result['projects']} projects, {result['published']} published "
            f"(seeded in {result['seed_seconds']} s)"
        )
        for name, figures in result["searches"].items():
            print(
                f"  {name:<13} {figures['hits']:>5} hits, {figures['queries']} queries, "
                f"median {figures['median_ms']} ms "
                f"(min {figures['min_ms']}, max {figures['max_ms']})"
            )
    if len(results) < 2:
        return 0
    queries = {
        name: {result["searches"][name]["queries"] for result in results} for name in SEARCHES
    }
    constant = all(len(counts) == 1 for counts in queries.values())
    slowest = max(figures["median_ms"] for figures in results[-1]["searches"].values())
    print("same query count at every scale:", "yes" if constant else "NO")
    goal = constant and slowest < GOAL_MS
    print(
        f"goal (same queries, slowest median at scale {results[-1]['scale']} < {GOAL_MS} ms):",
        "met" if goal else "NOT met",
    )
    # Times are reported, never the exit status (a loaded machine is not a bug); a query
    # count that grows with the data is.
    return 0 if constant else 1


if __name__ == "__main__":
    sys.exit(main())
