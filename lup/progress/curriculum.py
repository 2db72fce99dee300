"""A course's modules as the columns of lup's progress tables, and where a member or a
team stands in one: not started, in progress, done, behind.

`courses` decides what a finished module is (`module_finished`) and each module's due day
(`ModuleOutline.due_on`, counted from the cohort's start); this module only reads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from courses.api import module_finished, module_outline

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
DONE = "done"
STATUS_LABELS = {
    NOT_STARTED: _("Not started"),
    IN_PROGRESS: _("In progress"),
    DONE: _("Done"),
}


class HasStatus:
    """A cell of a progress table: a `status` of `STATUS_LABELS`, shown by its label."""

    status: str

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


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

    def behind(self, status: str, today: dt.date) -> bool:
        """Whether a member or team with this `status` in the module is behind on `today`:
        not done, and the module's due day has passed (`courses.api`'s `due_on`)."""
        return status != DONE and self.due_on is not None and today > self.due_on


def module_columns(course_id: int | None, starts_on: dt.date) -> list[ModuleColumn]:
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


def member_status(column: ModuleColumn, done: int) -> str:
    """A member's status in a module, from how many of its required activities are done."""
    if module_finished(done=done, required=column.required):
        return DONE
    return IN_PROGRESS if done else NOT_STARTED
