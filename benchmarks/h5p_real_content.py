"""Real H5P content: importing every package of ../shared/h5p-samples, and what opening the
player costs the server.

Usage:  .venv/bin/python benchmarks/h5p_real_content.py [--runs 20]

In a fresh SQLite database and storage directory:

(i) it imports each real sample into an installation that already holds all the others (the
    shared libraries are installed; only the content is new), and prints the median time
    per package and the slowest one, after importing all of them once into an empty
    installation (printed too);
(ii) for an enrolled learner and an activity per package, it opens the player as the
    browser does: the frame page (the token read, the learner and activity checked, the
    saved state loaded), `h5p.json`, `content.json` and one library file, through Django's
    test client, and prints the median time and the queries of each request. The query
    counts must not depend on the package (they are the same for the smallest and the
    largest one), nor on the number of installed libraries.

Goals: the frame page in a fixed number of queries, whatever the content; a package of a
shared content type imported in well under a second. --scales is accepted, and ignored.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = (ROOT / ".." / "shared" / "h5p-samples").resolve()


def setup_django(tmp: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)
    # A benchmark's own throwaway key: pseudonyms are made on every frame page.
    os.environ.setdefault("COURSES_LEARNER_PSEUDONYM_KEY", "benchmark-pseudonym-key")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.COURSES_H5P_ROOT = str(tmp / "h5p")
    call_command("migrate", verbosity=0)


def import_all(samples: list[Path]) -> dict[str, Any]:
    from courses.h5p.services import install_package

    packages = {}
    started = time.perf_counter()
    for sample in samples:
        package, _created = install_package(
            upload=str(sample), uploaded_by=None, allow_new_libraries=True
        )
        packages[sample.name] = package
    return {"packages": packages, "seconds": time.perf_counter() - started}


def reimport(samples: list[Path], runs: int) -> dict[str, float]:
    """Median seconds to import each sample again into the full installation (its stored
    package removed first, so it is stored anew; the libraries stay installed)."""
    from courses.h5p import app_settings as h5p_app_settings
    from courses.h5p.services import install_package
    from courses.models import H5PPackage

    medians = {}
    for sample in samples:
        timings = []
        for _run in range(runs):
            stored = H5PPackage.objects.filter(
                sha256=_sha256(sample), activities__isnull=True
            ).first()
            if stored is not None:
                shutil.rmtree(Path(h5p_app_settings.ROOT()) / stored.content_path, True)
                stored.libraries.clear()
                stored.delete()
            started = time.perf_counter()
            install_package(upload=str(sample), uploaded_by=None, allow_new_libraries=True)
            timings.append(time.perf_counter() - started)
        medians[sample.name] = statistics.median(timings)
    return medians


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def open_players(packages: dict[str, Any], runs: int) -> list[dict[str, Any]]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from courses.h5p.play_tokens import issue_play_token
    from courses.h5p.services import play_libraries
    from courses.models import Activity, Course, Enrolment, Module

    course = Course.objects.create(title="Benchmark", slug="benchmark")
    module = Module.objects.create(course=course, position=1, title="Modul")
    user = get_user_model().objects.create_user("bench@example.no", "bench@example.no")
    Enrolment.objects.create(course=course, user=user)
    client = Client()
    rows = []
    for position, (name, package) in enumerate(sorted(packages.items()), start=1):
        activity = Activity.objects.create(
            module=module, position=position, title=name, kind="h5p", h5p_package=package
        )
        token = issue_play_token(user=user, activity=activity, language="nb")
        library = next(iter(play_libraries(package).values()))
        requests = {
            "frame": reverse("courses:h5p-frame", kwargs={"token": token}),
            "h5p.json": reverse("courses:h5p-package", kwargs={"token": token}),
            "content.json": reverse(
                "courses:h5p-content-file", kwargs={"token": token, "path": "content.json"}
            ),
            "library.json": reverse(
                "courses:h5p-library-file", kwargs={"path": f"{library.folder_name}/library.json"}
            ),
        }
        row: dict[str, Any] = {"package": name}
        for label, url in requests.items():
            _get(client, url)  # warm
            # The log keeps the last 9,000 queries: a full one would hide these.
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as queries:
                _get(client, url)
            query_count = len(queries)
            timings = []
            for _run in range(runs):
                started = time.perf_counter()
                _get(client, url)
                timings.append((time.perf_counter() - started) * 1000)
            row[label] = {
                "queries": query_count,
                "median_ms": round(statistics.median(timings), 2),
            }
        rows.append(row)
    return rows


def _get(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--scales", type=int, nargs="*", help="ignored (no scales here)")
    args = parser.parse_args()
    runs = max(args.runs, 1)
    samples = sorted(SAMPLES.glob("*.h5p"))
    if not samples:
        print(f"skipped: the real H5P samples are not there ({SAMPLES}); median n/a")
        return 0
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        setup_django(tmp)
        first = import_all(samples)
        from courses.models import H5PLibrary

        print(
            f"{len(samples)} real packages imported into an empty installation: "
            f"{first['seconds']:.2f} s, {H5PLibrary.objects.count()} libraries installed"
        )
        medians = reimport(samples, runs)
        slowest = max(medians, key=medians.__getitem__)
        print(
            f"one package into the full installation: median "
            f"{statistics.median(medians.values()) * 1000:.0f} ms over the packages "
            f"(slowest {slowest}: {medians[slowest] * 1000:.0f} ms; {runs} runs each)"
        )
        packages = import_all(samples)["packages"]
        rows = open_players(packages, runs)
        for label in ("frame", "h5p.json", "content.json", "library.json"):
            counts = sorted({row[label]["queries"] for row in rows})
            times = [row[label]["median_ms"] for row in rows]
            print(
                f"{label:>13}: queries {counts} for every package; median "
                f"{statistics.median(times):.1f} ms (max {max(times):.1f} ms)"
            )
            if len(counts) != 1:
                print(f"FAIL: {label} takes a different number of queries per package")
                print(json.dumps(rows, indent=1))
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
