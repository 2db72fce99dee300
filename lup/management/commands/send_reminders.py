"""Make the day's reminders now, as the daily Celery beat task does: module due dates near
for those who have not done them, gatherings whose attendance is not recorded, answers
waiting long for review. Each is told once per person and thing, so running it again (or
after the task) tells nobody twice. `--today` runs it as on another day, for an operator
catching up a missed run; reminders only go within their short grace periods."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lup.reminders.services import send_reminders


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Run as on this day, YYYY-MM-DD (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    f"--today must be a date written YYYY-MM-DD, not {options['today']!r}."
                ) from None
        sent = send_reminders(today=today)
        self.stdout.write(
            f"Reminded {sent.due} of due dates, {sent.attendance} of attendance not recorded "
            f"and {sent.reviews} of answers waiting for review."
        )
