"""Reading an imported CSV file into rows keyed by canonical column names.

Files are UTF-8 (with or without BOM), separated by comma or semicolon, with a header
row naming the columns by any of their aliases. Size and row count are limited by
`lup.app_settings`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .. import app_settings
from .results import ImportRejected, RowError

# Line numbers count the header as line 1.
HEADER_LINE = 1


@dataclass
class Table:
    """The rows of a file that are not blank: (line number, cells by canonical column)."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def read_table(data: bytes, columns: Mapping[str, set[str]], required: Iterable[str]) -> Table:
    """Decode and parse a CSV file into rows keyed by canonical column names."""
    max_bytes = app_settings.IMPORT_MAX_BYTES()
    if len(data) > max_bytes:
        raise ImportRejected(
            [
                RowError(
                    HEADER_LINE,
                    _("The file is larger than %(limit)d MB.") % {"limit": max_bytes // 1_000_000},
                )
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRejected(
            [RowError(line, _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))]
        ) from exc
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ImportRejected([RowError(HEADER_LINE, _("The file is empty."))])
    header_line = lines[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise ImportRejected([RowError(HEADER_LINE, str(exc))]) from exc
    aliases = {alias: key for key, names in columns.items() for alias in names}
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for index, raw_name in enumerate(header):
        name = raw_name.strip().lower()
        key = aliases.get(name)
        if key is None:
            if name:
                errors.append(
                    RowError(HEADER_LINE, _("Unknown column “%(name)s”.") % {"name": raw_name})
                )
            continue
        if key in positions:
            errors.append(
                RowError(HEADER_LINE, _("Column “%(name)s” appears twice.") % {"name": raw_name})
            )
        positions[key] = index
    missing = [key for key in required if key not in positions]
    if missing:
        errors.append(
            RowError(
                HEADER_LINE,
                _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)},
            )
        )
    if errors:
        raise ImportRejected(errors)

    table = Table()
    max_rows = app_settings.IMPORT_MAX_ROWS()
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                errors.append(
                    RowError(
                        line,
                        _("The row has %(found)d fields; the header has %(expected)d.")
                        % {"found": len(cells), "expected": len(header)},
                    )
                )
                continue
            row = {
                key: (cells[index].strip() if index < len(cells) else "")
                for key, index in positions.items()
            }
            table.rows.append((line, row))
            if len(table.rows) > max_rows:
                raise ImportRejected(
                    [RowError(line, _("The file has more than %(max)d rows.") % {"max": max_rows})]
                )
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, _("Unreadable CSV: %(error)s") % {"error": exc}))
    if errors:
        raise ImportRejected(errors)
    if not table.rows:
        raise ImportRejected([RowError(HEADER_LINE, _("The file has a header but no rows."))])
    return table


def check_length(
    errors: list[RowError], line: int, label: str, value: str, max_length: int
) -> None:
    """Add a problem to `errors` when `value` is longer than its field allows."""
    if len(value) > max_length:
        errors.append(
            RowError(
                line,
                _("%(field)s is longer than %(max)d characters.")
                % {"field": label, "max": max_length},
            )
        )
