"""Store an `.h5p` package from the command line, with the same validation as the upload page.

manage.py import_h5p FILE [--title TITLE] [--install-libraries]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from courses.h5p.services import install_package, installed_libraries, ref_of
from courses.h5p.validation import PackageRejected


class Command(BaseCommand):
    help = "Validate and store an H5P package (.h5p); prints what was stored or every problem."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the .h5p file")
        parser.add_argument("--title", default="", help="title (default: the package's own)")
        parser.add_argument(
            "--install-libraries",
            action="store_true",
            help="install libraries the package holds that are new here, or newer patches",
        )

    @no_translations  # English, like the rest of its output
    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        before = installed_libraries()
        try:
            package, created = install_package(
                upload=path,
                uploaded_by=None,
                allow_new_libraries=options["install_libraries"],
                title=options["title"] or None,
            )
        except PackageRejected as rejection:
            lines = "\n".join(f"- {problem}" for problem in rejection.problems)
            raise CommandError(f"The package was rejected:\n{lines}") from None
        if not created:
            self.stdout.write(
                f"Already stored as package {package.pk} “{package.title}” "
                f"({package.public_id}); nothing new was written."
            )
            return
        after = installed_libraries()
        changed = sorted(ref for ref, library in after.items() if before.get(ref) != library)
        reused = sorted(
            str(library) for library in package.libraries.all() if ref_of(library) not in changed
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored package {package.pk} “{package.title}” ({package.public_id})."
            )
        )
        installed = [f"{ref}.{after[ref].patch}" for ref in changed]
        self.stdout.write("Libraries installed: " + (", ".join(installed) or "none"))
        self.stdout.write("Libraries reused: " + (", ".join(reused) or "none"))
