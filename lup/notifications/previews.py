"""Examples of every e-mail a programme's people may get, for the office to read before
they go out: each kind of notification and the daily digest, written by the same code that
sends them (`messages.written`, `digest.digest_message`), from unsaved notifications with
the programme's own names in them. Nothing is stored, nothing is sent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.header import decode_header, make_header
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.api import Activity, Module

from .. import app_settings
from ..models import Cohort, Gathering, PersonProfile, Programme, UnitEnrolment
from .digest import digest_message
from .kinds import DEFAULT_DELIVERY, OPTIONAL
from .messages import written
from .models import Delivery, Notification
from .services import headers_for, sender_for

Kind = Notification.Kind

# The made-up recipient of the examples: no account has this id, so the example's
# unsubscribe address (a real, signed one) turns off nothing for anybody.
EXAMPLE_RECIPIENT_ID = 0
CALENDAR_KINDS = {
    Kind.GATHERING_PLANNED: "REQUEST",
    Kind.GATHERING_CHANGED: "REQUEST",
    Kind.GATHERING_CANCELLED: "CANCEL",
}


@dataclass(frozen=True)
class EmailPreview:
    """One e-mail as its recipient gets it."""

    kind: str
    label: str
    subject: str
    sender: str
    body: str
    headers: dict[str, str]
    attachment: str  # the calendar file's name, or ""
    default_delivery: str
    optional: bool


@dataclass(frozen=True)
class DigestPreview:
    """The daily digest as its recipient gets it."""

    subject: str
    sender: str
    body: str
    headers: dict[str, str]


def _readable(address: str) -> str:
    """An address as a mail program shows it ("Bærum kommune <…>", not its RFC 2047 form)."""
    return str(make_header(decode_header(address)))


def _site(name: str, *args: Any) -> str:
    return app_settings.SITE_URL() + reverse(name, args=args)


def example_contexts(programme: Programme) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """What each kind's notification would say in this programme, with its own cohort,
    gathering, unit and curriculum where it has them (made-up ones where not), and each
    kind's link. Four queries, however big the programme."""
    cohort = Cohort.objects.filter(programme=programme).order_by("starts_on", "pk").first()
    gathering = (
        Gathering.objects.filter(cohort=cohort).order_by("starts_at", "pk").first()
        if cohort is not None
        else None
    )
    enrolment = (
        UnitEnrolment.objects.filter(cohort__programme=programme)
        .select_related("unit")
        .order_by("pk")
        .first()
    )
    activities = list(
        Activity.objects.filter(module__course_id=programme.course_id)
        .select_related("module")
        .order_by("module__position", "position")[:3]
        if programme.course_id
        else []
    )
    module: Module | None = activities[0].module if activities else None
    cohort_name = cohort.name if cohort is not None else _("Cohort 1")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    if gathering is not None:
        starts_at, ends_at = gathering.starts_at, gathering.ends_at
        title, place = gathering.title, gathering.place
    else:
        zone = timezone.get_current_timezone()
        starts_at = dt.datetime.combine(tomorrow, dt.time(9), tzinfo=zone)
        ends_at = dt.datetime.combine(tomorrow, dt.time(15), tzinfo=zone)
        title, place = _("Opening gathering"), _("The town hall")
    unit = enrolment.unit.name if enrolment is not None else _("Example school")
    activity = activities[0].title if activities else _("User journey")
    organisation = programme.organisation.name
    base = {"organisation": organisation}
    on_gathering = {
        **base,
        "title": title,
        "cohort": cohort_name,
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "place": place,
    }
    due_on = (tomorrow + dt.timedelta(days=6)).isoformat()
    contexts: dict[str, dict[str, Any]] = {
        Kind.GATHERING_PLANNED: on_gathering,
        Kind.GATHERING_CHANGED: on_gathering,
        Kind.GATHERING_CANCELLED: on_gathering,
        Kind.ANSWER_SUBMITTED: {**base, "activity": activity, "team": unit},
        Kind.ANSWER_RETURNED: {**base, "activity": activity},
        Kind.ANSWER_APPROVED: {**base, "activity": activity},
        Kind.DUE_SOON: {
            **base,
            "module": module.title if module is not None else _("Understanding the need"),
            "due_on": due_on,
            "days_before": 7,
            "activities": [item.title for item in activities] or [activity],
        },
        Kind.ATTENDANCE_MISSING: on_gathering,
        Kind.REVIEWS_WAITING: {**base, "count": 3, "days": 7, "cohort": cohort_name},
        Kind.BENEFIT_DUE: {
            **base,
            "project": _("Fewer rounds at night"),
            "due_on": due_on,
            "benefits": [_("Hours spent on night rounds")],
        },
        Kind.CERTIFICATE_ISSUED: {**base, "programme": programme.name},
        Kind.APPLICATION_ACCEPTED: {
            **base,
            "programme": programme.name,
            "cohort": cohort_name,
            "unit": unit,
        },
        Kind.BAROMETER_DUE: {
            **base,
            "unit": unit,
            "moment": _("At the start"),
            "closes_on": due_on,
        },
        Kind.ANNOUNCEMENT: {
            **base,
            "subject": _("Welcome to %(cohort)s") % {"cohort": cohort_name},
            "body": _("We look forward to seeing you at the opening gathering."),
            "author": _("The programme office"),
            "to": cohort_name,
        },
    }
    cohort_page = _site("lup:cohort-detail", cohort.pk) if cohort is not None else ""
    links: dict[str, str] = {
        Kind.GATHERING_PLANNED: cohort_page,
        Kind.GATHERING_CHANGED: cohort_page,
        Kind.GATHERING_CANCELLED: cohort_page,
        Kind.ANSWER_SUBMITTED: cohort_page,
        Kind.ANSWER_RETURNED: _site("lup:my-programme"),
        Kind.ANSWER_APPROVED: _site("lup:my-programme"),
        Kind.DUE_SOON: _site("lup:my-programme"),
        Kind.ATTENDANCE_MISSING: cohort_page,
        Kind.REVIEWS_WAITING: cohort_page,
        Kind.BENEFIT_DUE: _site("lup:my-programme"),
        Kind.CERTIFICATE_ISSUED: _site("lup:my-notifications"),
        Kind.APPLICATION_ACCEPTED: _site("lup:my-applications"),
        Kind.ANNOUNCEMENT: _site("lup:my-notifications"),
        Kind.BAROMETER_DUE: _site("lup:my-programme"),
    }
    return contexts, links


