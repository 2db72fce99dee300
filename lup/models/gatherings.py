"""The gatherings (samlinger) of a cohort, and who attended them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enrolments import Participant
from .programmes import Cohort


def _new_check_in_code() -> str:
    """A fresh, unguessable code for a gathering's check-in QR code.

    Migration 0004 refers to it as `lup.models._new_check_in_code`: keep that name.
    """
    return secrets.token_urlsafe(16)


class Gathering(models.Model):
    """A gathering (samling) of a cohort: the opening, sessions in between, and the closing."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening gathering")
        SESSION = "session", _("Gathering")
        CLOSING = "closing", _("Closing gathering")

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="gatherings", verbose_name=_("cohort")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SESSION)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    activity = models.ForeignKey(
        "courses.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gatherings",
        limit_choices_to={"kind": "attendance"},
        verbose_name=_("attendance activity"),
        help_text=_("Attending completes this activity of the curriculum."),
    )
    check_in_code = models.CharField(
        _("check-in code"), max_length=32, default=_new_check_in_code, editable=False
    )
    # RFC 5545's SEQUENCE: raised each time what a calendar shows changes (title, time,
    # place, agenda), so Outlook and Google replace the event they hold (same UID).
    calendar_sequence = models.PositiveIntegerField(
        _("calendar revision"), default=0, editable=False
    )

    class Meta:
        ordering = ["cohort", "starts_at"]
        verbose_name = _("gathering")
        verbose_name_plural = _("gatherings")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort"],
                condition=Q(kind="opening"),
                name="lup_gathering_one_opening_per_cohort",
            ),
            models.UniqueConstraint(
                fields=["cohort"],
                condition=Q(kind="closing"),
                name="lup_gathering_one_closing_per_cohort",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="lup_gathering_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cohort}: {self.title}"


class Attendance(models.Model):
    """A participant present at a gathering: recorded by a facilitator or by checking in."""

    class Method(models.TextChoices):
        FACILITATOR = "facilitator", _("Recorded by a facilitator")
        CHECK_IN = "check_in", _("Checked in with the QR code")

    gathering = models.ForeignKey(
        Gathering, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("gathering")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("participant"),
    )
    method = models.CharField(_("how"), max_length=12, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["gathering", "participant"], name="lup_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.gathering}"
