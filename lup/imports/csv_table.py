"""Reading an imported CSV file into rows keyed by canonical column names.

Files are UTF-8 (with or without BOM), separated by comma or semicolon, with a header
row naming the columns by any of their aliases. Size and row count are limited by
`lup.app_settings`. A file with bytes that are not UTF-8, or with NUL characters (which the
database cannot store, and no spreadsheet writes), is refused as a whole, naming each line
that has them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import app_settings
from .results import ImportRejected, RowError

# Line numbers count the header as line 1.
HEADER_LINE = 1
# What "surrogateescape" decodes a byte that is not UTF-8 into.
_UNDECODED = re.compile("[\udc80-\udcff]")
# Lines named one by one when many have the same problem; the rest are counted.
MAX_LISTED_LINES = 20


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
    text = _decoded(data)
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


def _physical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Each line with its number, split where the csv reader splits them (its `line_num`
    counts the same way), so a reported line is the one the reader would name."""
    return enumerate(io.StringIO(text, newline=""), start=HEADER_LINE)


def _lines_rejected(lines: list[int], message: str) -> ImportRejected:
    """The file refused, naming the first lines with the problem and counting the rest."""
    errors = [RowError(line, message) for line in lines[:MAX_LISTED_LINES]]
    if len(lines) > MAX_LISTED_LINES:
        errors.append(
            RowError(
                lines[MAX_LISTED_LINES],
                ngettext(
                    "%(count)d more line has the same problem.",
                    "%(count)d more lines have the same problem.",
                    len(lines) - MAX_LISTED_LINES,
                )
                % {"count": len(lines) - MAX_LISTED_LINES},
            )
        )
    return ImportRejected(errors)


def _decoded(data: bytes) -> str:
    """The file as text; raises ImportRejected naming every line with bytes that are not
    UTF-8 or with NUL characters (nothing of such a file is imported)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Decoded again keeping the bad bytes as lone surrogates, to find each line with them.
        escaped = data.removeprefix(codecs.BOM_UTF8).decode("utf-8", "surrogateescape")
        raise _lines_rejected(
            [number for number, line in _physical_lines(escaped) if _UNDECODED.search(line)],
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."),
        ) from None
    if "\x00" in text:
        raise _lines_rejected(
            [number for number, line in _physical_lines(text) if "\x00" in line],
            _("The line holds a NUL character, which is not text. Save the file as “CSV UTF-8”."),
        )
    return text


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
