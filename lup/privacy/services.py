"""Archives of a person's own data: asking for one, and building it in the background.

`request_archive` records the request and queues `tasks.build_personal_archive` once the
transaction commits; the task calls `build_requested_archive`, which writes the ZIP
(`archive.build_archive`) to the private storage and marks the request ready (or failed).
Only the person asks for their own archive, and only one waits at a time: a second
request while one is queued is refused, so a double click never builds twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..languages import language_of
from .archive import archive_name, build_archive
from .export import personal_data_of
from .models import PersonalDataExport
from .storage import archive_storage

logger = logging.getLogger(__name__)

# A request still waiting after this long lost its task (a worker that died, a message that
# never arrived): it is marked failed, so the person can ask again.
STALE_AFTER = dt.timedelta(hours=2)


class ArchiveAlreadyRequested(ValidationError):
    """The person already has an archive waiting to be built (`pending`)."""

    def __init__(self, pending: PersonalDataExport) -> None:
        super().__init__(
            _(
                "An archive of your data is already being prepared. It is listed on this "
                "page, and you can download it there when it is ready."
            ),
            code="archive_pending",
        )
        self.pending = pending


def request_archive(*, person: Any, language: str | None = None) -> PersonalDataExport:
    """Ask for an archive of `person`'s own data, built in the background in `language`
    (default: the active language), and return the request.

    Raises `ArchiveAlreadyRequested` (a ValidationError) while an earlier request is still
    queued, and changes nothing then. Requests are decided one at a time per person (the
    person's row is locked), so two at once never both pass."""
    language = language or translation.get_language() or ""
    with transaction.atomic():
        get_user_model()._default_manager.select_for_update().filter(pk=person.pk).first()
        queued = PersonalDataExport.objects.filter(
            user_id=person.pk, status=PersonalDataExport.Status.QUEUED
        )
        queued.filter(requested_at__lt=timezone.now() - STALE_AFTER).update(
            status=PersonalDataExport.Status.FAILED, finished_at=timezone.now()
        )
        pending = queued.first()
        if pending is not None:
            raise ArchiveAlreadyRequested(pending)
        record = PersonalDataExport.objects.create(user_id=person.pk)
        record_id = record.pk

        def queue() -> None:
            # Imported here: the task module imports this one.
            from .tasks import build_personal_archive

            build_personal_archive.delay(record_id, language)

        transaction.on_commit(queue, robust=True)
    return record


def build_requested_archive(*, export_id: int, language: str) -> PersonalDataExport | None:
    """Build the archive of a queued request in `language` (or, if none is given, the
    person's own: `lup.languages.language_of`) and mark it ready, or failed if building it
    failed (logged). Returns the request, or None when it is no longer queued (built, or
    being built by another delivery of the same task: its row is locked then)."""
    with transaction.atomic():
        record = (
            PersonalDataExport.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk=export_id, status=PersonalDataExport.Status.QUEUED)
            .first()
        )
        if record is None:
            return None
        storage = archive_storage()
        try:
            with translation.override(language or language_of(record.user)):
                export = personal_data_of(record.user)
                with tempfile.TemporaryFile() as scratch:
                    contents = build_archive(export, scratch)
                    scratch.seek(0)
                    name = storage.save(archive_name(record), File(scratch))
                    size = storage.size(name)
        except Exception:
            # Whatever went wrong, the person sees "failed" and can ask again; the log
            # has the cause.
            logger.exception("The archive of personal data %s could not be built", record.pk)
            record.status = PersonalDataExport.Status.FAILED
            record.finished_at = timezone.now()
            record.save(update_fields=["status", "finished_at"])
            return record
        record.status = PersonalDataExport.Status.READY
        record.archive_name = name
        record.size = size
        record.rows = contents.rows
        record.finished_at = timezone.now()
        record.full_clean()
        record.save(update_fields=["status", "archive_name", "size", "rows", "finished_at"])
        if contents.missing:
            logger.warning(
                "The archive of personal data %s lacks %s file(s) its storage no longer has",
                record.pk,
                len(contents.missing),
            )
    return record
