"""Server time of the barometer's results page and CSV export at demo scale 1 and 20, on SQLite.

Usage:  .venv/bin/python benchmarks/barometer.py [--scales 1 20] [--runs 20]

Each scale runs in its own process with its own fresh SQLite file: migrate,
seed_demo --scale N (which gives every started cohort's teams their barometer answers),
then time N requests of Bærum's barometer results page and of its pseudonymous CSV export,
as the demo programme administrator in a session that used two-factor authentication,
through Django's test client (the whole request: middleware, session, queries, template
or CSV). It prints the seeding time, the number of responses, and the median, min and max
time and the query count of each, then the ratio of the largest scale's medians to
scale 1's and whether the query counts are the same (issue 22: a fixed number of queries
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
PAGES = (
    ("page", "/programmes/lup/barometer/"),
    ("csv", "/programmes/lup/barometer/export.csv"),
)


def _sign_in_with_two_factor(client: Any, user: Any) -> None:
    """The session django-allauth leaves after the password and an authenticator code (the
    administrator's role requires both), without typing them: the demo's code could be
    used only once, and hashing the password would only slow the setup."""
    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

    from lup.access import MULTI_FACTOR_METHOD, has_multi_factor

    assert has_multi_factor(user), "the demo administrator has an authenticator"
    client.force_login(user)
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": MULTI_FACTOR_METHOD, "at": now, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)  # allauth checks whose
    session.save()


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

    from lup.barometer.models import BarometerResponse
    from lup.demo.logins import ADMINISTRATOR
    from lup.demo.seed import seed_demo

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed_demo(scale=scale)
    seed_seconds = time.perf_counter() - started
    client = Client(HTTP_HOST="127.0.0.1")
    _sign_in_with_two_factor(client, get_user_model().objects.get(email=ADMINISTRATOR))
    result: dict[str, Any] = {
        "scale": scale,
        "seed_seconds": round(seed_seconds, 2),
        "responses": BarometerResponse.objects.count(),
        "programme_responses": BarometerResponse.objects.filter(
            round__enrolment__cohort__programme__slug="lup"
        ).count(),
    }
    for name, url in PAGES:
        for _ in range(3):  # warm caches: templates, translations, SQLite pages
            assert client.get(url).status_code == 200, url
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
            f"scale {scale:>3}: {result['responses']:>6} barometer responses, "
            f"{result['programme_responses']} in Bærum's programme (seeded in "
            f"{result['seed_seconds']} s)"
        )
        for name, label in (("page", "results page"), ("csv", "CSV export  ")):
            print(
                f"  {label}: {result[f'{name}_queries']} queries, median "
                f"{result[f'{name}_median_ms']} ms (min {result[f'{name}_min_ms']}, max "
                f"{result[f'{name}_max_ms']})"
            )
    if len(results) > 1:
        first, last = results[0], results[-1]
        for name, _url in PAGES:
            ratio = last[f"{name}_median_ms"] / first[f"{name}_median_ms"]
            same = last[f"{name}_queries"] == first[f"{name}_queries"]
            print(
                f"{name}: ratio scale {last['scale']} / scale {first['scale']}: {ratio:.2f}x; "
                f"queries {'the same' if same else 'NOT the same'}"
            )
    return 0  # times are reported, never the exit status: a loaded machine is no bug


if __name__ == "__main__":
    sys.exit(main())
