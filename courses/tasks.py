"""Celery tasks of `courses`: they load objects and call a service, nothing more."""

from __future__ import annotations

from celery import shared_task

from . import xapi


@shared_task(ignore_result=True)
def send_due_xapi_statements() -> dict[str, int]:
    """Send the xAPI statements due in the outbox to the external LRS (Celery beat, every
    minute: CELERY_BEAT_SCHEDULE). No Celery retry: a statement that could not be sent
    records why and when to try again, and a later run takes it then; an LRS that is down
    never makes this task fail."""
    return xapi.send_due_statements().as_dict()


@shared_task(ignore_result=True)
def forward_xapi_statement(statement_id: int) -> dict[str, int]:
    """Send one stored statement (its primary key) as soon as the transaction that stored
    it has committed, if it is still due: queued only where a broker runs the task apart
    from the learner's request. Whatever happens, the scheduled run covers it."""
    return xapi.send_due_statements(ids=[statement_id]).as_dict()
