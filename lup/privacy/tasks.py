"""Celery tasks of the privacy feature: they load objects and call a service, nothing more.

`build_personal_archive` is queued by `services.request_archive` once the request is
committed. The site lists this module in CELERY_IMPORTS (autodiscovery finds only
`lup.tasks`).
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def build_personal_archive(export_id: int, language: str = "") -> str | None:
    """Build one person's archive of their own data; return its status (None when it was
    no longer waiting)."""
    record = services.build_requested_archive(export_id=export_id, language=language)
    return None if record is None else record.status
