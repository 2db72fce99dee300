"""A project's expected benefits (gevinster), their follow-up measurements and the reminders
sent when a follow-up is due."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .project import InnovationProject

MEASUREMENT_LIMIT = Decimal("1000000000")  # one billion: larger figures are typing mistakes


class BenefitType(models.TextChoices):
    """What kind of gain a benefit is, for grouping them across projects."""

    QUALITY = "quality", _("Quality for the users")
    TIME = "time", _("Time saved")
    COSTS = "costs", _("Costs avoided")
    SATISFACTION = "satisfaction", _("Staff satisfaction")
    OTHER = "other", _("Other")


class MeasureUnit(models.TextChoices):
    """Units of measure. Hours and kroner per year add up across projects; the rest do not."""

    HOURS_PER_YEAR = "hours_year", _("hours per year")
    NOK_PER_YEAR = "nok_year", _("kroner per year")
    PERCENT = "percent", _("per cent")
    SCORE = "score", _("score")
    COUNT = "count", _("count")

    @classmethod
    def summable(cls) -> frozenset[str]:
        return frozenset({cls.HOURS_PER_YEAR, cls.NOK_PER_YEAR})


class Benefit(models.Model):
    """An expected benefit (gevinst) of a project: what is measured, from where, towards what.

    The baseline (nullpunkt) is measured before the change; follow-up measurements show
    whether the benefit is realised. The owner is a role in the line organisation who
    answers for realising it, for example "enhetsleder".
    """

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    project = models.ForeignKey(
        InnovationProject,
        on_delete=models.CASCADE,
        related_name="benefits",
        verbose_name=_("project"),
    )
    type = models.CharField(_("type"), max_length=15, choices=BenefitType.choices)
    description = models.CharField(_("description"), max_length=300)
    indicator = models.CharField(
        _("indicator"), max_length=200, help_text=_("What is measured, and how.")
    )
    unit_of_measure = models.CharField(
        _("unit of measure"), max_length=12, choices=MeasureUnit.choices
    )
    baseline_value = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    baseline_on = models.DateField(_("baseline measured"))
    target_value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    target_on = models.DateField(_("target date"), null=True, blank=True)
    owner = models.CharField(
        _("benefit owner"),
        max_length=120,
        help_text=_("The role in the line organisation that answers for the benefit."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["project", "created_at"]
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_value__gt=-MEASUREMENT_LIMIT)
                & Q(baseline_value__lt=MEASUREMENT_LIMIT)
                & Q(target_value__gt=-MEASUREMENT_LIMIT)
                & Q(target_value__lt=MEASUREMENT_LIMIT),
                name="lup_benefit_values_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(target_value=models.F("baseline_value")),
                name="lup_benefit_target_differs_from_baseline",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def higher_is_better(self) -> bool:
        return self.target_value > self.baseline_value


class BenefitMeasurement(models.Model):
    """A follow-up measurement of a benefit's indicator on a day."""

    benefit = models.ForeignKey(
        Benefit, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("benefit")
    )
    measured_on = models.DateField(_("measured"))
    value = models.DecimalField(
        _("value"),
        max_digits=14,
        decimal_places=2,
        validators=[
            MinValueValidator(-MEASUREMENT_LIMIT + 1),
            MaxValueValidator(MEASUREMENT_LIMIT - 1),
        ],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["benefit", "measured_on"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["benefit", "measured_on"], name="lup_measurement_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(value__gt=-MEASUREMENT_LIMIT) & Q(value__lt=MEASUREMENT_LIMIT),
                name="lup_measurement_value_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.benefit}: {self.value} ({self.measured_on})"


class BenefitReminder(models.Model):
    """A follow-up reminder sent for a benefit, so each is sent once."""

    benefit = models.ForeignKey(
        Benefit, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("benefit")
    )
    due_on = models.DateField(_("due"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("benefit reminder")
        verbose_name_plural = _("benefit reminders")
        constraints = [
            models.UniqueConstraint(fields=["benefit", "due_on"], name="lup_benefit_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.benefit}: {self.due_on}"
