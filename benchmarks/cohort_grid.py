"""Server time of the facilitators' cohort grid (units × modules and review queue), on SQLite.

Usage:  .venv/bin/python benchmarks/cohort_grid.py [--scales 1] [--runs 30]

For each demo scale, in its own process with a fresh SQLite file: migrate, seed_demo
--scale N (the grid shows Bærum's running cohort, whatever N), then build a
synthetic cohort of 40 units × 8 modules (six people per team, progress and answers
waiting). For the demo's running cohort (about 25 units × 6 modules) and the synthetic
one, time N requests of the grid page through Django's test client as a facilitator
(the whole request: middleware, session, queries and template) and print the median,
min and max and the query count. Goal (issue 4): median under 100 ms for both, with the
same number of queries.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import measure_in_child

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 100


def build_synthetic_cohort(*, units: int, modules: int, team_size: int = 6) -> tuple[Any, Any]:
    """A programme with its own course of `modules` modules and one running cohort."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from courses.models import Activity, ActivityCompletion, Assignment, Course, Module, Submission
    from lup.models import (
        Cohort,
        Organisation,
        Participant,
        Programme,
        Sector,
        ServiceUnit,
        UnitEnrolment,
    )

    rng = random.Random("cohort-grid-benchmark")
    today = timezone.localdate()
    organisation = Organisation.objects.create(name="Benchmark kommune", slug="benchmark")
    sectors = [
        Sector.objects.create(organisation=organisation, name=name)
        for name in ("Skole", "Barnehage", "Helse og omsorg", "Kultur")
    ]
    course = Course.objects.create(title="Stort kurs", slug="benchmark-kurs")
    module_objects = [
        Module.objects.create(
            course=course,
            position=number,
            title=f"Modul {number}",
            due_days_after_start=20 * number,
        )
        for number in range(1, modules + 1)
    ]
    activities = []
    for module in module_objects:
        for position in range(1, 4):
            activities.append(
                Activity.objects.create(
                    module=module, position=position, title=f"Side {position}", kind="page"
                )
            )
    assignment = Assignment.objects.create(
        activity=Activity.objects.create(
            module=module_objects[1], position=9, title="Oppgave", kind="assignment"
        ),
        instructions="Lever.",
        team=True,
    )
    programme = Programme.objects.create(
        organisation=organisation,
        name="Benchmark",
        short_name="B",
        slug="benchmark",
        starts_on=today - dt.timedelta(days=400),
        deadline=today + dt.timedelta(days=400),
        target_units=units,
        course=course,
    )
    cohort = Cohort.objects.create(
        programme=programme,
        name="Stort kull",
        starts_on=today - dt.timedelta(days=90),
        ends_on=today + dt.timedelta(days=90),
    )
    unit_rows = ServiceUnit.objects.bulk_create(
        ServiceUnit(
            organisation=organisation,
            sector=sectors[number % len(sectors)],
            code=f"B{number:03d}",
            name=f"Enhet {number:03d}",
        )
        for number in range(units)
    )
    enrolments = UnitEnrolment.objects.bulk_create(
        UnitEnrolment(cohort=cohort, unit=unit) for unit in unit_rows
    )
    user_model = get_user_model()
    people = user_model.objects.bulk_create(
        user_model(username=f"b{e}-{s}@example.no", email=f"b{e}-{s}@example.no")
        for e in range(units)
        for s in range(team_size)
    )
    participants = Participant.objects.bulk_create(
        Participant(
            enrolment=enrolments[index // team_size],
            user=person,
            role="manager" if index % team_size == 0 else "enthusiast",
        )
        for index, person in enumerate(people)
    )
    completions = []
    for participant in participants:
        for activity in activities[: rng.randint(0, len(activities))]:
            completions.append(
                ActivityCompletion(activity=activity, user=participant.user, source="marked_done")
            )
    ActivityCompletion.objects.bulk_create(completions, batch_size=500)
    Submission.objects.bulk_create(
        Submission(
            assignment=assignment,
            submitted_by=participants[index * team_size].user,
            group_key=f"enrolment-{enrolment.pk}",
            attempt=1,
            text="Svar",
        )
        for index, enrolment in enumerate(enrolments)
        if index % 3 == 0
    )
    facilitator = user_model.objects.create_user(
        "fasilitator@benchmark.no", "fasilitator@benchmark.no"
    )
    cohort.facilitators.add(facilitator)
    return cohort, facilitator


def time_page(client: Any, url: str, runs: int, cohort: Any, facilitator: Any) -> dict[str, Any]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from lup import scoping
    from lup.progress import cohort_grid

    for _ in range(3):  # warm caches: templates, translations, SQLite pages
        assert client.get(url).status_code == 200
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    query_count = len(queries)
    grid = cohort_grid(cohort, scoping.enrolments_for(facilitator))
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return {
        "units": len(grid.rows),
        "modules": len(grid.columns),
        "waiting": len(grid.review_queue),
        "queries": query_count,
        "median_ms": round(statistics.median(timings), 2),
        "min_ms": round(min(timings), 2),
        "max_ms": round(max(timings), 2),
    }


def measure(scale: int, runs: int) -> list[dict[str, Any]]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()

    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from lup.demo.seed import seed_demo
    from lup.models import Programme

    call_command("migrate", verbosity=0)
    seed_demo(scale=scale)
    today = timezone.localdate()
    running = Programme.objects.get(slug="lup").cohorts.get(
        starts_on__lte=today, ends_on__gte=today
    )
    demo_facilitator = running.facilitators.get()
    large, large_facilitator = build_synthetic_cohort(units=40, modules=8)
    results = []
    for label, cohort, facilitator in (
        ("demo running cohort", running, demo_facilitator),
        ("synthetic 40 × 8", large, large_facilitator),
    ):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(facilitator)
        url = reverse("lup:cohort-grid", kwargs={"pk": cohort.pk})
        results.append({"label": label, **time_page(client, url, runs, cohort, facilitator)})
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.child, args.runs)))
        return 0

    results = []
    for scale in args.scales:
        for result in measure_in_child(__file__, scale, args.runs):
            results.append({**result, "label": f"scale {scale}, {result['label']}"})
    for result in results:
        print(
            f"{result['label']:<30}: {result['units']:>3} units × {result['modules']} modules, "
            f"{result['waiting']:>2} waiting, {result['queries']} queries, median "
            f"{result['median_ms']} ms (min {result['min_ms']}, max {result['max_ms']})"
        )
    same_queries = len({result["queries"] for result in results}) == 1
    goal = same_queries and all(result["median_ms"] < GOAL_MS for result in results)
    print(f"goal (median < {GOAL_MS} ms, same query count):", "met" if goal else "NOT met")
    # Times are reported, never the exit status (a loaded machine is not a bug); a query
    # count that grows with the data is.
    return 0 if same_queries else 1


if __name__ == "__main__":
    sys.exit(main())
