"""Innovation projects, their canvas, benefits, reviews, reuse and the innovation prize.

A project belongs to a unit's enrolment in a cohort (the unit may keep working on it after
the cohort ends). Phases follow KS' roadmap for service innovation unless the programme
configures its own. Projects imported from another municipality have no enrolment and keep
where they came from.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
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

MEASUREMENT_LIMIT = Decimal("1000000000")  # one billion: larger figures are typing mistakes


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
        return self.enrolment_id is None


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


class BenefitType(models.TextChoices):
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


class ProjectReuse(models.Model):
    """A unit reuses another's published project ("stjæl og del"): the catalogue shows how
    ideas spread. The reusing side may link its own project."""

    source = models.ForeignKey(
        InnovationProject,
        on_delete=models.CASCADE,
        related_name="reuses",
        verbose_name=_("reused project"),
    )
    unit = models.ForeignKey(
        "lup.ServiceUnit",
        on_delete=models.CASCADE,
        related_name="project_reuses",
        verbose_name=_("reusing unit"),
    )
    project = models.ForeignKey(
        InnovationProject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reused_sources",
        verbose_name=_("the reusing unit's project"),
    )
    note = models.CharField(_("how we reuse it"), max_length=300, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reuse")
        verbose_name_plural = _("reuses")
        constraints = [
            models.UniqueConstraint(fields=["source", "unit"], name="lup_reuse_once_per_unit"),
            models.CheckConstraint(
                condition=~Q(project=models.F("source")), name="lup_reuse_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ← {self.source}"


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
