"""Which organisation owns a course that programmes share.

A course (from the generic `courses` app) may be used by the programmes of several
organisations; only the owner organisation's staff may edit it, the others use it as it is.
`lup.courses_adapter.LupCoursesAdapter.editable_courses` reads this.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organisations import Organisation


class CourseOwnership(models.Model):
    """The organisation that owns (may edit) a course; other organisations may only use it."""

    course = models.OneToOneField(
        "courses.Course",
        on_delete=models.CASCADE,
        related_name="lup_ownership",
        verbose_name=_("course"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="owned_courses",
        verbose_name=_("owner organisation"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("course ownership")
        verbose_name_plural = _("course ownerships")

    def __str__(self) -> str:
        return f"{self.course} ({self.organisation})"
