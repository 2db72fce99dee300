from django.core.management.base import BaseCommand

from lup.innovation import services


class Command(BaseCommand):
    help = (
        "E-mail the teams whose benefit follow-up measurements are due (LUP_BENEFIT_REMINDER_"
        "MONTHS after their pilot started); each due date once. Run daily, e.g. from cron."
    )

    def handle(self, *args: object, **options: object) -> None:
        sent = services.send_benefit_reminders()
        self.stdout.write(f"Sent {sent} benefit reminder e-mails.")
