"""The columns of the completion reports and the presets that choose and order them.

A column reads some fields of a report row (`.values_list` names) and turns them into
one typed value: text, a date, a number. Presets are lists of column keys: the built-in
ones live here, HR saves its own (`ExportPreset`). A preset's key says which report it
belongs to, so a scheduled export needs nothing but the key.

The "SuccessFactors learning history" preset follows the flat-file layout of SAP
SuccessFactors Learning's learning-history (item completion) import: the learner's
ID (STUD_ID; here the work e-mail, which the customer maps to its user IDs), the item
type and ID (CPNT_TYP_ID, CPNT_ID: the programme), its revision date (REV_DTE: the
programme's start), the completion status and date (CMPL_STAT_ID, COMPL_DTE), the hours
(TOTAL_HRS, CREDIT_HRS), the instructor (INST_NAME, left empty) and a comment (COMMENTS:
the certificate's verification code). Filter on status "completed" for an import file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..models import Participant, UnitEnrolment
from ..permissions import member_organisations
from ..services.people import ANONYMISED_EMAIL_DOMAIN
from .models import ExportPreset, ReportKind

TEXT = "text"
DATE = "date"
NUMBER = "number"
INTEGER = "integer"

#: The virtual field of the certificate code: looked up per batch of rows, not selected.
CERTIFICATE_CODE = "certificate_code"

Row = Sequence[Any]
Getter = Callable[[Row], Any]


@dataclass(frozen=True)
class Column:
    """One column of a report: its key, header, type and how to read it from a row.

    `fields` are the `.values_list` names the column reads (`certificate_code` is looked
    up per batch). Its value is the first field's, or `read(*values of fields)`; `local`
    turns a datetime into the local date (Europe/Oslo); `choices` (value, label) turn a
    stored code into its label in the active language. `sort` is the ordering a table
    sorts this column by (None: not sortable).
    """

    key: str
    label: str | Promise
    kind: str = TEXT
    fields: tuple[str, ...] = ()
    read: Callable[..., Any] | None = None
    choices: Sequence[tuple[str, Any]] = ()
    local: bool = False
    sort: str | None = None
    width: int = 18
    header: str = ""  # a fixed header (such as an import format's), not translated
    certificates: bool = False  # reads `certificate_code`, looked up per batch of rows

    def heading(self) -> str:
        return self.header or str(self.label)

    def bind(self, positions: dict[str, int]) -> Getter:
        """A function reading this column from a row tuple whose fields are at `positions`,
        with labels and the time zone resolved once (call once per export, then per row)."""
        indexes, function = self.reader(positions)
        if not indexes:
            return lambda row: function()  # type: ignore[misc]  # a reader without fields
        if function is None:
            return itemgetter(indexes[0])
        if len(indexes) == 1:
            only = indexes[0]
            return lambda row: function(row[only])
        pick = itemgetter(*indexes)
        return lambda row: function(*pick(row))

    def reader(
        self,
        positions: dict[str, int],
        converters: dict[int, Callable[[Any], Any]] | None = None,
    ) -> tuple[tuple[int, ...], Callable[..., Any] | None]:
        """Where this column's fields are, and the function of their values that gives the
        column's value (None: the one field's value as it is; no fields: `read()`).

        `converters` (position: function) first turn database values into Python ones,
        for rows read raw (see `selectors.raw_value_batches`). Exports call the function
        column by column, with `map`, rather than row by row.
        """
        indexes = tuple(positions[name] for name in self.fields)
        convert = [(converters or {}).get(index) for index in indexes]
        read = self.read
        if read is not None:
            if not any(convert):
                return indexes, read
            if len(indexes) == 1:
                first = convert[0]
                assert first is not None
                return indexes, lambda value: read(first(value))

            def converted(*values: Any) -> Any:
                return read(
                    *(
                        value if to is None else to(value)
                        for to, value in zip(convert, values, strict=True)
                    )
                )

            return indexes, converted
        to_python = convert[0]
        if self.local:
            zone = timezone.get_current_timezone()
            if to_python is None:
                return indexes, lambda value: value.astimezone(zone).date() if value else None
            return (
                indexes,
                lambda value: to_python(value).astimezone(zone).date() if value else None,
            )
        if self.choices:
            labels = {value: str(label) for value, label in self.choices}
            if to_python is None:
                return indexes, lambda value: labels.get(value, value)
            return indexes, lambda value: labels.get(to_python(value), to_python(value))
        return indexes, to_python


def _full_name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name}".strip()


def credited_learning_hours(status: str, hours: Decimal | None) -> Decimal | None:
    """The programme's hours of learning, credited to a participant only once completed:
    the one rule for the HR export and the REST completions feed alike."""
    return hours if status == Participant.Status.COMPLETED else None


def _upper(value: Any) -> str:
    return str(value).upper()


def _work_email(email: str | None) -> str:
    """The address, or nothing for an anonymised person (their made-up address is no
    address: the row shows only the pseudonym)."""
    if not email or email.endswith(ANONYMISED_EMAIL_DOMAIN):
        return ""
    return email


# The kinds of column both reports have, so that each table below reads one line a column.


def _field(key: str, label: str | Promise, path: str, *, width: int = 18, **options: Any) -> Column:
    """One stored field as it is (or its label, given `choices`), sorted by that field
    unless `sort` says otherwise."""
    options.setdefault("sort", path)
    return Column(key, label, fields=(path,), width=width, **options)


def _date(key: str, label: str | Promise, path: str, **options: Any) -> Column:
    """A date; with `local`, a date-time field shown as its local date."""
    return _field(key, label, path, kind=DATE, width=12, **options)


def _credited_hours(key: str, label: str | Promise, hours: str, **options: Any) -> Column:
    """The programme's hours (at `hours`), for completed participants only."""
    fields = ("status", hours)
    return Column(
        key, label, kind=NUMBER, fields=fields, read=credited_learning_hours, width=10, **options
    )


