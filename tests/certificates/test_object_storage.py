"""Certificate PDFs in S3-compatible object storage (a real S3 server: moto, over HTTP).

What an outsider sees in the bucket is checked with a separate S3 client: the file is
where the row says, its bytes are the ones whose SHA-256 the row keeps, and a withheld
name or a redrawn certificate removes the object itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from unittest.mock import patch

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from certificates import services, tasks
from certificates.models import Certificate
from certificates.storage import configured_pdf_storage, pdf_storage

pytestmark = pytest.mark.django_db

BEFORE_THE_MOVE = ("certificates", "0005_certificate_pdf_file")


def test_an_issued_pdf_is_an_object_in_the_bucket_and_nowhere_else(
    client, object_storage, issue, recipient
):
    certificate, _created = issue()

    key = f"certificates/{certificate.public_id}/{certificate.sha256}.pdf"
    assert object_storage.object_keys() == [key]
    stored = object_storage.read(key)
    assert stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == certificate.sha256
    client.force_login(recipient)
    download = client.get(
        reverse("certificates:certificate-pdf", kwargs={"certificate_id": certificate.public_id})
    )
    assert download.status_code == 200
    assert download.content == stored
    check = client.post(
        f"/verify/{certificate.code}/",
        {"file": SimpleUploadedFile("c.pdf", stored, content_type="application/pdf")},
    )
    assert "The file matches: it is the certificate issued" in check.content.decode()


def test_withholding_the_name_deletes_the_object(
    object_storage, issue, django_capture_on_commit_callbacks
):
    certificate, _created = issue()

    with django_capture_on_commit_callbacks(execute=True):
        services.withhold_recipient_name(certificate=certificate, replacement="(withheld)")

    assert object_storage.object_keys() == []
    assert Certificate.objects.get(pk=certificate.pk).pdf.name == ""


def test_a_redrawn_certificate_replaces_its_object(
    object_storage, issue, django_capture_on_commit_callbacks
):
    certificate, _created = issue(recipient_name="Solbakken skole", values={"team": "Åse Ødegård"})
    earlier = f"certificates/{certificate.pdf.name}"

    with django_capture_on_commit_callbacks(execute=True):
        services.replace_names(certificate=certificate, names=["Åse Ødegård"], replacement="NN")

    after = Certificate.objects.get(pk=certificate.pk)
    assert object_storage.object_keys() == [f"certificates/{after.pdf.name}"]
    assert earlier not in object_storage.object_keys()
    assert hashlib.sha256(after.pdf_bytes()).hexdigest() == after.sha256


def test_a_lost_object_is_a_clear_404_and_the_audit_names_it(
    client, object_storage, issue, recipient, capsys
):
    certificate, _created = issue()
    object_storage.client.delete_object(
        Bucket=object_storage.name, Key=f"certificates/{certificate.pdf.name}"
    )
    client.force_login(recipient)

    download = client.get(
        reverse("certificates:certificate-pdf", kwargs={"certificate_id": certificate.public_id})
    )

    assert download.status_code == 404
    with pytest.raises(CommandError, match="missing"):
        call_command("certificate_files")
    assert f"MISSING   {certificate.pdf.name}" in capsys.readouterr().out


def test_the_audit_deletes_only_old_orphans(object_storage, issue, capsys):
    certificate, _created = issue()
    orphan = pdf_storage().save("0000/left-by-a-rollback.pdf", SimpleUploadedFile("x", b"%PDF"))

    call_command("certificate_files", "--delete-orphans", "--hours", "1")
    assert f"orphaned  {orphan}" in capsys.readouterr().out
    assert len(object_storage.object_keys()) == 2  # written just now: it may be an issue in flight

    audit = services.audit_pdf_files(delete_orphans_older_than=dt.timedelta(0))
    assert audit.deleted == 1
    assert object_storage.object_keys() == [f"certificates/{certificate.pdf.name}"]


def test_the_weekly_sweep_deletes_day_old_orphans_and_reports_missing_files(
    object_storage, issue, caplog
):
    kept, _created = issue()
    lost, _created = issue(source_key="test:2")
    pdf_storage().delete(lost.pdf.name)
    young = pdf_storage().save("0000/young.pdf", SimpleUploadedFile("x", b"%PDF"))
    old = pdf_storage().save("0000/old.pdf", SimpleUploadedFile("x", b"%PDF"))

    # The bucket's own clock cannot be turned back: the old file's age is told instead.
    real_storage = type(configured_pdf_storage())
    with (
        patch.object(
            real_storage,
            "get_modified_time",
            lambda storage, name: timezone.now() - dt.timedelta(hours=25 if name == old else 1),
        ),
        caplog.at_level("ERROR", logger="certificates.tasks"),
    ):
        counts = tasks.sweep_certificate_files.delay().get()
        again = tasks.sweep_certificate_files.delay().get()  # a second run changes nothing

    assert counts == {"orphaned": 2, "deleted": 1, "missing": 1}
    assert again == {"orphaned": 1, "deleted": 0, "missing": 1}
    assert sorted(object_storage.object_keys()) == sorted(
        [f"certificates/{kept.pdf.name}", f"certificates/{young}"]
    )
    assert f"missing from storage: {lost.pdf.name}" in caplog.text
    assert "certificates-sweep-certificate-files" in settings.CELERY_BEAT_SCHEDULE


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_pdfs_from_the_database_to_the_bucket_and_back(object_storage):
    """Certificates issued before 0006 kept their PDF in a column: 0006 writes each to the
    storage, 0007 drops the column; reversing puts the bytes back in the column."""
    content = b"%PDF-1.4 issued before the move"
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE_THE_MOVE])
    old = executor.loader.project_state([BEFORE_THE_MOVE]).apps.get_model(
        "certificates", "Certificate"
    )
    row = old.objects.create(
        code="MIGRATE1",
        source_key="test:migration",
        template_version=1,
        recipient_name="Åse Ødegård",
        title="Kursbevis",
        body="…",
        achievement="A",
        issuer="B",
        issued_on="2026-01-15",
        pdf=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)

        moved = Certificate.objects.get(pk=row.pk)
        assert moved.pdf.name == f"{row.public_id}/{row.sha256}.pdf"
        assert object_storage.read(f"certificates/{moved.pdf.name}") == content
        assert moved.pdf_bytes() == content

        executor = MigrationExecutor(connection)
        executor.migrate([BEFORE_THE_MOVE])
        back = executor.loader.project_state([BEFORE_THE_MOVE]).apps.get_model(
            "certificates", "Certificate"
        )
        assert bytes(back.objects.get(pk=row.pk).pdf) == content
    finally:
        MigrationExecutor(connection).migrate(latest)


def test_a_templates_logo_is_public_media_in_the_bucket_and_drawn_from_there(
    object_storage, template, issue
):
    image = io.BytesIO()
    Image.new("RGB", (40, 20), "#1f4e79").save(image, format="PNG")
    template.logo.save("kommunevapen.png", ContentFile(image.getvalue()))

    [logo_key] = object_storage.object_keys("media/")
    certificate, _created = issue()

    assert logo_key.startswith("media/certificates/logos/kommunevapen")
    assert object_storage.read(logo_key) == image.getvalue()
    assert b"/Subtype /Image" in certificate.pdf_bytes()  # read back from the bucket
    assert template.logo.url.startswith(f"{object_storage.endpoint}/{object_storage.name}/media/")
    assert "X-Amz-Signature" not in template.logo.url  # a page's image URL must not expire
