from django.core.management.base import BaseCommand, CommandError, CommandParser

from lup.imports import import_participants
from lup.models import Programme

from ._import import run_import


class Command(BaseCommand):
    help = (
        "Import participants from a CSV file (columns email, first_name, last_name, unit_code, "
        "cohort, role, optionally organisation). Re-importing updates; a file with any bad row "
        "is rejected whole."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--programme", help="slug of the programme (may be left out when there is only one)"
        )

    def handle(self, *args: object, **options: object) -> None:
        slug = options.get("programme")
        if slug:
            programme = Programme.objects.filter(slug=slug).first()
            if programme is None:
                raise CommandError(f"No programme has the slug {slug!r}.")
        else:
            programmes = list(Programme.objects.all()[:2])
            if len(programmes) != 1:
                raise CommandError("Name the programme with --programme SLUG.")
            programme = programmes[0]
        run_import(
            self,
            str(options["file"]),
            lambda data: import_participants(data=data, programme=programme),
        )
