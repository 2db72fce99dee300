"""manage.py certificate_files: check the stored PDFs against the certificates.

certificate_files                     report files no certificate points to, and
                                      certificates whose file is missing (exit 1 if any is)
certificate_files --delete-orphans    also delete orphaned files older than --hours (24)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...services import audit_pdf_files


class Command(BaseCommand):
    help = "Check the certificate PDF storage against the certificates; delete orphaned files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--delete-orphans",
            action="store_true",
            help="Delete files no certificate points to (a rolled-back issue left them).",
        )
        parser.add_argument(
            "--hours",
            type=int,
            default=24,
            help="Only orphans older than this many hours are deleted (default 24).",
        )

    def handle(self, *args: Any, delete_orphans: bool, hours: int, **options: Any) -> None:
        if hours < 1:
            raise CommandError(
                "--hours must be at least 1: a certificate being issued now "
                "has its file before its row."
            )
        audit = audit_pdf_files(
            delete_orphans_older_than=dt.timedelta(hours=hours) if delete_orphans else None
        )
        for name in audit.orphaned:
            self.stdout.write(f"orphaned  {name}")
        for name in audit.missing:
            self.stdout.write(f"MISSING   {name}")
        self.stdout.write(
            f"{len(audit.orphaned)} orphaned file(s), {audit.deleted} deleted; "
            f"{len(audit.missing)} certificate(s) missing their file."
        )
        if audit.missing:
            raise CommandError("Some certificates' PDFs are missing from storage.")
