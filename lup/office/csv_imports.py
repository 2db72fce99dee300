"""The office's CSV imports of units and participants (the same `lup.imports` the admin and
the management commands run): a file checked without writing, or imported; the columns
each import reads, as the pages explain them; the example files; whose units a person may
import.

A check runs the whole import in a transaction that is always rolled back, so it finds
exactly what the import would (its checks read the rows stored and the rows the file itself
adds) and leaves nothing behind: no row, no audit event, and none of the work an import
leaves for after its commit (`transaction.on_commit`), which a rollback discards.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import imports
from ..audit import record_event
from ..excel_csv import write_excel_csv
from ..imports.participant_rows import PARTICIPANT_COLUMNS, PARTICIPANT_REQUIRED
from ..imports.units import UNIT_COLUMNS, UNIT_REQUIRED
from ..models import AuditEvent, Cohort, Organisation, Programme
from ..permissions import member_organisations

# A problem that belongs to no line of the file (the line the page shows as "–").
NO_LINE = 0


@dataclass(frozen=True)
class ImportColumn:
    """One column of an import file, as the page explains it: its Norwegian name (the
    example file's header), its English name, whether it must be there, what it holds."""

    key: str  # the import's canonical name (`lup.imports`): also its English name
    norwegian: str
    required: bool
    description: str | Promise
    example: str


UNIT_IMPORT_COLUMNS = (
    ImportColumn(
        "code",
        "kode",
        True,
        gettext_lazy("The unit's code (ansvarssted), unique in the organisation."),
        "1001",
    ),
    ImportColumn("name", "navn", True, gettext_lazy("The unit's name."), "Eksempel barnehage"),
    ImportColumn(
        "sector",
        "sektor",
        True,
        gettext_lazy("The name of the unit's sector (tjenesteområde)."),
        "Barnehage",
    ),
    ImportColumn(
        "active",
        "aktiv",
        False,
        gettext_lazy("ja or nei (yes or no); empty means ja."),
        "ja",
    ),
)

PARTICIPANT_IMPORT_COLUMNS = (
    ImportColumn(
        "email",
        "e-post",
        True,
        gettext_lazy("The person's work e-mail address. People are found by it."),
        "kari.nordmann@example.no",
    ),
    ImportColumn("first_name", "fornavn", False, gettext_lazy("First name."), "Kari"),
    ImportColumn("last_name", "etternavn", False, gettext_lazy("Last name."), "Nordmann"),
    ImportColumn(
        "unit_code",
        "enhetskode",
        True,
        gettext_lazy("The code of the person's unit."),
        "1001",
    ),
    ImportColumn(
        "cohort",
        "kull",
        True,
        gettext_lazy("The name of the cohort, as the programme calls it."),
        "LUP 1",
    ),
    ImportColumn(
        "role",
        "rolle",
        True,
        gettext_lazy("leder (manager) or ildsjel (enthusiast)."),
        "leder",
    ),
    ImportColumn(
        "organisation",
        "kommune",
        False,
        gettext_lazy(
            "Only for a guest unit of another organisation: that organisation's name. "
            "Leave it empty for your own units."
        ),
        "",
    ),
)

# The columns each import reads, with the aliases `lup.imports` understands (checked by
# tests/lup/test_office_imports.py, so the page never explains a column the import ignores).
IMPORT_ALIASES = {
    "units": (UNIT_COLUMNS, UNIT_REQUIRED),
    "participants": (PARTICIPANT_COLUMNS, PARTICIPANT_REQUIRED),
}


# Checking or importing --------------------------------------------------------------------


class _CheckedOnly(Exception):
    """Raised inside the check's transaction to roll back what the import wrote."""

    def __init__(self, result: imports.ImportResult) -> None:
        super().__init__("checked only")
        self.result = result


def _run(
    do_import: Callable[[], imports.ImportResult],
    *,
    dry_run: bool,
    audit: Callable[[imports.ImportResult], None] | None = None,
) -> imports.ImportResult:
    """The import's result; with `dry_run`, everything it wrote is rolled back.

    Raises `lup.imports.ImportRejected` for a bad file, and for a refusal of the services
    the import calls or a clash with a change made at the same moment (rare: the import
    checks the rows first); nothing is written then either.
    """
    try:
        with transaction.atomic():
            try:
                result = do_import()
            except ValidationError as refused:
                raise imports.ImportRejected(
                    [imports.RowError(NO_LINE, message) for message in refused.messages]
                ) from refused
            except IntegrityError as clash:
                raise imports.ImportRejected(
                    [
                        imports.RowError(
                            NO_LINE,
                            _(
                                "Someone changed the same units or teams at the same moment. "
                                "Nothing was imported: try again."
                            ),
                        )
                    ]
                ) from clash
            if dry_run:
                raise _CheckedOnly(result)
            if audit is not None:
                audit(result)
    except _CheckedOnly as checked:
        return checked.result
    return result


def check_or_import_units(
    *,
    data: bytes,
    organisation: Organisation,
    create_sectors: bool,
    dry_run: bool,
    actor: Any = None,
) -> imports.ImportResult:
    """Import an organisation's units from a CSV file (`lup.imports.import_units`), or with
    `dry_run` only say what importing it would do, writing nothing. An import is audited
    (DATA_IMPORTED, with its counts) in the same transaction."""
    return _run(
        lambda: imports.import_units(
            data=data, organisation=organisation, create_sectors=create_sectors
        ),
        dry_run=dry_run,
        audit=lambda result: _record_import(
            "units", result, actor=actor, organisation=organisation
        ),
    )


def check_or_import_participants(
    *, data: bytes, programme: Programme, dry_run: bool, actor: Any = None
) -> imports.ImportResult:
    """Import a programme's participants from a CSV file (`lup.imports.import_participants`),
    or with `dry_run` only say what importing it would do, writing nothing. An import is
    audited (DATA_IMPORTED, with its counts) in the same transaction."""
    return _run(
        lambda: imports.import_participants(data=data, programme=programme),
        dry_run=dry_run,
        audit=lambda result: _record_import(
            "participants",
            result,
            actor=actor,
            organisation=programme.organisation,
            programme=programme.name,
        ),
    )


def _record_import(
    kind: str, result: imports.ImportResult, *, actor: Any, organisation: Organisation, **more: Any
) -> None:
    record_event(
        action=AuditEvent.Action.DATA_IMPORTED,
        actor=actor if getattr(actor, "pk", None) else None,
        organisation_id=organisation.pk,
        organisation=organisation.name,
        kind=kind,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        **more,
    )


# Reads ------------------------------------------------------------------------------------


def unit_import_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations whose units the user might import (where they work; every one for
    a superuser): the page's scope, before `permissions.can_import_units` decides."""
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=member_organisations(user))


def _example_file(columns: tuple[ImportColumn, ...], values: dict[str, str]) -> str:
    stream = io.StringIO()
    write_excel_csv(
        stream,
        [
            [column.norwegian for column in columns],
            [values.get(column.key, column.example) for column in columns],
        ],
    )
    return stream.getvalue()


def unit_example_file(organisation: Organisation) -> str:
    """The example units file: the header and one row (with one of the organisation's
    sectors, when it has any), in the format of every CSV the site writes."""
    sector = organisation.sectors.order_by("name").values_list("name", flat=True).first()
    return _example_file(UNIT_IMPORT_COLUMNS, {"sector": sector} if sector else {})


def participant_example_file(programme: Programme) -> str:
    """The example participants file: the header and one row (with the programme's latest
    open cohort, when it has one)."""
    cohort = (
        Cohort.objects.filter(programme=programme, closed_at__isnull=True)
        .order_by("-starts_on", "-pk")
        .values_list("name", flat=True)
        .first()
    )
    return _example_file(PARTICIPANT_IMPORT_COLUMNS, {"cohort": cohort} if cohort else {})
