"""Making and revoking a person's calendar feed."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import CalendarFeed
from .selectors import secret_hash


@transaction.atomic
def make_calendar_feed(*, user: Any) -> str:
    """Make the person's calendar feed, or a new secret for it (the old address stops at
    once). Returns the secret, which is stored nowhere: the page shows the address once."""
    secret = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user_id=user.pk,
        defaults={
            "secret_hash": secret_hash(secret),
            "created_at": timezone.now(),
            "last_used_at": None,
        },
    )
    return secret


def revoke_calendar_feed(*, user: Any) -> bool:
    """Stop the person's feed: its address answers 404 from now on. False if there was none."""
    deleted, _ = CalendarFeed.objects.filter(user_id=user.pk).delete()
    return bool(deleted)


def note_feed_read(feed: CalendarFeed) -> None:
    """Remember when a calendar last read the feed (at most once an hour: calendar apps
    poll often, and the person only needs to see that it is in use)."""
    now = timezone.now()
    if feed.last_used_at is None or (now - feed.last_used_at).total_seconds() > 3600:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
