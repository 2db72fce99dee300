"""Calls for applications and the applications to them.

A call fills one cohort: it says which units may apply (sectors or single units; neither
means every unit of the programme's population), until when, and how many places there are.
A unit's manager applies with the team they propose, or a sector's leader nominates a unit
of their sector; the programme office then accepts up to the capacity, puts others on the
waiting list or declines them. Accepting enrols the unit and its team with the same services
as the CSV import (`lup.intake.services.accept_application`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Cohort, Sector, ServiceUnit, UnitEnrolment


class Call(models.Model):
    """A call for applications to one cohort, with its capacity and deadline."""

    cohort = models.OneToOneField(
        Cohort, on_delete=models.PROTECT, related_name="call", verbose_name=_("cohort")
    )
    capacity = models.PositiveIntegerField(
        _("places"), help_text=_("How many units the cohort takes.")
    )
    deadline = models.DateField(_("apply by"))
    sectors = models.ManyToManyField(
        Sector,
        blank=True,
        related_name="+",
        verbose_name=_("sectors that may apply"),
        help_text=_("None chosen: every sector of the programme's population."),
    )
    units = models.ManyToManyField(
        ServiceUnit,
        blank=True,
        related_name="+",
        verbose_name=_("units that may apply"),
        help_text=_("Single units invited besides the sectors chosen."),
    )
    message = models.TextField(
        _("message to applicants"),
        blank=True,
        help_text=_("What the programme offers and asks of a unit, shown on the call."),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)

    class Meta:
        ordering = ["-deadline", "-pk"]
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="lup_call_has_places")
        ]

    def __str__(self) -> str:
        return str(self.cohort)

    def is_open(self, today: object | None = None) -> bool:
        """Whether units may still apply: the deadline has not passed and the cohort is open."""
        today = today or timezone.localdate()
        return bool(self.deadline >= today and self.cohort.closed_at is None)  # type: ignore[operator]


class Application(models.Model):
    """A unit's application to a call (its manager's), or its nomination (a sector leader's),
    with the team proposed and what the office decided."""

    class Kind(models.TextChoices):
        APPLIED = "applied", _("Applied by its manager")
        NOMINATED = "nominated", _("Nominated by the sector")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Accepted")
        WAITING = "waiting", _("On the waiting list")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="applications", verbose_name=_("call")
    )
    unit = models.ForeignKey(
        ServiceUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    manager_email = models.EmailField(_("the unit's manager (work e-mail)"))
    enthusiast_emails = models.JSONField(
        _("enthusiasts proposed (work e-mails)"), default=list, blank=True
    )
    motivation = models.TextField(_("what the unit wants to improve"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    submitted_at = models.DateTimeField(_("sent"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("note to the unit"), blank=True, max_length=2000)
    enrolment = models.OneToOneField(
        UnitEnrolment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("enrolment"),
    )

    class Meta:
        ordering = ["call", "submitted_at", "pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            # One live application per unit and call: a withdrawn or declined one may be
            # followed by a new one.
            models.UniqueConstraint(
                fields=["call", "unit"],
                condition=Q(status__in=["pending", "accepted", "waiting"]),
                name="lup_application_one_live_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(status="accepted", enrolment__isnull=False)
                | (~Q(status="accepted") & Q(enrolment__isnull=True)),
                name="lup_application_accepted_iff_enrolled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} – {self.call}"
