"""Issue the certificates a cohort's (or every cohort's) completed participants and units
have earned and do not have yet. Idempotent: run it again and nothing is issued twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lup import certification
from lup.models import Cohort


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cohort", help="Name of the cohort (e.g. “LUP 4”).")
        parser.add_argument(
            "--programme", help="Slug of the programme, when cohort names repeat across them."
        )
        parser.add_argument("--all", action="store_true", help="Every cohort.")
        parser.add_argument(
            "--no-email", action="store_true", help="Issue without e-mailing the recipients."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cohorts = Cohort.objects.select_related("programme").order_by("starts_on", "pk")
        if options["programme"]:
            cohorts = cohorts.filter(programme__slug=options["programme"])
        if options["cohort"]:
            cohorts = cohorts.filter(name=options["cohort"])
        elif not options["all"]:
            raise CommandError("Name a cohort with --cohort, or use --all.")
        chosen = list(cohorts)
        if not chosen:
            raise CommandError(f"No cohort named {options['cohort']!r}.")
        if len(chosen) > 1 and not options["all"]:
            raise CommandError("Several cohorts have that name: add --programme.")
        for cohort in chosen:
            summary = certification.issue_cohort_certificates(
                cohort=cohort, notify=not options["no_email"]
            )
            self.stdout.write(
                f"{cohort.programme.short_name} {cohort.name}: {summary.issued} issued, "
                f"{summary.existing} already issued, {summary.total} earned."
            )
