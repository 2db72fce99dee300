"""Streamed CSV and XLSX writers of the completion reports, in constant memory.

- CSV: UTF-8 with a byte order mark and semicolons (what Norwegian Excel opens
  directly), or commas. The header goes out at once; rows follow batch by batch as
  the database cursor delivers them, so a 100,000-row export starts immediately and
  never holds more than one batch (5,000 rows). With semicolons, decimals use a comma
  (7,5) as Norwegian Excel expects; with commas, a point (7.5).
- XLSX: written with xlsxwriter in `constant_memory` mode (each row is flushed to a
  temporary file as it is written) into a temporary file, which is then streamed. An
  XLSX file is a zip archive whose directory comes last, so its download can only start
  once the whole file is written; memory stays constant all the same. Dates are real
  dates, numbers numbers; the header row is frozen and has an auto-filter.

Text cells that a spreadsheet would run as a formula (starting with = + - @) get a
leading apostrophe in CSV; XLSX stores them as plain strings.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache, partial
from itertools import repeat
from typing import IO, Any

from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import ngettext

from ..excel_csv import BOM, FORMULA_STARTS, excel_writer, guard_formula
from .columns import DATE, INTEGER, NUMBER, TEXT, Column, Preset, fields_of
from .selectors import raw_value_batches

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
#: Rows per database round trip (and certificate query) and per CSV chunk.
BATCH_SIZE = 5000
#: Distinct values of a date, number or label column whose written text is cached.
CACHED_VALUES = 4096


class ReportExport:
    """One export of a report's rows with a preset's columns.

    Iterate `batches()` to get the typed values (lists of row tuples), batch by batch;
    `row_count` says how many rows have been produced so far.
    """

    def __init__(self, queryset: QuerySet[Any], preset: Preset, batch_size: int = BATCH_SIZE):
        self.queryset = queryset
        self.preset = preset
        self.columns: list[Column] = preset.resolve()
        self.batch_size = batch_size
        self.row_count = 0

    @property
    def headings(self) -> list[str]:
        return [column.heading() for column in self.columns]

    def column_batches(
        self, cells: Callable[[Column, tuple[int, ...], Callable[..., Any] | None], _Cells]
    ) -> Iterator[tuple[int, list[Sequence[Any]]]]:
        """The rows, one batch (one database round trip) at a time, column by column:
        (row count, one sequence of values per column).

        `cells(column, indexes, function)` says how each column's values are made from
        the raw fields at `indexes` (see `Column.reader`); it is called once per export.
        """
        positions, converters, batches = raw_value_batches(
            self.queryset,
            fields_of(self.columns),
            report=self.preset.report,
            with_certificates=any(column.certificates for column in self.columns),
            batch_size=self.batch_size,
        )
        makers = [cells(column, *column.reader(positions, converters)) for column in self.columns]
        for count, fields in batches:
            self.row_count += count
            yield count, [make.values(fields, count) for make in makers]

    def batches(
        self, converters: Sequence[Callable[[Any], Any] | None] | None = None
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The rows' values, column by column, one batch (one database round trip) at a time.

        `converters` (one per column, None to keep the value) turn the typed values into
        what a writer wants, in the same pass.
        """
        then = list(converters) if converters is not None else [None] * len(self.columns)
        if len(then) != len(self.columns):
            raise ValueError("One converter per column.")
        convert = dict(zip((id(column) for column in self.columns), then, strict=True))

        def cells(column: Column, indexes: tuple[int, ...], function: Any) -> _Cells:
            return _Cells(indexes, _then(function, convert[id(column)], bool(indexes)))

        for count, columns in self.column_batches(cells):
            yield _rows(count, columns)


def _rows(count: int, columns: list[Sequence[Any]]) -> list[tuple[Any, ...]]:
    return list(zip(*columns, strict=True)) if columns else [()] * count


class _Cells:
    """How one column's values are made from a batch's raw fields: `function` of the
    fields at `indexes`, called with `map` (the field itself when there is no function;
    `function()`, once, when there are no fields); then, with `guard`, text that a
    spreadsheet would run as a formula gets a leading apostrophe."""

    __slots__ = ("function", "guard", "indexes")

    def __init__(
        self,
        indexes: tuple[int, ...],
        function: Callable[..., Any] | None,
        guard: bool = False,
    ):
        self.indexes = indexes
        self.function = function
        self.guard = guard

    def values(self, fields: list[Sequence[Any]], count: int) -> Sequence[Any]:
        values: Sequence[Any]
        if not self.indexes:
            values = [self.function() if self.function is not None else None] * count
        elif self.function is None:
            values = fields[self.indexes[0]]
        else:
            values = list(map(self.function, *(fields[index] for index in self.indexes)))
        return _guarded(values) if self.guard else values


