"""Completion reports: which rows a user may report on, filtered, and read in batches.

Public interface (the HTML reports, the exports, the management command, scheduled
exports and the REST API all use it):

- `CompletionFilters`: the validated filters (build them with
  `lup.reporting.forms.CompletionFilterForm`, which checks dates and ids against the
  user's scope);
- `completion_rows(user, filters)`: participants, one row each (a `Participant` queryset);
- `unit_rows(user, filters)`: unit enrolments, one row each (a `UnitEnrolment` queryset);
- `report_rows(report, user, filters)`: either of the two, by `ReportKind`;
- `completion_values(rows)`: participant rows as dicts of `COMPLETION_VALUES` only (the
  API's feed and report pages, up to 500 rows);
- `value_batches(queryset, fields, ...)`: the rows as tuples, read with a server-side
  chunked iterator, in batches enriched with certificate codes (one query per batch);
  `raw_value_batches` gives them column by column as the database returns them (for the
  exports, which convert only what they write).

Every row comes from `lup.scoping`: nothing outside the user's scope is ever counted,
listed or exported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connections
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.sql.constants import MULTI
from django.utils import timezone

from certificates.api import valid_codes_by_source

from .. import scoping
from ..certificate_keys import PARTICIPANT_SOURCE, UNIT_SOURCE
from ..models import (
    Cohort,
    Organisation,
    Participant,
    Programme,
    Sector,
    ServiceUnit,
    UnitEnrolment,
)
from .models import ReportKind

#: Rows read from the database per round trip, and per certificate-code query.
BATCH_SIZE = 2000

PARTICIPANT_CERTIFICATE_PREFIX = f"{PARTICIPANT_SOURCE}:"
UNIT_CERTIFICATE_PREFIX = f"{UNIT_SOURCE}:"


class SystemScope:
    """Stands in for a user when the system exports (the management command, scheduled
    exports): it sees every row, so always narrow it with `CompletionFilters.organisation`."""

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = False

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True

    def __str__(self) -> str:
        return "system"


@dataclass(frozen=True)
class CompletionFilters:
    """What a report is narrowed to. Empty fields do not filter.

    `organisation` keeps the programmes this organisation runs (with their guest units):
    the scope of the management command and of scheduled exports.
    `completed_from` and `completed_to` are inclusive local dates (Europe/Oslo): a
    completion stamped at 23:30 on 31 December counts for 31 December.
    """

    organisation: Organisation | None = None
    programme: Programme | None = None
    cohort: Cohort | None = None
    sector: Sector | None = None
    unit: ServiceUnit | None = None
    status: str = ""
    completed_from: dt.date | None = None
    completed_to: dt.date | None = None

    def describe(self) -> dict[str, Any]:
        """The filters as plain JSON values (ids and ISO dates), for the audit log."""
        described: dict[str, Any] = {}
        for name, value in asdict(self).items():
            if value in (None, ""):
                continue
            if isinstance(value, dt.date):
                described[name] = value.isoformat()
            elif hasattr(value, "pk"):
                described[name] = value.pk
            else:
                described[name] = value
        return described


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _completed_between(
    prefix: str, completed_from: dt.date | None, completed_to: dt.date | None
) -> Q:
    """Completion stamps on local dates from..to inclusive, as a range the index can use."""
    condition = Q()
    if completed_from is not None:
        condition &= Q(**{f"{prefix}completed_at__gte": _local_midnight(completed_from)})
    if completed_to is not None:
        next_day = completed_to + dt.timedelta(days=1)
        condition &= Q(**{f"{prefix}completed_at__lt": _local_midnight(next_day)})
    return condition


def _enrolment_filters(prefix: str, filters: CompletionFilters) -> Q:
    condition = Q()
    if filters.organisation is not None:
        condition &= Q(**{f"{prefix}cohort__programme__organisation": filters.organisation})
    if filters.programme is not None:
        condition &= Q(**{f"{prefix}cohort__programme": filters.programme})
    if filters.cohort is not None:
        condition &= Q(**{f"{prefix}cohort": filters.cohort})
    if filters.sector is not None:
        condition &= Q(**{f"{prefix}unit__sector": filters.sector})
    if filters.unit is not None:
        condition &= Q(**{f"{prefix}unit": filters.unit})
    return condition


def completion_rows(user: Any, filters: CompletionFilters | None = None) -> QuerySet[Participant]:
    """Participants in the user's scope (one row each), filtered, in a stable order.

    The queryset selects the related user, unit, sector, cohort and programme, so model
    instances need no further queries; exports call `.values(...)` on it instead.
    """
    filters = filters or CompletionFilters()
    rows = (
        scoping.participants_for(user)
        .select_related(
            "user",
            "enrolment__unit__sector",
            "enrolment__unit__organisation",
            "enrolment__cohort__programme",
        )
        .filter(_enrolment_filters("enrolment__", filters))
        .filter(_completed_between("", filters.completed_from, filters.completed_to))
    )
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows.order_by("enrolment__unit__name", "user__last_name", "user__first_name", "pk")


def unit_rows(user: Any, filters: CompletionFilters | None = None) -> QuerySet[UnitEnrolment]:
    """Unit enrolments in the user's scope (one row each), filtered, in a stable order.

    Annotated with `team_size` and `team_completed` (current participants, and those of
    them who completed), computed in the same query.
    """
    filters = filters or CompletionFilters()
    current = Participant.objects.current().filter(enrolment=OuterRef("pk"))

    def _count(queryset: QuerySet[Participant]) -> Coalesce:
        counted = queryset.order_by().values("enrolment").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

    rows = (
        scoping.enrolments_for(user)
        .filter(_enrolment_filters("", filters))
        .filter(_completed_between("", filters.completed_from, filters.completed_to))
        .annotate(
            team_size=_count(current),
            team_completed=_count(current.filter(status=Participant.Status.COMPLETED)),
            manager_email=Subquery(
                current.filter(role=Participant.Role.MANAGER).values("user__email")[:1]
            ),
        )
    )
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows.order_by("unit__name", "cohort__starts_on", "pk")


# What the API shows of a participant row (lup.api.serializers.CompletionSerializer).
COMPLETION_VALUES = (
    "id",
    "public_id",
    "updated_at",
    "status",
    "role",
    "completed_at",
    "user__email",
    "user__first_name",
    "user__last_name",
    "enrolment__unit__public_id",
    "enrolment__unit__code",
    "enrolment__unit__name",
    "enrolment__cohort__public_id",
    "enrolment__cohort__name",
    "enrolment__cohort__programme__public_id",
    "enrolment__cohort__programme__learning_hours",
    "enrolment__status",
    "enrolment__completed_at",
)


def completion_values(rows: QuerySet[Participant]) -> QuerySet[Any]:
    """Participant rows (from `completion_rows`) as dicts of `COMPLETION_VALUES` only.

    A 500-row page of model instances built eight models per row (the user with its
    password hash and dates, the unit, sector, organisation, cohort and programme) and
    spent two thirds of its time there; the dicts hold the 18 values the API shows.
    """
    return rows.values(*COMPLETION_VALUES)


def report_rows(report: str, user: Any, filters: CompletionFilters | None = None) -> QuerySet[Any]:
    """The rows of a report (`ReportKind`): participants or unit enrolments."""
    if report == ReportKind.UNITS:
        return unit_rows(user, filters)
    return completion_rows(user, filters)


def status_choices(report: str | None) -> list[tuple[str, Any]]:
    """The statuses a report's rows can have (both reports' when `report` is None)."""
    if report == ReportKind.UNITS:
        return list(UnitEnrolment.Status.choices)
    if report == ReportKind.PARTICIPANTS:
        return list(Participant.Status.choices)
    merged = dict(Participant.Status.choices)
    merged.update(UnitEnrolment.Status.choices)
    return list(merged.items())


def certificate_prefix(report: str) -> str:
    """The start of the certificate source key of a report's rows (`lup.participant:`...)."""
    return UNIT_CERTIFICATE_PREFIX if report == ReportKind.UNITS else PARTICIPANT_CERTIFICATE_PREFIX


