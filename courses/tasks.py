"""Celery tasks of `courses`: they load objects and call a service, nothing more."""

from __future__ import annotations

from celery import shared_task

from . import xapi
from .models import XAPIStatement


@shared_task(
    autoretry_for=(xapi.LRSUnavailable,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
    ignore_result=True,
)
def forward_xapi_statement(statement_id: int) -> bool:
    """Forward a stored xAPI statement to the external LRS (retried while it is down)."""
    record = XAPIStatement.objects.select_related("user").filter(pk=statement_id).first()
    if record is None:
        return False
    return xapi.forward_statement(record=record)
