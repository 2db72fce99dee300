"""Streamed completion-report exports (CSV and XLSX): rows per second and peak memory, on SQLite.

Usage:  .venv/bin/python benchmarks/exports.py [--scales 10 100] [--runs 3]

A scale is thousands of participant rows. Each scale gets a fresh SQLite file, seeded in
its own process with bulk_create (one organisation, its units, cohorts and participants;
half of them completed). Then each format is measured in a fresh process of its own, so
its peak memory (ru_maxrss) is the export's and not the seeding's: it downloads Bærum's
participant report as HR through Django's test client (the whole request: middleware,
scope, queries, writing) and consumes the response chunk by chunk, as a client would.
It checks that every row arrived (CSV: the lines of the file; both: the audit entry
written when the stream ends) and prints the median time, rows per second (median and
best run, and per second of the process's CPU time: the machine may be shared), the
time to the first byte and the peak memory of the process, with the process's memory
before the first export for comparison.

Goals (issue 8): CSV at least 50,000 rows/s, XLSX at least 5,000 rows/s, peak memory
under 150 MB and not growing with the number of rows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5000


def _setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def seed(rows: int) -> dict[str, float]:
    """Migrate and create `rows` participants (each with a user) with bulk_create."""
    _setup_django()
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from lup.models import (
        Cohort,
        Organisation,
        OrganisationMembership,
        Participant,
        Programme,
        Sector,
        ServiceUnit,
        UnitEnrolment,
    )
    from lup.roles import ensure_role_groups

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    organisation = Organisation.objects.create(name="Bærum kommune", slug="baerum")
    sectors = [
        Sector.objects.create(organisation=organisation, name=name)
        for name in ("Skole", "Barnehage", "Helse og omsorg", "Kultur")
    ]
    programme = Programme.objects.create(
        organisation=organisation,
        name="Lederutviklingsprogram for innovasjon og ledelse",
        short_name="LUP",
        slug="lup",
        starts_on=dt.date(2024, 1, 1),
        deadline=dt.date(2027, 12, 31),
        target_units=100,
        learning_hours="37.5",
    )
    cohorts = [
        Cohort.objects.create(
            programme=programme,
            name=f"LUP {index + 1}",
            starts_on=dt.date(2024, 1, 1) + dt.timedelta(days=120 * index),
            ends_on=dt.date(2024, 6, 1) + dt.timedelta(days=120 * index),
        )
        for index in range(8)
    ]
    team = 50
    units = ServiceUnit.objects.bulk_create(
        ServiceUnit(
            organisation=organisation,
            sector=sectors[index % len(sectors)],
            code=f"{10000 + index}",
            name=f"Sørbråten {index} æøå",
        )
        for index in range((rows + team - 1) // team)
    )
    enrolments = UnitEnrolment.objects.bulk_create(
        UnitEnrolment(cohort=cohorts[index % len(cohorts)], unit=unit)
        for index, unit in enumerate(units)
    )
    users = get_user_model()
    completed_at = timezone.now() - dt.timedelta(days=30)
    for start in range(0, rows, BATCH):
        created = users.objects.bulk_create(
            users(
                username=f"p{index}@example.no",
                email=f"p{index}@example.no",
                first_name="Åse",
                last_name=f"Bjørnæs {index}",
                password="!",  # noqa: S106 (unusable, as set_unusable_password writes)
            )
            for index in range(start, min(start + BATCH, rows))
        )
        Participant.objects.bulk_create(
            Participant(
                user=user,
                enrolment=enrolments[(start + offset) // team],
                role=Participant.Role.MANAGER if (start + offset) % team == 0 else "enthusiast",
                status="completed" if (start + offset) % 2 == 0 else "active",
                completed_at=completed_at if (start + offset) % 2 == 0 else None,
            )
            for offset, user in enumerate(created)
        )
    hr = users.objects.create_user("hr@example.no", "hr@example.no")
    hr.user_permissions.add(*ensure_role_groups()["HR"].permissions.all())
    OrganisationMembership.objects.create(organisation=organisation, user=hr)
    return {"seed_seconds": round(time.perf_counter() - started, 2)}


def measure(export_format: str, runs: int) -> dict[str, Any]:
    """Download the report `runs` times as HR; time it and read the process's peak memory."""
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from lup.models import AuditEvent, Participant
    from lup.reporting.services import REPORT_EXPORTED

    rows = Participant.objects.count()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(email="hr@example.no"))
    url = f"/reports/completions/export/?format={export_format}&preset=default"
    # Warm up (imports, translations, templates) with the same export of no rows.
    warm = client.get(f"{url}&completed_from=2000-01-01&completed_to=2000-01-01")
    assert warm.status_code == 200, warm.status_code
    b"".join(warm.streaming_content)  # type: ignore[attr-defined]
    baseline = _peak_mb()
    timings, first_bytes, cpu = [], [], []
    size = 0
    for _ in range(runs):
        started = time.perf_counter()
        started_cpu = time.process_time()
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        size = lines = 0
        first = None
        for chunk in response.streaming_content:  # type: ignore[attr-defined]
            if first is None:
                first = time.perf_counter() - started
            size += len(chunk)
            lines += chunk.count(b"\n")
        response.close()  # the stream's end: writes the audit entry
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        first_bytes.append(first or 0.0)
        # Every row arrived: counted in the file (CSV: lines after the header) and audited.
        audited = AuditEvent.objects.filter(action=REPORT_EXPORTED).latest("pk").details
        assert (audited["rows"], audited["complete"]) == (rows, True), audited
        if export_format == "csv":
            assert lines - 1 == rows, (lines, rows)
    median = statistics.median(timings)
    return {
        "format": export_format,
        "rows": rows,
        "bytes": size,
        "median_s": round(median, 3),
        "rows_per_s": round(rows / median),
        "best_rows_per_s": round(rows / min(timings)),
        "cpu_rows_per_s": round(rows / statistics.median(cpu)),
        "first_byte_ms": round(statistics.median(first_bytes) * 1000, 1),
        "baseline_mb": baseline,
        "peak_mb": _peak_mb(),
    }