def _example_recipient(language: str) -> Any:
    """An unsaved person who reads `language` (no query: the profile is set, not loaded)."""
    person = get_user_model()(
        pk=EXAMPLE_RECIPIENT_ID, email="recipient@example.org", is_active=True
    )
    person.lup_profile = PersonProfile(user=person, language=language)
    return person


def _examples(programme: Programme, language: str) -> list[Notification]:
    """An unsaved notification of each kind, for a made-up recipient who reads `language`."""
    contexts, links = example_contexts(programme)
    recipient = _example_recipient(language)
    now = timezone.now()
    return [
        Notification(
            recipient=recipient,
            kind=kind,
            key=f"preview:{kind}",
            context=contexts[kind],
            url=links[kind],
            calendar_method=CALENDAR_KINDS.get(kind, ""),
            delivery=DEFAULT_DELIVERY[kind],
            created_at=now,
        )
        for kind in Kind
    ]


def email_previews(programme: Programme, language: str) -> tuple[list[EmailPreview], DigestPreview]:
    """Every kind's e-mail and a daily digest, in `language`, as a recipient in the
    programme would get them. Four queries (`example_contexts`)."""
    examples = _examples(programme, language)
    previews = []
    for notification in examples:
        with translation.override(language):
            subject, body = written(notification)
        method = notification.calendar_method
        previews.append(
            EmailPreview(
                kind=notification.kind,
                label=str(Kind(notification.kind).label),
                subject=subject,
                sender=_readable(sender_for(notification.context.get("organisation", ""))),
                body=body,
                headers=headers_for(EXAMPLE_RECIPIENT_ID, notification.kind),
                attachment=("cancel.ics" if method == "CANCEL" else "invite.ics") if method else "",
                default_delivery=str(Delivery(notification.delivery).label),
                optional=notification.kind in OPTIONAL,
            )
        )
    return previews, _digest(examples)


def _digest(examples: list[Notification]) -> DigestPreview:
    """One daily digest with three of the examples that may come that way."""
    daily = [
        notification
        for notification in examples
        if notification.kind in (Kind.ANSWER_SUBMITTED, Kind.ANSWER_APPROVED, Kind.DUE_SOON)
    ]
    message = digest_message(daily)
    return DigestPreview(
        subject=str(message.subject),
        sender=_readable(str(message.from_email)),
        body=str(message.body),
        headers=dict(message.extra_headers),
    )
