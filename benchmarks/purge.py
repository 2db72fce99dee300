"""Time of the nightly purge of personal data past its retention (`purge_personal_data`).

Usage:  .venv/bin/python benchmarks/purge.py [--scales 1 10] [--runs 3] [--database-url URL]

Each scale runs in its own process with its own fresh SQLite file (or, with
`--database-url postgres://...`, on that database, which must be empty): migrate, then for
each run store scale × 100 people on the teams of a cohort that ended and closed years
ago, with scale × 20,000 xAPI statements and scale × 5,000 activity completions between
them (not timed), and time one purge that deletes them all (batches of 1,000 ids). Scale
10 is 200,000 statements and 50,000 completions. It prints the median, min and max, the
rows deleted and the purge's queries; a purge whose queries are not those of its batches
(a query per row, say) fails the script.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import measure_in_child, measure_on

ROOT = Path(__file__).resolve().parent.parent
PEOPLE_PER_SCALE = 100
STATEMENTS_PER_PERSON = 200
ACTIVITIES = 50


def _world() -> dict[str, Any]:
    """An organisation with a closed cohort long ended, and a course of ACTIVITIES pages."""
    from django.utils import timezone

    from courses.models import Activity, Course, Module
    from lup.models import Cohort, Organisation, Programme, Sector

    organisation = Organisation.objects.create(name="Bærum kommune", slug="baerum")
    sector = Sector.objects.create(organisation=organisation, name="Skole")
    programme = Programme.objects.create(
        organisation=organisation,
        name="LUP",
        short_name="LUP",
        slug="lup",
        starts_on=dt.date(2014, 1, 1),
        deadline=dt.date(2016, 12, 31),
        target_units=10,
    )
    cohort = Cohort.objects.create(
        programme=programme,
        name="LUP 2015",
        starts_on=dt.date(2015, 1, 1),
        ends_on=dt.date(2015, 6, 30),
        closed_at=timezone.make_aware(dt.datetime(2015, 7, 1, 12)),
    )
    course = Course.objects.create(title="LUP", slug="lup")
    module = Module.objects.create(course=course, position=1, title="Teori")
    Activity.objects.bulk_create(
        Activity(module=module, position=n, title=f"Side {n}", kind="page")
        for n in range(1, ACTIVITIES + 1)
    )
    return {
        "organisation": organisation,
        "sector": sector,
        "cohort": cohort,
        "activities": list(Activity.objects.filter(module=module).order_by("position")),
    }


def _people(world: dict[str, Any], run: int, count: int) -> list[Any]:
    """`count` people on enthusiast teams of ten in the cohort, with their records."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from courses.models import ActivityCompletion, XAPIStatement
    from lup.models import Participant, ServiceUnit, UnitEnrolment

    get_user_model().objects.bulk_create(
        get_user_model()(username=f"p{run}-{n}@example.no", email=f"p{run}-{n}@example.no")
        for n in range(count)
    )
    # Read back: SQLite gives bulk-created rows no primary keys.
    users = list(get_user_model().objects.filter(username__startswith=f"p{run}-"))
    ServiceUnit.objects.bulk_create(
        ServiceUnit(
            organisation=world["organisation"],
            sector=world["sector"],
            code=f"{run}-{n}",
            name=f"Enhet {run}-{n}",
        )
        for n in range(math.ceil(count / 10))
    )
    units = list(ServiceUnit.objects.filter(code__startswith=f"{run}-").order_by("pk"))
    UnitEnrolment.objects.bulk_create(
        UnitEnrolment(cohort=world["cohort"], unit=unit) for unit in units
    )
    enrolments = list(UnitEnrolment.objects.filter(unit__in=units).order_by("unit_id"))
    Participant.objects.bulk_create(
        Participant(user=user, enrolment=enrolments[n // 10], role="enthusiast")
        for n, user in enumerate(users)
    )
    received = timezone.make_aware(dt.datetime(2015, 3, 1, 12))
    XAPIStatement.objects.bulk_create(
        (
            XAPIStatement(
                user=user,
                activity=world["activities"][n % ACTIVITIES],
                verb="http://adlnet.gov/expapi/verbs/answered",
                received_at=received,
                raw={"verb": {"id": "http://adlnet.gov/expapi/verbs/answered"}},
            )
            for user in users
            for n in range(STATEMENTS_PER_PERSON)
        ),
        batch_size=5000,
    )
    ActivityCompletion.objects.bulk_create(
        (
            ActivityCompletion(activity=activity, user=user, source="marked_done")
            for user in users
            for activity in world["activities"]
        ),
        batch_size=5000,
    )
    return users


def measure(scale: int, runs: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from courses.models import ActivityCompletion, XAPIStatement
    from lup.privacy.retention import BATCH_SIZE, purge_personal_data

    call_command("migrate", verbosity=0)
    world = _world()
    people = scale * PEOPLE_PER_SCALE
    timings, deleted, queries = [], {}, 0
    for run in range(runs):
        _people(world, run, people)
        statements, completions = XAPIStatement.objects.count(), ActivityCompletion.objects.count()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            report = purge_personal_data()
            timings.append(time.perf_counter() - started)
        queries = len(captured)
        [part] = [p for p in report.organisations if p.organisation_id == world["organisation"].pk]
        deleted = dict(part.removed)
        assert deleted.get("courses.XAPIStatement") == statements, deleted
        assert deleted.get("courses.ActivityCompletion") == completions, deleted
        assert not XAPIStatement.objects.exists()
        assert not ActivityCompletion.objects.exists()
    # The purge's queries are its batches (a select and a delete per 1,000 rows or people,
    # a few per model and organisation), never one per row.
    rows = sum(deleted.values())
    allowed = 4 * math.ceil(rows / BATCH_SIZE) + 40 * (1 + math.ceil(people / BATCH_SIZE))
    assert queries <= allowed, f"{queries} queries for {rows} rows (allowed {allowed})"
    return {
        "scale": scale,
        "people": people,
        "statements": deleted.get("courses.XAPIStatement", 0),
        "completions": deleted.get("courses.ActivityCompletion", 0),
        "queries": queries,
        "median_s": round(statistics.median(timings), 2),
        "min_s": round(min(timings), 2),
        "max_s": round(max(timings), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--runs", type=int, default=3)
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
            f"scale {scale:>3}: purged {result['statements']} xAPI statements and "
            f"{result['completions']} completions of {result['people']} people in "
            f"{result['queries']} queries; median {result['median_s']} s "
            f"(min {result['min_s']}, max {result['max_s']}; {args.runs} runs)"
        )
    return 0  # times are reported, never the exit status: a loaded machine is no bug


if __name__ == "__main__":
    sys.exit(main())
