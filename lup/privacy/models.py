"""The privacy feature's own records: each organisation's retention periods, and the
archives people download of their own data."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..models import Organisation
from .categories import RetainedCategory


class RetentionPeriod(models.Model):
    """How long an organisation keeps one category of personal data, in months.

    Without a row the category's default applies (`LUP_RETENTION_MONTHS`, documented in
    the README and in the privacy statement). `purge_personal_data` applies it."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="retention_periods",
        verbose_name=_("organisation"),
    )
    category = models.CharField(
        _("category of data"), max_length=30, choices=RetainedCategory.choices
    )
    months = models.PositiveSmallIntegerField(_("months kept"))
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        ordering = ["organisation", "category"]
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")
        # The records of processing activities (GDPR art. 30) are about the organisation's
        # processing as a whole; the permission sits with its retention settings.
        permissions = [
            ("view_processing_records", _("Can download the records of processing activities"))
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "category"], name="lup_retention_one_per_category"
            ),
            models.CheckConstraint(
                condition=models.Q(months__gte=1) & models.Q(months__lte=240),
                name="lup_retention_months_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_category_display()} ({self.months})"


class PersonalDataExport(models.Model):
    """A person's archive of their own data (JSON plus their files), built in a task.

    Only the person can download it; it is deleted `LUP_PERSONAL_EXPORT_DAYS` after it is
    ready (by `purge_personal_data`)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lup_personal_data_exports",
        verbose_name=_("person"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The archive's name in the private storage (courses' private storage is not ours to
    # use: lup keeps its own folder under LUP_PRIVATE_ROOT).
    archive_name = models.CharField(_("archive"), max_length=300, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("personal data export")
        verbose_name_plural = _("personal data exports")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(archive_name=""),
                name="lup_personal_export_ready_has_archive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.requested_at:%Y-%m-%d %H:%M}"
