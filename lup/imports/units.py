"""Importing an organisation's service units from a CSV file."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Organisation, Sector, ServiceUnit
from .csv_table import Table, check_length, read_table
from .results import ImportRejected, ImportResult, RowError

UNIT_COLUMNS: Mapping[str, set[str]] = {
    "code": {"code", "kode", "ansvarssted", "ansvar", "enhetskode"},
    "name": {"name", "navn", "enhet", "tjenestested", "enhetsnavn"},
    "sector": {"sector", "sektor", "tjenesteområde", "tjenesteomrade", "område"},
    "active": {"active", "aktiv"},
}
UNIT_REQUIRED = ("code", "name", "sector")

_TRUE_WORDS = {"", "1", "ja", "yes", "true", "sann", "x", "aktiv", "active"}
_FALSE_WORDS = {"0", "nei", "no", "false", "usann", "inaktiv", "inactive"}

# A valid row: code, name, sector name, active.
_UnitRow = tuple[str, str, str, bool]


def import_units(
    *, data: bytes, organisation: Organisation, create_sectors: bool = False
) -> ImportResult:
    """Create or update an organisation's service units from a CSV file.

    Columns: code, name, sector, and optionally active. Units are matched by code
    within the organisation. Unknown sectors are an error unless `create_sectors`.
    Raises ImportRejected with every bad row; in that case nothing is written.
    """
    table = read_table(data, UNIT_COLUMNS, UNIT_REQUIRED)
    sectors = {sector.name.lower(): sector for sector in organisation.sectors.all()}
    rows = _validate_unit_rows(table, sectors, create_sectors=create_sectors)
    return _apply_unit_rows(rows, organisation, sectors)


def _validate_unit_rows(
    table: Table, sectors: Mapping[str, Sector], *, create_sectors: bool
) -> list[_UnitRow]:
    """Check every row; raises ImportRejected with every problem found."""
    errors: list[RowError] = []
    seen_codes: dict[str, int] = {}
    parsed: list[_UnitRow] = []
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
        check_length(errors, line, _("The code"), code, code_max)
        if not name:
            errors.append(RowError(line, _("The name is empty.")))
        check_length(errors, line, _("The name"), name, name_max)
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
    return parsed


def _apply_unit_rows(
    rows: list[_UnitRow], organisation: Organisation, sectors: dict[str, Sector]
) -> ImportResult:
    """Create the new units and sectors, update the changed units, in one transaction."""
    codes = [code for code, _name, _sector, _active in rows]
    result = ImportResult()
    with transaction.atomic():
        existing = {unit.code: unit for unit in organisation.units.filter(code__in=codes)}
        for code, name, sector_name, active in rows:
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


def _parse_active(value: str) -> bool | None:
    """True or False for a yes/no cell (an empty cell means yes); None when it is neither."""
    word = value.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return None
