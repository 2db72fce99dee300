"""Put xAPI statements back in the outbox for the external LRS, or send the pending ones now.

manage.py resend_xapi [--not-forwarded] [--all-pending]

Without options: statements that failed (the LRS was unreachable for every attempt) or that
the LRS refused are queued again, attempts counted afresh, for the worker's next run (within
a minute where Celery beat runs). --not-forwarded queues those stored while no LRS was
configured too. --all-pending then sends every pending statement now, in this process: the
way to send them on a site without a worker (`make run`, Celery eager). Prints the counts.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import app_settings, xapi
from courses.models import XAPIStatement


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Translated here, in the language active when the command runs (argparse takes no
        # lazy text).
        self.help = _(
            "Queue xAPI statements that failed or that the LRS refused to be sent again, and "
            "with --all-pending send every pending statement now."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--not-forwarded",
            action="store_true",
            help=_("Queue statements stored while no LRS was configured, too."),
        )
        parser.add_argument(
            "--all-pending",
            action="store_true",
            help=_("Send every pending statement now, in this process, and print what happened."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not app_settings.LRS_ENDPOINT():
            raise CommandError(_("COURSES_LRS_ENDPOINT is not set: there is no LRS to send to."))
        Forwarding = XAPIStatement.Forwarding
        states = [Forwarding.FAILED, Forwarding.REFUSED]
        if options["not_forwarded"]:
            states.append(Forwarding.NOT_FORWARDED)
        queued = xapi.requeue_statements(XAPIStatement.objects.filter(forwarding_state__in=states))
        self.stdout.write(_("Statements queued again: %(count)d.") % {"count": queued})
        if not options["all_pending"]:
            return
        pending = XAPIStatement.objects.filter(forwarding_state=Forwarding.PENDING)
        pending.update(next_attempt_at=timezone.now())
        report = xapi.send_due_statements(seconds=math.inf)
        self.stdout.write(
            _(
                "Sent: %(sent)d. Refused by the LRS: %(refused)d. To be tried again: "
                "%(retrying)d. Failed: %(failed)d."
            )
            % report.as_dict()
        )
        left = pending.count()
        if left:
            self.stdout.write(
                _("Still pending, to be tried again later: %(count)d.") % {"count": left}
            )