def _certificate_code(key: str, label: str | Promise, **options: Any) -> Column:
    return Column(key, label, fields=(CERTIFICATE_CODE,), certificates=True, width=16, **options)


def _public_id(key: str, label: str | Promise) -> Column:
    return Column(key, label, fields=("public_id",), read=str, width=36)


def _placement_columns(*, unit: str, cohort: str) -> list[Column]:
    """Where a row belongs: its unit (code, name, sector, organisation) and cohort, which
    the row reaches through the paths `unit` and `cohort`."""
    return [
        _field("unit_code", _("Unit code"), f"{unit}code", width=12),
        _field("unit_name", _("Unit"), f"{unit}name", width=28),
        _field("sector", _("Sector"), f"{unit}sector__name"),
        _field("organisation", _("Organisation"), f"{unit}organisation__name", width=22),
        _field("cohort", _("Cohort"), f"{cohort}name", width=12),
    ]


def _status_columns(
    *, cohort: str, enrolled_at: str, enrolled: str | Promise, statuses: Sequence[Any]
) -> list[Column]:
    """The row's programme, its status (label, then code, of `statuses`) and its dates:
    the cohort's start, the unit's enrolment (at `enrolled_at`) and the completion."""
    return [
        _field("programme", _("Programme"), f"{cohort}programme__name"),
        _field("status", _("Status"), "status", choices=statuses, width=12),
        _field("status_code", _("Status code"), "status", width=12),
        _date("started_on", _("Started"), f"{cohort}starts_on"),
        _date("enrolled_on", enrolled, enrolled_at, local=True),
        _date("completed_on", _("Completed"), "completed_at", local=True),
    ]


# The reports' columns, in their default order.


