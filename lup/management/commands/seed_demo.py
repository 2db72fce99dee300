from django.core.management.base import BaseCommand, CommandParser

from lup.demo.seed import DEMO_LOGINS, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create believable demo data (idempotent). --scale N builds N organisations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=1, help="number of organisations (1-100)")

    def handle(self, *args: object, scale: int, **options: object) -> None:
        summary = seed_demo(scale=scale)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {summary.organisations} organisations, {summary.units} units, "
                f"{summary.cohorts} cohorts, {summary.participants} participants, "
                f"{summary.completed_units} completed unit enrolments."
            )
        )
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.email:<34} {login.role}")