def _child(args: list[str], database: str) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "0"}
    env.pop("REDIS_URL", None)
    output = subprocess.run(
        [sys.executable, __file__, *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed is not None:
        print(json.dumps(seed(args.seed)))
        return 0
    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.runs)))
        return 0

    results = []
    for scale in args.scales:
        rows = scale * 1000
        with tempfile.TemporaryDirectory() as tmp:
            database = f"{tmp}/bench.sqlite3"
            seeded = _child(["--seed", str(rows)], database)
            for export_format in ("csv", "xlsx"):
                result = _child(["--measure", export_format, "--runs", str(args.runs)], database)
                results.append(result)
                print(
                    f"{result['rows']:>7} rows {export_format:>4}: median {result['median_s']} s, "
                    f"{result['rows_per_s']} rows/s (best run {result['best_rows_per_s']}; "
                    f"per CPU second {result['cpu_rows_per_s']}), "
                    f"first byte {result['first_byte_ms']} ms, "
                    f"peak {result['peak_mb']} MB (before the export {result['baseline_mb']} MB; "
                    f"{result['bytes'] // 1024} KiB; seeded in {seeded['seed_seconds']} s)"
                )
    goals = {"csv": 50_000, "xlsx": 5_000}
    largest = max(result["rows"] for result in results)
    met = all(
        result["rows_per_s"] >= goals[str(result["format"])] and result["peak_mb"] < 150
        for result in results
        if result["rows"] == largest
    )
    for export_format in goals:
        peaks = [r["peak_mb"] for r in results if r["format"] == export_format]
        if len(peaks) > 1:
            print(f"{export_format} peak memory, smallest to largest scale: {peaks} MB")
    print(
        "goal (CSV >= 50,000 rows/s, XLSX >= 5,000 rows/s, peak < 150 MB):",
        "met" if met else "NOT met",
    )
    # Times and rates are reported, never the exit status: a loaded machine is no bug.
    return 0


if __name__ == "__main__":
    sys.exit(main())
