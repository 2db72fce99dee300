from django.core.management.base import BaseCommand, CommandParser

from lup.demo.seed import DEMO_TOTP_SECRET, current_demo_totp_code


class Command(BaseCommand):
    help = (
        "Print the current two-factor code of the demo administrator and HR logins "
        "(demo data only: they share a published secret)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--secret", action="store_true", help="print the secret instead")

    def handle(self, *args: object, secret: bool, **options: object) -> None:
        self.stdout.write(DEMO_TOTP_SECRET if secret else current_demo_totp_code())
