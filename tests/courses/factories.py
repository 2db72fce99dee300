"""factory_boy factories for `courses` on its own (no programme, no cohort)."""

import datetime as dt

import factory

from courses.models import Activity, Assignment, Course, Enrolment, Module, RubricCriterion
from tests.factories import UserFactory


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Innovasjon {n}")
    slug = factory.Sequence(lambda n: f"innovasjon-{n}")


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Modul {n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    module = factory.SubFactory(ModuleFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Aktivitet {n}")
    kind = Activity.Kind.PAGE
    body = "Innovasjon er **nye** løsninger som skaper verdi."


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    activity = factory.SubFactory(
        ActivityFactory, kind=Activity.Kind.ASSIGNMENT, title="Brukerreise"
    )
    instructions = "Lag en *brukerreise* for en av tjenestene deres."


class RubricCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricCriterion

    assignment = factory.SubFactory(AssignmentFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = "Brukerinnsikt"
    levels = factory.LazyFunction(lambda: ["Begynnende", "Godt", "Svært godt"])


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    course = factory.SubFactory(CourseFactory)
    user = factory.SubFactory(UserFactory)
    starts_on = factory.LazyFunction(lambda: dt.date.today())
