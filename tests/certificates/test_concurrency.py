"""Races on PostgreSQL: two completion events for the same achievement at once make exactly
one certificate; a certificate gets one credential, no two credentials share a revocation
bit, and an issuer has one active key, however callers race."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from certificates import services
from certificates.adapter import DefaultCertificatesAdapter
from certificates.models import Certificate
from certificates.storage import pdf_storage
from tests.concurrency import on_postgresql, race

pytestmark = on_postgresql

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
    # The loser rendered and stored its PDF too; it removed it, leaving only the winner's.
    winner = Certificate.objects.get(source_key="race:1")
    storage = pdf_storage()
    stored = [
        f"{folder}/{name}"
        for folder in storage.listdir("")[0]
        for name in storage.listdir(folder)[1]
    ]
    assert stored == [winner.pdf.name]


@pytest.mark.django_db(transaction=True)
def test_two_credentials_drawing_the_same_status_bit_get_different_bits(
    monkeypatch, issue, recipient
):
    """Both draw bit 7 at the same moment: the database lets one have it, and the other
    draws again, so no two credentials ever share a revocation bit."""
    from certificates.credentials import issuing, status
    from certificates.models import Credential

    first, _ = issue(source_key="bit:1")
    second, _ = issue(source_key="bit:2")
    Credential.objects.all().delete()
    draws = iter([7, 7, 8, 9])
    lock = threading.Lock()
    racing = threading.Barrier(2, timeout=20)

    def draw(issuer, crowded=False):
        with lock:
            index = next(draws)
        if index == 7:
            racing.wait()  # both hold 7 before either inserts
        return index

    monkeypatch.setattr(status, "draw_index", draw)
    certificates = iter([first, second])

    def issue_one() -> None:
        with lock:
            certificate = next(certificates)
        issuing.issue_credential(certificate=certificate)

    errors = race(issue_one)

    assert not errors, errors
    indexes = sorted(Credential.objects.values_list("status_index", flat=True))
    assert len(indexes) == 2
    assert indexes[0] == 7
    assert indexes[1] in (8, 9)


@pytest.mark.django_db(transaction=True)
def test_two_callers_signing_one_certificate_make_one_credential(monkeypatch, issue):
    from certificates.credentials import issuing
    from certificates.models import Credential

    certificate, _ = issue(source_key="one:1")
    Credential.objects.all().delete()
    racing = threading.Barrier(2, timeout=20)
    real_sign = issuing.sign

    def sign_after_both_checked(payload, key):
        racing.wait()  # both found no credential and signed: both will insert
        return real_sign(payload, key)

    monkeypatch.setattr(issuing, "sign", sign_after_both_checked)
    results: list[int] = []

    def issue_one() -> None:
        results.append(issuing.issue_credential(certificate=certificate).pk)

    errors = race(issue_one)

    assert not errors, errors
    assert Credential.objects.filter(certificate=certificate).count() == 1
    assert len(set(results)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_callers_making_an_issuers_first_key_make_one_active_key(monkeypatch):
    from certificates.credentials import keys
    from certificates.models import Issuer, SigningKey

    issuer = Issuer.objects.create(slug="race", name="Race kommune")
    racing = threading.Barrier(2, timeout=20)
    real_new_key = keys._new_key

    def new_key_after_both_looked(found_issuer):
        key = real_new_key(found_issuer)
        racing.wait()  # both found no active key: both will insert one
        return key

    monkeypatch.setattr(keys, "_new_key", new_key_after_both_looked)
    kids: list[str] = []

    errors = race(lambda: kids.append(keys.active_key(issuer=issuer).kid))

    assert not errors, errors
    assert SigningKey.objects.active().filter(issuer=issuer).count() == 1
    assert len(set(kids)) == 1  # the loser signs with the winner's key
