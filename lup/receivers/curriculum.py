"""A change to a course's curriculum on the authoring pages (`courses.api.curriculum_changed`)
is audited: who changed which course, what (a `CurriculumChange` value) and its title.

Filed under the organisation that owns the course (`organisation_id`), which the audit log
scopes by: its administrators see each other's changes.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from courses.api import Course, curriculum_changed

from ..audit import record_event
from ..models import AuditEvent, CourseOwnership


@receiver(curriculum_changed, sender=Course, dispatch_uid="lup_audit_curriculum_changed")
def audit_curriculum_change(
    sender: Any, course: Course, user: Any, change: str, title: str, **kwargs: Any
) -> None:
    owner = (
        CourseOwnership.objects.filter(course_id=course.pk)
        .values_list("organisation_id", flat=True)
        .first()
    )
    record_event(
        action=AuditEvent.Action.CURRICULUM_CHANGED,
        actor=user,
        subject_label=course.title,
        course=course.title,
        change=change,
        item=title,
        organisation_id=owner,
    )
