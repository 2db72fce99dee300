"""Tell the managers of teams whose benefit follow-up measurements fell due
(LUP_BENEFIT_REMINDER_MONTHS after their pilot started) and are not measured yet: one
notification per project and due date, each once, only for recent due dates. Celery beat
runs it daily; `--today` runs it as on another day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lup.innovation import services


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
        sent = services.send_benefit_reminders(today=today)
        self.stdout.write(f"Sent {sent} benefit reminders.")
