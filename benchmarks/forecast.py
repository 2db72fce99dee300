"""Time of `programme_target_progress` (the dashboard's figures and forecast from the plan)
at demo scale 20, on SQLite.

Usage:  .venv/bin/python benchmarks/forecast.py [--scales 20] [--runs 40]

Each scale runs in its own process with its own fresh SQLite file: migrate, seed_demo
--scale N, then call the selector N times for Bærum's programme (the queries and the plan's
arithmetic, no template) and print the median, min and max and the query count. The query
count must not grow with the scale (three queries).
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

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lup.demo.seed import seed_demo
    from lup.models import Programme, UnitEnrolment
    from lup.selectors import programme_target_progress

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed_demo(scale=scale)
    seed_seconds = time.perf_counter() - started
    programme = Programme.objects.get(slug="lup")
    for _ in range(3):  # warm caches: SQLite pages, translations
        progress = programme_target_progress(programme)
    with CaptureQueriesContext(connection) as queries:
        programme_target_progress(programme)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        progress = programme_target_progress(programme)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "scale": scale,
        "seed_seconds": round(seed_seconds, 2),
        "enrolments": UnitEnrolment.objects.filter(cohort__programme=programme).count(),
        "queries": len(queries),
        "forecast": [progress.forecast_low, progress.forecast_at_deadline, progress.forecast_high],
        "median_ms": round(statistics.median(timings), 2),
        "min_ms": round(min(timings), 2),
        "max_ms": round(max(timings), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[20])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.child, args.runs)))
        return 0

    for scale in args.scales:
        result = measure_in_child(__file__, scale, args.runs)
        low, expected, high = result["forecast"]
        print(
            f"scale {scale:>3}: {result['enrolments']} enrolments in Bærum's programme, "
            f"{result['queries']} queries, median {result['median_ms']} ms "
            f"(min {result['min_ms']}, max {result['max_ms']}; forecast {low}–{high}, "
            f"expected {expected}; seeded in {result['seed_seconds']} s)"
        )
    return 0  # times are reported, never the exit status: a loaded machine is no bug


if __name__ == "__main__":
    sys.exit(main())
