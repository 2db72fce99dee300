"""Participants' progress in the demo course: each newcomer's course enrolment, and the
completions, attendance and answers `lup.demo.progress_plan` plans for their team."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone

from courses.api import ActivityCompletion, Enrolment, H5PAttempt, Submission

from ..models import Attendance, CompletionRule, Gathering, Participant, Programme
from .common import BATCH
from .course import Curriculum
from .logins import FACILITATOR
from .progress_plan import Member, Rows, Team, plan_team


def seed_progress(
    index: int, *, programme: Programme, curriculum: Curriculum, today: dt.date
) -> None:
    """Link the programme to the curriculum, and give each participant not yet enrolled in
    the course an enrolment and the progress that fits their cohort and outcome."""
    course = curriculum.course
    if programme.course_id is None:
        programme.course = course
        programme.save(update_fields=["course"])
    CompletionRule.objects.get_or_create(
        programme=programme, defaults={"min_enthusiasts": 1, "min_attendance": 2}
    )
    for kind, activity in curriculum.attendance.items():
        Gathering.objects.filter(
            cohort__programme=programme, kind=kind, activity__isnull=True
        ).update(activity=activity)

    teams = _newcomer_teams(programme, course_id=course.pk)
    if not teams:
        return
    Enrolment.objects.bulk_create(
        [
            Enrolment(course=course, user_id=member.user_id, starts_on=team.cohort.starts_on)
            for team in teams.values()
            for member in team.members
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    gatherings = {
        (gathering.cohort_id, gathering.kind): gathering
        for gathering in Gathering.objects.filter(cohort__programme=programme)
    }
    facilitator = get_user_model().objects.filter(email=FACILITATOR).first() if index == 0 else None
    running_teams = sorted(
        (team for team in teams.values() if team.cohort.phase_on(today) == "current"),
        key=lambda team: team.unit_code,
    )
    returned_team = running_teams[0].enrolment_id if running_teams else None
    now = timezone.now()
    rows = Rows([], [], [])
    for team in teams.values():
        plan_team(
            team,
            index=index,
            curriculum=curriculum,
            gatherings=gatherings,
            today=today,
            now=now,
            returned=team.enrolment_id == returned_team,
            reviewer=facilitator if team.cohort.phase_on(today) == "current" else None,
            rows=rows,
        )
    ActivityCompletion.objects.bulk_create(
        rows.completions, batch_size=BATCH, ignore_conflicts=True
    )
    Attendance.objects.bulk_create(rows.attendances, batch_size=BATCH, ignore_conflicts=True)
    H5PAttempt.objects.bulk_create(rows.attempts, batch_size=BATCH, ignore_conflicts=True)
    _create_submissions(rows.submissions)


def _newcomer_teams(programme: Programme, *, course_id: int) -> dict[int, Team]:
    """The programme's participants not yet enrolled in the course, by team (enrolment id)."""
    newcomers = (
        Participant.objects.filter(enrolment__cohort__programme=programme)
        .exclude(Exists(Enrolment.objects.filter(course_id=course_id, user_id=OuterRef("user_id"))))
        .order_by("enrolment__unit__code", "pk")
        .values_list(
            "pk",
            "user_id",
            "user__email",
            "role",
            "status",
            "enrolment_id",
            "enrolment__status",
            "enrolment__completed_at",
            "enrolment__cohort_id",
            "enrolment__unit__code",
        )
    )
    cohorts = {cohort.pk: cohort for cohort in programme.cohorts.all()}
    teams: dict[int, Team] = {}
    for (
        participant_id,
        user_id,
        email,
        role,
        status,
        enrolment_id,
        enrolment_status,
        completed_at,
        cohort_id,
        unit_code,
    ) in newcomers:
        team = teams.get(enrolment_id)
        if team is None:
            team = teams[enrolment_id] = Team(
                enrolment_id, enrolment_status, completed_at, cohorts[cohort_id], unit_code, []
            )
        team.members.append(Member(participant_id, user_id, email, role, status))
    return teams


def _create_submissions(planned: list[tuple[Submission, list[int]]]) -> None:
    """Team answers and the members they cover; a team's existing answers are kept."""
    if not planned:
        return
    keys = {submission.group_key for submission, _members in planned}
    existing = set(
        Submission.objects.filter(group_key__in=keys).values_list("assignment_id", "group_key")
    )
    new = [
        (submission, members)
        for submission, members in planned
        if (submission.assignment_id, submission.group_key) not in existing
    ]
    Submission.objects.bulk_create([submission for submission, _members in new], batch_size=BATCH)
    ids = {
        (assignment_id, group_key): pk
        for pk, assignment_id, group_key in Submission.objects.filter(
            group_key__in=keys
        ).values_list("pk", "assignment_id", "group_key")
    }
    through = Submission.members.through
    through.objects.bulk_create(
        [
            through(
                submission_id=ids[(submission.assignment_id, submission.group_key)],
                user_id=user_id,
            )
            for submission, members in new
            for user_id in members
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
