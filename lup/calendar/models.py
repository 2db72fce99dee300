"""A person's calendar feed: the secret address their calendar app subscribes to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CalendarFeed(models.Model):
    """The secret that opens a person's calendar feed (their gatherings), kept only as its
    SHA-256: the address is shown once when it is made. Deleting the row revokes it (the
    address then answers 404); making a new one replaces it. At most one per person."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lup_calendar_feed",
        verbose_name=_("person"),
    )
    secret_hash = models.CharField(_("secret (SHA-256)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(_("Calendar feed of %(person)s") % {"person": self.user})