def _participant_columns() -> list[Column]:
    cohort = "enrolment__cohort__"
    programme = f"{cohort}programme__"
    return [
        _field("email", _("Work e-mail"), "user__email", read=_work_email, width=30),
        Column(
            "name",
            _("Name"),
            fields=("user__first_name", "user__last_name"),
            read=_full_name,
            sort="user__last_name",
            width=26,
        ),
        _field("first_name", _("First name"), "user__first_name"),
        _field("last_name", _("Last name"), "user__last_name"),
        *_placement_columns(unit="enrolment__unit__", cohort=cohort),
        _field("role", _("Role"), "role", choices=Participant.Role.choices, width=12),
        *_status_columns(
            cohort=cohort,
            enrolled_at="enrolment__enrolled_at",
            enrolled=_("Unit enrolled"),
            statuses=Participant.Status.choices,
        ),
        _credited_hours("learning_hours", _("Hours of learning"), f"{programme}learning_hours"),
        _certificate_code("certificate_code", _("Certificate code")),
        _public_id("participant_id", _("Participant ID")),
        # SAP SuccessFactors Learning: learning history import (see the module's docstring).
        # Fixed headers, and not sortable: these columns are for export files.
        _field(
            "sf_stud_id",
            _("Learner ID"),
            "user__email",
            read=_work_email,
            sort=None,
            header="STUD_ID",
            width=30,
        ),
        Column(
            "sf_cpnt_typ_id", _("Item type"), read=lambda: "PROGRAM", header="CPNT_TYP_ID", width=12
        ),
        Column(
            "sf_cpnt_id",
            _("Item ID"),
            fields=(f"{programme}slug",),
            read=_upper,
            header="CPNT_ID",
            width=14,
        ),
        _date(
            "sf_rev_dte",
            _("Item revision date"),
            f"{programme}starts_on",
            sort=None,
            header="REV_DTE",
        ),
        Column(
            "sf_cmpl_stat_id",
            _("Completion status ID"),
            fields=("status",),
            read=_upper,
            header="CMPL_STAT_ID",
            width=14,
        ),
        _date(
            "sf_compl_dte",
            _("Completion date"),
            "completed_at",
            local=True,
            sort=None,
            header="COMPL_DTE",
        ),
        _credited_hours(
            "sf_total_hrs", _("Total hours"), f"{programme}learning_hours", header="TOTAL_HRS"
        ),
        _credited_hours(
            "sf_credit_hrs", _("Credit hours"), f"{programme}learning_hours", header="CREDIT_HRS"
        ),
        Column("sf_inst_name", _("Instructor"), read=lambda: "", header="INST_NAME", width=12),
        _certificate_code("sf_comments", _("Comments"), header="COMMENTS"),
    ]


def _unit_columns() -> list[Column]:
    return [
        *_placement_columns(unit="unit__", cohort="cohort__"),
        *_status_columns(
            cohort="cohort__",
            enrolled_at="enrolled_at",
            enrolled=_("Enrolled"),
            statuses=UnitEnrolment.Status.choices,
        ),
        _field(
            "manager_email",
            _("Manager's work e-mail"),
            "manager_email",
            read=_work_email,
            width=30,
        ),
        _field("team_size", _("Team members"), "team_size", kind=INTEGER, width=10),
        _field("team_completed", _("Members completed"), "team_completed", kind=INTEGER, width=10),
        _certificate_code("certificate_code", _("Certificate code")),
        _public_id("enrolment_id", _("Enrolment ID")),
    ]


def columns_for(report: str) -> dict[str, Column]:
    """Every column of a report, by key, in their default order."""
    columns = _unit_columns() if report == ReportKind.UNITS else _participant_columns()
    return {column.key: column for column in columns}


def fields_of(columns: Iterable[Column]) -> list[str]:
    """The `.values_list` names the columns need, each once, in order (`public_id` for
    the certificate code, which is looked up separately)."""
    names: dict[str, None] = {}
    for column in columns:
        for name in column.fields:
            names[name if name != CERTIFICATE_CODE else "public_id"] = None
    return list(names)


@dataclass(frozen=True)
class Preset:
    """Columns, in order, of one report. Built in (in code) or saved by HR."""

    key: str
    name: str | Promise
    report: str
    columns: tuple[str, ...]
    built_in: bool = True
    organisation_id: int | None = None
    pk: int | None = field(default=None, compare=False)

    @property
    def report_label(self) -> str:
        return str(ReportKind(self.report).label)

    def resolve(self) -> list[Column]:
        """The preset's columns (keys no longer known are left out)."""
        known = columns_for(self.report)
        return [known[key] for key in self.columns if key in known]


