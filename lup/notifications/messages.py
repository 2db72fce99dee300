"""What each kind of notification says, written in the active language when it is sent."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import Notification


def _when(context: dict[str, str]) -> str:
    starts = timezone.localtime(dt.datetime.fromisoformat(context["starts_at"]))
    ends = timezone.localtime(dt.datetime.fromisoformat(context["ends_at"]))
    return _("%(day)s, %(start)s–%(end)s") % {
        "day": formats.date_format(starts, "DATE_FORMAT"),
        "start": formats.time_format(starts, "TIME_FORMAT"),
        "end": formats.time_format(ends, "TIME_FORMAT"),
    }


def written(notification: Notification) -> tuple[str, str]:
    """The subject and plain-text body of the notification's e-mail."""
    context = notification.context
    values = {
        "title": context.get("title", ""),
        "cohort": context.get("cohort", ""),
        "when": _when(context),
        "place": context.get("place") or _("no place given yet"),
        "organisation": context.get("organisation", ""),
    }
    kind = notification.kind
    if kind == Notification.Kind.GATHERING_CANCELLED:
        subject = _("Cancelled: %(title)s (%(cohort)s)") % values
        lines = [
            _("%(title)s in %(cohort)s on %(when)s is cancelled.") % values,
            _("The attached calendar file removes it from your calendar."),
        ]
    elif kind == Notification.Kind.GATHERING_CHANGED:
        subject = _("Changed: %(title)s (%(cohort)s)") % values
        lines = [
            _("%(title)s in %(cohort)s has changed.") % values,
            _("Now: %(when)s, %(place)s.") % values,
            _("The attached calendar file moves it in your calendar."),
        ]
    else:
        subject = _("Gathering: %(title)s (%(cohort)s)") % values
        lines = [
            _("%(title)s in %(cohort)s is planned for %(when)s, %(place)s.") % values,
            _("The attached calendar file puts it in your calendar."),
        ]
    if notification.url:
        lines.append(_("See the cohort: %(url)s") % {"url": notification.url})
    lines.append(
        _("You get this because you take part in or facilitate the cohort. %(organisation)s")
        % values
    )
    return subject, "\n\n".join(lines) + "\n"
