"""Recording the last activity that completes a participant and their unit takes a fixed,
small number of queries, whatever the size of the team (issue 15: at most 25)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses import services as course_services
from courses.models import ActivityCompletion
from lup import services
from lup.models import Attendance, Participant, UnitEnrolment
from tests.lup.curriculum import Setup, build_curriculum

pytestmark = pytest.mark.django_db

MAX_QUERIES = 25


def team_with_one_step_left(size: int, last: str) -> tuple[Setup, Callable[[], Any]]:
    """A unit whose `size - 1` enthusiasts have completed and whose manager has one thing
    left to do (`last`: the page, or attending the closing gathering); returns the setup
    and that last step."""
    setup = build_curriculum(team_size=size - 1)
    everything = [setup.page, setup.assignment.activity, setup.attendance]
    now = timezone.now()
    team = list(setup.enrolment.participants.select_related("user"))
    ActivityCompletion.objects.bulk_create(
        ActivityCompletion(activity=activity, user=member.user, source="marked_done")
        for member in team
        for activity in everything
        if member.role == Participant.Role.ENTHUSIAST
        or activity != (setup.page if last == "page" else setup.attendance)
    )
    Attendance.objects.bulk_create(
        Attendance(gathering=setup.gathering, participant=member, method="facilitator")
        for member in team
        if member.role == Participant.Role.ENTHUSIAST or last == "page"
    )
    setup.enrolment.participants.filter(role=Participant.Role.ENTHUSIAST).update(
        status=Participant.Status.COMPLETED, completed_at=now
    )
    manager = setup.enrolment.participants.get(role=Participant.Role.MANAGER)
    if last == "page":
        return setup, lambda: course_services.mark_done(user=setup.manager, activity=setup.page)
    return setup, lambda: services.record_attendance(
        gathering=setup.gathering,
        participant=manager,
        recorded_by=setup.manager,
        method="facilitator",
    )


def queries_to_complete(size: int, last: str) -> int:
    setup, last_step = team_with_one_step_left(size, last)
    assert setup.enrolment.participants.count() == size
    with CaptureQueriesContext(connection) as queries:
        last_step()

    manager = setup.enrolment.participants.get(role=Participant.Role.MANAGER)
    assert manager.status == Participant.Status.COMPLETED
    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.COMPLETED
    return len(queries)


@pytest.mark.parametrize("last", ["page", "attendance"])
def test_the_last_step_completes_a_team_of_2_and_of_30_in_the_same_few_queries(last):
    small = queries_to_complete(2, last)
    large = queries_to_complete(30, last)

    assert small <= MAX_QUERIES, f"a team of 2: {small} queries"
    assert large == small, f"a team of 2: {small} queries; a team of 30: {large}"


def test_the_limit_holds_with_django_assert_max_num_queries(django_assert_max_num_queries):
    _setup, last_step = team_with_one_step_left(30, "page")

    with django_assert_max_num_queries(MAX_QUERIES):
        last_step()
