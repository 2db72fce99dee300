"""Reads of the project workspace, each with a fixed number of queries.

- `access`: who may start a project, be on its team, edit it, read a benefit roll-up;
- `project_page`: everything the project page shows (eight queries whatever the project's
  size: members, timeline, phases, canvas, benefits, measurements, pilot start, reviews);
- `benefits`: one benefit's view, and a programme's benefits summed by type and unit of
  measure (`benefit_rollup`, two queries);
- `canvas`: the latest canvas, its history and word-by-word comparison of two versions;
- `reviews`: projects waiting for review per cohort (`with_projects_waiting`).
"""

from .access import (
    benefit_programmes_for,
    editable_own_projects_for,
    may_edit_project,
    startable_enrolments_for,
    team_of,
    updatable_benefits_for,
)
from .benefits import (
    BenefitRealisation,
    BenefitRollup,
    BenefitStanding,
    BenefitView,
    Realisation,
    RollupRow,
    assemble_benefit_view,
    benefit_realisation,
    benefit_rollup,
    benefit_view,
    oriented,
)
from .canvas import (
    FieldComparison,
    Segment,
    canvas_history,
    compare_canvas,
    latest_canvas,
    word_diff,
)
from .project_page import ProjectPage, TimelineEntry, project_page, reviews_of
from .reviews import with_projects_waiting

__all__ = [
    "BenefitRealisation",
    "BenefitRollup",
    "BenefitStanding",
    "BenefitView",
    "FieldComparison",
    "ProjectPage",
    "Realisation",
    "RollupRow",
    "Segment",
    "TimelineEntry",
    "assemble_benefit_view",
    "benefit_programmes_for",
    "benefit_realisation",
    "benefit_rollup",
    "benefit_view",
    "canvas_history",
    "compare_canvas",
    "editable_own_projects_for",
    "latest_canvas",
    "may_edit_project",
    "oriented",
    "project_page",
    "reviews_of",
    "startable_enrolments_for",
    "team_of",
    "updatable_benefits_for",
    "with_projects_waiting",
    "word_diff",
]
