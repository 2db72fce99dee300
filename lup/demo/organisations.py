"""Demo organisations with their sectors and service units (the unit register)."""

from __future__ import annotations

import random

from ..models import Organisation, Sector, ServiceUnit
from . import names as demo_names
from .common import BATCH


def organisation_identity(index: int) -> tuple[str, str, str]:
    """Name, slug and organisation number of the `index`-th demo organisation.

    Past the list of real municipalities, the names come round again with a number.
    """
    base = demo_names.ORGANISATIONS[index % len(demo_names.ORGANISATIONS)]
    if index < len(demo_names.ORGANISATIONS):
        return base
    round_ = index // len(demo_names.ORGANISATIONS) + 1
    return (f"{base[0]} {round_}", f"{base[1]}-{round_}", "")


def _get_organisation(name: str, slug: str, number: str) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": name, "organisation_number": number}
    )
    if not organisation.data_protection_email:
        # A data protection officer's role address, so the demo's privacy statement is
        # complete (example.no: the demo must not point at a real municipality's mailbox).
        organisation.data_protection_officer = "Personvernombudet"
        organisation.data_protection_email = f"personvernombud@{slug}.example.no"
        organisation.save(update_fields=["data_protection_officer", "data_protection_email"])
    return organisation


def _get_sector(organisation: Organisation, name: str) -> Sector:
    sector, _ = Sector.objects.get_or_create(organisation=organisation, name=name)
    return sector


def seed_guest_organisation() -> list[ServiceUnit]:
    """Hole and the few units of it that take part in Bærum's cohorts."""
    organisation = _get_organisation(*demo_names.GUEST_ORGANISATION)
    units = []
    for code, unit_name, sector_name in demo_names.GUEST_UNITS:
        sector = _get_sector(organisation, sector_name)
        unit, _ = ServiceUnit.objects.get_or_create(
            organisation=organisation, code=code, defaults={"name": unit_name, "sector": sector}
        )
        units.append(unit)
    return units


def seed_organisation(index: int, rng: random.Random) -> tuple[Organisation, list[ServiceUnit]]:
    """The `index`-th demo organisation, its seven sectors and 200 units; returns the
    organisation and its active units by code."""
    organisation = _get_organisation(*organisation_identity(index))
    sectors = {
        sector_name: _get_sector(organisation, sector_name)
        for sector_name, *_rest in demo_names.SECTORS
    }
    existing_codes = set(organisation.units.values_list("code", flat=True))
    ServiceUnit.objects.bulk_create(
        [
            ServiceUnit(
                organisation=organisation,
                sector=sectors[sector_name],
                code=code,
                name=unit_name,
                active=active,
            )
            for sector_name, code, unit_name, active in unit_rows(rng)
            if code not in existing_codes
        ],
        batch_size=BATCH,
    )
    return organisation, list(organisation.units.filter(active=True).order_by("code"))


def unit_rows(rng: random.Random) -> list[tuple[str, str, str, bool]]:
    """(sector, code, name, active) for 200 units, with a few closed units."""
    rows = []
    for sector_name, count, prefix, kinds in demo_names.SECTORS:
        names: set[str] = set()
        places = demo_names.PLACES[:]
        rng.shuffle(places)
        number = 0
        while len(names) < count:
            place = places[number % len(places)]
            kind = kinds[(number // len(places)) % len(kinds)]
            number += 1
            name = f"{place} {kind}" if kind[0].islower() else f"{kind} {place}"
            names.add(name)
        for position, name in enumerate(sorted(names), start=1):
            rows.append((sector_name, f"{prefix}{position:03d}", name, True))
    # A handful of units have closed since the register was made: not in the population.
    for position in rng.sample(range(len(rows)), 4):
        sector_name, code, name, _active = rows[position]
        rows[position] = (sector_name, code, name, False)
    return rows
