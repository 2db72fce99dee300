"""The innovation prize: a programme's categories, the year's nominations and the jury's
scores."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .project import InnovationProject

# The innovation prize's categories when a programme configures none: (key, name, description).
DEFAULT_PRIZE_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    (
        "arets-innovasjon",
        "Årets innovasjon",
        "Nytt, nyttig og nyttiggjort – med dokumentert gevinst.",
    ),
    ("stjael-med-stil", "Stjæl med stil", "Beste gjenbruk av en løsning fra en annen enhet."),
    ("beste-feil", "Beste feil", "Et forsøk som feilet og lærte oss mest."),
)


class PrizeCategory(models.Model):
    """A category of the programme's innovation prize, e.g. "Årets innovasjon"."""

    programme = models.ForeignKey(
        "lup.Programme",
        on_delete=models.CASCADE,
        related_name="prize_categories",
        verbose_name=_("programme"),
    )
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["programme", "position"]
        verbose_name = _("prize category")
        verbose_name_plural = _("prize categories")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "key"], name="lup_prize_category_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Nomination(models.Model):
    """A project nominated for a prize category in a year; the jury picks one winner."""

    category = models.ForeignKey(
        PrizeCategory,
        on_delete=models.CASCADE,
        related_name="nominations",
        verbose_name=_("category"),
    )
    project = models.ForeignKey(
        InnovationProject,
        on_delete=models.CASCADE,
        related_name="nominations",
        verbose_name=_("project"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    reason = models.TextField(_("why this project"))
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    is_winner = models.BooleanField(_("winner"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["category", "-year", "created_at"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "project", "year"], name="lup_nomination_once"
            ),
            models.UniqueConstraint(
                fields=["category", "year"],
                condition=Q(is_winner=True),
                name="lup_nomination_one_winner",
            ),
        ]
        indexes = [
            # The catalogue's newest winners, read from the top of this index and stopped
            # after a few: flat however many municipalities have held a prize.
            models.Index(
                F("year").desc(),
                F("id").desc(),
                condition=Q(is_winner=True),
                name="lup_nomination_winners_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.year}: {self.project}"


class JuryScore(models.Model):
    """A jury member's score (1–5) of a nomination."""

    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="scores", verbose_name=_("nomination")
    )
    juror = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("jury member"),
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("jury score")
        verbose_name_plural = _("jury scores")
        constraints = [
            models.UniqueConstraint(fields=["nomination", "juror"], name="lup_jury_score_once"),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="lup_jury_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nomination}: {self.score}"
