"""One team's progress in the demo course, planned as rows (no queries): completions,
attendance at the gatherings held so far, team answers and H5P attempts.

Progress is consistent with the outcomes: completed participants have done every required
activity and attended the opening and the closing; the running cohort is part of the way,
with answers waiting for review and one returned with feedback; the upcoming cohort has not
started. Each team and each member draws from its own random stream.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from courses.api import Activity, ActivityCompletion, H5PAttempt, Submission

from ..courses_adapter import TEAM_PREFIX
from ..models import Attendance, Cohort, Gathering, Participant, UnitEnrolment
from . import curriculum as demo_curriculum
from .common import at, rng
from .course import Curriculum


@dataclass
class Member:
    """A participant of the team, as the plan needs them."""

    participant_id: int
    user_id: int
    email: str
    role: str
    status: str


@dataclass
class Team:
    """A unit enrolment whose members are new to the course."""

    enrolment_id: int
    status: str
    completed_at: dt.datetime | None
    cohort: Cohort
    unit_code: str
    members: list[Member]


@dataclass
class Rows:
    """What the plans of all teams add up to, inserted in bulk at the end."""

    completions: list[ActivityCompletion]
    attendances: list[Attendance]
    submissions: list[tuple[Submission, list[int]]]  # with the members' user ids
    attempts: list[H5PAttempt] = field(default_factory=list)


def _team_level(
    team: Team,
    *,
    phase: str,
    modules_done_by_now: int,
    module_count: int,
    returned: bool,
    team_rng: random.Random,
) -> int:
    """How many modules the team has done: all if it completed, few if it withdrew, most if
    it is still enrolled after the closing, and about the schedule in the running cohort."""
    if team.status == UnitEnrolment.Status.COMPLETED:
        level = module_count
    elif team.status == UnitEnrolment.Status.WITHDRAWN:
        level = team_rng.choice([0, 0, 1])
    elif phase == "past":  # still enrolled after the closing: did not finish
        level = team_rng.choice([3, 4])
    elif returned:
        level = 1  # the demo team: its user journey came back with feedback
    else:
        level = modules_done_by_now + team_rng.choices([-2, -1, 0, 1], weights=[2, 4, 4, 1])[0]
    if phase == "current":
        level = max(0, min(level, module_count - 1))  # the closing is still ahead
    return level


def plan_team(
    team: Team,
    *,
    index: int,
    curriculum: Curriculum,
    gatherings: dict[tuple[int, str], Gathering],
    today: dt.date,
    now: dt.datetime,
    returned: bool,
    reviewer: Any,
    rows: Rows,
) -> None:
    """Plan one team's completions, attendances and answers (appended to `rows`)."""
    cohort = team.cohort
    phase = cohort.phase_on(today)
    if phase == "future":
        return
    team_rng = rng(index, "progress", cohort.name, team.unit_code)
    modules = curriculum.modules
    elapsed = (today - cohort.starts_on).days
    level = _team_level(
        team,
        phase=phase,
        modules_done_by_now=sum(1 for module in modules if module.due_days < elapsed),
        module_count=len(modules),
        returned=returned,
        team_rng=team_rng,
    )

    def when(module_position: int, early_days: int) -> dt.datetime:
        """A moment `early_days` before the module was due, never in the future while the
        cohort runs. Draws from the team's stream, whoever the moment is for."""
        due = cohort.starts_on + dt.timedelta(days=modules[module_position - 1].due_days)
        moment = at(due - dt.timedelta(days=early_days), 8, team_rng.randint(0, 600))
        if phase != "past" and moment > now:
            moment = now - dt.timedelta(hours=team_rng.randint(1, 48))
        return moment

    current = [member for member in team.members if member.status != Participant.Status.WITHDRAWN]
    _plan_answers(
        team,
        current=current,
        curriculum=curriculum,
        phase=phase,
        level=level,
        returned=returned,
        reviewer=reviewer,
        now=now,
        when=when,
        team_rng=team_rng,
        rows=rows,
    )
    for member in team.members:
        member_rng = rng(index, "member", member.email)
        completed = member.status == Participant.Status.COMPLETED
        if member.status == Participant.Status.WITHDRAWN:
            member_level = min(level, member_rng.choice([0, 1]))
        elif phase == "current" and member.role == Participant.Role.ENTHUSIAST:
            member_level = max(0, level - (member_rng.random() < 0.07))
        else:
            member_level = level
        _plan_attendance(
            member,
            cohort_id=cohort.pk,
            completed=completed,
            curriculum=curriculum,
            gatherings=gatherings,
            now=now,
            member_rng=member_rng,
            rows=rows,
        )
        _plan_reading(
            member,
            team=team,
            completed=completed,
            member_level=member_level,
            curriculum=curriculum,
            when=when,
            member_rng=member_rng,
            rows=rows,
        )


