"""The daily digest: one e-mail a day to each person with the notifications they chose to
get that way (`Delivery.DAILY`), run by Celery beat (`tasks.send_daily_digests`)."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections import defaultdict
from collections.abc import Sequence

from django.core.mail import EmailMultiAlternatives, get_connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import app_settings
from ..languages import language_of
from ..locks import exclusive
from .messages import summary
from .models import Delivery, Notification
from .services import headers_for, sender_for

# A notification older than this is not sent in a digest any more: after a worker was down
# for a week, people get what is still news, not a pile of old reminders. It stays in the
# product's list.
DIGEST_GRACE = dt.timedelta(days=7)
# People per batch: each batch runs the same few queries (`digest_batch`) and sends its
# e-mails over one SMTP connection.
BATCH_SIZE = 200


def waiting_for_digest(now: dt.datetime) -> Sequence[int]:
    """The people with digest notifications waiting (one query)."""
    return list(
        Notification.objects.filter(
            delivery=Delivery.DAILY,
            emailed_at__isnull=True,
            settled_at__isnull=True,
            created_at__gte=now - DIGEST_GRACE,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def send_daily_digests(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """E-mail each person their waiting digest notifications in one message, in their
    language, and mark them sent. One run at a time (`lup.locks.exclusive`); a mail server
    that fails raises after marking what went, so the retry sends only the rest. Returns
    the number of e-mails sent."""
    now = now or timezone.now()
    people = waiting_for_digest(now)
    sent = 0
    for start in range(0, len(people), batch_size):
        sent += digest_batch(people[start : start + batch_size], now=now)
    return sent


def digest_batch(user_ids: Sequence[int], *, now: dt.datetime) -> int:
    """Send the digests of these people: three queries (the notifications with their
    recipients and languages, then one update), whatever their number."""
    with exclusive("lup.notifications.digest"):
        notifications = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(
                recipient_id__in=list(user_ids),
                delivery=Delivery.DAILY,
                emailed_at__isnull=True,
                settled_at__isnull=True,
                created_at__gte=now - DIGEST_GRACE,
            )
            .select_related("recipient", "recipient__lup_profile")
            .order_by("recipient_id", "created_at", "pk")
        )
        by_person: dict[int, list[Notification]] = defaultdict(list)
        for notification in notifications:
            by_person[notification.recipient_id].append(notification)
        messages = [digest_message(items) for items in by_person.values()]
        done: list[int] = []
        failure: Exception | None = None
        try:
            with get_connection() as connection:
                for user_id, message in zip(by_person, messages, strict=True):
                    connection.send_messages([message])
                    done.extend(item.pk for item in by_person[user_id])
        except (smtplib.SMTPException, OSError) as error:
            failure = error
        # What went is marked (and committed) even when the server fails part-way, so the
        # retry sends only the rest: nobody gets the same digest twice.
        Notification.objects.filter(pk__in=done).update(emailed_at=timezone.now())
    if failure is not None:
        raise failure
    return len(messages)


def digest_message(notifications: list[Notification]) -> EmailMultiAlternatives:
    """One person's digest, in their language: each notification's subject, what it says
    and its link."""
    recipient = notifications[0].recipient
    organisation = notifications[0].context.get("organisation", "")
    with translation.override(language_of(recipient)):
        count = len(notifications)
        subject = ngettext("%(count)s new notification", "%(count)s new notifications", count) % {
            "count": count
        }
        parts = []
        for notification in notifications:
            title, lines = summary(notification)
            text = "\n".join([title, "", *[line for line in lines if line]])
            if notification.url:
                text += "\n" + _("Open it: %(url)s") % {"url": notification.url}
            parts.append(text)
        footer = _(
            "You get this daily e-mail because you chose it for these notifications. "
            "Change your choices on your notifications page."
        )
        choices = app_settings.SITE_URL() + reverse("lup:notification-choices")
        body = "\n\n— — —\n\n".join(parts) + "\n\n" + footer + "\n" + choices + "\n"
    return EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=sender_for(organisation),
        to=[recipient.email],
        headers=headers_for(recipient.pk, None),
    )
