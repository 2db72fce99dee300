"""Delete audit events older than LUP_AUDIT_RETENTION_DAYS (the nightly `purge_personal_data`
does this too, with the rest of the retention rules)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from lup.audit import record_event
from lup.models import AuditEvent
from lup.privacy.retention import purge_audit_events


class Command(BaseCommand):
    help = "Delete audit events older than LUP_AUDIT_RETENTION_DAYS (run daily, e.g. from cron)."

    def handle(self, *args: object, **options: object) -> None:
        cutoff, deleted = purge_audit_events()
        if deleted:
            record_event(
                action=AuditEvent.Action.PERSONAL_DATA_PURGED, removed={"lup.AuditEvent": deleted}
            )
        self.stdout.write(f"Deleted {deleted} audit events from before {cutoff:%Y-%m-%d}.")
