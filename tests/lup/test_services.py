"""Enrolment and completion services, and the rules the database enforces behind them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lup import services
from lup.models import Participant, UnitEnrolment
from tests.factories import (
    CohortFactory,
    ParticipantFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_enrolling_twice_returns_the_same_enrolment():
    cohort = CohortFactory()
    unit = ServiceUnitFactory(organisation=cohort.programme.organisation)

    first = services.enrol_unit(cohort=cohort, unit=unit)
    again = services.enrol_unit(cohort=cohort, unit=unit)

    assert first == again
    assert UnitEnrolment.objects.count() == 1


def test_a_unit_takes_part_in_one_cohort_of_a_programme():
    enrolment = UnitEnrolmentFactory()
    later = CohortFactory(programme=enrolment.cohort.programme, name="LUP 9")

    with pytest.raises(ValidationError, match=enrolment.cohort.name):
        services.enrol_unit(cohort=later, unit=enrolment.unit)


def test_a_withdrawn_unit_may_enrol_again_in_a_later_cohort():
    enrolment = UnitEnrolmentFactory(status=UnitEnrolment.Status.WITHDRAWN)
    later = CohortFactory(programme=enrolment.cohort.programme, name="LUP 9")

    assert services.enrol_unit(cohort=later, unit=enrolment.unit).cohort == later


def test_inactive_units_cannot_be_enrolled():
    cohort = CohortFactory()
    unit = ServiceUnitFactory(organisation=cohort.programme.organisation, active=False)

    with pytest.raises(ValidationError, match="inactive"):
        services.enrol_unit(cohort=cohort, unit=unit)


def test_a_team_has_one_manager():
    enrolment = UnitEnrolmentFactory()
    services.add_participant(enrolment=enrolment, user=UserFactory(), role="manager")

    with pytest.raises(ValidationError, match="already has a manager"):
        services.add_participant(enrolment=enrolment, user=UserFactory(), role="manager")


def test_the_database_also_refuses_a_second_manager():
    enrolment = UnitEnrolmentFactory()
    ParticipantFactory(enrolment=enrolment, role=Participant.Role.MANAGER)

    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(
            enrolment=enrolment, user=UserFactory(), role=Participant.Role.MANAGER
        )


def test_adding_a_participant_again_updates_the_role():
    enrolment = UnitEnrolmentFactory()
    user = UserFactory()
    services.add_participant(enrolment=enrolment, user=user, role="enthusiast")

    participant, created = services.add_participant(enrolment=enrolment, user=user, role="manager")

    assert not created
    assert participant.role == Participant.Role.MANAGER


def test_unit_completion_is_stamped_once():
    enrolment = UnitEnrolmentFactory()
    first_time = dt.datetime(2026, 1, 30, 15, tzinfo=dt.UTC)

    services.record_unit_completion(enrolment=enrolment, completed_at=first_time)
    again = services.record_unit_completion(
        enrolment=enrolment, completed_at=first_time + dt.timedelta(days=3)
    )

    assert again.status == UnitEnrolment.Status.COMPLETED
    assert again.completed_at == first_time


def test_withdrawn_enrolments_cannot_complete():
    enrolment = UnitEnrolmentFactory(status=UnitEnrolment.Status.WITHDRAWN)

    with pytest.raises(ValidationError):
        services.record_unit_completion(enrolment=enrolment)


def test_participant_completion_is_stamped_once():
    participant = ParticipantFactory()

    stamped = services.record_participant_completion(participant=participant)
    again = services.record_participant_completion(participant=participant)

    assert stamped.completed_at == again.completed_at
    assert again.status == Participant.Status.COMPLETED


def test_the_database_refuses_a_completed_status_without_a_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitEnrolmentFactory(status=UnitEnrolment.Status.COMPLETED, completed_at=None)
