"""Writes on innovation projects: starting one, its phase, canvas, benefits and reviews.

Every service takes keyword-only arguments, runs in one transaction and validates with
`full_clean()` before saving, so a rejected input changes nothing. Refusals are Django's
`ValidationError`, re-exported here for callers that catch it. Reviews feed the programme's
completion rule through the completion services of `lup.services`.

- `projects`: the programme's phases, starting and changing a project, its phase;
- `canvas`: the team canvas's fields and its versions;
- `benefits`: expected benefits and their follow-up measurements;
- `follow_up`: when follow-ups are due, and the owners' (or managers') reminders of them;
- `phase_updates`: each benefit's update at the end of a phase, asked for by the phase change;
- `review`: submitting a project for review, and the facilitators' decisions.
"""

from django.core.exceptions import ValidationError

from .benefits import (
    BENEFIT_FIELDS,
    PLAN_FIELDS,
    add_benefit,
    owner_candidates,
    record_measurement,
    update_benefit,
)
from .canvas import CanvasConflict, canvas_fields, save_canvas
from .follow_up import (
    BENEFIT_REMINDER_GRACE_DAYS,
    MEASUREMENT_SLACK_DAYS,
    add_months,
    due_dates,
    next_due_date,
    send_benefit_reminders,
)
from .phase_updates import (
    finished_phase,
    finished_phase_from,
    record_benefit_update,
    request_benefit_updates,
    update_key,
)
from .projects import change_phase, ensure_project_phases, start_project, update_project
from .review import review_project, submit_for_review

__all__ = [
    "BENEFIT_FIELDS",
    "BENEFIT_REMINDER_GRACE_DAYS",
    "MEASUREMENT_SLACK_DAYS",
    "PLAN_FIELDS",
    "CanvasConflict",
    "ValidationError",
    "add_benefit",
    "add_months",
    "canvas_fields",
    "change_phase",
    "due_dates",
    "ensure_project_phases",
    "finished_phase",
    "finished_phase_from",
    "next_due_date",
    "owner_candidates",
    "record_benefit_update",
    "record_measurement",
    "request_benefit_updates",
    "review_project",
    "save_canvas",
    "send_benefit_reminders",
    "start_project",
    "submit_for_review",
    "update_benefit",
    "update_key",
    "update_project",
]
