"""Gatherings as iCalendar (RFC 5545) events, built with the `icalendar` library.

One VEVENT per gathering: a UID that never changes (`gathering-<id>@<site host>`), the
gathering's `calendar_sequence` as SEQUENCE, times in Europe/Oslo with the zone's
VTIMEZONE, the place as LOCATION and the agenda in DESCRIPTION, with a link to the cohort.
Each module's due day in a cohort is an all-day event in the person's feed.
`METHOD:REQUEST` for an invitation or update, `METHOD:CANCEL` (STATUS:CANCELLED) when it is
cancelled, `METHOD:PUBLISH` for a download or a feed.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from .. import app_settings
from ..models import Gathering

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class DueDate:
    """A module's due day in a cohort, for a calendar."""

    cohort_id: int
    cohort: str
    module_id: int
    module: str
    due_on: dt.date


PRODUCT_ID = "-//Bærum kommune//LUP læringsplattform//NB"
METHODS = ("PUBLISH", "REQUEST", "CANCEL")


def gathering_uid(gathering: Gathering) -> str:
    """The event's UID: the same for every version of the gathering, on every calendar."""
    host = urlsplit(app_settings.SITE_URL()).hostname or "localhost"
    return f"gathering-{gathering.pk}@{host}"


def gathering_event(gathering: Gathering, *, cancelled: bool = False) -> Event:
    """The gathering as a VEVENT (its cohort must be loaded: it is the event's category)."""
    event = Event()
    event.add("uid", gathering_uid(gathering))
    event.add("sequence", gathering.calendar_sequence + (1 if cancelled else 0))
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", timezone.localtime(gathering.starts_at, OSLO))
    event.add("dtend", timezone.localtime(gathering.ends_at, OSLO))
    event.add("summary", vText(f"{gathering.title} – {gathering.cohort.name}"))
    if gathering.place:
        event.add("location", vText(gathering.place))
    url = app_settings.SITE_URL() + reverse("lup:cohort-detail", args=[gathering.cohort_id])
    description = "\n\n".join(part for part in (gathering.agenda, url) if part)
    event.add("description", vText(description))
    event.add("url", url)
    event.add("categories", [gathering.cohort.name])
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def due_date_uid(cohort_id: int, module_id: int) -> str:
    """A due date's UID: one per cohort and module, stable while its day moves."""
    host = urlsplit(app_settings.SITE_URL()).hostname or "localhost"
    return f"due-{cohort_id}-{module_id}@{host}"


def due_date_event(due: DueDate) -> Event:
    """A module's due day as an all-day event that does not block time (TRANSP:TRANSPARENT),
    summarised in the active language."""
    event = Event()
    event.add("uid", due_date_uid(due.cohort_id, due.module_id))
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", due.due_on)
    event.add("dtend", due.due_on + dt.timedelta(days=1))
    event.add(
        "summary",
        vText(_("Due: %(module)s – %(cohort)s") % {"module": due.module, "cohort": due.cohort}),
    )
    url = app_settings.SITE_URL() + reverse("lup:my-programme")
    event.add("description", vText(url))
    event.add("url", url)
    event.add("categories", [due.cohort])
    event.add("transp", "TRANSPARENT")
    return event


def calendar_of(events: Iterable[Event], *, method: str = "PUBLISH", name: str = "") -> bytes:
    """A VCALENDAR with the events and the VTIMEZONE of every zone they use."""
    if method not in METHODS:
        raise ValueError(f"unknown iTIP method {method!r}")
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", vText(name))
        calendar.add("x-wr-timezone", "Europe/Oslo")
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def gathering_calendar(gathering: Gathering, *, method: str = "PUBLISH") -> bytes:
    """One gathering's calendar file: to download (PUBLISH), to invite or update
    (REQUEST) or to cancel (CANCEL, with the next SEQUENCE and STATUS:CANCELLED)."""
    cancelled = method == "CANCEL"
    event = gathering_event(gathering, cancelled=cancelled)
    if method != "PUBLISH":
        # iTIP (RFC 5546) asks an invitation or cancellation to name its organizer.
        organizer = vCalAddress(f"mailto:{_from_address()}")
        organizer.params["cn"] = vText(gathering.cohort.programme.organisation.name)
        event.add("organizer", organizer)
    return calendar_of([event], method=method)


def _from_address() -> str:
    """The bare address of the site's sender ("Name <a@b>" or "a@b")."""
    sender = str(getattr(settings, "DEFAULT_FROM_EMAIL", "") or "lup@localhost")
    return parseaddr(sender)[1] or "lup@localhost"