#: One batch of rows, column by column: (number of rows, one sequence per field position).
ColumnBatch = tuple[int, list[Sequence[Any]]]


def value_batches(
    queryset: QuerySet[Any],
    fields: Sequence[str],
    *,
    report: str = ReportKind.PARTICIPANTS,
    with_certificates: bool = False,
    batch_size: int = BATCH_SIZE,
) -> tuple[dict[str, int], Iterator[list[tuple[Any, ...]]]]:
    """The queryset's rows as tuples of typed values, batch by batch, and where each field
    is in them.

    Reads with chunked fetches (a server-side cursor on PostgreSQL), so memory stays
    constant however many rows there are. With `with_certificates`, each tuple ends with
    `certificate_code`: the valid certificate of the rows that completed (certificates
    are issued on completion), found with one more query per batch.
    """
    positions, converters, batches = raw_value_batches(
        queryset,
        fields,
        report=report,
        with_certificates=with_certificates,
        batch_size=batch_size,
    )
    return positions, _typed_rows(batches, converters)


def _typed_rows(
    batches: Iterator[ColumnBatch], converters: dict[int, Callable[[Any], Any]]
) -> Iterator[list[tuple[Any, ...]]]:
    for _count, columns in batches:
        for index, convert in converters.items():
            columns[index] = list(map(convert, columns[index]))
        yield list(zip(*columns, strict=True))


