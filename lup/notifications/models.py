"""Notifications (one event, for one person), people's choices of how to get them, and the
announcements facilitators and the office write."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Delivery(models.TextChoices):
    """How a person gets a kind of notification by e-mail (always in the product too)."""

    NOW = "now", _("By e-mail at once")
    DAILY = "daily", _("In one daily e-mail")
    OFF = "off", _("Only in the product, no e-mail")


class Notification(models.Model):
    """Something that happened, for one person: stored once per event and person (the
    `key` is unique per recipient), listed in the product, and e-mailed by the person's
    choice for its kind (`delivery`, fixed when it is made): at once by
    `tasks.send_notification_emails`, in the daily digest, or not at all. `context` holds
    what the message says, so it is written in the recipient's language when it is sent;
    `calendar` an iCalendar attachment (RFC 5545), if any. `about` names the thing it
    reminds of; once that is done (`settled_at`), the e-mail is no longer sent."""

    class Kind(models.TextChoices):
        GATHERING_PLANNED = "gathering_planned", _("A gathering is planned")
        GATHERING_CHANGED = "gathering_changed", _("A gathering is moved or changed")
        GATHERING_CANCELLED = "gathering_cancelled", _("A gathering is cancelled")
        ANSWER_SUBMITTED = "answer_submitted", _("An answer is waiting for review")
        ANSWER_RETURNED = "answer_returned", _("An answer is returned for revision")
        ANSWER_APPROVED = "answer_approved", _("An answer is approved")
        DUE_SOON = "due_soon", _("A due date is near")
        ATTENDANCE_MISSING = "attendance_missing", _("Attendance is not recorded")
        REVIEWS_WAITING = "reviews_waiting", _("Answers have waited long for review")
        BENEFIT_DUE = "benefit_due", _("A benefit measurement is due")
        CERTIFICATE_ISSUED = "certificate_issued", _("A certificate is issued")
        APPLICATION_ACCEPTED = "application_accepted", _("An application is accepted")
        ANNOUNCEMENT = "announcement", _("An announcement")
        BAROMETER_DUE = "barometer_due", _("The innovation barometer is waiting for an answer")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lup_notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    key = models.CharField(_("event key"), max_length=200)
    about = models.CharField(_("reminds of"), max_length=200, blank=True, db_index=True)
    context = models.JSONField(_("what it says"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    calendar = models.TextField(_("calendar event (iCalendar)"), blank=True)
    calendar_method = models.CharField(_("calendar method"), max_length=10, blank=True)
    delivery = models.CharField(
        _("e-mail"), max_length=5, choices=Delivery.choices, default=Delivery.NOW
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    settled_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="lup_notification_once_per_event"
            )
        ]
        indexes = [
            # The unread count and the person's list.
            models.Index(fields=["recipient", "read_at"], name="lup_notification_unread_idx"),
            # The daily digest's query: waiting digest notifications.
            models.Index(
                fields=["delivery", "created_at"],
                name="lup_notification_digest_idx",
                condition=Q(emailed_at__isnull=True, settled_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


class NotificationPreference(models.Model):
    """A person's choice of how a kind of notification reaches them by e-mail. Without a
    row, the kind's default applies (`kinds.DEFAULT_DELIVERY`); kinds that carry a calendar
    event are always e-mailed at once (`kinds.ALWAYS_NOW`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lup_notification_preferences",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Notification.Kind.choices)
    delivery = models.CharField(_("e-mail"), max_length=5, choices=Delivery.choices)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("notification choice")
        verbose_name_plural = _("notification choices")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="lup_notification_preference_once_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.delivery}"


class Announcement(models.Model):
    """A message from a facilitator or the office to a cohort, one team (a unit's
    enrolment) or all units of a programme; shown in the product to its audience and sent
    to each of them as an `ANNOUNCEMENT` notification. Kept as the audience's history."""

    class Audience(models.TextChoices):
        PROGRAMME = "programme", _("All units of the programme")
        COHORT = "cohort", _("A cohort")
        TEAM = "team", _("A team")

    programme = models.ForeignKey(
        "lup.Programme",
        on_delete=models.CASCADE,
        related_name="announcements",
        verbose_name=_("programme"),
    )
    audience = models.CharField(_("to"), max_length=10, choices=Audience.choices)
    cohort = models.ForeignKey(
        "lup.Cohort",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="announcements",
        verbose_name=_("cohort"),
    )
    enrolment = models.ForeignKey(
        "lup.UnitEnrolment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="announcements",
        verbose_name=_("team"),
    )
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="lup_announcements",
        verbose_name=_("written by"),
    )
    recipient_count = models.PositiveIntegerField(_("sent to"), default=0)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        constraints = [
            # The audience names exactly what it is sent to: a cohort for a cohort, a team
            # (and its cohort) for a team, neither for the whole programme.
            models.CheckConstraint(
                condition=(
                    Q(audience="programme", cohort__isnull=True, enrolment__isnull=True)
                    | Q(audience="cohort", cohort__isnull=False, enrolment__isnull=True)
                    | Q(audience="team", cohort__isnull=False, enrolment__isnull=False)
                ),
                name="lup_announcement_audience_matches",
            ),
            models.CheckConstraint(
                condition=~Q(subject="") & ~Q(body=""), name="lup_announcement_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.subject
