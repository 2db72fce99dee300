"""How far a cohort's teams have come in the curriculum: reads for facilitators and managers.

`cohort_grid` gives the facilitators' grid (units × modules) and the review queue
(`grid`); `team_progress` gives a unit's page its members × modules and who is behind
(`team`); `attendance_sheet` gives a gathering's sheet (`attendance`);
`facilitated_cohorts` gives a facilitator's open cohorts with what waits for them
(`desk`). Each runs a fixed number of queries whatever the number of units, people and
modules.

A member has *finished* a module when they have completed every required activity of
it, and a module's due day counts from the cohort's start (course enrolments start then
too): `courses` decides both (`courses.api.module_finished`, `module_outline`,
`required_done_counts`, `ModuleOutline.due_on`), read in `curriculum`. A team's module
is *done* when every current member has finished it, *in progress* when someone has
started it, and *behind* when its due date has passed and it is not done.
"""

from .attendance import (
    AttendanceEntry,
    AttendanceGroup,
    AttendanceSheet,
    attendance_sheet,
    shown_groups,
)
from .curriculum import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    STATUS_LABELS,
    HasStatus,
    ModuleColumn,
    member_status,
    module_columns,
)
from .desk import facilitated_cohorts
from .grid import (
    Cell,
    CohortGrid,
    Filters,
    ReviewItem,
    UnitRow,
    answers_waiting,
    cohort_grid,
    parse_filters,
)
from .team import MemberCell, MemberRow, TeamProgress, team_progress

__all__ = [
    "DONE",
    "IN_PROGRESS",
    "NOT_STARTED",
    "STATUS_LABELS",
    "AttendanceEntry",
    "AttendanceGroup",
    "AttendanceSheet",
    "Cell",
    "CohortGrid",
    "Filters",
    "HasStatus",
    "MemberCell",
    "MemberRow",
    "ModuleColumn",
    "ReviewItem",
    "TeamProgress",
    "UnitRow",
    "answers_waiting",
    "attendance_sheet",
    "cohort_grid",
    "facilitated_cohorts",
    "member_status",
    "module_columns",
    "parse_filters",
    "shown_groups",
    "team_progress",
]
