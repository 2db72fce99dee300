"""Two team members finishing at the same moment complete their unit: the unit's
completion is decided under the enrolment's row lock, from committed state."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from courses import services as course_services
from lup import services
from lup.models import Participant, UnitEnrolment
from lup.signals import participant_completed
from tests.factories import UserFactory
from tests.lup.curriculum import build_curriculum

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises all writers, so the race cannot happen there "
    "(run with DATABASE_URL=postgres://... as CI does)",
)


@pytest.mark.django_db(transaction=True)
def test_the_last_two_members_completing_at_once_complete_the_unit():
    setup = build_curriculum()
    facilitator = UserFactory(email="fasilitator@example.no")
    setup.cohort.facilitators.add(facilitator)
    submission = course_services.submit_assignment(
        user=setup.manager, assignment=setup.assignment, text="Vår brukerreise"
    )
    course_services.review_submission(submission=submission, reviewer=facilitator, approve=True)
    team = [setup.manager, setup.enthusiasts[0]]
    for person in team:
        services.record_attendance(
            gathering=setup.gathering,
            participant=setup.enrolment.participants.get(user=person),
            recorded_by=facilitator,
            method="facilitator",
        )

    # Each transaction waits, once its member is stamped, until the other's is too: both
    # then ask whether the unit has completed before either has committed.
    barrier = threading.Barrier(2, timeout=20)

    def wait_for_the_other(sender, participant, **kwargs):
        barrier.wait()

    participant_completed.connect(wait_for_the_other, dispatch_uid="test_race")
    errors: list[BaseException] = []

    def finish(person) -> None:
        try:
            course_services.mark_done(user=person, activity=setup.page)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=finish, args=(person,)) for person in team]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        participant_completed.disconnect(dispatch_uid="test_race")

    assert not errors, errors
    statuses = set(
        setup.enrolment.participants.filter(user__in=team).values_list("status", flat=True)
    )
    assert statuses == {Participant.Status.COMPLETED}
    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.COMPLETED
