"""Celery tasks of the completion reports: they load objects and call a service, nothing more.

`run_due_scheduled_exports` runs daily from Celery beat (CELERY_BEAT_SCHEDULE in the site's
settings) and queues one `run_scheduled_export` per schedule that is due. The service
checks the schedule's owner and destination before it sends anything, and stops (and
audits) a schedule that may no longer run.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.exceptions import ValidationError
from django.utils import timezone

from ..locks import exclusive
from . import services
from .models import ScheduledExport

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def run_due_scheduled_exports() -> int:
    """Queue every scheduled export that is due today (or overdue); return how many."""
    due = list(services.due_schedules().values_list("pk", flat=True))
    for pk in due:
        run_scheduled_export.delay(pk)
    return len(due)


@shared_task(ignore_result=True)
def run_scheduled_export(schedule_id: int) -> int | None:
    """Generate and deliver one scheduled export that is due; return its row count (None if
    not due, skipped, or stopped because its owner or destination is no longer allowed).
    Once per due date, however many workers run it (`lup.locks.exclusive`)."""
    # One run per due date: a second delivery of this task (two beat schedulers, a retry,
    # the next day's run while this one is still going) waits for the first to commit and
    # then finds the schedule no longer due. A failed delivery rolls back, so the schedule
    # stays due and runs again next time.
    with exclusive(f"lup.reporting.scheduled-export:{schedule_id}"):
        schedule = (
            ScheduledExport.objects.select_related("organisation", "created_by")
            .filter(pk=schedule_id, active=True, next_run_on__lte=timezone.localdate())
            .first()
        )
        if schedule is None:
            return None
        try:
            schedule = services.run_scheduled_export(schedule=schedule)
        except ValidationError:
            # A preset or filter that no longer exists: nothing to retry; the log says why.
            logger.exception("Scheduled export %s (%s) could not run", schedule.pk, schedule.name)
            return None
    if not schedule.active:
        # Stopped instead of sent: the audit log (SCHEDULE_STOPPED) says why.
        logger.warning(
            "Scheduled export %s (%s) was stopped: %s",
            schedule.pk,
            schedule.name,
            schedule.stopped_reason,
        )
        return None
    return schedule.last_row_count
