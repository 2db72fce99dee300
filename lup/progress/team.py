"""A unit's team on its page: the current members × the curriculum's modules, and who is
behind."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from courses.api import required_done_counts

from ..models import Participant, UnitEnrolment
from .curriculum import HasStatus, ModuleColumn, member_status, module_columns


@dataclass(frozen=True)
class MemberCell(HasStatus):
    """A member's progress in one module."""

    column: ModuleColumn
    done: int
    status: str
    behind: bool


@dataclass(frozen=True)
class MemberRow:
    participant: Participant
    cells: list[MemberCell]

    @property
    def behind(self) -> list[MemberCell]:
        return [cell for cell in self.cells if cell.behind]


@dataclass(frozen=True)
class TeamProgress:
    today: dt.date
    columns: list[ModuleColumn]
    rows: list[MemberRow]

    @property
    def behind(self) -> list[MemberRow]:
        return [row for row in self.rows if row.behind]


def team_progress(
    enrolment: UnitEnrolment, members: list[Participant], *, today: dt.date | None = None
) -> TeamProgress:
    """The current members (of `members`, already scoped and loaded) × modules: two queries.

    A member is behind in a module only while both the unit's enrolment and their own
    participation are active."""
    today = today or timezone.localdate()
    cohort = enrolment.cohort
    course_id = cohort.programme.course_id
    columns = module_columns(course_id, cohort.starts_on)
    current = [member for member in members if member.status != Participant.Status.WITHDRAWN]
    if not columns or not current or course_id is None:
        return TeamProgress(today=today, columns=columns, rows=[])
    finished = required_done_counts(course_id, [member.user_id for member in current])
    counts_for_deadlines = enrolment.status == UnitEnrolment.Status.ENROLLED
    rows = []
    for member in current:
        active = counts_for_deadlines and member.status == Participant.Status.ACTIVE
        cells = []
        for column in columns:
            done = finished.get((member.user_id, column.pk), 0)
            status = member_status(column, done)
            cells.append(
                MemberCell(
                    column=column,
                    done=done,
                    status=status,
                    behind=active and column.behind(status, today),
                )
            )
        rows.append(MemberRow(participant=member, cells=cells))
    return TeamProgress(today=today, columns=columns, rows=rows)
