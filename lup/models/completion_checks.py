"""Keeping completions true over time: re-checks of the rule, and certificates to decide.

A `CompletionCheck` is one run of re-evaluating a programme's units against the
completion rule (the nightly reconcile, or after a rule change), with its progress and
what it repaired. A `CertificateReview` asks an administrator what to do with a
certificate whose completion was taken back: revoke it, or keep it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .programmes import Programme


class CompletionCheck(models.Model):
    """One re-evaluation of a programme's open enrolments, with its progress."""

    class Reason(models.TextChoices):
        RECONCILE = "reconcile", _("Scheduled check")
        RULE_CHANGED = "rule_changed", _("Completion rule changed")
        REQUESTED = "requested", _("Requested by an administrator")

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="completion_checks",
        verbose_name=_("programme"),
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    units_total = models.PositiveIntegerField(_("units to check"), default=0)
    units_checked = models.PositiveIntegerField(_("units checked"), default=0)
    repairs = models.PositiveIntegerField(_("completions repaired"), default=0)
    # What it found but left alone, e.g. a completed unit whose team no longer meets the
    # rule: completions are only taken back by a withdrawal, never by a re-check.
    findings = models.JSONField(_("findings"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("completion check")
        verbose_name_plural = _("completion checks")
        constraints = [
            models.CheckConstraint(
                condition=Q(units_checked__lte=models.F("units_total")),
                name="lup_completion_check_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} – {self.get_reason_display()}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class CertificateReview(models.Model):
    """A valid certificate whose completion was taken back, and what an administrator
    decided about it. Open until decided (or until the completion is earned again)."""

    class Decision(models.TextChoices):
        REVOKED = "revoked", _("Revoked")
        KEPT = "kept", _("Kept")

    certificate = models.ForeignKey(
        "certificates.Certificate",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("certificate"),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="certificate_reviews",
        verbose_name=_("programme"),
    )
    reason = models.CharField(_("why the completion was withdrawn"), max_length=200)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        ordering = ["opened_at", "pk"]
        verbose_name = _("certificate to review")
        verbose_name_plural = _("certificates to review")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate"],
                condition=Q(decided_at__isnull=True),
                name="lup_certificate_review_one_open",
            ),
            models.CheckConstraint(
                condition=(Q(decision="") & Q(decided_at__isnull=True))
                | (~Q(decision="") & Q(decided_at__isnull=False)),
                name="lup_certificate_review_decided_iff_decision",
            ),
        ]

    def __str__(self) -> str:
        return str(self.certificate)
