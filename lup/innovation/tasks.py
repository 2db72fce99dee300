"""Celery tasks of the project workspace: they call a service, nothing more."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_benefit_reminders() -> int:
    """Tell the managers of teams whose benefit follow-up measurements fell due (run daily
    by beat)."""
    return services.send_benefit_reminders()
