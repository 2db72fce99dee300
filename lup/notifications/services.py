"""Making notifications (once per event and person) and e-mailing them."""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from ..languages import language_of
from .messages import written
from .models import Notification


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    key: str,
    context: dict[str, Any],
    url: str = "",
    calendar: str = "",
    calendar_method: str = "",
) -> list[int]:
    """Store the notification for each recipient with an e-mail address (once: a key a
    person already has is left as it is) and, after the transaction commits, e-mail those
    not yet sent. Returns the ids of the notifications waiting to be e-mailed."""
    people = {person.pk: person for person in recipients if person.is_active and person.email}
    if not people:
        return []
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                key=key,
                context=context,
                url=url,
                calendar=calendar,
                calendar_method=calendar_method,
            )
            for pk in people
        ],
        ignore_conflicts=True,
    )
    waiting = list(
        Notification.objects.filter(
            key=key, recipient_id__in=people, emailed_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if waiting:
        from .tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(waiting))
    return waiting


def email_notification(notification_id: int) -> bool:
    """E-mail one notification unless it has been (True when sent now). The row is locked
    while it is sent, so two workers never send it twice; a failure leaves it unsent, with
    the attempt counted, and raises for the task to try again."""
    Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        email_attempts=F("email_attempts") + 1
    )
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        _message(notification).send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def _sender(organisation: str) -> str:
    """The site's sender address under the organisation's name ("Bærum kommune <…>"), so
    people see who writes to them; the address itself stays the configured one."""
    name, address = parseaddr(str(settings.DEFAULT_FROM_EMAIL))
    return formataddr((organisation or name, address)) if address else settings.DEFAULT_FROM_EMAIL


def _message(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail, in the recipient's language: plain text, a link to the page, and the
    calendar event as `text/calendar` with its iTIP method (so calendars act on it)."""
    recipient = notification.recipient
    with translation.override(language_of(recipient)):
        subject, body = written(notification)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=_sender(notification.context.get("organisation", "")),
        to=[recipient.email],
        # RFC 3834: written by the system, so out-of-office replies are not sent back.
        headers={"Auto-Submitted": "auto-generated"},
    )
    if notification.calendar:
        method = notification.calendar_method or "PUBLISH"
        message.attach(
            "invite.ics" if method != "CANCEL" else "cancel.ics",
            notification.calendar,
            f"text/calendar; method={method}; charset=utf-8",
        )
    return message
