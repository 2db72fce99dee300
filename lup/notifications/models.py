"""A notification: one event, for one person."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """Something that happened, for one person: stored once per event and person (the
    `key` is unique per recipient) and e-mailed by `tasks.send_notification_emails`.
    `context` holds what the message says, so it is written in the recipient's language
    when it is sent; `calendar` an iCalendar attachment (RFC 5545), if any."""

    class Kind(models.TextChoices):
        GATHERING_PLANNED = "gathering_planned", _("A gathering is planned")
        GATHERING_CHANGED = "gathering_changed", _("A gathering is moved or changed")
        GATHERING_CANCELLED = "gathering_cancelled", _("A gathering is cancelled")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lup_notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    key = models.CharField(_("event key"), max_length=200)
    context = models.JSONField(_("what it says"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    calendar = models.TextField(_("calendar event (iCalendar)"), blank=True)
    calendar_method = models.CharField(_("calendar method"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("made"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="lup_notification_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"
