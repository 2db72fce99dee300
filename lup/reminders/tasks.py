"""The daily reminders, run by Celery beat ("lup-send-reminders" in the site's settings)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_reminders() -> int:
    """Make the day's reminders (due dates, attendance, reviews waiting); how many people
    were told. A second run the same day tells nobody again."""
    return services.send_reminders().total
