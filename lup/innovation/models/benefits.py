"""A project's expected benefits (gevinster), their follow-up measurements, their update at
the end of each project phase, and the reminders sent when a follow-up is due."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .programme_setup import ProjectPhase
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


class BenefitClass(models.TextChoices):
    """Where a benefit lands, as the state's benefit realisation practice sorts them: only
    the first is money the own budget can take out; the last cannot be priced at all."""

    BUDGET = "budget", _("Budget effect in our own organisation")
    FREED_CAPACITY = "capacity", _("Freed capacity used for other tasks")
    PUBLIC_SECTOR = "public", _("Priced benefits elsewhere in the public sector")
    NON_PRICED = "non_priced", _("Non-priced effects")


class Benefit(models.Model):
    """An expected benefit (gevinst) of a project: what is measured, from where, towards what.

    The baseline (nullpunkt) is measured before the change; follow-up measurements show
    whether the benefit is realised. The owner is a role in the line organisation who
    answers for realising it, for example "enhetsleder"; `owner_person` names the person
    in that role (of the unit's organisation, possibly outside the team), who is reminded
    to update the benefit. The benefit map reads change -> effect -> benefit.
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
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lup_owned_benefits",
        verbose_name=_("benefit owner (person)"),
    )
    # Empty only for benefits recorded before benefits had a class.
    benefit_class = models.CharField(
        _("benefit class"), max_length=12, choices=BenefitClass.choices, blank=True
    )
    leads_from_change = models.CharField(_("the change"), max_length=300, blank=True)
    effect = models.CharField(_("the effect"), max_length=300, blank=True)
    baseline_method = models.CharField(_("baseline method"), max_length=300, blank=True)
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


class BenefitUpdate(models.Model):
    """A benefit's status and value at the end of one project phase: one per benefit and
    phase, asked for when the project leaves the phase."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        REALISED = "realised", _("Realised")

    benefit = models.ForeignKey(
        Benefit, on_delete=models.CASCADE, related_name="updates", verbose_name=_("benefit")
    )
    phase = models.ForeignKey(
        ProjectPhase, on_delete=models.PROTECT, related_name="+", verbose_name=_("phase")
    )
    value = models.DecimalField(
        _("value"),
        max_digits=14,
        decimal_places=2,
        validators=[
            MinValueValidator(-MEASUREMENT_LIMIT + 1),
            MaxValueValidator(MEASUREMENT_LIMIT - 1),
        ],
    )
    measured_on = models.DateField(_("measured"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
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
        verbose_name = _("benefit update")
        verbose_name_plural = _("benefit updates")
        constraints = [
            models.UniqueConstraint(
                fields=["benefit", "phase"], name="lup_benefit_update_once_per_phase"
            ),
            models.CheckConstraint(
                condition=Q(value__gt=-MEASUREMENT_LIMIT) & Q(value__lt=MEASUREMENT_LIMIT),
                name="lup_benefit_update_value_in_range",
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
