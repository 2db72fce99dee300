"""manage.py issue_credentials: the signed credential of every certificate that has none
(issued before credentials existed), without touching its PDF or anything else it shows.

Certificates whose recipient's name is withheld get none: there is no one to give it to.
Each certificate is issued in a transaction of its own, so it can be stopped and run again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ...credentials.issuing import issue_credential
from ...models import Certificate


class Command(BaseCommand):
    help = "Issue signed Open Badges credentials for certificates issued without one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count them, issue nothing.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        missing = Certificate.objects.filter(
            credential__isnull=True, name_withheld_at__isnull=True
        ).select_related("recipient")
        count = missing.count()
        if dry_run:
            self.stdout.write(f"{count} certificate(s) have no credential.")
            return
        issued = 0
        for certificate in missing.iterator(chunk_size=200):
            if issue_credential(certificate=certificate) is not None:
                issued += 1
        self.stdout.write(self.style.SUCCESS(f"{issued} credential(s) issued."))