def raw_value_batches(
    queryset: QuerySet[Any],
    fields: Sequence[str],
    *,
    report: str = ReportKind.PARTICIPANTS,
    with_certificates: bool = False,
    batch_size: int = BATCH_SIZE,
) -> tuple[dict[str, int], dict[int, Callable[[Any], Any]], Iterator[ColumnBatch]]:
    """The rows as the database returns them, column by column, for fast exports.

    Returns where each field is (`certificate_code` last, with `with_certificates`),
    the conversions to Python values that Django would apply (position: function; only
    for the fields that need one, such as UUIDs, decimals and datetimes on SQLite), and
    the batches: (row count, one sequence of raw values per position). Reading skips
    Django's per-row conversion, so a caller converts only what it writes, and can
    cache conversions of values that repeat (dates, hours).
    """
    names = list(dict.fromkeys(fields)) or ["pk"]  # values_list() alone would select all
    if with_certificates:
        names.extend(name for name in ("public_id", "status") if name not in names)
    positions = {name: index for index, name in enumerate(names)}
    values = queryset.values_list(*names)
    converters = _converters(values, len(names))
    if with_certificates:
        positions["certificate_code"] = len(names)
    batches = _column_batches(
        values,
        converters,
        prefix=certificate_prefix(report),
        certificates=(positions["public_id"], positions["status"]) if with_certificates else None,
        batch_size=batch_size,
    )
    return positions, converters, batches


def _converters(values: QuerySet[Any], width: int) -> dict[int, Callable[[Any], Any]]:
    """Django's conversions of the selected columns (as `values_list` applies them)."""
    compiler = values.query.clone().get_compiler(values.db)
    compiler.setup_query()
    selected = [column[0] for column in compiler.select[: compiler.col_count]]
    if len(selected) != width:  # extra() or annotations selected besides the fields
        raise ValueError(f"Expected {width} selected columns, got {len(selected)}.")
    connection = compiler.connection
    return {
        index: _converter(functions, expression, connection)
        for index, (functions, expression) in compiler.get_converters(selected).items()
    }


def _converter(
    functions: Sequence[Callable[..., Any]], expression: Any, connection: Any
) -> Callable[[Any], Any]:
    if len(functions) == 1:
        only = functions[0]
        return lambda value: only(value, expression, connection)

    def convert(value: Any) -> Any:
        for function in functions:
            value = function(value, expression, connection)
        return value

    return convert


def _column_batches(
    values: QuerySet[Any],
    converters: dict[int, Callable[[Any], Any]],
    *,
    prefix: str,
    certificates: tuple[int, int] | None,
    batch_size: int,
) -> Iterator[ColumnBatch]:
    chunked = not connections[values.db].settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    compiler = values.query.get_compiler(values.db)
    chunks = compiler.execute_sql(MULTI, chunked_fetch=chunked, chunk_size=batch_size)
    for chunk in chunks:
        if not chunk:
            continue
        columns: list[Sequence[Any]] = list(zip(*chunk, strict=False))  # rows of one width
        if certificates is not None:
            public_id, status = certificates
            columns.append(
                _certificate_column(
                    columns[public_id], columns[status], converters.get(public_id), prefix
                )
            )
        yield len(chunk), columns


def _uuid_text(value: Any, to_python: Callable[[Any], Any] | None) -> str:
    """A UUID as text with hyphens, as `str(uuid)` writes it (in certificate source keys)."""
    if isinstance(value, str) and len(value) == 32:  # stored as 32 hex digits (SQLite)
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}".lower()
    return str(to_python(value) if to_python is not None else value)


def _certificate_column(
    public_ids: Sequence[Any],
    statuses: Sequence[Any],
    to_python: Callable[[Any], Any] | None,
    prefix: str,
) -> list[str]:
    """The certificate code of each row ("" for none), with one query for the batch."""
    column = [""] * len(public_ids)
    keys = {
        index: prefix + _uuid_text(public_ids[index], to_python)
        for index, status in enumerate(statuses)
        if status == "completed"
    }
    codes = valid_codes_by_source(list(keys.values()))
    if codes:
        for index, key in keys.items():
            column[index] = codes.get(key, "")
    return column
