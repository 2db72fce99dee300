from django.core.management.base import BaseCommand, CommandError, CommandParser

from lup.imports import import_units
from lup.models import Organisation

from ._import import run_import


class Command(BaseCommand):
    help = (
        "Import service units from a CSV file (columns code, name, sector, optionally active). "
        "Re-importing updates; a file with any bad row is rejected whole."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--organisation",
            help="slug of the organisation (may be left out when there is only one)",
        )
        parser.add_argument(
            "--create-sectors", action="store_true", help="create sectors that do not exist"
        )

    def handle(self, *args: object, **options: object) -> None:
        slug = options.get("organisation")
        if slug:
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                raise CommandError(f"No organisation has the slug {slug!r}.")
        else:
            organisations = list(Organisation.objects.all()[:2])
            if len(organisations) != 1:
                raise CommandError("Name the organisation with --organisation SLUG.")
            organisation = organisations[0]
        run_import(
            self,
            str(options["file"]),
            lambda data: import_units(
                data=data,
                organisation=organisation,
                create_sectors=bool(options["create_sectors"]),
            ),
        )
