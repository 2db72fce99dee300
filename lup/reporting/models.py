"""Saved column presets, scheduled exports and API tokens for systems that read reports."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    PARTICIPANTS = "participants", _("Participants")
    UNITS = "units", _("Units")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX (Excel)"


class ExportPreset(models.Model):
    """Columns, in order, that HR saved for a report (the built-in presets live in code)."""

    organisation = models.ForeignKey(
        "lup.Organisation",
        on_delete=models.CASCADE,
        related_name="export_presets",
        verbose_name=_("organisation"),
    )
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    report = models.CharField(
        _("report"), max_length=12, choices=ReportKind.choices, default=ReportKind.PARTICIPANTS
    )
    columns = models.JSONField(_("columns"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("export preset")
        verbose_name_plural = _("export presets")
        permissions = [("export_completions", _("Can export completion reports"))]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"], name="lup_export_preset_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ScheduledExport(models.Model):
    """A preset that a Celery beat task generates every week or month and delivers.

    It runs on its owner's (`created_by`'s) authority: when the owner is deactivated,
    loses the export role or no longer works for the organisation, or its destination is
    no longer allowed, the schedule is stopped (`active` false, with `stopped_at` and
    `stopped_reason`) instead of sending anything. Whoever saves it next becomes its owner.
    """

    class StopReason(models.TextChoices):
        OWNER_LOST_ROLE = "owner_lost_role", _("The owner lost the export role")
        OWNER_DEACTIVATED = "owner_deactivated", _("The owner's account was deactivated")
        OWNER_LEFT = "owner_left", _("The owner no longer works for the organisation")
        NO_OWNER = "no_owner", _("The schedule has no owner (the account was deleted)")
        DESTINATION_NOT_ALLOWED = "destination_not_allowed", _("The destination is not allowed")

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    class Delivery(models.TextChoices):
        EMAIL = "email", _("By e-mail")
        FOLDER = "folder", _("To a storage folder")

    organisation = models.ForeignKey(
        "lup.Organisation",
        on_delete=models.CASCADE,
        related_name="scheduled_exports",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=120)
    preset_key = models.SlugField(
        _("preset"), max_length=60, help_text=_("A built-in preset or one saved by HR.")
    )
    format = models.CharField(
        _("format"), max_length=4, choices=ExportFormat.choices, default=ExportFormat.XLSX
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    delivery = models.CharField(_("delivery"), max_length=8, choices=Delivery.choices)
    recipients = models.TextField(
        _("recipients"), blank=True, help_text=_("E-mail addresses, one per line.")
    )
    folder = models.CharField(
        _("folder"),
        max_length=200,
        blank=True,
        help_text=_("A folder under the configured export storage."),
    )
    active = models.BooleanField(_("active"), default=True)
    next_run_on = models.DateField(_("next run"))
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_row_count = models.PositiveIntegerField(_("rows last time"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    stopped_reason = models.CharField(
        _("why it stopped"), max_length=24, choices=StopReason.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_(
            "The export runs on this person's access: it stops when they lose the export "
            "role, are deactivated or leave the organisation."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("scheduled export")
        verbose_name_plural = _("scheduled exports")
        constraints = [
            models.CheckConstraint(
                condition=Q(delivery="email", recipients__gt="")
                | Q(delivery="folder", folder__gt=""),
                name="lup_scheduled_export_has_destination",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A token a system (intranet, HR, data warehouse) uses to call the API.

    Only a hash of the secret is stored; the secret is shown once when created. The token
    acts as `user`, a service account whose scope (organisations, groups) is the token's.
    """

    class Scope(models.TextChoices):
        REPORTS = "reports", _("Read completion reports")
        READ = "read", _("Read everything in scope")
        WRITE = "write", _("Read and write")

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    name = models.CharField(_("system"), max_length=120)
    organisation = models.ForeignKey(
        "lup.Organisation",
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lup_api_tokens",
        verbose_name=_("acts as"),
    )
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    secret_hash = models.CharField(_("secret hash"), max_length=128, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
