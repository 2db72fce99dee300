"""The demo programme of each organisation, its six cohorts and their three gatherings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import services
from ..models import Cohort, Gathering, Organisation, Programme
from .common import at

PROGRAMME_NAME = "Lederutviklingsprogram for innovasjon og ledelse"
PROGRAMME_DESCRIPTION = (
    "Lederen og noen ildsjeler fra samme tjenestested lærer innovasjon "
    "i teori og praksis, sammen, og gjennomfører et eget innovasjonsprosjekt."
)
TARGET_UNITS = 120


@dataclass(frozen=True)
class GatheringPlan:
    kind: str  # a Gathering.Kind value
    title: str
    place: str
    agenda: str


# Every cohort meets on its first day, half-way and on its last day, from 9 to 15.
GATHERINGS = [
    GatheringPlan(
        Gathering.Kind.OPENING,
        "Åpningssamling",
        "Sandvika rådhus, Kommunestyresalen",
        "Velkommen, innovasjon i Bærum, teamcanvas, behovskartlegging.",
    ),
    GatheringPlan(
        Gathering.Kind.SESSION,
        "Samling 2: Innsikt og idéutvikling",
        "Kunnskapssenteret, Bekkestua",
        "Brukerinnsikt, idéverksted, gevinstkartlegging.",
    ),
    GatheringPlan(
        Gathering.Kind.CLOSING,
        "Avslutningssamling med prosjektpresentasjoner",
        "Sandvika rådhus, Kommunestyresalen",
        "Prosjektpresentasjoner, stjæl og del, kursbevis.",
    ),
]


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after (or before) `day`'s month."""
    month_index = day.year * 12 + day.month - 1 + months
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def cohort_plan(today: dt.date) -> tuple[dt.date, dt.date, list[tuple[str, dt.date, dt.date]]]:
    """Programme start, deadline and six cohorts: four finished, one running, one upcoming."""
    current_start = add_months(today.replace(day=1), -3)
    cohorts = []
    for number in range(1, 7):
        starts = add_months(current_start, 6 * (number - 5))
        ends = add_months(starts, 6) - dt.timedelta(days=14)
        cohorts.append((f"LUP {number}", starts, ends))
    deadline = dt.date(today.year, 12, 31)
    if (deadline - today).days < 30:
        deadline = dt.date(today.year + 1, 12, 31)
    return cohorts[0][1], deadline, cohorts


def seed_programme(
    index: int, organisation: Organisation, *, today: dt.date
) -> tuple[Programme, list[Cohort]]:
    """The organisation's LUP programme and its cohorts, in order; new cohorts get their
    gatherings. The first organisation's programme is `lup`, the one README.md links."""
    starts_on, deadline, plan = cohort_plan(today)
    programme, _ = Programme.objects.get_or_create(
        slug="lup" if index == 0 else f"lup-{organisation.slug}",
        defaults={
            "organisation": organisation,
            "name": PROGRAMME_NAME,
            "short_name": "LUP",
            "description": PROGRAMME_DESCRIPTION,
            "starts_on": starts_on,
            "deadline": deadline,
            "target_units": TARGET_UNITS,
        },
    )
    cohorts = []
    for cohort_name, cohort_start, cohort_end in plan:
        cohort, created = Cohort.objects.get_or_create(
            programme=programme,
            name=cohort_name,
            defaults={"starts_on": cohort_start, "ends_on": cohort_end},
        )
        if created:
            seed_gatherings(cohort)
        cohorts.append(cohort)
    return programme, cohorts


def seed_gatherings(cohort: Cohort) -> None:
    """The opening, the session half-way and the closing of a new cohort."""
    middle = cohort.starts_on + (cohort.ends_on - cohort.starts_on) / 2
    days: dict[str, dt.date] = {
        Gathering.Kind.OPENING: cohort.starts_on,
        Gathering.Kind.SESSION: middle,
        Gathering.Kind.CLOSING: cohort.ends_on,
    }
    Gathering.objects.bulk_create(
        [
            Gathering(
                cohort=cohort,
                kind=plan.kind,
                title=plan.title,
                starts_at=at(days[plan.kind], 9),
                ends_at=at(days[plan.kind], 15),
                place=plan.place,
                agenda=plan.agenda,
            )
            for plan in GATHERINGS
        ]
    )


def close_finished_cohorts(programme: Programme, *, today: dt.date) -> None:
    """Close the cohorts that ended before the most recent one, as the programme office
    would have (their units still enrolled become "not completed"); the most recently
    ended cohort is left open, for the administrator to close in the demo."""
    ended = list(programme.cohorts.filter(ends_on__lt=today).order_by("ends_on", "pk"))
    for cohort in ended[:-1]:
        if not cohort.is_closed:
            services.close_cohort(cohort=cohort, closed_by=None)
