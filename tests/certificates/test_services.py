"""Issuing, templates and revocation, through the services."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError

from certificates import services
from certificates.models import (
    Certificate,
    CertificateTemplate,
    format_code,
    normalise_code,
)
from certificates.signals import certificate_issued, certificate_revoked

pytestmark = pytest.mark.django_db


def test_issuing_stores_the_pdf_its_hash_and_every_shown_value(issue, recipient, template):
    certificate, created = issue()

    assert created
    stored = Certificate.objects.get(pk=certificate.pk)
    assert stored.pdf_bytes().startswith(b"%PDF-")
    assert stored.sha256 == hashlib.sha256(stored.pdf_bytes()).hexdigest()
    assert stored.recipient == recipient
    assert stored.recipient_name == "Åse Ødegård"
    assert stored.title == "Kursbevis"
    assert stored.body == "Åse Ødegård har fullført Innovasjon i praksis hos Bærum kommune."
    assert stored.template_version == template.version
    assert stored.details["signatories"] == [{"name": "Ola Nordmann", "title": "Rektor"}]
    assert len(stored.code) == 8
    assert set(stored.code) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert stored.display_code == f"{stored.code[:4]}-{stored.code[4:]}"


def test_issuing_twice_for_the_same_achievement_returns_the_first(issue):
    first, _ = issue(source_key="test:same")
    second, created = issue(source_key="test:same", recipient_name="Someone Else")

    assert not created
    assert second.pk == first.pk
    assert Certificate.objects.count() == 1


def test_a_changed_template_leaves_issued_certificates_as_they_were(issue, template):
    certificate, _ = issue()
    template.body = "Ny tekst for {recipient_name}."
    services.save_template(template=template)

    certificate.refresh_from_db()
    assert template.version == 2
    assert certificate.body.startswith("Åse Ødegård har fullført")
    assert certificate.template_version == 1
    assert issue(source_key="test:2")[0].body == "Ny tekst for Åse Ødegård."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Hei {name}", "Unknown placeholder: {name}"),
        ("Hei {recipient_name.__class__}", "is not a placeholder"),
        ("Hei {recipient_name!r}", "is not a placeholder"),
        ("Hei {recipient_name:>40}", "is not a placeholder"),
        ("Hei {recipient_name", "Braces must come in pairs"),
    ],
)
def test_a_template_with_a_bad_placeholder_is_rejected_on_save(template, body, message, english):
    template.body = body

    with pytest.raises(ValidationError) as error:
        services.save_template(template=template)

    assert message in " ".join(error.value.message_dict["body"])


def test_every_allowed_placeholder_is_accepted(template):
    template.body = "{recipient_name} {achievement} {issuer} {issued_on} {unit_name} {team}"
    template.title = "{programme} {cohort}"

    services.save_template(template=template)


def test_ensure_template_keeps_an_existing_template(template):
    defaults = {"name": "x", "title": "y", "body": "z"}

    again = services.ensure_template(key="course", defaults=defaults)

    assert again.pk == template.pk
    assert again.title == "Kursbevis"
    assert CertificateTemplate.objects.count() == 1


def test_the_recipient_gets_the_pdf_by_email_after_commit(
    issue, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certificate, _ = issue(notify=True)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ase@example.no"]
    assert certificate.display_code in message.body
    filename, content, mimetype = message.attachments[0]
    assert filename.endswith(f"{certificate.code}.pdf")
    assert mimetype == "application/pdf"
    assert hashlib.sha256(content).hexdigest() == certificate.sha256


def test_no_email_without_notify_or_before_commit(issue, mailoutbox):
    issue(notify=True)  # the test's transaction never commits

    assert mailoutbox == []


def test_issuing_sends_certificate_issued_once(issue):
    received = []

    def listener(sender, certificate, **kwargs):
        received.append(certificate.pk)

    certificate_issued.connect(listener)
    try:
        issue(source_key="test:signal")
        issue(source_key="test:signal")
    finally:
        certificate_issued.disconnect(listener)

    assert len(received) == 1


def test_revoking_needs_a_reason_and_happens_once(certificate, recipient):
    received = []

    def listener(sender, certificate, revoked_by, reason, **kwargs):
        received.append(reason)

    with pytest.raises(ValidationError):
        services.revoke_certificate(certificate=certificate, reason=" ", revoked_by=recipient)
    certificate_revoked.connect(listener)
    try:
        services.revoke_certificate(
            certificate=certificate, reason="Issued by mistake", revoked_by=recipient
        )
        with pytest.raises(ValidationError):
            services.revoke_certificate(certificate=certificate, reason="Again", revoked_by=None)
    finally:
        certificate_revoked.disconnect(listener)

    certificate.refresh_from_db()
    assert certificate.is_revoked
    assert certificate.revocation_reason == "Issued by mistake"
    assert received == ["Issued by mistake"]
    assert Certificate.objects.filter(pk=certificate.pk).exists()  # kept, not deleted


def test_a_tampered_pdf_does_not_match(certificate):
    stored = Certificate.objects.get(pk=certificate.pk)
    pdf = stored.pdf_bytes()

    assert services.pdf_matches(certificate=stored, data=pdf)
    tampered = pdf.replace(b"Kursbevis", b"Kursbeviz")
    assert not services.pdf_matches(certificate=stored, data=tampered)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ab3d-ef7h", "AB3DEF7H"),
        ("AB3D EF7H", "AB3DEF7H"),
        ("OI2L-0000", "0121" + "0000"),
    ],
)
def test_codes_are_read_as_typed_or_said(typed, stored):
    assert normalise_code(typed) == stored
    assert format_code(stored) == f"{stored[:4]}-{stored[4:]}"
