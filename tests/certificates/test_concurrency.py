"""Two completion events for the same achievement at once make exactly one certificate."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from certificates import services
from certificates.adapter import DefaultCertificatesAdapter
from certificates.models import Certificate

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises all writers, so the race cannot happen there "
    "(run with DATABASE_URL=postgres://... as CI does)",
)

barrier = threading.Barrier(2, timeout=20)


class RacingAdapter(DefaultCertificatesAdapter):
    """Renders only once both callers have passed the "already issued?" check, so both
    really try to insert."""

    def render_pdf(self, document):
        barrier.wait()
        return super().render_pdf(document)


@pytest.mark.django_db(transaction=True)
def test_two_threads_issuing_the_same_achievement_make_one_certificate(settings, recipient):
    settings.CERTIFICATES_ADAPTER = "tests.certificates.test_concurrency.RacingAdapter"
    template = services.ensure_template(
        key="race", defaults={"name": "Race", "title": "Bevis", "body": "{recipient_name}"}
    )
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            certificate, created = services.issue_certificate(
                template=template,
                source_key="race:1",
                recipient=recipient,
                recipient_name="Åse",
                achievement="A",
                issuer="B",
                notify=False,
            )
            results.append((certificate.pk, created))
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert Certificate.objects.filter(source_key="race:1").count() == 1
    assert len({pk for pk, _ in results}) == 1  # both callers got the same certificate
    assert sorted(created for _, created in results) == [False, True]