DEFAULT_PRESET = "default"
UNITS_PRESET = "units"
SUCCESSFACTORS_PRESET = "successfactors"

BUILT_IN_PRESETS: tuple[Preset, ...] = (
    Preset(
        DEFAULT_PRESET,
        _("Participants (default)"),
        ReportKind.PARTICIPANTS,
        (
            "email",
            "name",
            "unit_code",
            "unit_name",
            "sector",
            "cohort",
            "role",
            "programme",
            "status",
            "started_on",
            "completed_on",
            "learning_hours",
            "certificate_code",
        ),
    ),
    Preset(
        SUCCESSFACTORS_PRESET,
        _("SuccessFactors learning history"),
        ReportKind.PARTICIPANTS,
        (
            "sf_stud_id",
            "sf_cpnt_typ_id",
            "sf_cpnt_id",
            "sf_rev_dte",
            "sf_cmpl_stat_id",
            "sf_compl_dte",
            "sf_total_hrs",
            "sf_credit_hrs",
            "sf_inst_name",
            "sf_comments",
        ),
    ),
    Preset(
        UNITS_PRESET,
        _("Units (default)"),
        ReportKind.UNITS,
        (
            "unit_code",
            "unit_name",
            "sector",
            "cohort",
            "programme",
            "status",
            "started_on",
            "completed_on",
            "manager_email",
            "team_size",
            "team_completed",
            "certificate_code",
        ),
    ),
)
BUILT_IN_PRESET_KEYS = frozenset(preset.key for preset in BUILT_IN_PRESETS)


def default_preset(report: str) -> Preset:
    """The built-in preset a report opens with."""
    key = UNITS_PRESET if report == ReportKind.UNITS else DEFAULT_PRESET
    return next(preset for preset in BUILT_IN_PRESETS if preset.key == key)


def _saved(preset: ExportPreset) -> Preset:
    return Preset(
        key=preset.key,
        name=preset.name,
        report=preset.report,
        columns=tuple(preset.columns),
        built_in=False,
        organisation_id=preset.organisation_id,
        pk=preset.pk,
    )


def saved_presets_for(user: Any) -> Any:
    """Presets saved for the organisations the user belongs to (all of them for superusers)."""
    presets = ExportPreset.objects.select_related("organisation").order_by(
        "organisation__name", "name"
    )
    if user is None or not user.is_authenticated:
        return presets.none()
    if user.is_superuser:
        return presets
    return presets.filter(organisation__in=member_organisations(user))


def all_presets(*, user: Any) -> list[Preset]:
    """Built-in presets, then those saved for the user's organisations."""
    return [*BUILT_IN_PRESETS, *(_saved(preset) for preset in saved_presets_for(user))]


def available_presets(report: str, *, user: Any) -> list[Preset]:
    """The presets of one report the user may export with."""
    return [preset for preset in all_presets(user=user) if preset.report == report]


def find_preset(key: str, *, user: Any = None, organisations: Any = None) -> Preset | None:
    """A preset by key: built in, or saved for the user's (or the given) organisations."""
    for preset in BUILT_IN_PRESETS:
        if preset.key == key:
            return preset
    if organisations is not None:
        saved = ExportPreset.objects.filter(organisation__in=organisations, key=key)
    else:
        saved = saved_presets_for(user).filter(key=key)
    found = saved.order_by("organisation__name").first()
    return _saved(found) if found is not None else None


def validate_column_keys(report: str, keys: Sequence[str]) -> list[str]:
    """The keys, if every one is a column of the report and none repeats; else a clear error."""
    known = columns_for(report)
    if not keys:
        raise ValidationError(_("Choose at least one column."), code="empty")
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise ValidationError(
            _("Unknown columns: %(unknown)s. The columns of this report are: %(known)s."),
            params={"unknown": ", ".join(unknown), "known": ", ".join(known)},
            code="unknown",
        )
    repeated = sorted({key for key in keys if list(keys).count(key) > 1})
    if repeated:
        raise ValidationError(
            _("Each column only once: %(repeated)s."),
            params={"repeated": ", ".join(repeated)},
            code="repeated",
        )
    return list(keys)
