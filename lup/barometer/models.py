"""The innovation barometer's question sets, rounds and responses.

A programme's question set is versioned: publishing a change makes a new version, and a
response keeps the version it was given to (its answers are read with that version's
schema). A round is one unit enrolment's survey at one moment (start, end, follow-up).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BarometerSettings(models.Model):
    """A programme's barometer settings: when the follow-up comes, and the national
    reference figure (with its source) the results are compared with. Without a row, the
    defaults apply (`selectors.settings_for`)."""

    programme = models.OneToOneField(
        "lup.Programme",
        on_delete=models.CASCADE,
        related_name="barometer_settings",
        verbose_name=_("programme"),
    )
    follow_up_months = models.PositiveSmallIntegerField(
        _("follow-up after (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("How many months after the cohort's end the follow-up survey opens."),
    )
    reference_share = models.DecimalField(
        _("national share of innovative units"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("A share between 0 and 1, for example 0.75 for 3 of 4 units."),
    )
    reference_source = models.CharField(
        _("source of the national figure"),
        max_length=200,
        blank=True,
        help_text=_("For example “KS Innovasjonsbarometer 2020”."),
    )

    class Meta:
        verbose_name = _("barometer settings")
        verbose_name_plural = _("barometer settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reference_share__isnull=True)
                | models.Q(reference_share__gte=0, reference_share__lte=1),
                name="lup_barometer_reference_share_range",
            )
        ]

    def __str__(self) -> str:
        return str(_("Barometer settings of %(programme)s") % {"programme": self.programme})


class BarometerQuestionSet(models.Model):
    """One version of a programme's barometer questions, as structured data (`schema`,
    checked by `questions.validate_schema`). The highest version is the current one;
    older versions stay so that answers given to them can still be read."""

    programme = models.ForeignKey(
        "lup.Programme",
        on_delete=models.CASCADE,
        related_name="barometer_question_sets",
        verbose_name=_("programme"),
    )
    version = models.PositiveIntegerField(_("version"))
    schema = models.JSONField(_("questions"))
    created_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        ordering = ["programme", "-version"]
        verbose_name = _("barometer question set")
        verbose_name_plural = _("barometer question sets")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "version"], name="lup_barometer_question_set_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} v{self.version}"


class BarometerRound(models.Model):
    """A unit enrolment's barometer at one moment, open between two dates (inclusive)."""

    class Moment(models.TextChoices):
        START = "start", _("At the start")
        END = "end", _("At the end")
        FOLLOW_UP = "follow_up", _("Follow-up")

    enrolment = models.ForeignKey(
        "lup.UnitEnrolment",
        on_delete=models.CASCADE,
        related_name="barometer_rounds",
        verbose_name=_("unit enrolment"),
    )
    moment = models.CharField(_("moment"), max_length=10, choices=Moment.choices)
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    created_at = models.DateTimeField(_("opened"), default=timezone.now)

    class Meta:
        ordering = ["enrolment", "opens_on"]
        verbose_name = _("barometer round")
        verbose_name_plural = _("barometer rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "moment"], name="lup_barometer_round_once_per_moment"
            ),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="lup_barometer_round_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} – {self.get_moment_display()}"

    def is_open(self, today: object = None) -> bool:
        day = today or timezone.localdate()
        return self.opens_on <= day <= self.closes_on  # type: ignore[operator]


class BarometerResponse(models.Model):
    """The unit's answers in a round, given by a team member on the unit's behalf. One per
    round (so one per enrolment and moment). `innovative` is kept beside the answers so that
    results can count innovative units without reading every answer."""

    round = models.OneToOneField(
        BarometerRound, on_delete=models.CASCADE, related_name="response", verbose_name=_("round")
    )
    question_set = models.ForeignKey(
        BarometerQuestionSet,
        on_delete=models.PROTECT,
        related_name="responses",
        verbose_name=_("question set version"),
    )
    answers = models.JSONField(_("answers"))
    innovative = models.BooleanField(_("introduced innovations"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lup_barometer_responses",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        ordering = ["-answered_at"]
        verbose_name = _("barometer response")
        verbose_name_plural = _("barometer responses")

    def __str__(self) -> str:
        return str(self.round)
