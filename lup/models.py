"""The programme backbone: who takes part (units and people), in what, and when they completed.

The enrolled entity is the service unit (tjenestested). A unit joins a cohort of a
programme with its manager and a few enthusiasts; the programme measures how many
units in its population have completed against its target.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models.query import QuerySet


class Organisation(models.Model):
    """A municipality (or another public body). Units of other organisations join as guests."""

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    organisation_number = models.CharField(
        _("organisation number"),
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^\d{9}$", _("An organisation number has nine digits."))],
        help_text=_("Nine digits from the Central Coordinating Register (Enhetsregisteret)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Sector(models.Model):
    """A service area (tjenesteområde) of an organisation: school, kindergarten, care..."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="sectors",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="lup_sector_unique_name_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ServiceUnitQuerySet(models.QuerySet["ServiceUnit"]):
    def active(self) -> ServiceUnitQuerySet:
        return self.filter(active=True)


class ServiceUnit(models.Model):
    """A service unit (tjenestested): a school, a kindergarten, a care home. The enrolled entity."""

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="units", verbose_name=_("organisation")
    )
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="units", verbose_name=_("sector")
    )
    code = models.CharField(
        _("code"),
        max_length=40,
        help_text=_("The organisation's own identifier, such as the ansvarssted number."),
    )
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive units are left out of the population.")
    )

    objects = ServiceUnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("service unit")
        verbose_name_plural = _("service units")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], name="lup_serviceunit_unique_code_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


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

    def phase_on(self, day: dt.date) -> str:
        """Whether the cohort is past, current or future on the given day."""
        if day < self.starts_on:
            return CohortPhase.FUTURE
        if day > self.ends_on:
            return CohortPhase.PAST
        return CohortPhase.CURRENT


class CohortPhase(models.TextChoices):
    PAST = "past", _("Finished")
    CURRENT = "current", _("Running")
    FUTURE = "future", _("Upcoming")


def _new_check_in_code() -> str:
    import secrets

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


class UnitEnrolment(models.Model):
    """A service unit's place in a cohort, and when the unit completed the programme there."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
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
        _("status"), max_length=10, choices=Status.choices, default=Status.ENROLLED
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
        ]
        indexes = [models.Index(fields=["completed_at"], name="lup_enrol_completed_idx")]

    def __str__(self) -> str:
        return f"{self.unit.name} – {self.cohort.name}"


class ParticipantQuerySet(models.QuerySet["Participant"]):
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


class OrganisationMembership(models.Model):
    """A person who works for an organisation's programme office or HR.

    Their groups say what they may do (administer, or read reports); this record says
    where: the programmes of this organisation, with every unit enrolled in them.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lup_memberships",
        verbose_name=_("user"),
    )

    class Meta:
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="lup_membership_once_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"


class AuditEvent(models.Model):
    """A security-relevant event. Written by `lup.audit.record_event`, never edited.

    Labels keep who it was at the time, so the log reads after a person is gone;
    anonymising a person scrubs their labels here too.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        ROLE_CHANGED = "role_changed", _("Role changed")
        PERSONAL_DATA_EXPORTED = "data_exported", _("Personal data exported")
        PERSON_ANONYMISED = "anonymised", _("Person anonymised")
        CERTIFICATE_REVOKED = "certificate_revoked", _("Certificate revoked")
        COMPLETION_WITHDRAWN = "completion_withdrawn", _("Completion withdrawn")
        REPORT_EXPORTED = "report_exported", _("Completion report exported")
        API_TOKEN_CREATED = "api_token_created", _("API token created")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
        PROJECT_PUBLISHED = "project_published", _("Project published with consent")
        PROJECT_WITHDRAWN = "project_withdrawn", _("Project withdrawn from the catalogue")
        PROJECT_IMPORTED = "project_imported", _("Project imported")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    action = models.CharField(_("event"), max_length=24, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    actor_label = models.CharField(_("done by (as shown)"), max_length=254, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("concerning"),
    )
    subject_label = models.CharField(_("concerning (as shown)"), max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["action", "at"], name="lup_audit_action_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.subject_label}"


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


# The models of the features (`lup.innovation.models`, `lup.reporting.models`) belong to
# the `lup` app too, but this core module does not import them: LupConfig.import_models()
# loads them after this one. Everything imports them from their own packages.
__all__ = [
    "Attendance",
    "AuditEvent",
    "Cohort",
    "CohortPhase",
    "CompletionRule",
    "Gathering",
    "Organisation",
    "OrganisationMembership",
    "Participant",
    "Programme",
    "Sector",
    "ServiceUnit",
    "UnitEnrolment",
]
