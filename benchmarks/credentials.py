"""Open Badges 3.0 credentials: signing, issuing existing certificates' credentials, the
status list and the verifier.

Usage:  .venv/bin/python benchmarks/credentials.py [--scales 1] [--runs 200]

Each scale runs in its own process with a fresh SQLite file (migrate, seed_demo --scale N,
which issues the demo's certificates with their credentials), and measures:

- signing: 500 credentials signed (ES256, joserfc), per second;
- backfill: every credential deleted, then `manage.py issue_credentials` issues them all
  again (issuer, achievement, status index, signature), per second;
- status list: RUNS requests of an issuer's signed list (131,072 bits, 10 % of its
  credentials revoked) through Django's test client: median, size, queries;
- verification: RUNS checks of a signed credential by POST /verify/credential.json:
  median and queries.

Goals (issue 17): signing well above 500/s, the status list and a verification each under
20 ms median with a fixed number of queries, whatever the number of credentials.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import measure_in_child

ROOT = Path(__file__).resolve().parent.parent
SIGNATURES = 500


@contextlib.contextmanager
def _counting(connection):
    """The queries run inside (Django resets `connection.queries` at each request)."""
    executed: list[str] = []

    def wrapper(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield executed


def _timed(client_call, runs: int) -> list[float]:
    timings = []
    for _run in range(runs):
        started = time.perf_counter()
        client_call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def measure(scale: int, runs: int) -> dict[str, float]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from certificates.credentials import documents, issuing
    from certificates.models import Certificate, Credential
    from lup.demo.seed import seed_demo

    call_command("migrate", verbosity=0)
    seed_demo(scale=scale)
    credential = Credential.objects.select_related("certificate", "issuer", "achievement").first()
    assert credential is not None, "the demo issued no credentials"

    payload = documents.open_badge_credential(credential)
    issuing.sign(payload, credential.signing_key)  # key decrypted once, caches warm
    started = time.perf_counter()
    for _index in range(SIGNATURES):
        issuing.sign(payload, credential.signing_key)
    signing_per_second = SIGNATURES / (time.perf_counter() - started)

    Credential.objects.all().delete()
    certificates = Certificate.objects.filter(name_withheld_at__isnull=True).count()
    started = time.perf_counter()
    call_command("issue_credentials", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    backfill_seconds = time.perf_counter() - started
    issued = Credential.objects.count()

    # Revoke a tenth of one issuer's credentials (directly: no audit, no mail).
    issuer = Credential.objects.values_list("issuer", flat=True).order_by("issuer").first()
    assert issuer is not None
    theirs = Credential.objects.filter(issuer_id=issuer)
    revoked_ids = list(theirs.values_list("certificate_id", flat=True)[::10])
    Certificate.objects.filter(pk__in=revoked_ids).update(
        revoked_at=timezone.now(), revocation_reason="benchmark"
    )
    sample = theirs.select_related("issuer", "certificate").first()
    assert sample is not None
    list_url = documents.status_entry(sample)["statusListCredential"].split("://", 1)[1]
    list_path = "/" + list_url.split("/", 1)[1]
    token = Credential.objects.filter(signed__gt="").values_list("signed", flat=True).first()

    client = Client(HTTP_HOST="127.0.0.1")
    with override_settings(CERTIFICATES_VERIFY_RATE="1000000/minute"):
        list_body = client.get(list_path).content
        with _counting(connection) as list_queries:
            client.get(list_path)
        list_timings = _timed(lambda: client.get(list_path), runs)

        def verify() -> None:
            response = client.post(
                "/verify/credential.json", data=token, content_type="application/vc+jwt"
            )
            assert response.status_code == 200, response.content

        verify()
        with _counting(connection) as verify_queries:
            verify()
        verify_timings = _timed(verify, runs)
    return {
        "scale": scale,
        "certificates": certificates,
        "credentials": issued,
        "revoked": len(revoked_ids),
        "signing_per_second": round(signing_per_second),
        "backfill_per_second": round(issued / backfill_seconds) if backfill_seconds else 0,
        "status_list_bytes": len(list_body),
        "status_list_queries": len(list_queries),
        "status_list_median_ms": round(statistics.median(list_timings), 2),
        "verify_queries": len(verify_queries),
        "verify_median_ms": round(statistics.median(verify_timings), 2),
        "verify_max_ms": round(max(verify_timings), 2),
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
            f"scale {scale:>3}: {result['certificates']} certificates, "
            f"{result['credentials']} credentials, {result['revoked']} revoked\n"
            f"  signing: {result['signing_per_second']} credentials/second (ES256)\n"
            f"  issue_credentials (backfill): {result['backfill_per_second']} credentials/second\n"
            f"  status list: {result['status_list_bytes']} bytes signed, "
            f"{result['status_list_queries']} queries, "
            f"median {result['status_list_median_ms']} ms\n"
            f"  verifying a credential: {result['verify_queries']} queries, "
            f"median {result['verify_median_ms']} ms (max {result['verify_max_ms']})"
        )
        met = met and (
            result["signing_per_second"] >= 500
            and result["status_list_median_ms"] < 20
            and result["verify_median_ms"] < 20
        )
    print(
        "goal (>= 500 signatures/s, status list and verification median < 20 ms):",
        "met" if met else "NOT met",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