def _then(
    function: Callable[..., Any] | None, convert: Callable[[Any], Any] | None, fields: bool
) -> Callable[..., Any] | None:
    """`convert` applied to what `function` gives (either may be None: left out)."""
    if convert is None:
        return function
    if function is None:
        if fields:
            return convert
        return lambda: convert(None)
    if not fields:
        return lambda: convert(function())
    return lambda *values: convert(function(*values))


def _then_one(
    function: Callable[..., Any] | None, convert: Callable[[Any], Any]
) -> Callable[..., Any]:
    """Like `_then` for a reader of one field (no argument unpacking per call)."""
    if function is None:
        return convert
    return lambda value: convert(function(value))


FORMULA_PREFIXES = tuple(sorted(FORMULA_STARTS))


def _guard_cell(value: Any) -> Any:
    return guard_formula(value) if value else ""


def _guarded(values: Sequence[Any]) -> Sequence[Any]:
    """Text cells starting with = + - @ (or a tab or carriage return) get an apostrophe.

    Checked with `str.startswith` through `map` (no Python call per cell); a column with
    empty (None) or non-text cells goes cell by cell.
    """
    try:
        if not any(map(str.startswith, values, repeat(FORMULA_PREFIXES))):
            return values
    except TypeError:
        pass
    return [_guard_cell(value) for value in values]


def _iso_date(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _csv_cells(
    column: Column,
    indexes: tuple[int, ...],
    function: Callable[..., Any] | None,
    *,
    decimal_comma: bool,
) -> _Cells:
    """How a column is written to CSV, decided once per export: dates in ISO 8601,
    numbers with a decimal comma next to semicolons (a point otherwise), text guarded
    against formulas; the csv module writes None as an empty field.

    Dates, numbers and labels repeat from row to row, so their conversion (from the
    database value to the written text) is cached for the export.
    """
    convert: Callable[[Any], Any] | None = None
    if column.kind == DATE:
        convert = _iso_date
    elif column.kind == NUMBER:

        def number(value: Any) -> str:
            if value is None:
                return ""
            text = format(value, "f")
            return text.replace(".", ",") if decimal_comma else text

        convert = number
    # Certificate codes are ours (XXXX-XXXX, letters and digits): no formula to guard.
    guard = column.kind == TEXT and not column.certificates
    if not indexes:
        return _Cells(indexes, _then(function, convert, False), guard=guard)
    if function is not None and column.choices and guard:
        convert, guard = _guard_cell, False  # labels: guarded once per value, in the cache
    if convert is not None:
        composed = (
            _then_one(function, convert) if len(indexes) == 1 else _then(function, convert, True)
        )
        function = lru_cache(maxsize=CACHED_VALUES)(composed) if composed else None
    return _Cells(indexes, function, guard=guard)


def stream_csv(
    export: ReportExport,
    *,
    delimiter: str = ";",
    on_finish: Callable[[int, bool], None] | None = None,
) -> Iterator[bytes]:
    """The export as CSV bytes: the BOM and header first, then one chunk per batch of rows.

    `on_finish(row_count, complete)` runs when the stream ends: after the last row
    (complete) or when the client goes away or an error stops it (not complete).

    An error after the download has started cannot change the status code any more (200
    is sent with the header). So the file says it in its last line, in the language of
    the request: "INCOMPLETE EXPORT", how many rows came, and why (the database stopped
    answering, or an error on our side). A file that ends without that line is whole.
    """
    return _csv_chunks(export, delimiter, on_finish, translation.get_language())


def incomplete_export_line(rows: int, error: BaseException) -> str:
    """The last line of a CSV export stopped by `error` after `rows` rows."""
    if isinstance(error, OperationalError | InterfaceError):
        return ngettext(
            "INCOMPLETE EXPORT: the database stopped answering after %(rows)d row. "
            "The rest is missing: download the file again.",
            "INCOMPLETE EXPORT: the database stopped answering after %(rows)d rows. "
            "The rest is missing: download the file again.",
            rows,
        ) % {"rows": rows}
    return ngettext(
        "INCOMPLETE EXPORT: an error on our side stopped the export after %(rows)d row. "
        "The rest is missing: download the file again.",
        "INCOMPLETE EXPORT: an error on our side stopped the export after %(rows)d rows. "
        "The rest is missing: download the file again.",
        rows,
    ) % {"rows": rows}


def _csv_chunks(
    export: ReportExport,
    delimiter: str,
    on_finish: Callable[[int, bool], None] | None,
    language: str | None,
) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = excel_writer(buffer, delimiter=delimiter)
    cells = partial(_csv_cells, decimal_comma=delimiter == ";")
    complete = False
    try:
        writer.writerow(export.headings)
        yield (BOM + buffer.getvalue()).encode("utf-8")
        try:
            for count, columns in export.column_batches(cells):
                buffer.seek(0)
                buffer.truncate()
                writer.writerows(zip(*columns, strict=False) if columns else [()] * count)
                yield buffer.getvalue().encode("utf-8")
        except Exception as error:  # any error: told in the file, logged in full
            logger.exception("A CSV export stopped after %d rows", export.row_count)
            buffer.seek(0)
            buffer.truncate()
            with translation.override(language):
                writer.writerow([incomplete_export_line(export.row_count, error)])
            yield buffer.getvalue().encode("utf-8")
            return
        complete = True
    finally:
        if on_finish is not None:
            try:
                on_finish(export.row_count, complete)
            except DatabaseError:  # the audit record needs the database that just failed
                logger.exception("The audit record of a CSV export could not be written")


def _sheet_name(name: str) -> str:
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in name).strip()
    return (cleaned or "Report")[:31]


