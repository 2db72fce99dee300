"""The facilitators' grid of a cohort: its units × the curriculum's modules, filtered, with
the queue of submissions waiting for review."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from courses.api import Submission, required_done_counts

from ..models import Cohort, Participant, UnitEnrolment
from .curriculum import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    HasStatus,
    ModuleColumn,
    member_status,
    module_columns,
)


@dataclass(frozen=True)
class Cell(HasStatus):
    """A team's progress in one module."""

    column: ModuleColumn
    members: int
    finished: int
    started: int
    status: str
    behind: bool


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


# Units no longer in the cohort: withdrawn, or moved to a later cohort on closing (the
# later cohort's grid shows them, with their team). Not completed units stay: they took
# part until the cohort closed.
NOT_TAKING_PART = frozenset({UnitEnrolment.Status.WITHDRAWN, UnitEnrolment.Status.MOVED})


@dataclass(frozen=True)
class Filters:
    sector: int | None = None
    status: str = ""
    behind: bool = False

    @property
    def active(self) -> bool:
        return bool(self.sector or self.status or self.behind)

    def shows(self, row: UnitRow) -> bool:
        """Whether the grid shows this unit (without a status filter: those taking part)."""
        status = row.enrolment.status
        return (
            (self.sector is None or row.enrolment.unit.sector_id == self.sector)
            and (status == self.status if self.status else status not in NOT_TAKING_PART)
            and (not self.behind or bool(row.behind))
        )


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


def _team_cell(
    column: ModuleColumn,
    team: list[int],
    finished: dict[tuple[int, int], int],
    *,
    counts_for_deadlines: bool,
    today: dt.date,
) -> Cell:
    """The team's module is done when every current member has finished it, in progress
    when someone has started it; behind only while the unit is enrolled."""
    statuses = [member_status(column, finished.get((user_id, column.pk), 0)) for user_id in team]
    done = statuses.count(DONE)
    started = done + statuses.count(IN_PROGRESS)
    if team and done == len(team):
        status = DONE
    elif started:
        status = IN_PROGRESS
    else:
        status = NOT_STARTED
    return Cell(
        column=column,
        members=len(team),
        finished=done,
        started=started,
        status=status,
        behind=counts_for_deadlines and column.behind(status, today),
    )


def answers_waiting(course_id: Any, people: QuerySet[Participant]) -> QuerySet[Submission]:
    """A cohort's review queue: answers in the course (an id or an expression) waiting for
    review, sent by any of `people`, oldest first. The grid, the facilitator's home page and
    the review page's "next answer" all read this one rule."""
    return Submission.objects.filter(
        status=Submission.Status.SUBMITTED,
        assignment__activity__module__course_id=course_id,
        submitted_by_id__in=people.values("user_id"),
    ).order_by("submitted_at", "pk")


def _review_queue(
    course_id: int, people: QuerySet[Participant], unit_of: dict[int, UnitEnrolment]
) -> list[ReviewItem]:
    """One query: submissions waiting for review in the course by `people`, oldest first,
    with the unit of the person who submitted (`unit_of`: user id -> enrolment)."""
    waiting = answers_waiting(course_id, people).select_related(
        "assignment__activity__module", "submitted_by"
    )
    return [
        ReviewItem(submission=submission, enrolment=unit_of.get(submission.submitted_by_id))
        for submission in waiting
    ]


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
    columns = module_columns(course_id, cohort.starts_on)  # query 1
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
        enrolled = enrolment.status == UnitEnrolment.Status.ENROLLED
        cells = [
            _team_cell(column, team, finished, counts_for_deadlines=enrolled, today=today)
            for column in columns
        ]
        rows.append(UnitRow(enrolment=enrolment, members=len(team), cells=cells))

    queue = []
    if course_id is not None:
        enrolment_by_pk = {enrolment.pk: enrolment for enrolment in all_enrolments}
        unit_of = {
            user_id: enrolment_by_pk[enrolment_id]
            for user_id, enrolment_id in enrolment_of_user.items()
            if enrolment_id in enrolment_by_pk
        }
        queue = _review_queue(course_id, people, unit_of)  # query 5
    return CohortGrid(
        cohort=cohort,
        today=today,
        columns=columns,
        rows=[row for row in rows if filters.shows(row)],
        units_total=sum(1 for row in rows if row.enrolment.status not in NOT_TAKING_PART),
        sectors=sorted(sectors.items(), key=lambda item: item[1]),
        review_queue=queue,
        filters=filters,
    )
