"""What units take part in: programmes with their target, their cohorts, and the rule that
says when a participant and a unit have completed."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .organisations import Organisation, Sector


def reminder_days(value: str) -> list[int]:
    """The days before a due date to remind, from a programme's "7,0" (largest first)."""
    return sorted({int(part) for part in value.replace(" ", "").split(",") if part}, reverse=True)


def validate_reminder_days(value: str) -> None:
    """At most three whole numbers of days from 0 to 60, separated by commas."""
    try:
        days = reminder_days(value)
    except ValueError:
        raise ValidationError(
            _("Write whole numbers of days separated by commas, for example “7,0”."),
            code="invalid",
        ) from None
    if len(days) > 3 or any(day < 0 or day > 60 for day in days):
        raise ValidationError(
            _("Give at most three reminders, each from 0 to 60 days before."), code="invalid"
        )


class Programme(models.Model):
    """A programme such as LUP, with its target: so many units of its population by a deadline.

    The population is the owner organisation's active units, optionally narrowed to
    some sectors, or a fixed number when the organisation's register is incomplete.
    """

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="programmes",
        verbose_name=_("owner organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(
        _("short name"), max_length=40, help_text=_("As people say it, for example “LUP”.")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("programme start"))
    deadline = models.DateField(_("target deadline"))
    target_units = models.PositiveIntegerField(
        _("target (units)"),
        validators=[MinValueValidator(1)],
        help_text=_("How many units should have completed by the deadline."),
    )
    population_sectors = models.ManyToManyField(
        Sector,
        blank=True,
        related_name="+",
        verbose_name=_("sectors in scope"),
        help_text=_("Leave empty to count every active unit of the owner organisation."),
    )
    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
        verbose_name=_("curriculum"),
    )
    learning_hours = models.DecimalField(
        _("hours of learning"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Reported to HR for each participant who completes."),
    )
    population_size_override = models.PositiveIntegerField(
        _("fixed population size"),
        null=True,
        blank=True,
        help_text=_("Use when the unit register is incomplete; otherwise leave empty."),
    )
    due_reminder_days = models.CharField(
        _("due-date reminders (days before)"),
        max_length=20,
        default="7,0",
        blank=True,
        validators=[validate_reminder_days],
        help_text=_(
            "Remind those who have not done a module's required activities this many days "
            "before its due date, for example “7,0”: a week before and on the day. Leave "
            "empty for no reminders."
        ),
    )
    review_reminder_days = models.PositiveSmallIntegerField(
        _("remind facilitators of answers waiting (days)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Tell the cohort's facilitators when answers have waited this long."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        permissions = [("view_target_dashboard", _("Can view the target dashboard"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("starts_on")),
                name="lup_programme_deadline_after_start",
            ),
            models.CheckConstraint(
                condition=Q(target_units__gte=1), name="lup_programme_target_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Cohort(models.Model):
    """A cohort (kull) of about six months: units learn together from an opening to a closing."""

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=80, help_text=_("For example “LUP 4”."))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="lup_facilitated_cohorts",
        verbose_name=_("facilitators"),
    )
    # Closing settles every unit still enrolled (see `UnitEnrolment`); a closed cohort takes
    # no new units, and its figures no longer count anyone as "in progress".
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        ordering = ["programme", "starts_on", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"], name="lup_cohort_unique_name_per_programme"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="lup_cohort_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def phase_on(self, day: dt.date) -> str:
        """Whether the cohort is past, current or future on the given day."""
        if day < self.starts_on:
            return CohortPhase.FUTURE
        if day > self.ends_on:
            return CohortPhase.PAST
        return CohortPhase.CURRENT


class CohortPhase(models.TextChoices):
    """Where a cohort stands on a given day (`Cohort.phase_on`)."""

    PAST = "past", _("Finished")
    CURRENT = "current", _("Running")
    FUTURE = "future", _("Upcoming")


class CompletionRule(models.Model):
    """When a programme counts a participant and a unit as completed.

    A participant completes when they have done every required activity of the
    required modules (all modules when none are chosen) and attended enough
    gatherings. A unit completes when its manager and at least `min_enthusiasts`
    enthusiasts have completed (and, when required, its innovation project is approved).
    """

    programme = models.OneToOneField(
        Programme,
        on_delete=models.CASCADE,
        related_name="completion_rule",
        verbose_name=_("programme"),
    )
    required_modules = models.ManyToManyField(
        "courses.Module",
        blank=True,
        related_name="+",
        verbose_name=_("required modules"),
        help_text=_("Leave empty to require every module of the curriculum."),
    )
    min_enthusiasts = models.PositiveIntegerField(
        _("enthusiasts who must complete"),
        default=1,
        help_text=_("Besides the manager."),
    )
    min_attendance = models.PositiveIntegerField(
        _("gatherings to attend"), default=0, help_text=_("Per participant.")
    )
    require_project_approval = models.BooleanField(
        _("innovation project must be approved"),
        default=False,
        help_text=_("A facilitator must approve the unit's innovation project."),
    )

    class Meta:
        verbose_name = _("completion rule")
        verbose_name_plural = _("completion rules")

    def __str__(self) -> str:
        return str(self.programme)
