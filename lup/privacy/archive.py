"""The archive of a person's own data: the export as data.json, a README.txt that explains
it in the person's language, and every file the export refers to under files/.

`build_archive` writes the ZIP to a file object; `lup.privacy.services` builds it in a task
and keeps it in `storage.archive_storage()`. The reads here (`archives_of`,
`downloadable_archive`, `expires_at`) are what the page and the API show of them.

Memory stays low whatever the history: files are copied into the ZIP in chunks from their
storage (certificate PDFs and submissions alike), and a file kept in a database column, if
a model has one, is read one row at a time.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.apps import apps
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone

from .. import app_settings
from .export import ArchivedFile, archived_files, row_count, to_json
from .models import PersonalDataExport

DATA_NAME = "data.json"
README_NAME = "README.txt"
CHUNK_SIZE = 1024 * 1024


@dataclass(frozen=True)
class ArchiveContents:
    """What went into an archive."""

    rows: int
    files: int
    missing: tuple[str, ...]  # files the export names but their storage no longer has


def build_archive(export: dict[str, Any], destination: IO[bytes]) -> ArchiveContents:
    """Write the ZIP of `export` (from `export.personal_data_of`, complete) to `destination`.

    The README is written in the active language. A file whose storage has lost it is
    left out and named in the README, so the archive is still built."""
    files = archived_files(export)
    missing: list[str] = []
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DATA_NAME, to_json(export))
        for archived in files:
            if not _copy_file(archive, archived):
                missing.append(archived.path)
        archive.writestr(
            README_NAME,
            render_to_string(
                "lup/personal_data_readme.txt",
                {
                    "export": export,
                    "data_name": DATA_NAME,
                    "files": len(files) - len(missing),
                    "missing": missing,
                },
            ),
        )
    return ArchiveContents(rows=row_count(export), files=len(files), missing=tuple(missing))


def _copy_file(archive: zipfile.ZipFile, archived: ArchivedFile) -> bool:
    model = apps.get_model(archived.model)
    field = model._meta.get_field(archived.field)
    # `values_list` reads the one column of the one row (a deferred binary field too).
    stored = (
        model._default_manager.filter(pk=archived.pk).values_list(archived.field, flat=True).first()
    )
    if not stored:
        return False
    if isinstance(field, models.BinaryField):
        archive.writestr(archived.path, bytes(stored))
        return True
    storage = field.storage
    try:
        source = storage.open(stored, "rb")
    except (FileNotFoundError, OSError):
        return False
    with source, archive.open(archived.path, "w", force_zip64=True) as target:
        shutil.copyfileobj(source, target, CHUNK_SIZE)
    return True


def archive_name(record: PersonalDataExport) -> str:
    """The archive's name in the private storage."""
    return f"personal-data/{record.public_id}.zip"


def expires_at(record: PersonalDataExport) -> dt.datetime | None:
    """When a finished archive stops being downloadable (and retention deletes it)."""
    if record.finished_at is None:
        return None
    return record.finished_at + dt.timedelta(days=app_settings.PERSONAL_EXPORT_DAYS())


def is_downloadable(record: PersonalDataExport, now: dt.datetime | None = None) -> bool:
    """Ready, with its file, and not expired."""
    expiry = expires_at(record)
    return (
        record.status == PersonalDataExport.Status.READY
        and bool(record.archive_name)
        and expiry is not None
        and (now or timezone.now()) < expiry
    )


def archives_of(person: Any) -> list[PersonalDataExport]:
    """The person's archives, the newest first: one query."""
    return list(PersonalDataExport.objects.filter(user_id=person.pk).order_by("-requested_at"))


def downloadable_archive(person: Any, public_id: Any) -> PersonalDataExport | None:
    """The person's own archive with this id if it can be downloaded now, else None (an
    id of someone else's archive is as unknown as one that never existed)."""
    record = PersonalDataExport.objects.filter(user_id=person.pk, public_id=public_id).first()
    return record if record is not None and is_downloadable(record) else None
