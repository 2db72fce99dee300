"""Re-check completions against the programmes' rules now, as the nightly check does: stamp
every completion that was earned but is missing (audited), and report completed units that
no longer meet the rule (never taken back). Idempotent: a second run repairs nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lup import services
from lup.models import CompletionCheck, Programme


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", help="Slug of the programme (default: every one).")
        parser.add_argument(
            "--recent-days",
            type=int,
            help="Re-check cohorts that ended or were closed this many days ago or less "
            "(default: LUP_RECONCILE_RECENT_DAYS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        programmes = Programme.objects.order_by("pk")
        if options["programme"]:
            programmes = programmes.filter(slug=options["programme"])
            if not programmes.exists():
                raise CommandError(f"No programme with the slug {options['programme']!r}.")
        if options["recent_days"] is not None and options["recent_days"] < 0:
            raise CommandError("--recent-days must be 0 or more.")
        for programme in programmes:
            check = services.reconcile_programme(
                programme,
                reason=CompletionCheck.Reason.RECONCILE,
                recently_closed_days=options["recent_days"],
            )
            elapsed = 0.0
            if check.started_at is not None and check.finished_at is not None:
                elapsed = (check.finished_at - check.started_at).total_seconds()
            self.stdout.write(
                f"{programme.slug}: {check.units_checked} units checked, "
                f"{check.repairs} repaired, {len(check.findings)} findings, {elapsed:.1f} s"
            )
            for finding in check.findings:
                problem = "failed" if finding.get("failed") else "no longer meets the rule"
                self.stdout.write(f"  {finding['unit']} ({finding['cohort']}): {problem}")
