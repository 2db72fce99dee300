"""Reads of a person's notifications and choices, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db.models import QuerySet
from django.utils.http import url_has_allowed_host_and_scheme

from .. import app_settings
from .kinds import ALWAYS_NOW, DEFAULT_DELIVERY, OPTIONAL
from .messages import summary
from .models import Delivery, Notification, NotificationPreference


def notifications_of(user: Any) -> QuerySet[Notification]:
    """The person's own notifications, newest first (nobody else's, ever)."""
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    """How many of the person's notifications are unread (one query, on the unread index)."""
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


@dataclass(frozen=True)
class Shown:
    """A notification as the person reads it: what it says, in the active language."""

    notification: Notification
    subject: str
    lines: list[str]

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


def shown(notifications: Any) -> list[Shown]:
    """Each notification's subject and lines, written in the active language (no queries).
    A stored context the writer cannot read (made by older code, say) shows the kind's
    name instead of breaking the whole list."""
    rows = []
    for notification in notifications:
        try:
            subject, lines = summary(notification)
        except (KeyError, ValueError, TypeError, AttributeError):
            subject, lines = str(notification.get_kind_display()), []
        rows.append(Shown(notification, subject, [line for line in lines if line]))
    return rows


def local_path(url: str) -> str | None:
    """The path on this site a notification's link leads to, or None for a link elsewhere:
    links are stored absolute (SITE_URL + path, for e-mails), and the product follows only
    those to this site, never a redirect to another one."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        site = urlsplit(app_settings.SITE_URL())
        if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
            return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    local = (
        path
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )
    # Django's own check as well (no host, no scheme, nothing a browser reads as one).
    if not url_has_allowed_host_and_scheme(local, allowed_hosts=None):
        return None
    return local


@dataclass(frozen=True)
class Choice:
    """How a person gets one kind by e-mail: their choice, or the kind's default."""

    kind: str
    label: str
    delivery: str
    chosen: bool  # False: the default applies


def choices_of(user: Any) -> tuple[list[Choice], list[tuple[str, str]]]:
    """The kinds the person may choose for, each with its effective delivery, and the kinds
    always e-mailed at once (with their labels). One query."""
    chosen = dict(
        NotificationPreference.objects.filter(user_id=user.pk).values_list("kind", "delivery")
    )
    optional = [
        Choice(
            kind=kind,
            label=str(Notification.Kind(kind).label),
            delivery=chosen.get(kind, DEFAULT_DELIVERY[kind]),
            chosen=kind in chosen and chosen[kind] in Delivery.values,
        )
        for kind in OPTIONAL
    ]
    fixed = [(kind.value, str(kind.label)) for kind in Notification.Kind if kind in ALWAYS_NOW]
    return optional, fixed
