"""CSV imports of service units and participants.

Files are UTF-8 (with or without BOM), separated by comma or semicolon, with a
header row; Norwegian and English column names are both understood. Every row is
validated before anything is written: a file with a bad row is rejected whole,
with every problem reported by line number. Re-importing a file updates what
changed and never creates duplicates.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from . import app_settings, services
from .models import Cohort, Organisation, Participant, Programme, Sector, ServiceUnit, UnitEnrolment

HEADER_LINE = 1


@dataclass(frozen=True)
class RowError:
    """One problem in an imported file; line numbers count the header as line 1."""

    line: int
    message: str

    def __str__(self) -> str:
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportResult:
    """What an import did: counts of created, updated and unchanged rows."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def __str__(self) -> str:
        return _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


class ImportRejected(Exception):
    """The file was rejected; `errors` lists every problem found. Nothing was written."""

    def __init__(self, errors: Iterable[RowError]):
        self.errors = sorted(errors, key=lambda error: error.line)
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass
class _Table:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


UNIT_COLUMNS: Mapping[str, set[str]] = {
    "code": {"code", "kode", "ansvarssted", "ansvar", "enhetskode"},
    "name": {"name", "navn", "enhet", "tjenestested", "enhetsnavn"},
    "sector": {"sector", "sektor", "tjenesteområde", "tjenesteomrade", "område"},
    "active": {"active", "aktiv"},
}
UNIT_REQUIRED = ("code", "name", "sector")

PARTICIPANT_COLUMNS: Mapping[str, set[str]] = {
    "email": {"email", "e-mail", "e-post", "epost", "e_post"},
    "first_name": {"first_name", "first name", "fornavn"},
    "last_name": {"last_name", "last name", "etternavn"},
    "unit_code": {"unit_code", "unit", "kode", "enhetskode", "ansvarssted"},
    "cohort": {"cohort", "kull"},
    "role": {"role", "rolle"},
    "organisation": {"organisation", "organisasjon", "kommune"},
}
PARTICIPANT_REQUIRED = ("email", "unit_code", "cohort", "role")

_TRUE_WORDS = {"", "1", "ja", "yes", "true", "sann", "x", "aktiv", "active"}
_FALSE_WORDS = {"0", "nei", "no", "false", "usann", "inaktiv", "inactive"}
_ROLE_WORDS = {
    "manager": Participant.Role.MANAGER,
    "leder": Participant.Role.MANAGER,
    "leiar": Participant.Role.MANAGER,
    "enhetsleder": Participant.Role.MANAGER,
    "enthusiast": Participant.Role.ENTHUSIAST,
    "ildsjel": Participant.Role.ENTHUSIAST,
    "eldsjel": Participant.Role.ENTHUSIAST,
}


def _read_table(data: bytes, columns: Mapping[str, set[str]], required: Iterable[str]) -> _Table:
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

    table = _Table()
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


def _parse_active(value: str) -> bool | None:
    word = value.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return None


def _check_length(
    errors: list[RowError], line: int, label: str, value: str, max_length: int
) -> None:
    if len(value) > max_length:
        errors.append(
            RowError(
                line,
                _("%(field)s is longer than %(max)d characters.")
                % {"field": label, "max": max_length},
            )
        )


def import_units(
    *, data: bytes, organisation: Organisation, create_sectors: bool = False
) -> ImportResult:
    """Create or update an organisation's service units from a CSV file.

    Columns: code, name, sector, and optionally active. Units are matched by code
    within the organisation. Unknown sectors are an error unless `create_sectors`.
    Raises ImportRejected with every bad row; in that case nothing is written.
    """
    table = _read_table(data, UNIT_COLUMNS, UNIT_REQUIRED)
    sectors = {sector.name.lower(): sector for sector in organisation.sectors.all()}
    errors: list[RowError] = []
    seen_codes: dict[str, int] = {}
    parsed: list[tuple[str, str, str, bool]] = []
    code_max = ServiceUnit._meta.get_field("code").max_length or 40
    name_max = ServiceUnit._meta.get_field("name").max_length or 200
    for line, row in table.rows:
        code, name, sector_name = row["code"], row["name"], row["sector"]
        if not code:
            errors.append(RowError(line, _("The code is empty.")))
        elif code in seen_codes:
            errors.append(
                RowError(
                    line,
                    _("Code %(code)s already appears on line %(line)d.")
                    % {"code": code, "line": seen_codes[code]},
                )
            )
        else:
            seen_codes[code] = line
        _check_length(errors, line, _("The code"), code, code_max)
        if not name:
            errors.append(RowError(line, _("The name is empty.")))
        _check_length(errors, line, _("The name"), name, name_max)
        if not sector_name:
            errors.append(RowError(line, _("The sector is empty.")))
        elif sector_name.lower() not in sectors and not create_sectors:
            errors.append(
                RowError(
                    line,
                    _("Unknown sector “%(sector)s”. Known sectors: %(known)s.")
                    % {
                        "sector": sector_name,
                        "known": ", ".join(sorted(s.name for s in sectors.values())) or "–",
                    },
                )
            )
        active = _parse_active(row.get("active", ""))
        if active is None:
            errors.append(
                RowError(
                    line,
                    _("“%(value)s” is not a yes/no value for active.") % {"value": row["active"]},
                )
            )
            active = True
        parsed.append((code, name, sector_name, active))
    if errors:
        raise ImportRejected(errors)

    result = ImportResult()
    with transaction.atomic():
        existing = {unit.code: unit for unit in organisation.units.filter(code__in=seen_codes)}
        for code, name, sector_name, active in parsed:
            sector = sectors.get(sector_name.lower())
            if sector is None:
                sector = Sector.objects.create(organisation=organisation, name=sector_name)
                sectors[sector_name.lower()] = sector
            unit = existing.get(code)
            if unit is None:
                ServiceUnit.objects.create(
                    organisation=organisation, code=code, name=name, sector=sector, active=active
                )
                result.created += 1
            elif (unit.name, unit.sector_id, unit.active) != (name, sector.pk, active):
                unit.name, unit.sector, unit.active = name, sector, active
                unit.save(update_fields=["name", "sector", "active"])
                result.updated += 1
            else:
                result.unchanged += 1
    return result


