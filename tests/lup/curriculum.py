"""A small curriculum wired to a cohort, for completion and assignment tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from courses.models import Activity, Assignment, Course, Module
from lup import services
from lup.models import CompletionRule, Gathering, Participant
from tests.factories import CohortFactory, ServiceUnitFactory, UserFactory


@dataclass
class Setup:
    cohort: Any
    enrolment: Any
    manager: Any
    enthusiasts: list[Any]
    page: Activity
    assignment: Assignment
    attendance: Activity
    gathering: Gathering
    optional: Activity


def build_curriculum(*, team_size: int = 2, team_assignment: bool = True) -> Setup:
    """A course with a content page, a team assignment, an attendance activity and an
    optional link; a cohort using it; one unit with a manager and enthusiasts."""
    cohort = CohortFactory(starts_on=dt.date(2026, 8, 1), ends_on=dt.date(2027, 1, 31))
    programme = cohort.programme
    course = Course.objects.create(title="LUP", slug=f"lup-{programme.pk}")
    theory = Module.objects.create(course=course, position=1, title="Teori")
    practice = Module.objects.create(course=course, position=2, title="Praksis", kind="practice")
    page = Activity.objects.create(
        module=theory, position=1, title="Hva er innovasjon?", kind="page"
    )
    optional = Activity.objects.create(
        module=theory, position=2, title="Les mer", kind="link", url="https://ks.no", required=False
    )
    task = Activity.objects.create(
        module=practice, position=1, title="Brukerreise", kind="assignment"
    )
    assignment = Assignment.objects.create(
        activity=task, instructions="Lag en brukerreise.", team=team_assignment
    )
    attendance = Activity.objects.create(
        module=practice, position=2, title="Avslutningssamling", kind="attendance"
    )
    gathering = Gathering.objects.create(
        cohort=cohort,
        kind=Gathering.Kind.CLOSING,
        title="Avslutning",
        # Under way now: attendance is refused before a gathering opens (30 minutes ahead).
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=5),
        activity=attendance,
    )
    programme.course = course
    programme.save()
    CompletionRule.objects.create(programme=programme, min_enthusiasts=1)
    enrolment = services.enrol_unit(
        cohort=cohort, unit=ServiceUnitFactory(organisation=programme.organisation)
    )
    manager = UserFactory()
    services.add_participant(enrolment=enrolment, user=manager, role=Participant.Role.MANAGER)
    enthusiasts = [UserFactory() for _ in range(team_size)]
    for person in enthusiasts:
        services.add_participant(enrolment=enrolment, user=person, role=Participant.Role.ENTHUSIAST)
    return Setup(
        cohort, enrolment, manager, enthusiasts, page, assignment, attendance, gathering, optional
    )
