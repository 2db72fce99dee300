"""Who takes part in a cohort: a unit's enrolment, and the people on its team."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .organisations import ServiceUnit
from .programmes import Cohort

if TYPE_CHECKING:
    from django.db.models.query import QuerySet


class UnitEnrolment(models.Model):
    """A service unit's place in a cohort, and when the unit completed the programme there.

    While the cohort runs, a unit is enrolled (working), completed or withdrawn. Closing the
    cohort settles every unit still enrolled: it has not completed, or it moved to a later
    cohort (`moved_to`, which then holds its team and project, so its work is kept).
    """

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        NOT_COMPLETED = "not_completed", _("Not completed")
        MOVED = "moved", _("Moved to a later cohort")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("cohort")
    )
    unit = models.ForeignKey(
        ServiceUnit, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("unit")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ENROLLED
    )
    moved_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moved_from",
        verbose_name=_("moved to"),
    )
    enrolled_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # Systems sync completions incrementally from this (the API's `updated_since`).
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["cohort", "unit__name"]
        verbose_name = _("unit enrolment")
        verbose_name_plural = _("unit enrolments")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "unit"], name="lup_enrolment_unique_unit"),
            models.CheckConstraint(
                condition=(Q(status="completed") & Q(completed_at__isnull=False))
                | (~Q(status="completed") & Q(completed_at__isnull=True)),
                name="lup_enrolment_completed_iff_stamped",
            ),
            models.CheckConstraint(
                condition=(Q(status="moved") & Q(moved_to__isnull=False))
                | (~Q(status="moved") & Q(moved_to__isnull=True)),
                name="lup_enrolment_moved_iff_destination",
            ),
        ]
        indexes = [models.Index(fields=["completed_at"], name="lup_enrol_completed_idx")]

    def __str__(self) -> str:
        return f"{self.unit.name} – {self.cohort.name}"


# Enrolments that no longer hold the unit's place in the programme: it may join another
# cohort of the programme (see `lup.services.enrolment_conflict`).
PLACE_GIVEN_UP = (
    UnitEnrolment.Status.WITHDRAWN,
    UnitEnrolment.Status.NOT_COMPLETED,
    UnitEnrolment.Status.MOVED,
)


class ParticipantQuerySet(models.QuerySet["Participant"]):
    """Participants, with the filter for those still on a team."""

    def current(self) -> QuerySet[Participant]:
        return self.exclude(status=Participant.Status.WITHDRAWN)


class Participant(models.Model):
    """A person on a unit's team in a cohort: its manager (leder) or an enthusiast (ildsjel)."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Manager")
        ENTHUSIAST = "enthusiast", _("Enthusiast")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="lup_participations",
        verbose_name=_("user"),
    )
    enrolment = models.ForeignKey(
        UnitEnrolment,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("unit enrolment"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # Systems sync completions incrementally from this (the API's `updated_since`).
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["enrolment", "role", "user__last_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        permissions = [("anonymise_person", _("Can anonymise a person who has left"))]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "user"], name="lup_participant_once_per_enrolment"
            ),
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(role="manager") & ~Q(status="withdrawn"),
                name="lup_participant_one_manager_per_enrolment",
            ),
            models.CheckConstraint(
                condition=(Q(status="completed") & Q(completed_at__isnull=False))
                | (~Q(status="completed") & Q(completed_at__isnull=True)),
                name="lup_participant_completed_iff_stamped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