def write_xlsx(export: ReportExport, target: IO[bytes], *, sheet_name: str = "Report") -> int:
    """Write the export as an XLSX workbook into `target` (a binary file); return the rows.

    Constant memory: xlsxwriter flushes each row to a temporary file as soon as the next
    row starts, so memory does not grow with the number of rows.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "tmpdir": tempfile.gettempdir(),
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    try:
        sheet = workbook.add_worksheet(_sheet_name(sheet_name))
        header = workbook.add_format({"bold": True, "bottom": 1})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        number_format = workbook.add_format({"num_format": "0.0"})
        kinds = [column.kind for column in export.columns]
        for index, column in enumerate(export.columns):
            sheet.set_column(index, index, column.width)
        sheet.write_row(0, 0, export.headings, header)
        sheet.freeze_panes(1, 0)
        row_index = 0
        for batch in export.batches():
            for values in batch:
                row_index += 1
                for col, (value, kind) in enumerate(zip(values, kinds, strict=True)):
                    if value is None or value == "":
                        continue
                    if kind == DATE:
                        sheet.write_datetime(row_index, col, value, date_format)
                    elif kind == NUMBER:
                        sheet.write_number(row_index, col, float(value), number_format)
                    elif kind == INTEGER:
                        sheet.write_number(row_index, col, value)
                    else:
                        sheet.write_string(row_index, col, str(value))
        sheet.autofilter(0, 0, max(row_index, 1), max(len(export.columns) - 1, 0))
    finally:
        workbook.close()
    return export.row_count


def xlsx_temporary_file(export: ReportExport, *, sheet_name: str = "Report") -> IO[bytes]:
    """The export written to an anonymous temporary file, rewound, ready to stream.

    The file disappears when closed (FileResponse closes it after sending).
    """
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    try:
        write_xlsx(export, target, sheet_name=sheet_name)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def export_filename(report: str, preset: Preset, extension: str, day: dt.date | None = None) -> str:
    """A safe download name such as `participants-default-2025-06-30.csv`."""
    day = day or timezone.localdate()
    return f"{report}-{preset.key}-{day.isoformat()}.{extension}"


def write_csv_file(export: ReportExport, target: IO[bytes], *, delimiter: str = ";") -> int:
    """Write the whole CSV into a binary file (for the command and scheduled exports)."""
    for chunk in stream_csv(export, delimiter=delimiter):
        target.write(chunk)
    return export.row_count


__all__: Sequence[str] = [
    "CSV_CONTENT_TYPE",
    "XLSX_CONTENT_TYPE",
    "ReportExport",
    "export_filename",
    "stream_csv",
    "write_csv_file",
    "write_xlsx",
    "xlsx_temporary_file",
]
