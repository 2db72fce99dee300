"""Shared runner for the CSV import commands: report every rejected row, exit non-zero."""

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lup.imports import ImportRejected, ImportResult


def run_import(
    command: BaseCommand, path: str, do_import: Callable[[bytes], ImportResult]
) -> ImportResult:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"No such file: {path}")
    try:
        result = do_import(file.read_bytes())
    except ImportRejected as rejected:
        for error in rejected.errors:
            command.stderr.write(str(error))
        raise CommandError(
            f"{path} was rejected with {len(rejected.errors)} problem(s); nothing was imported."
        ) from rejected
    command.stdout.write(command.style.SUCCESS(f"{path}: {result}"))
    return result
