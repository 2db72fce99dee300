# Every stored PDF is written to certificates.storage (object storage in production) under
# <public id>/<sha256>.pdf and the row points at it; the bytes stay in the old column until
# 0007 drops it, so this step can run again (it skips rows already moved) or be reversed.
# Its own migration: on PostgreSQL a table with pending row updates cannot be altered in
# the same transaction.
import hashlib

from django.core.files.base import ContentFile
from django.db import migrations

BATCH = 200


def move_pdfs_to_storage(apps, schema_editor):
    from certificates.storage import configured_pdf_storage

    Certificate = apps.get_model("certificates", "Certificate")
    storage = configured_pdf_storage()
    pending = Certificate.objects.filter(pdf_file="").exclude(pdf=b"").exclude(pdf__isnull=True)
    moved = []
    for row in pending.only("pk", "public_id", "pdf").iterator(chunk_size=BATCH):
        content = bytes(row.pdf)
        if not content:
            continue
        name = f"{row.public_id}/{hashlib.sha256(content).hexdigest()}.pdf"
        row.pdf_file = storage.save(name, ContentFile(content))
        moved.append(row)
        if len(moved) >= BATCH:
            Certificate.objects.bulk_update(moved, ["pdf_file"])
            moved = []
    if moved:
        Certificate.objects.bulk_update(moved, ["pdf_file"])


def move_pdfs_back(apps, schema_editor):
    from certificates.storage import configured_pdf_storage

    Certificate = apps.get_model("certificates", "Certificate")
    storage = configured_pdf_storage()
    for row in Certificate.objects.exclude(pdf_file="").only("pk", "pdf_file").iterator(
        chunk_size=BATCH
    ):
        with storage.open(row.pdf_file.name, "rb") as stored:
            Certificate.objects.filter(pk=row.pk).update(pdf=stored.read())


class Migration(migrations.Migration):
    dependencies = [("certificates", "0005_certificate_pdf_file")]

    operations = [migrations.RunPython(move_pdfs_to_storage, move_pdfs_back, elidable=False)]
