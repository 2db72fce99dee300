"""factory_boy factories for the programme backbone."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from lup.models import (
    Cohort,
    Organisation,
    Participant,
    Programme,
    Sector,
    ServiceUnit,
    UnitEnrolment,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    email = factory.Sequence(lambda n: f"person{n}@example.no")
    username = factory.SelfAttribute("email")
    first_name = "Kari"
    last_name = "Nordmann"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Kommune {n}")
    slug = factory.Sequence(lambda n: f"kommune-{n}")


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Sektor {n}")


class ServiceUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceUnit

    organisation = factory.SubFactory(OrganisationFactory)
    sector = factory.SubFactory(SectorFactory, organisation=factory.SelfAttribute("..organisation"))
    code = factory.Sequence(lambda n: f"{1000 + n}")
    name = factory.Sequence(lambda n: f"Enhet {n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    organisation = factory.SubFactory(OrganisationFactory)
    name = "Lederutviklingsprogram for innovasjon og ledelse"
    short_name = "LUP"
    slug = factory.Sequence(lambda n: f"lup-{n}")
    starts_on = dt.date(2025, 1, 1)
    deadline = dt.date(2026, 12, 31)
    target_units = 10


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"LUP {n}")
    starts_on = dt.date(2025, 8, 1)
    ends_on = dt.date(2026, 1, 31)


class UnitEnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitEnrolment

    cohort = factory.SubFactory(CohortFactory)
    unit = factory.SubFactory(
        ServiceUnitFactory, organisation=factory.SelfAttribute("..cohort.programme.organisation")
    )


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    enrolment = factory.SubFactory(UnitEnrolmentFactory)
    user = factory.SubFactory(UserFactory)
    role = Participant.Role.ENTHUSIAST
