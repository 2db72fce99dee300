"""CSV for Norwegian Excel, the one format every CSV download of `lup` is written in.

UTF-8 with a byte order mark (so Excel reads æ, ø and å), semicolons between fields (Excel
with Norwegian settings expects them, since the comma is the decimal separator), CRLF line
ends, and text that a spreadsheet would run as a formula guarded with an apostrophe
(CSV injection: a cell starting with = + - @, a tab or a carriage return).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

BOM = "\ufeff"
DELIMITER = ";"
LINE_END = "\r\n"
FORMULA_STARTS = frozenset("=+-@\t\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def guard_formula(value: Any) -> Any:
    """The value, with an apostrophe before text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value


def excel_writer(stream: _Writable, *, delimiter: str = DELIMITER) -> Any:
    """A csv writer in the format (without the BOM: write `BOM` first, once).

    It does not guard formulas: its caller guards every text cell (`write_excel_csv` does;
    `reporting.exports` per text column, leaving out the numbers and dates it formats
    itself). tests/lup/test_hostile_input.py names every module that writes CSV, so a new
    one is noticed."""
    return csv.writer(stream, delimiter=delimiter, lineterminator=LINE_END)


def write_excel_csv(stream: _Writable, rows: Iterable[Iterable[Any]]) -> None:
    """Write a whole small table: the BOM, then every row with its text guarded."""
    stream.write(BOM)
    writer = excel_writer(stream)
    for row in rows:
        writer.writerow([guard_formula(value) for value in row])
