"""Certificates: PDF rendering throughput and size, and the public verification page.

Usage:  .venv/bin/python benchmarks/certificate_pdf.py [--scales 1] [--runs 200]

Each scale runs in its own process with a fresh SQLite file, and measures:

- rendering: 500 certificates with different names, codes and QR codes, on one core,
  straight from the dataclass (certificates.rendering), reported per second, with the
  size of a PDF without images;
- seeding: migrate and seed_demo --scale N, which issues the certificates its completed
  participants and units have earned through the same services (without e-mail);
- verification: RUNS requests of /verify/<code>/ over the demo's certificates through
  Django's test client (the whole request), reported as median, min and max, with the
  query count.

Goals (issue 7): at least 300 certificates/second with the QR code, a PDF under 40 KB,
verification median under 20 ms with a fixed number of queries.
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
RENDERS = 500


def measure(scale: int, runs: int) -> dict[str, float]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()

    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from certificates import rendering
    from certificates.models import Certificate
    from lup.demo.seed import seed_demo

    documents = [
        rendering.CertificateDocument(
            title="Kursbevis",
            body=(
                f"Deltaker {index} har gjennomført Lederutviklingsprogram for innovasjon og "
                "ledelse i LUP 4 som del av teamet ved Bekkestua skole."
            ),
            recipient_name=f"Åse Ødegård-Nilsen {index}",
            issuer="Bærum kommune",
            issued_on=dt.date(2026, 1, 31),
            issued_on_text="31. januar 2026",
            code=f"AB{index:02d}-{index:04d}"[:9],
            verify_url=f"https://lup.baerum.kommune.no/verify/AB{index:06d}/",
            signatories=(rendering.Signatory("Ola Nordmann", "Kommunedirektør"),),
        )
        for index in range(RENDERS)
    ]
    rendering.render_pdf(documents[0])  # fonts registered, caches warm
    started = time.perf_counter()
    sizes = [len(rendering.render_pdf(document)) for document in documents]
    render_seconds = time.perf_counter() - started

    # Rendering is measured first, in a process like a fresh worker's: after seeding, the
    # demo's objects fill the heap and Python's garbage collector alone halves the rate.
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed_demo(scale=scale)
    seed_seconds = time.perf_counter() - started

    codes = list(Certificate.objects.order_by("pk").values_list("code", flat=True)[:200])
    assert codes, "the demo issued no certificates"
    client = Client(HTTP_HOST="127.0.0.1")
    with override_settings(CERTIFICATES_VERIFY_RATE="1000000/minute"):
        for code in codes[:3]:  # warm caches: templates, translations, SQLite pages
            assert client.get(f"/verify/{code}/").status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/verify/{codes[-1]}/")
        query_count = len(queries)
        timings = []
        for run in range(runs):
            started = time.perf_counter()
            response = client.get(f"/verify/{codes[run % len(codes)]}/")
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return {
        "scale": scale,
        "seed_seconds": round(seed_seconds, 2),
        "certificates": Certificate.objects.count(),
        "renders_per_second": round(RENDERS / render_seconds),
        "pdf_kb": round(max(sizes) / 1024, 1),
        "queries": query_count,
        "median_ms": round(statistics.median(timings), 2),
        "min_ms": round(min(timings), 2),
        "max_ms": round(max(timings), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.child, args.runs)))
        return 0

    met = True
    for scale in args.scales:
        result = measure_in_child(__file__, scale, args.runs)
        print(
            f"scale {scale:>3}: {result['certificates']} certificates issued by the demo "
            f"(seeded in {result['seed_seconds']} s)\n"
            f"  rendering: {result['renders_per_second']} certificates/second with QR code, "
            f"largest PDF {result['pdf_kb']} KB\n"
            f"  verification page: {result['queries']} queries, median {result['median_ms']} ms "
            f"(min {result['min_ms']}, max {result['max_ms']})"
        )
        met = met and (
            result["renders_per_second"] >= 300
            and result["pdf_kb"] < 40
            and result["median_ms"] < 20
        )
    print(
        "goal (>= 300 renders/s, PDF < 40 KB, verification median < 20 ms):",
        "met" if met else "NOT met",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
