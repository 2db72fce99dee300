"""The innovation project itself, with its dated phase changes, canvas versions and reviews.

A project belongs to a unit's enrolment in a cohort (the unit may keep working on it after
the cohort ends). Projects imported from another municipality have no enrolment and keep
where they came from.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .programme_setup import ProjectPhase

if TYPE_CHECKING:  # for annotations only: the core's models are referred to by "lup.Name"
    from ...models import Programme


class Licence(models.TextChoices):
    """Open licences a unit may choose when it shares its project."""

    CC_BY = "CC-BY-4.0", "CC BY 4.0"
    CC_BY_SA = "CC-BY-SA-4.0", "CC BY-SA 4.0"
    CC0 = "CC0-1.0", "CC0 1.0"
    NLOD = "NLOD-2.0", _("Norwegian Licence for Open Government Data (NLOD) 2.0")


class InnovationProject(models.Model):
    """A unit team's innovation project: the need, the idea, its phase, review and sharing.

    `enrolment` is empty only for projects imported from elsewhere; those keep their origin
    and are read-only reference material in the catalogue.
    """

    class Review(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    organisation = models.ForeignKey(
        "lup.Organisation",
        on_delete=models.PROTECT,
        related_name="innovation_projects",
        verbose_name=_("organisation"),
    )
    enrolment = models.OneToOneField(
        "lup.UnitEnrolment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="project",
        verbose_name=_("unit enrolment"),
    )
    title = models.CharField(_("title"), max_length=200)
    need = models.TextField(
        _("the need"), help_text=_("The need or problem, as the users experience it.")
    )
    audience = models.CharField(
        _("who it is for"), max_length=300, help_text=_("The users the project serves.")
    )
    idea = models.TextField(_("the idea"), blank=True)
    story = models.TextField(
        _("story"),
        blank=True,
        help_text=_("What you did, what happened and what you learned, for others to reuse."),
    )
    members = models.ManyToManyField(
        "lup.Participant",
        blank=True,
        related_name="innovation_projects",
        verbose_name=_("team members"),
    )
    phase = models.ForeignKey(
        ProjectPhase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("phase"),
    )
    review_status = models.CharField(
        _("review"), max_length=10, choices=Review.choices, default=Review.DRAFT
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    # Sharing in the catalogue ("stjæl og del"): only with the manager's recorded consent.
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices, blank=True)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent given by"),
    )
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    # Where an imported project came from; empty for our own.
    origin_organisation = models.CharField(_("origin organisation"), max_length=200, blank=True)
    origin_unit = models.CharField(_("origin unit"), max_length=200, blank=True)
    origin_sector = models.CharField(_("origin sector"), max_length=200, blank=True)
    origin_id = models.CharField(_("origin identifier"), max_length=64, blank=True)
    origin_url = models.URLField(_("origin address"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("innovation project")
        verbose_name_plural = _("innovation projects")
        permissions = [
            ("review_project", _("Can review and approve innovation projects")),
            ("judge_prize", _("Can judge the innovation prize")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(review_status="approved") & Q(approved_at__isnull=False))
                | (~Q(review_status="approved") & Q(approved_at__isnull=True)),
                name="lup_project_approved_iff_stamped",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True)
                | (Q(consent_at__isnull=False) & ~Q(licence="")),
                name="lup_project_published_with_consent_and_licence",
            ),
            models.CheckConstraint(
                condition=Q(enrolment__isnull=False) | ~Q(origin_organisation=""),
                name="lup_project_own_or_imported",
            ),
        ]
        indexes = [
            models.Index(fields=["published_at"], name="lup_project_published_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_imported(self) -> bool:
        """Imported from another municipality: no team, read-only reference material."""
        return self.enrolment_id is None

    @property
    def programme(self) -> Programme | None:
        """The programme of the team's cohort, whose phases and canvas fields the project
        uses; None for an imported project."""
        return self.enrolment.cohort.programme if self.enrolment is not None else None


class PhaseChange(models.Model):
    """The day a project entered a phase, so its timeline can be drawn."""

    project = models.ForeignKey(
        InnovationProject,
        on_delete=models.CASCADE,
        related_name="phase_changes",
        verbose_name=_("project"),
    )
    phase = models.ForeignKey(
        ProjectPhase, on_delete=models.PROTECT, related_name="+", verbose_name=_("phase")
    )
    entered_on = models.DateField(_("entered"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["project", "entered_on", "recorded_at"]
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")

    def __str__(self) -> str:
        return f"{self.project}: {self.phase} ({self.entered_on})"


class CanvasVersion(models.Model):
    """One saved version of a project's team canvas; the newest is the current canvas."""

    project = models.ForeignKey(
        InnovationProject,
        on_delete=models.CASCADE,
        related_name="canvas_versions",
        verbose_name=_("project"),
    )
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"), default=dict)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    saved_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        ordering = ["project", "-number"]
        verbose_name = _("canvas version")
        verbose_name_plural = _("canvas versions")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="lup_canvas_version_unique_number"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="lup_canvas_version_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.project} v{self.number}"


class ProjectReview(models.Model):
    """A facilitator's comment on a project at a review point, or their decision."""

    class Decision(models.TextChoices):
        COMMENT = "comment", _("Comment")
        APPROVE = "approve", _("Approve")
        RETURN = "return", _("Return for changes")

    class Point(models.TextChoices):
        PLAN = "plan", _("Project plan")
        MIDWAY = "midway", _("Midway")
        FINAL = "final", _("Final presentation")

    project = models.ForeignKey(
        InnovationProject,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("project"),
    )
    point = models.CharField(_("review point"), max_length=10, choices=Point.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["project", "created_at"]
        verbose_name = _("project review")
        verbose_name_plural = _("project reviews")

    def __str__(self) -> str:
        return f"{self.project}: {self.get_decision_display()}"
