"""Build the demo H5P package (our own content type, LUP.Reflection) as an `.h5p` file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from courses.h5p_library import write_reflection_package

DEFAULT_NAME = "lup-refleksjon.h5p"


class Command(BaseCommand):
    help = (
        "Build the demo H5P package (a reflection with a self-check, LUP.Reflection) "
        "into var/h5p-demo/ and print its path."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output",
            help=f"Where to write the package (default: var/h5p-demo/{DEFAULT_NAME}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        default = Path(getattr(settings, "BASE_DIR", ".")) / "var" / "h5p-demo" / DEFAULT_NAME
        path = write_reflection_package(Path(options.get("output") or default))
        self.stdout.write(str(path.resolve()))
