from django.core.management.base import BaseCommand, CommandError, CommandParser

from lup.demo.seed import CERTIFIED_ORGANISATIONS, DEMO_LOGINS, DEMO_PASSWORD, MAX_SCALE, seed_demo


class Command(BaseCommand):
    help = "Create believable demo data (idempotent). --scale N builds N organisations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help=f"number of organisations (1-{MAX_SCALE}: every municipality in Norway); "
            f"the first {CERTIFIED_ORGANISATIONS} get their certificates",
        )

    def handle(self, *args: object, scale: int, **options: object) -> None:
        if not 1 <= scale <= MAX_SCALE:
            raise CommandError(f"--scale must be between 1 and {MAX_SCALE}, not {scale}.")
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