@dataclass(frozen=True)
class _ParticipantRow:
    line: int
    email: str
    first_name: str
    last_name: str
    unit: ServiceUnit
    cohort: Cohort
    role: str


def import_participants(*, data: bytes, programme: Programme) -> ImportResult:
    """Create or update participants of a programme's cohorts from a CSV file.

    Columns: email, first_name, last_name, unit_code, cohort, role (manager/leder
    or enthusiast/ildsjel), and optionally organisation for guest units. People
    are matched by e-mail; a unit is enrolled in the cohort when it is not yet.
    Raises ImportRejected with every bad row; in that case nothing is written.
    """
    table = _read_table(data, PARTICIPANT_COLUMNS, PARTICIPANT_REQUIRED)
    user_model = get_user_model()
    cohorts = {cohort.name.lower(): cohort for cohort in programme.cohorts.all()}
    organisations = {org.name.lower(): org for org in Organisation.objects.all()}
    organisations.update({org.slug.lower(): org for org in organisations.values()})
    unit_keys = {
        (
            organisations[row["organisation"].lower()].pk
            if row.get("organisation", "").lower() in organisations
            else programme.organisation_id,
            row["unit_code"],
        )
        for _line, row in table.rows
    }
    units = {
        (unit.organisation_id, unit.code): unit
        for unit in ServiceUnit.objects.filter(
            code__in={code for _org, code in unit_keys},
            organisation_id__in={org for org, _code in unit_keys},
        )
    }
    emails = {row["email"].lower() for _line, row in table.rows}
    users_by_email: dict[str, list] = defaultdict(list)
    for user in user_model.objects.annotate(email_lower=Lower("email")).filter(
        email_lower__in=emails
    ):
        users_by_email[user.email.lower()].append(user)

    errors: list[RowError] = []
    parsed: list[_ParticipantRow] = []
    seen: dict[tuple[int, str], int] = {}
    for line, row in table.rows:
        row_errors: list[RowError] = []
        email = row["email"].lower()
        try:
            validate_email(email)
        except ValidationError:
            row_errors.append(
                RowError(line, _("“%(email)s” is not an e-mail address.") % {"email": row["email"]})
            )
        if len(users_by_email.get(email, [])) > 1:
            row_errors.append(
                RowError(
                    line, _("Several users have the e-mail address %(email)s.") % {"email": email}
                )
            )
        organisation_id = programme.organisation_id
        if row.get("organisation"):
            organisation = organisations.get(row["organisation"].lower())
            if organisation is None:
                row_errors.append(
                    RowError(
                        line,
                        _("Unknown organisation “%(name)s”.") % {"name": row["organisation"]},
                    )
                )
            else:
                organisation_id = organisation.pk
        unit = units.get((organisation_id, row["unit_code"]))
        if unit is None:
            row_errors.append(
                RowError(line, _("No unit has the code “%(code)s”.") % {"code": row["unit_code"]})
            )
        elif not unit.active:
            row_errors.append(RowError(line, _("%(unit)s is inactive.") % {"unit": unit.name}))
        cohort = cohorts.get(row["cohort"].lower())
        if cohort is None:
            row_errors.append(
                RowError(
                    line,
                    _("%(programme)s has no cohort called “%(cohort)s”.")
                    % {"programme": programme.short_name, "cohort": row["cohort"]},
                )
            )
        role = _ROLE_WORDS.get(row["role"].strip().lower())
        if role is None:
            row_errors.append(
                RowError(
                    line,
                    _("Unknown role “%(role)s”: use leder (manager) or ildsjel (enthusiast).")
                    % {"role": row["role"]},
                )
            )
        for key, label in (("first_name", _("The first name")), ("last_name", _("The last name"))):
            _check_length(row_errors, line, label, row.get(key, ""), 150)
        if cohort is not None:
            seen_key = (cohort.pk, email)
            if seen_key in seen:
                row_errors.append(
                    RowError(
                        line,
                        _("%(email)s already appears in %(cohort)s on line %(line)d.")
                        % {"email": email, "cohort": cohort.name, "line": seen[seen_key]},
                    )
                )
            else:
                seen[seen_key] = line
        if row_errors:
            errors.extend(row_errors)
            continue
        # No row errors means the unit, cohort and role were all found.
        assert unit is not None
        assert cohort is not None
        assert role is not None
        parsed.append(
            _ParticipantRow(
                line=line,
                email=email,
                first_name=row.get("first_name", ""),
                last_name=row.get("last_name", ""),
                unit=unit,
                cohort=cohort,
                role=role,
            )
        )
    errors.extend(_team_conflicts(parsed))
    if errors:
        raise ImportRejected(errors)

    result = ImportResult()
    with transaction.atomic():
        for item in parsed:
            user, user_changed = _upsert_user(item, users_by_email)
            enrolment = services.enrol_unit(cohort=item.cohort, unit=item.unit)
            before = Participant.objects.filter(enrolment=enrolment, user=user).first()
            _participant, created = services.add_participant(
                enrolment=enrolment, user=user, role=item.role
            )
            if created:
                result.created += 1
            elif user_changed or (before is not None and before.role != item.role):
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def _team_conflicts(rows: list[_ParticipantRow]) -> list[RowError]:
    """Rows that would break a team or enrolment rule once the whole file is applied."""
    errors: list[RowError] = []
    if not rows:
        return errors
    pairs = {(row.cohort.pk, row.unit.pk) for row in rows}
    enrolments = {
        (enrolment.cohort_id, enrolment.unit_id): enrolment
        for enrolment in UnitEnrolment.objects.filter(
            cohort_id__in={cohort for cohort, _unit in pairs},
            unit_id__in={unit for _cohort, unit in pairs},
        )
    }
    # Other cohorts of the same programme these units are already in.
    programme_ids = {row.cohort.programme_id for row in rows}
    elsewhere: dict[tuple[int, int], str] = {}
    for enrolment in (
        UnitEnrolment.objects.filter(
            cohort__programme_id__in=programme_ids, unit_id__in={unit for _c, unit in pairs}
        )
        .exclude(status=UnitEnrolment.Status.WITHDRAWN)
        .select_related("cohort")
    ):
        elsewhere[(enrolment.cohort.programme_id, enrolment.unit_id)] = enrolment.cohort.name
    current_managers: dict[tuple[int, int], str] = {}
    for participant in (
        Participant.objects.current()
        .filter(enrolment__in=enrolments.values(), role=Participant.Role.MANAGER)
        .select_related("user", "enrolment")
    ):
        key = (participant.enrolment.cohort_id, participant.enrolment.unit_id)
        current_managers[key] = participant.user.email.lower()

    file_roles = {(row.cohort.pk, row.unit.pk, row.email): row.role for row in rows}
    managers_in_file: dict[tuple[int, int], list[_ParticipantRow]] = defaultdict(list)
    for row in rows:
        enrolled_in = elsewhere.get((row.cohort.programme_id, row.unit.pk))
        if enrolled_in is not None and enrolled_in != row.cohort.name:
            errors.append(
                RowError(
                    row.line,
                    _("%(unit)s is already enrolled in %(cohort)s.")
                    % {"unit": row.unit.name, "cohort": enrolled_in},
                )
            )
        if row.role == Participant.Role.MANAGER:
            managers_in_file[(row.cohort.pk, row.unit.pk)].append(row)
    for key, managers in managers_in_file.items():
        if len(managers) > 1:
            for row in managers[1:]:
                errors.append(
                    RowError(
                        row.line,
                        _("%(unit)s has more than one manager in the file (also line %(line)d).")
                        % {"unit": row.unit.name, "line": managers[0].line},
                    )
                )
            continue
        existing = current_managers.get(key)
        row = managers[0]
        # The current manager stays unless this file makes them an enthusiast.
        if (
            existing
            and existing != row.email
            and file_roles.get((key[0], key[1], existing)) != Participant.Role.ENTHUSIAST
        ):
            errors.append(
                RowError(
                    row.line,
                    _("%(unit)s already has a manager in %(cohort)s: %(email)s.")
                    % {"unit": row.unit.name, "cohort": row.cohort.name, "email": existing},
                )
            )
    return errors


def _upsert_user(item: _ParticipantRow, users_by_email: dict[str, list]) -> tuple[Any, bool]:
    """Find the person by e-mail or create them with no usable password (they sign in by SSO
    or reset their password); update their names when the file has new ones."""
    user_model = get_user_model()
    found = users_by_email.get(item.email)
    user: Any
    if not found:
        user = user_model(
            username=item.email[:150],
            email=item.email,
            first_name=item.first_name,
            last_name=item.last_name,
        )
        user.set_unusable_password()
        user.save()
        users_by_email[item.email] = [user]
        return user, False
    user = found[0]
    changed = False
    for attribute in ("first_name", "last_name"):
        value = getattr(item, attribute)
        if value and getattr(user, attribute) != value:
            setattr(user, attribute, value)
            changed = True
    if changed:
        user.save(update_fields=["first_name", "last_name"])
    return user, changed
