"""Delete personal data that has outlived its retention period, as the nightly task does:
each organisation's learning records, uploaded files and xAPI statements after its periods,
old audit events and expired own-data archives (lup.privacy.retention). Prints counts per
organisation and category; `--dry-run` counts what would go and deletes nothing."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from lup.privacy.categories import RetainedCategory
from lup.privacy.retention import BATCH_SIZE, PurgeReport, purge_personal_data


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be deleted; delete nothing and record nothing.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Rows per delete (default {BATCH_SIZE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be 1 or more.")
        report = purge_personal_data(dry_run=options["dry_run"], batch_size=options["batch_size"])
        with translation.override("en"):  # for the operator, as the other commands write
            self.write_report(report)

    def write_report(self, report: PurgeReport) -> None:
        verb = "Would delete" if report.dry_run else "Deleted"
        if report.dry_run:
            self.stdout.write("Dry run: nothing is deleted.")
        for part in report.organisations:
            name = part.name or "People without an organisation (installation defaults)"
            periods = ", ".join(
                f"{RetainedCategory(key).label} {months} months"
                for key, months in part.periods.items()
            )
            self.stdout.write(f"{name} ({periods}):")
            if not part.removed:
                self.stdout.write("  nothing to delete")
            for key, count in sorted(part.removed.items()):
                self.stdout.write(f"  {verb} {count} {_what(key)}")
            if part.waiting_for_closing:
                self.stdout.write(
                    f"  Kept the learning records of {part.waiting_for_closing} people past the "
                    "period: a cohort of theirs has ended but is not closed."
                )
        self.stdout.write("Installation:")
        self.stdout.write(
            f"  {verb} {report.installation.get('lup.AuditEvent', 0)} audit events from before "
            f"{report.audit_cutoff:%Y-%m-%d}"
        )
        self.stdout.write(
            f"  {verb} {report.installation.get('lup.PersonalDataExport', 0)} own-data archives "
            f"finished before {report.archive_cutoff:%Y-%m-%d}"
        )
        self.stdout.write(
            f"  {verb} {report.installation.get('lup.Notification', 0)} notifications made "
            f"before {report.notification_cutoff:%Y-%m-%d}"
        )
        self.stdout.write(f"{verb} {report.total} in all.")


def _what(key: str) -> str:
    """A count's key in words (English, for the operator)."""
    if key == "courses.Submission.file":
        return "files of submissions (the submissions stay)"
    return str(apps.get_model(key)._meta.verbose_name_plural)
