"""Reuse of a published project by another unit ("stjæl og del")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .project import InnovationProject


class ProjectReuse(models.Model):
    """A unit reuses another's published project ("stjæl og del"): the catalogue shows how
    ideas spread. The reusing side may link its own project."""

    source = models.ForeignKey(
        InnovationProject,
        on_delete=models.CASCADE,
        related_name="reuses",
        verbose_name=_("reused project"),
    )
    unit = models.ForeignKey(
        "lup.ServiceUnit",
        on_delete=models.CASCADE,
        related_name="project_reuses",
        verbose_name=_("reusing unit"),
    )
    project = models.ForeignKey(
        InnovationProject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reused_sources",
        verbose_name=_("the reusing unit's project"),
    )
    note = models.CharField(_("how we reuse it"), max_length=300, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reuse")
        verbose_name_plural = _("reuses")
        constraints = [
            models.UniqueConstraint(fields=["source", "unit"], name="lup_reuse_once_per_unit"),
            models.CheckConstraint(
                condition=~Q(project=models.F("source")), name="lup_reuse_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ← {self.source}"