def _plan_answers(
    team: Team,
    *,
    current: list[Member],
    curriculum: Curriculum,
    phase: str,
    level: int,
    returned: bool,
    reviewer: Any,
    now: dt.datetime,
    when: Callable[[int, int], dt.datetime],
    team_rng: random.Random,
    rows: Rows,
) -> None:
    """Team answers: approved for the modules the team has done; the next one may wait."""
    submitter = next(
        (member for member in current if member.role == Participant.Role.MANAGER),
        current[0] if current else None,
    )
    if submitter is None:
        return
    cohort = team.cohort
    for module in curriculum.modules:
        for plan in module.activities:
            if plan.kind != Activity.Kind.ASSIGNMENT:
                continue
            assignment = curriculum.assignments[plan.key]
            if module.position <= level:
                status = Submission.Status.APPROVED
            elif returned and module.position == level + 1:
                status = Submission.Status.RETURNED
            elif (
                phase == "current"
                and module.position == level + 1
                and team_rng.random() < 0.6
                and team.status == UnitEnrolment.Status.ENROLLED
            ):
                status = Submission.Status.SUBMITTED
            else:
                continue
            submitted_at = when(module.position, team_rng.randint(3, 12))
            reviewed = status != Submission.Status.SUBMITTED
            reviewed_at = min(submitted_at + dt.timedelta(days=2), now - dt.timedelta(minutes=30))
            due = at(cohort.starts_on + dt.timedelta(days=module.due_days), 23, 59)
            rows.submissions.append(
                (
                    Submission(
                        assignment=assignment,
                        submitted_by_id=submitter.user_id,
                        group_key=f"{TEAM_PREFIX}{team.enrolment_id}",
                        attempt=1,
                        text=demo_curriculum.answer_for(plan.key, team.enrolment_id),
                        submitted_at=submitted_at,
                        late=submitted_at > due,
                        status=status,
                        feedback=(
                            demo_curriculum.RETURNED_FEEDBACK
                            if status == Submission.Status.RETURNED
                            else demo_curriculum.APPROVED_FEEDBACK[plan.key]
                            if reviewed
                            else ""
                        ),
                        reviewed_by=reviewer if reviewed else None,
                        reviewed_at=reviewed_at if reviewed else None,
                    ),
                    [member.user_id for member in current],
                )
            )
            if status == Submission.Status.APPROVED:
                rows.completions.extend(
                    ActivityCompletion(
                        activity=assignment.activity,
                        user_id=member.user_id,
                        completed_at=reviewed_at,
                        source=ActivityCompletion.Source.SUBMISSION_APPROVED,
                    )
                    for member in current
                )


def _plan_attendance(
    member: Member,
    *,
    cohort_id: int,
    completed: bool,
    curriculum: Curriculum,
    gatherings: dict[tuple[int, str], Gathering],
    now: dt.datetime,
    member_rng: random.Random,
    rows: Rows,
) -> None:
    """Attendance at the gatherings held so far: the completed were at the opening and the
    closing; most others came to the opening and the session."""
    withdrawn = member.status == Participant.Status.WITHDRAWN
    for kind, activity in curriculum.attendance.items():
        gathering = gatherings.get((cohort_id, kind))
        if gathering is None or gathering.starts_at > now:
            continue
        if kind == Gathering.Kind.OPENING:
            present = completed or member_rng.random() < (0.8 if withdrawn else 0.98)
        elif kind == Gathering.Kind.CLOSING:
            present = completed
        else:
            present = not withdrawn and member_rng.random() < (0.9 if completed else 0.8)
        if not present:
            continue
        recorded_at = gathering.starts_at + dt.timedelta(minutes=member_rng.randint(5, 40))
        rows.attendances.append(
            Attendance(
                gathering=gathering,
                participant_id=member.participant_id,
                method=Attendance.Method.FACILITATOR,
                recorded_at=recorded_at,
            )
        )
        rows.completions.append(
            ActivityCompletion(
                activity=activity,
                user_id=member.user_id,
                completed_at=recorded_at,
                source=ActivityCompletion.Source.ATTENDANCE,
            )
        )


def _plan_reading(
    member: Member,
    *,
    team: Team,
    completed: bool,
    member_level: int,
    curriculum: Curriculum,
    when: Callable[[int, int], dt.datetime],
    member_rng: random.Random,
    rows: Rows,
) -> None:
    """Pages, links and the H5P reflection: every module up to the member's level, and a
    start on the next."""
    modules = curriculum.modules
    for module in modules:
        started_next = module.position == member_level + 1 and member_rng.random() < 0.5
        if module.position > member_level and not started_next:
            continue
        for plan in module.activities:
            if plan.kind not in (Activity.Kind.PAGE, Activity.Kind.LINK, Activity.Kind.H5P):
                continue
            if not plan.required and member_rng.random() < 0.4:
                continue
            moment = when(module.position, member_rng.randint(1, 14))
            if completed and module.position == len(modules):
                moment = (team.completed_at or moment) - dt.timedelta(hours=1)
            h5p = plan.kind == Activity.Kind.H5P
            rows.completions.append(
                ActivityCompletion(
                    activity=curriculum.activities[plan.key],
                    user_id=member.user_id,
                    completed_at=moment,
                    source=(
                        ActivityCompletion.Source.H5P
                        if h5p
                        else ActivityCompletion.Source.MARKED_DONE
                    ),
                )
            )
            if h5p:
                # The reflection scores 1 point, and 1 more for a right self-check.
                raw = member_rng.choice([1, 2, 2, 2])
                rows.attempts.append(
                    H5PAttempt(
                        activity=curriculum.activities[plan.key],
                        user_id=member.user_id,
                        statements=member_rng.randint(4, 9),
                        best_score_raw=raw,
                        best_score_max=2,
                        best_score_scaled=raw / 2,
                        last_statement_at=moment,
                    )
                )
            if started_next:
                break  # only the first page of the module begun
