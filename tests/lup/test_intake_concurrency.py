"""Places and teams under real concurrency, on PostgreSQL: two administrators accepting the
last place at the same moment, and two removals that would each leave the team at its
minimum. Each racer is a thread with its own connection, started together at a barrier;
many rounds, and every round must keep the invariant."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from lup.intake import services
from lup.intake.models import Application
from lup.models import OrganisationMembership, Participant, UnitEnrolment
from lup.services import remove_from_team
from tests.concurrency import on_postgresql
from tests.factories import (
    CohortFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
    UserFactory,
)

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True)]
ROUNDS = 10


def at_once(*actions):
    """Run the actions in threads released together; the errors they raised."""
    barrier = threading.Barrier(len(actions), timeout=30)
    errors: list[BaseException] = []

    def run(action):
        try:
            barrier.wait()
            action()
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_two_administrators_never_accept_more_units_than_places():
    organisation = OrganisationFactory()
    programme = ProgrammeFactory(organisation=organisation)
    administrator = UserFactory()
    sender = UserFactory()
    OrganisationMembership.objects.create(organisation=organisation, user=sender)
    today = timezone.localdate()
    for round_number in range(ROUNDS):
        cohort = CohortFactory(
            programme=programme,
            starts_on=today + dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=200),
        )
        call = services.open_call(
            cohort=cohort, capacity=1, deadline=today, opened_by=administrator
        )
        applications = [
            services.apply_to_call(
                call=call,
                unit=ServiceUnitFactory(organisation=organisation),
                sent_by=sender,
                motivation=f"Runde {round_number}",
            )
            for _ in range(2)
        ]

        errors = at_once(
            *(
                lambda application=application: services.accept_application(
                    application=application, by=administrator
                )
                for application in applications
            )
        )

        assert call.applications.filter(status=Application.Status.ACCEPTED).count() == 1
        assert UnitEnrolment.objects.filter(cohort=cohort).count() == 1
        assert len(errors) == 1
        assert isinstance(errors[0], ValidationError)


def test_two_removals_at_once_never_leave_the_team_below_the_minimum():
    """The rule asks one enthusiast; the team has two. Removing both at the same moment:
    one goes, the other is refused."""
    for _ in range(ROUNDS):
        enrolment = UnitEnrolmentFactory(cohort=CohortFactory(starts_on=dt.date(2026, 1, 1)))
        manager = ParticipantFactory(enrolment=enrolment, role=Participant.Role.MANAGER).user
        enthusiasts = [ParticipantFactory(enrolment=enrolment) for _ in range(2)]

        errors = at_once(
            *(
                lambda member=member, manager=manager: remove_from_team(
                    participant=member, removed_by=manager
                )
                for member in enthusiasts
            )
        )

        staying = Participant.objects.current().filter(
            enrolment=enrolment, role=Participant.Role.ENTHUSIAST
        )
        assert staying.count() == 1
        assert len(errors) == 1
        assert isinstance(errors[0], ValidationError)
