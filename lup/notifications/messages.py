"""What each kind of notification says, written in the active language when it is shown or
sent: a subject (also the line in the product's list) and the lines of its plain text.

Each kind's writer reads only the notification's stored `context` (what the code that made
it put there), so a message is written in the reader's language whenever it is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Notification

Kind = Notification.Kind
Writer = Callable[[dict[str, Any]], tuple[str, list[str]]]


def _when(context: dict[str, Any]) -> str:
    starts = timezone.localtime(dt.datetime.fromisoformat(context["starts_at"]))
    ends = timezone.localtime(dt.datetime.fromisoformat(context["ends_at"]))
    return _("%(day)s, %(start)s–%(end)s") % {
        "day": formats.date_format(starts, "DATE_FORMAT"),
        "start": formats.time_format(starts, "TIME_FORMAT"),
        "end": formats.time_format(ends, "TIME_FORMAT"),
    }


def _day(value: str) -> str:
    return formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT")


def _gathering(context: dict[str, Any]) -> dict[str, str]:
    return {
        "title": context.get("title", ""),
        "cohort": context.get("cohort", ""),
        "when": _when(context),
        "place": context.get("place") or _("no place given yet"),
    }


def _planned(context: dict[str, Any]) -> tuple[str, list[str]]:
    values = _gathering(context)
    return _("Gathering: %(title)s (%(cohort)s)") % values, [
        _("%(title)s in %(cohort)s is planned for %(when)s, %(place)s.") % values,
        _("The attached calendar file puts it in your calendar."),
    ]


def _changed(context: dict[str, Any]) -> tuple[str, list[str]]:
    values = _gathering(context)
    return _("Changed: %(title)s (%(cohort)s)") % values, [
        _("%(title)s in %(cohort)s has changed.") % values,
        _("Now: %(when)s, %(place)s.") % values,
        _("The attached calendar file moves it in your calendar."),
    ]


def _cancelled(context: dict[str, Any]) -> tuple[str, list[str]]:
    values = _gathering(context)
    return _("Cancelled: %(title)s (%(cohort)s)") % values, [
        _("%(title)s in %(cohort)s on %(when)s is cancelled.") % values,
        _("The attached calendar file removes it from your calendar."),
    ]


def _answer_submitted(context: dict[str, Any]) -> tuple[str, list[str]]:
    values = {"activity": context.get("activity", ""), "team": context.get("team", "")}
    return _("New answer to review: %(activity)s") % values, [
        _("%(team)s has submitted an answer to “%(activity)s”. It is waiting for your review.")
        % values,
    ]


def _answer_returned(context: dict[str, Any]) -> tuple[str, list[str]]:
    values = {"activity": context.get("activity", "")}
    return _("Answer returned: %(activity)s") % values, [
        _("Your answer to “%(activity)s” has been returned for revision.") % values,
        _("Read the feedback and send a new answer on the activity's page."),
    ]


def _answer_approved(context: dict[str, Any]) -> tuple[str, list[str]]:
    values = {"activity": context.get("activity", "")}
    return _("Answer approved: %(activity)s") % values, [
        _("Your answer to “%(activity)s” has been approved.") % values,
    ]


def _due_soon(context: dict[str, Any]) -> tuple[str, list[str]]:
    values = {"module": context.get("module", ""), "day": _day(context["due_on"])}
    if context.get("days_before", 0) == 0:
        subject = _("Due today: %(module)s") % values
    else:
        subject = _("Due %(day)s: %(module)s") % values
    activities = context.get("activities", [])
    return subject, [
        _("“%(module)s” is due %(day)s. Still to do:") % values,
        "\n".join(f"– {title}" for title in activities),
    ]


def _attendance_missing(context: dict[str, Any]) -> tuple[str, list[str]]:
    values = _gathering(context)
    return _("Record attendance: %(title)s (%(cohort)s)") % values, [
        _("%(title)s in %(cohort)s was held %(when)s, and its attendance is not recorded yet.")
        % values,
        _("Record who came, so the units' completion is right."),
    ]


def _reviews_waiting(context: dict[str, Any]) -> tuple[str, list[str]]:
    count = int(context.get("count", 0))
    values = {"count": count, "days": context.get("days", 0), "cohort": context.get("cohort")}
    return ngettext(
        "%(count)s answer waits for review in %(cohort)s",
        "%(count)s answers wait for review in %(cohort)s",
        count,
    ) % values, [
        ngettext(
            "%(count)s answer in %(cohort)s has waited more than %(days)s days for review.",
            "%(count)s answers in %(cohort)s have waited more than %(days)s days for review.",
            count,
        )
        % values,
    ]


def _benefit_due(context: dict[str, Any]) -> tuple[str, list[str]]:
    values = {"project": context.get("project", ""), "day": _day(context["due_on"])}
    benefits = context.get("benefits", [])
    return _("Benefit follow-up due: %(project)s") % values, [
        _("It is time to measure the benefits of “%(project)s” (due %(day)s):") % values,
        "\n".join(f"– {description}" for description in benefits),
        _("Record the measurements on the project's benefits page."),
    ]


def _certificate_issued(context: dict[str, Any]) -> tuple[str, list[str]]:
    values = {"programme": context.get("programme", "")}
    return _("Your certificate for %(programme)s") % values, [
        _("Your certificate for %(programme)s is issued. You can download and share it.") % values,
    ]


def _application_accepted(context: dict[str, Any]) -> tuple[str, list[str]]:
    values = {
        "programme": context.get("programme", ""),
        "cohort": context.get("cohort", ""),
        "unit": context.get("unit", ""),
    }
    return _("%(unit)s is accepted into %(cohort)s") % values, [
        _(
            "The application from %(unit)s to %(programme)s is accepted: the team starts "
            "in %(cohort)s."
        )
        % values,
    ]


def _announcement(context: dict[str, Any]) -> tuple[str, list[str]]:
    values = {"author": context.get("author", ""), "to": context.get("to", "")}
    return context.get("subject", ""), [
        context.get("body", ""),
        _("— %(author)s, to %(to)s") % values,
    ]


def _barometer_due(context: dict[str, Any]) -> tuple[str, list[str]]:
    values = {
        "unit": context.get("unit", ""),
        # The moment's English label, in the recipient's language (the catalogue has it).
        "moment": _(context.get("moment", "")) if context.get("moment") else "",
        "day": _day(context["closes_on"]),
    }
    return _("The innovation barometer for %(unit)s is open") % values, [
        _(
            "Your unit's innovation barometer (%(moment)s) is open until %(day)s. One person "
            "on the team answers on the unit's behalf; it takes about ten minutes."
        )
        % values,
        _("The answers show what the programme changes for your unit."),
    ]


WRITERS: dict[str, Writer] = {
    Kind.GATHERING_PLANNED: _planned,
    Kind.GATHERING_CHANGED: _changed,
    Kind.GATHERING_CANCELLED: _cancelled,
    Kind.ANSWER_SUBMITTED: _answer_submitted,
    Kind.ANSWER_RETURNED: _answer_returned,
    Kind.ANSWER_APPROVED: _answer_approved,
    Kind.DUE_SOON: _due_soon,
    Kind.ATTENDANCE_MISSING: _attendance_missing,
    Kind.REVIEWS_WAITING: _reviews_waiting,
    Kind.BENEFIT_DUE: _benefit_due,
    Kind.CERTIFICATE_ISSUED: _certificate_issued,
    Kind.APPLICATION_ACCEPTED: _application_accepted,
    Kind.ANNOUNCEMENT: _announcement,
    Kind.BAROMETER_DUE: _barometer_due,
}


def why(kind: str) -> str:
    """Why the person gets this kind, said at the end of each e-mail."""
    if kind in (Kind.GATHERING_PLANNED, Kind.GATHERING_CHANGED, Kind.GATHERING_CANCELLED):
        return _("You get this because you take part in or facilitate the cohort.")
    if kind in (Kind.ANSWER_SUBMITTED, Kind.ATTENDANCE_MISSING, Kind.REVIEWS_WAITING):
        return _("You get this because you facilitate the cohort.")
    if kind == Kind.BENEFIT_DUE:
        return _("You get this because you lead the unit's team.")
    if kind == Kind.BAROMETER_DUE:
        return _("You get this because you are on the unit's team.")
    if kind == Kind.ANNOUNCEMENT:
        return _("You get this because the announcement was sent to you.")
    return _("You get this because you take part in the programme.")


def summary(notification: Notification) -> tuple[str, list[str]]:
    """The subject and the lines that say what happened, in the active language."""
    return WRITERS[notification.kind](notification.context)


def written(notification: Notification) -> tuple[str, str]:
    """The subject and plain-text body of the notification's own e-mail."""
    subject, lines = summary(notification)
    lines = [line for line in lines if line]
    if notification.url:
        lines.append(_("Open it: %(url)s") % {"url": notification.url})
    organisation = notification.context.get("organisation", "")
    lines.append(f"{why(notification.kind)} {organisation}".strip())
    return subject, "\n\n".join(lines) + "\n"
