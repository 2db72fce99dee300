"""How far a cohort's teams have come in the curriculum: reads for facilitators and managers.

`cohort_grid` gives the facilitators' grid (units × modules) and the review queue;
`team_progress` gives a unit's page its members × modules and who is behind. Both run
a fixed number of queries whatever the number of units, people and modules.

A member has *finished* a module when they have completed every required activity of
it, and a module's due day counts from the cohort's start (course enrolments start then
too): `courses` decides both (`courses.api.module_finished`, `module_outline`,
`required_done_counts`, `ModuleOutline.due_on`). A team's module is *done* when every
current member has finished it, *in progress* when someone has started it, and *behind*
when its due date has passed and it is not done.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.api import Submission, module_finished, module_outline, required_done_counts

from .models import (
    Attendance,
    Cohort,
    Gathering,
    Participant,
    UnitEnrolment,
)

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
DONE = "done"
STATUS_LABELS = {
    NOT_STARTED: _("Not started"),
    IN_PROGRESS: _("In progress"),
    DONE: _("Done"),
}


# The curriculum's columns -------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleColumn:
    """A module of the curriculum as a column: its required activities and due date."""

    pk: int
    position: int
    title: str
    kind: str
    kind_label: str
    required: int
    due_on: dt.date | None

    def overdue_on(self, today: dt.date) -> bool:
        return self.due_on is not None and today > self.due_on


def _columns(course_id: int | None, starts_on: dt.date) -> list[ModuleColumn]:
    """One query: the course's modules with the number of required activities (`courses`
    decides both, and each module's due day from the cohort's start)."""
    if course_id is None:
        return []
    return [
        ModuleColumn(
            pk=outline.module.pk,
            position=outline.module.position,
            title=outline.module.title,
            kind=outline.module.kind,
            kind_label=str(outline.module.get_kind_display()),
            required=outline.required,
            due_on=outline.due_on(starts_on),
        )
        for outline in module_outline(course_id)
    ]


def _member_status(column: ModuleColumn, done: int) -> str:
    if module_finished(done=done, required=column.required):
        return DONE
    return IN_PROGRESS if done else NOT_STARTED


# The facilitators' grid -------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A team's progress in one module."""

    column: ModuleColumn
    members: int
    finished: int
    started: int
    status: str
    behind: bool

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass(frozen=True)
class UnitRow:
    enrolment: UnitEnrolment
    members: int
    cells: list[Cell]

    @property
    def behind(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.behind]

    @property
    def modules_done(self) -> int:
        return sum(1 for cell in self.cells if cell.status == DONE)


@dataclass(frozen=True)
class ReviewItem:
    """A submission waiting for review, with the unit of the person who submitted it."""

    submission: Submission
    enrolment: UnitEnrolment | None


@dataclass(frozen=True)
class Filters:
    sector: int | None = None
    status: str = ""
    behind: bool = False

    @property
    def active(self) -> bool:
        return bool(self.sector or self.status or self.behind)


@dataclass
class CohortGrid:
    cohort: Cohort
    today: dt.date
    columns: list[ModuleColumn]
    rows: list[UnitRow]
    units_total: int
    sectors: list[tuple[int, str]]
    review_queue: list[ReviewItem]
    filters: Filters = field(default_factory=Filters)

    @property
    def units_behind(self) -> int:
        return sum(1 for row in self.rows if row.behind)


def parse_filters(params: Any) -> Filters:
    """Read the grid's filters from a query string, ignoring what does not parse."""
    sector = params.get("sector", "")
    status = params.get("status", "")
    return Filters(
        sector=int(sector) if sector.isdigit() else None,
        status=status if status in UnitEnrolment.Status.values else "",
        behind=params.get("behind") == "1",
    )


