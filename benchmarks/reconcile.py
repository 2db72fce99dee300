"""Time of the nightly completion check (`manage.py reconcile_completions`) at demo scale.

Usage:  .venv/bin/python benchmarks/reconcile.py [--scales 1 20] [--runs 5]

Each scale runs in its own process with its own fresh SQLite file (or, with
`--database-url postgres://...`, on that database, which must be empty): migrate,
seed_demo --scale N, then run `reconcile_completions` over every programme RUNS times. The
first run repairs whatever the demo data left (reported); the others find nothing to repair,
as every night when nothing drifted. It prints the median, min and max of the runs, the units
checked and the queries of one run. Goal (issue 15): scale 20 under 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import measure_in_child, measure_on

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 30


def measure(scale: int, runs: int) -> dict[str, float | None]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lup.demo.seed import seed_demo
    from lup.models import CompletionCheck, Programme

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed_demo(scale=scale)
    seed_seconds = time.perf_counter() - started
    first = None
    timings = []
    for run in range(runs):
        started = time.perf_counter()
        if run == 1:
            with CaptureQueriesContext(connection) as queries:
                call_command("reconcile_completions", stdout=StringIO())
            query_count = len(queries)
        else:
            call_command("reconcile_completions", stdout=StringIO())
        timings.append(time.perf_counter() - started)
        if first is None:
            first = list(CompletionCheck.objects.order_by("pk"))
    assert first is not None
    return {
        "scale": scale,
        "seed_seconds": round(seed_seconds, 2),
        "programmes": Programme.objects.count(),
        "units": sum(check.units_checked for check in first),
        "first_run_repairs": sum(check.repairs for check in first),
        "first_run_findings": sum(len(check.findings) for check in first),
        "queries": query_count if runs > 1 else None,
        "median_s": round(statistics.median(timings), 2),
        "min_s": round(min(timings), 2),
        "max_s": round(max(timings), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.child, args.runs)))
        return 0

    for scale in args.scales:
        if args.database_url:
            result = measure_on(__file__, args.database_url, scale, args.runs)
        else:
            result = measure_in_child(__file__, scale, args.runs)
        print(
            f"scale {scale:>3}: {result['units']:>5} units checked in {result['programmes']} "
            f"programmes ({result['queries']} queries a run); first run repaired "
            f"{result['first_run_repairs']}, {result['first_run_findings']} findings; "
            f"median {result['median_s']} s (min {result['min_s']}, max {result['max_s']}; "
            f"seeded in {result['seed_seconds']} s)"
        )
        if scale == 20:
            met = result["median_s"] < GOAL_SECONDS
            print(f"goal (scale 20 under {GOAL_SECONDS} s):", "met" if met else "NOT met")
    return 0  # times are reported, never the exit status: a loaded machine is no bug


if __name__ == "__main__":
    sys.exit(main())
