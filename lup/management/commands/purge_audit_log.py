import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from lup import app_settings
from lup.models import AuditEvent


class Command(BaseCommand):
    help = "Delete audit events older than LUP_AUDIT_RETENTION_DAYS (run daily, e.g. from cron)."

    def handle(self, *args: object, **options: object) -> None:
        cutoff = timezone.now() - dt.timedelta(days=app_settings.AUDIT_RETENTION_DAYS())
        deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} audit events from before {cutoff:%Y-%m-%d}.")
