"""The demo's intake: the upcoming cohort of the first organisation has an open call, with
applications from units that have never taken part, each in its own words."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..intake.models import Application, Call
from ..models import PLACE_GIVEN_UP, Programme, ServiceUnit, UnitEnrolment
from .common import plain_ascii

# What units wrote when they applied: one each, never the same text twice.
MOTIVATIONS = (
    "Foreldrene venter for lenge på svar om SFO-plass. Vi vil finne ut hvorfor, sammen med "
    "dem, og prøve en enklere søknad før sommeren.",
    "Hjemmetjenesten bruker mye tid på å kjøre mellom brukerne. Vi vil teste ruteplanlegging "
    "sammen med de ansatte og se hva det gir i tid hos brukerne.",
    "Ungdommene som kommer til oss sier de ikke finner fram i tilbudene. Vi vil lage en "
    "enklere vei inn, og bruke det andre enheter allerede har gjort.",
)


def seed_intake(programme: Programme, *, today: dt.date) -> None:
    """An open call for the programme's next cohort, with three applications. Idempotent."""
    coming = (
        programme.cohorts.filter(starts_on__gt=today, closed_at__isnull=True)
        .order_by("starts_on")
        .first()
    )
    if coming is None or Call.objects.filter(cohort=coming).exists():
        return
    deadline = min(today + dt.timedelta(days=21), coming.starts_on)
    call = Call.objects.create(
        cohort=coming,
        capacity=coming.enrolments.count() + 4,
        deadline=deadline,
        opened_at=timezone.now() - dt.timedelta(days=7),
        message=(
            "Lederen og to til fire ildsjeler fra enheten lærer innovasjon sammen i seks "
            "måneder og gjennomfører et innovasjonsprosjekt. Søk innen fristen."
        ),
    )
    taken = UnitEnrolment.objects.filter(cohort__programme=programme).exclude(
        status__in=PLACE_GIVEN_UP
    )
    candidates = (
        ServiceUnit.objects.filter(organisation_id=programme.organisation_id, active=True)
        .exclude(pk__in=taken.values("unit_id"))
        .order_by("code")[: len(MOTIVATIONS)]
    )
    domain = plain_ascii(programme.organisation.slug)
    for number, (unit, motivation) in enumerate(zip(candidates, MOTIVATIONS, strict=False)):
        Application.objects.create(
            call=call,
            unit=unit,
            kind=Application.Kind.APPLIED,
            manager_email=f"leder.{unit.code}@{domain}.kommune.no",
            enthusiast_emails=[
                f"ildsjel{i}.{unit.code}@{domain}.kommune.no" for i in range(1, 3 + number % 2)
            ],
            motivation=motivation,
            submitted_at=timezone.now() - dt.timedelta(days=6 - number),
        )
