"""Celery tasks of the programme core: they load objects and call a service, nothing more.

`reconcile_completions` runs nightly from Celery beat (CELERY_BEAT_SCHEDULE in the site's
settings) and queues one `recheck_programme` per programme; `recheck_programme` also runs
a check an administrator asked for, or one a change of the completion rule started
(`start_completion_check`, which queues it once the transaction commits).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import transaction

from . import services
from .models import CompletionCheck, Programme

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def reconcile_completions() -> int:
    """Start the nightly completion check of every programme; return how many."""
    started = 0
    for programme in Programme.objects.order_by("pk"):
        check, _created = services.request_completion_check(
            programme=programme, reason=CompletionCheck.Reason.RECONCILE
        )
        recheck_programme.delay(check.pk)
        started += 1
    return started


@shared_task(ignore_result=True)
def recheck_programme(check_id: int) -> int | None:
    """Run one completion check; return its repairs (None when it no longer exists, or was
    already run)."""
    check = (
        CompletionCheck.objects.select_related("programme", "requested_by")
        .filter(pk=check_id, started_at__isnull=True)
        .first()
    )
    if check is None:
        return None
    check = services.reconcile_programme(check.programme, reason=check.reason, check=check)
    if check.findings:
        logger.warning(
            "Completion check %s of %s: %s finding(s)",
            check.pk,
            check.programme,
            len(check.findings),
        )
    return check.repairs


def start_completion_check(
    programme: Programme, *, reason: str, requested_by: Any = None
) -> tuple[CompletionCheck, bool]:
    """Ask for a completion check of the programme and, unless it is already under way,
    queue it to run once the current transaction commits (with eager Celery: right then).
    A check joined before it started is queued again: should the first message have been
    lost, it still runs, and a second delivery finds it claimed and does nothing. Returns
    the check and whether it is new (see `lup.services.request_completion_check`)."""
    check, created = services.request_completion_check(
        programme=programme, reason=reason, requested_by=requested_by
    )
    if check.started_at is None:
        check_id = check.pk
        transaction.on_commit(lambda: recheck_programme.delay(check_id), robust=True)
    return check, created
