"""What a programme configures for its innovation projects: the phases of its roadmap and
the fields of its team canvas. Programmes that configure none get KS' defaults below."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# KS' veikart for tjenesteinnovasjon, used when a programme configures no phases of its own.
# (key, name, whether entering it starts the pilot — the clock for benefit follow-ups)
DEFAULT_PHASES: tuple[tuple[str, str, bool], ...] = (
    ("forankring", "Forankring", False),
    ("innsikt", "Innsikt", False),
    ("tjenesteutvikling", "Tjenesteutvikling", False),
    ("pilotering", "Pilotering", True),
    ("overgang-til-drift", "Overgang til drift", False),
    ("ny-praksis", "Ny praksis", False),
)

# The team canvas used when a programme configures no fields of its own: (key, label, help).
DEFAULT_CANVAS_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("purpose", "Formål", "Hvorfor finnes teamet, og hva skal prosjektet oppnå?"),
    ("goals", "Mål", "Hva vil vi ha oppnådd når prosjektet er ferdig?"),
    ("roles", "Roller", "Hvem gjør hva i teamet?"),
    ("values", "Verdier", "Hva er viktig for oss i måten vi jobber på?"),
    ("needs", "Behov og forventninger", "Hva trenger vi av hverandre og av ledelsen?"),
    ("rules", "Spilleregler", "Hvordan tar vi beslutninger og håndterer uenighet?"),
    ("strengths", "Styrker og svakheter", "Hva er vi gode på, og hvor trenger vi hjelp?"),
)


class ProjectPhase(models.Model):
    """A phase of a programme's innovation roadmap, in order."""

    programme = models.ForeignKey(
        "lup.Programme",
        on_delete=models.CASCADE,
        related_name="project_phases",
        verbose_name=_("programme"),
    )
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"))
    starts_pilot = models.BooleanField(
        _("starts the pilot"),
        default=False,
        help_text=_("Benefit follow-up measurements are due counting from entering this phase."),
    )

    class Meta:
        ordering = ["programme", "position"]
        verbose_name = _("project phase")
        verbose_name_plural = _("project phases")
        constraints = [
            models.UniqueConstraint(fields=["programme", "key"], name="lup_phase_unique_key"),
            models.UniqueConstraint(
                fields=["programme", "position"], name="lup_phase_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CanvasField(models.Model):
    """A field of a programme's team canvas, in order."""

    programme = models.ForeignKey(
        "lup.Programme",
        on_delete=models.CASCADE,
        related_name="canvas_fields",
        verbose_name=_("programme"),
    )
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=80)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["programme", "position"]
        verbose_name = _("canvas field")
        verbose_name_plural = _("canvas fields")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "key"], name="lup_canvas_field_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return self.label
