"""Making notifications (once per event and person) and e-mailing them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation

from .. import app_settings
from ..languages import language_of
from .kinds import ALWAYS_NOW, DEFAULT_DELIVERY, OPTIONAL
from .messages import written
from .models import Delivery, Notification, NotificationPreference


def deliveries_for(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """How each person gets this kind by e-mail: their choice, else the kind's default;
    always at once for kinds that carry a calendar event (one query, none for those)."""
    user_ids = list(user_ids)
    if kind in ALWAYS_NOW:
        return dict.fromkeys(user_ids, Delivery.NOW)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    default = DEFAULT_DELIVERY[kind]
    return {user_id: chosen.get(user_id, default) for user_id in user_ids}


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    key: str,
    context: dict[str, Any],
    url: str = "",
    about: str = "",
    calendar: str = "",
    calendar_method: str = "",
    contexts: Mapping[int, dict[str, Any]] | None = None,
) -> list[int]:
    """Store the notification for each active recipient with an e-mail address (once: a
    key a person already has is left as it is) and, after the transaction commits, e-mail
    those who get this kind at once; the daily digest (`send_daily_digests`) takes those
    who chose it. `about` names what a reminder is about, so `settle` can stop it once
    that is done. `contexts` gives some recipients (by user id) their own context instead
    of `context` (a reminder listing what each person still has to do), so a batch of
    people is still one call. Returns the ids of the notifications waiting to be e-mailed at
    once. Three queries, however many recipients."""
    people = {person.pk: person for person in recipients if person.is_active and person.email}
    if not people:
        return []
    deliveries = deliveries_for(people, kind)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                key=key,
                about=about,
                context=contexts.get(pk, context) if contexts else context,
                url=url,
                calendar=calendar,
                calendar_method=calendar_method,
                delivery=deliveries[pk],
            )
            for pk in people
        ],
        ignore_conflicts=True,
    )
    waiting = list(
        Notification.objects.filter(
            key=key,
            recipient_id__in=people,
            emailed_at__isnull=True,
            settled_at__isnull=True,
            delivery=Delivery.NOW,
        ).values_list("pk", flat=True)
    )
    if waiting:
        from .tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(waiting))
    return waiting


def email_notification(notification_id: int, *, connection: Any = None) -> bool:
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
            .filter(pk=notification_id, emailed_at__isnull=True, settled_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        message = _message(notification)
        message.connection = connection  # None: a connection of its own
        message.send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def sender_for(organisation: str) -> str:
    """The site's sender address under the organisation's name ("Bærum kommune <…>"), so
    people see who writes to them; the address itself stays the configured one."""
    name, address = parseaddr(str(settings.DEFAULT_FROM_EMAIL))
    return formataddr((organisation or name, address)) if address else settings.DEFAULT_FROM_EMAIL


def headers_for(user_id: int, kind: str | None) -> dict[str, str]:
    """RFC 3834's Auto-Submitted (written by the system, so out-of-office replies are not
    sent back) and, for a kind the person may turn off, RFC 2369/8058's one-click
    List-Unsubscribe (`kind` None: the digest, which turns off the digest's kinds)."""
    headers = {"Auto-Submitted": "auto-generated"}
    if kind is None or kind in OPTIONAL:
        token = unsubscribe_token(user_id=user_id, kind=kind or DIGEST)
        address = app_settings.SITE_URL() + reverse("lup:notifications-unsubscribe", args=[token])
        headers["List-Unsubscribe"] = f"<{address}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def _message(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail, in the recipient's language: plain text, a link to the page, and the
    calendar event as `text/calendar` with its iTIP method (so calendars act on it)."""
    recipient = notification.recipient
    with translation.override(language_of(recipient)):
        subject, body = written(notification)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=sender_for(notification.context.get("organisation", "")),
        to=[recipient.email],
        headers=headers_for(recipient.pk, notification.kind),
    )
    if notification.calendar:
        method = notification.calendar_method or "PUBLISH"
        message.attach(
            "invite.ics" if method != "CANCEL" else "cancel.ics",
            notification.calendar,
            f"text/calendar; method={method}; charset=utf-8",
        )
    return message


def settle(*, about: str, recipient_ids: Iterable[int] | None = None) -> int:
    """The thing these notifications remind of is done: their e-mails not yet sent are no
    longer sent (the product still lists them). Returns how many were settled."""
    waiting = Notification.objects.filter(
        about=about, emailed_at__isnull=True, settled_at__isnull=True
    )
    if recipient_ids is not None:
        waiting = waiting.filter(recipient_id__in=list(recipient_ids))
    return waiting.update(settled_at=timezone.now())


def mark_read(*, user: Any, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the person's own notifications read (these, or all when None); another
    person's ids are ignored. Returns how many were unread."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


def choose_delivery(*, user: Any, kind: str, delivery: str) -> None:
    """Remember how `user` gets `kind` by e-mail. Kinds that carry a calendar event cannot
    be changed (ValueError), nor can an unknown kind or delivery."""
    if kind not in OPTIONAL:
        raise ValueError(f"{kind!r} cannot be chosen")
    if delivery not in Delivery.values:
        raise ValueError(f"unknown delivery {delivery!r}")
    NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"delivery": delivery}
    )
    if delivery == Delivery.OFF:
        # Waiting digest e-mails of this kind are no longer wanted either.
        Notification.objects.filter(
            recipient=user, kind=kind, emailed_at__isnull=True, delivery=Delivery.DAILY
        ).update(delivery=Delivery.OFF)


UNSUBSCRIBE_SALT = "lup.notifications.unsubscribe"
# The token "kind" of the daily digest's List-Unsubscribe: it turns off every kind the
# person gets in the digest.
DIGEST = "digest"


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    """The signed token in an optional e-mail's List-Unsubscribe address (RFC 8058): it
    names the person and the kind, and works without signing in."""
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_target(token: str) -> tuple[Any, str] | None:
    """The active person and the kind (or DIGEST) a List-Unsubscribe token names, or None
    for a token that is forged, garbled or names no optional kind."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, kind = int(data["u"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if kind not in OPTIONAL and kind != DIGEST:
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return (user, kind) if user is not None else None


def unsubscribe(token: str) -> tuple[int, str] | None:
    """Turn off e-mail of the token's kind for its person (the one-click unsubscribe): the
    digest's token turns off each kind the person gets in the digest. Returns (user id,
    kind), or None for a token `unsubscribe_target` refuses."""
    target = unsubscribe_target(token)
    if target is None:
        return None
    user, kind = target
    user_id = user.pk
    if kind == DIGEST:
        for daily in [k for k in OPTIONAL if deliveries_for([user_id], k)[user_id] == "daily"]:
            choose_delivery(user=user, kind=daily, delivery=Delivery.OFF)
    else:
        choose_delivery(user=user, kind=kind, delivery=Delivery.OFF)
    return user_id, kind
