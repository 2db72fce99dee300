"""The nightly purge of personal data past its retention period (Celery beat at 03:00,
`CELERY_BEAT_SCHEDULE` in the site's settings): loads nothing, calls the purge."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import retention


@shared_task(name="lup.privacy.purge_tasks.purge_personal_data", ignore_result=True)
def purge_personal_data() -> dict[str, Any]:
    """Delete what has outlived its period (`retention.purge_personal_data`); returns the
    counts (no ids, no names)."""
    return retention.purge_personal_data().as_dict()
