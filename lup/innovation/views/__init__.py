"""The project workspace: a unit team's innovation project, canvas, benefits and reviews.

Thin views. Reading starts from `scoping.projects_for` (out of scope answers 404); every
change starts from `selectors.editable_own_projects_for` (`scoping.editable_projects_for`
without imported projects) or `scoping.reviewable_projects_for`, so people who may read a
project but not change it get 404 on the editing pages and a read-only project page.

- `projects`: start, read and edit a project, change its phase, submit it for review;
- `canvas`: the team canvas, its history and versions;
- `benefits`: benefits, their follow-up measurements and the programme's roll-up;
- `review`: the facilitators' review.
"""

from .benefits import (
    benefit_create,
    benefit_detail,
    benefit_edit,
    benefit_update,
    programme_benefits,
)
from .canvas import canvas_history, canvas_version, project_canvas
from .projects import project_detail, project_edit, project_phase, project_start, project_submit
from .review import project_review

__all__ = [
    "benefit_create",
    "benefit_detail",
    "benefit_edit",
    "benefit_update",
    "canvas_history",
    "canvas_version",
    "programme_benefits",
    "project_canvas",
    "project_detail",
    "project_edit",
    "project_phase",
    "project_review",
    "project_start",
    "project_submit",
]