def cohort_grid(
    cohort: Cohort,
    enrolments: QuerySet[UnitEnrolment],
    *,
    filters: Filters | None = None,
    today: dt.date | None = None,
) -> CohortGrid:
    """The grid of a cohort's units (`enrolments`, already scoped) × the curriculum's modules.

    Four queries whatever the size: modules, enrolments, participants, completions;
    and a fifth for the review queue (submissions waiting, by the cohort's participants).
    """
    filters = filters or Filters()
    today = today or timezone.localdate()
    course_id = cohort.programme.course_id
    columns = _columns(course_id, cohort.starts_on)
    scoped = enrolments.filter(cohort_id=cohort.pk)
    all_enrolments = list(
        scoped.select_related("unit__sector").order_by("unit__name", "pk")
    )  # query 2
    people = Participant.objects.filter(enrolment__in=scoped.values("pk")).order_by()
    members: dict[int, list[int]] = defaultdict(list)
    enrolment_of_user: dict[int, int] = {}
    for enrolment_id, user_id, status in people.values_list(
        "enrolment_id", "user_id", "status"
    ):  # query 3
        enrolment_of_user.setdefault(user_id, enrolment_id)
        if status != Participant.Status.WITHDRAWN:
            members[enrolment_id].append(user_id)
    finished = (
        required_done_counts(course_id, people.values("user_id")) if course_id and columns else {}
    )  # query 4

    rows = []
    sectors: dict[int, str] = {}
    for enrolment in all_enrolments:
        sectors[enrolment.unit.sector_id] = enrolment.unit.sector.name
        team = members.get(enrolment.pk, [])
        cells = []
        for column in columns:
            statuses = [
                _member_status(column, finished.get((user_id, column.pk), 0)) for user_id in team
            ]
            done = statuses.count(DONE)
            started = done + statuses.count(IN_PROGRESS)
            if team and done == len(team):
                status = DONE
            elif started:
                status = IN_PROGRESS
            else:
                status = NOT_STARTED
            cells.append(
                Cell(
                    column=column,
                    members=len(team),
                    finished=done,
                    started=started,
                    status=status,
                    behind=(
                        status != DONE
                        and column.overdue_on(today)
                        and enrolment.status == UnitEnrolment.Status.ENROLLED
                    ),
                )
            )
        rows.append(UnitRow(enrolment=enrolment, members=len(team), cells=cells))

    shown = [
        row
        for row in rows
        if (filters.sector is None or row.enrolment.unit.sector_id == filters.sector)
        and (
            row.enrolment.status == filters.status
            if filters.status
            else row.enrolment.status != UnitEnrolment.Status.WITHDRAWN
        )
        and (not filters.behind or row.behind)
    ]

    enrolment_by_pk = {enrolment.pk: enrolment for enrolment in all_enrolments}
    queue = []
    if course_id is not None:
        waiting = (
            Submission.objects.filter(
                status=Submission.Status.SUBMITTED,
                assignment__activity__module__course_id=course_id,
                submitted_by_id__in=people.values("user_id"),
            )
            .select_related("assignment__activity__module", "submitted_by")
            .order_by("submitted_at", "pk")
        )  # query 5
        queue = [
            ReviewItem(
                submission=submission,
                enrolment=enrolment_by_pk.get(enrolment_of_user.get(submission.submitted_by_id, 0)),
            )
            for submission in waiting
        ]
    return CohortGrid(
        cohort=cohort,
        today=today,
        columns=columns,
        rows=shown,
        units_total=sum(
            1 for row in rows if row.enrolment.status != UnitEnrolment.Status.WITHDRAWN
        ),
        sectors=sorted(sectors.items(), key=lambda item: item[1]),
        review_queue=queue,
        filters=filters,
    )


# A unit's team: members × modules -----------------------------------------------------------


@dataclass(frozen=True)
class MemberCell:
    column: ModuleColumn
    done: int
    status: str
    behind: bool

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


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
    """The current members (of `members`, already scoped and loaded) × modules: two queries."""
    today = today or timezone.localdate()
    cohort = enrolment.cohort
    course_id = cohort.programme.course_id
    columns = _columns(course_id, cohort.starts_on)
    current = [member for member in members if member.status != Participant.Status.WITHDRAWN]
    if not columns or not current or course_id is None:
        return TeamProgress(today=today, columns=columns, rows=[])
    finished = required_done_counts(course_id, [member.user_id for member in current])
    counts_for_deadlines = enrolment.status == UnitEnrolment.Status.ENROLLED
    rows = []
    for member in current:
        cells = []
        for column in columns:
            done = finished.get((member.user_id, column.pk), 0)
            status = _member_status(column, done)
            cells.append(
                MemberCell(
                    column=column,
                    done=done,
                    status=status,
                    behind=(
                        counts_for_deadlines
                        and member.status == Participant.Status.ACTIVE
                        and status != DONE
                        and column.overdue_on(today)
                    ),
                )
            )
        rows.append(MemberRow(participant=member, cells=cells))
    return TeamProgress(today=today, columns=columns, rows=rows)


# Attendance at a gathering ------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceEntry:
    participant: Participant
    attendance: Attendance | None

    @property
    def checked_in(self) -> bool:
        return self.attendance is not None and self.attendance.method == Attendance.Method.CHECK_IN


@dataclass(frozen=True)
class AttendanceGroup:
    enrolment: UnitEnrolment
    entries: list[AttendanceEntry]


@dataclass(frozen=True)
class AttendanceSheet:
    """The cohort's current participants by unit, and who is marked present: two queries."""

    gathering: Gathering
    groups: list[AttendanceGroup]
    participants: list[Participant]
    present: dict[int, Attendance]

    @property
    def present_count(self) -> int:
        return sum(1 for participant in self.participants if participant.pk in self.present)


def attendance_sheet(gathering: Gathering) -> AttendanceSheet:
    participants = list(
        Participant.objects.current()
        .filter(enrolment__cohort_id=gathering.cohort_id)
        .exclude(enrolment__status=UnitEnrolment.Status.WITHDRAWN)
        .select_related("user", "enrolment__unit")
        .order_by(
            "enrolment__unit__name", "enrolment_id", "-role", "user__first_name", "user__last_name"
        )
    )
    present = {
        attendance.participant_id: attendance
        for attendance in Attendance.objects.filter(gathering_id=gathering.pk)
    }
    groups: list[AttendanceGroup] = []
    for participant in participants:
        if not groups or groups[-1].enrolment.pk != participant.enrolment_id:
            groups.append(AttendanceGroup(enrolment=participant.enrolment, entries=[]))
        groups[-1].entries.append(AttendanceEntry(participant, present.get(participant.pk)))
    return AttendanceSheet(
        gathering=gathering, groups=groups, participants=participants, present=present
    )
