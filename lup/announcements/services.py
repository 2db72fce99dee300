"""Sending an announcement: a facilitator or the programme office writes to a cohort, one
team (a unit's enrolment) or all units of a programme; each person it reaches gets it as an
`ANNOUNCEMENT` notification (in the product, and by e-mail as they chose), and it is kept
as the audience's history.

Not audited: the announcement itself records who wrote it, when, to whom and how many it
reached, and the audit log has no action for it (one would need a migration).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import app_settings
from ..audit import record_event
from ..models import AuditEvent, Cohort, Programme, UnitEnrolment
from ..notifications.models import Announcement, Notification
from ..notifications.services import notify
from ..permissions import can_announce
from .selectors import Recipients, recipients_of

Audience = Announcement.Audience

SUBJECT_MAX_LENGTH = Announcement._meta.get_field("subject").max_length or 150
BODY_MAX_LENGTH = Announcement._meta.get_field("body").max_length or 5000


def _audience_errors(
    *,
    programme: Programme,
    audience: str,
    cohort: Cohort | None,
    enrolment: UnitEnrolment | None,
) -> dict[str, list[str]]:
    """Why this audience cannot be written to (empty: it can): the audience names what it
    is for, the cohort is the programme's, the team is the cohort's."""
    if audience not in Audience.values:
        return {"audience": [_("Choose who the announcement is for.")]}
    if audience == Audience.PROGRAMME:
        if cohort is not None or enrolment is not None:
            return {
                "audience": [_("An announcement to all units of the programme names no cohort.")]
            }
        return {}
    if audience == Audience.TEAM and enrolment is None:
        return {"enrolment": [_("Choose the team the announcement is for.")]}
    if audience == Audience.COHORT and enrolment is not None:
        return {"enrolment": [_("An announcement to a cohort names no team.")]}
    if cohort is None:
        return {"cohort": [_("Choose the cohort the announcement is for.")]}
    if cohort.programme_id != programme.pk:
        return {
            "cohort": [
                _("%(cohort)s is not a cohort of %(programme)s.")
                % {"cohort": cohort.name, "programme": programme.name}
            ]
        }
    if enrolment is not None and enrolment.cohort_id != cohort.pk:
        return {
            "enrolment": [
                _("The team is not in %(cohort)s.") % {"cohort": cohort.name},
            ]
        }
    return {}


def _storable(text: str) -> bool:
    """Text the database can store: no NUL character, no half of a surrogate pair (which
    a JSON body may hold and UTF-8 cannot encode)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text_errors(subject: str, body: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not subject:
        errors["subject"] = [_("Write a subject.")]
    elif len(subject) > SUBJECT_MAX_LENGTH:
        errors["subject"] = [
            _("The subject can be at most %(count)d characters.") % {"count": SUBJECT_MAX_LENGTH}
        ]
    elif not _storable(subject):
        errors["subject"] = [_("The subject holds characters that cannot be stored.")]
    if not body:
        errors["body"] = [_("Write the message.")]
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = [
            _("The message can be at most %(count)d characters.") % {"count": BODY_MAX_LENGTH}
        ]
    elif not _storable(body):
        errors["body"] = [_("The message holds characters that cannot be stored.")]
    return errors


def audience_name(
    *,
    programme: Programme,
    audience: str,
    cohort: Cohort | None = None,
    enrolment: UnitEnrolment | None = None,
) -> str:
    """Who it is to, by name (the same in every language): the programme, the cohort, or
    the team's unit and its cohort."""
    if audience == Audience.TEAM and enrolment is not None and cohort is not None:
        return f"{enrolment.unit.name} ({cohort.name})"
    if audience == Audience.COHORT and cohort is not None:
        return cohort.name
    return programme.name


def _person_label(person: Any) -> str:
    if person is None:
        return ""
    return str(person.get_full_name() or person.email or person)


def nobody_to_send_to() -> str:
    return _(
        "There is nobody to send to: no unit the announcement is for has a team member "
        "with an e-mail address."
    )


@transaction.atomic
def send_announcement(
    *,
    author: Any,
    programme: Programme,
    audience: str,
    cohort: Cohort | None = None,
    enrolment: UnitEnrolment | None = None,
    subject: str,
    body: str,
) -> Announcement:
    """Write an announcement to a cohort (`audience` "cohort", `cohort`), one of its teams
    ("team", `enrolment`; its cohort is the team's) or all units of the programme
    ("programme"), store it with how many people it reaches, and tell each of them once:
    the current team members of the units it is for, and for a cohort or a team the
    cohort's facilitators, never its author (`selectors.recipients_of`). Their e-mails go
    after the transaction commits.

    Refuses with ValidationError, nothing stored or sent: an audience that does not match
    (a cohort of another programme, a team of another cohort), an empty or too long subject
    or message (spaces alone are empty), and an audience with no team member to reach.
    Raises PermissionDenied when `author` may not write to it (`permissions.can_announce`).
    """
    subject, body = (subject or "").strip(), (body or "").strip()
    if audience == Audience.TEAM and cohort is None and enrolment is not None:
        cohort = enrolment.cohort
    errors = _audience_errors(
        programme=programme, audience=audience, cohort=cohort, enrolment=enrolment
    )
    if errors:
        raise ValidationError(errors)
    if not can_announce(author, programme, cohort if audience != Audience.PROGRAMME else None):
        raise PermissionDenied(_("You may not write announcements to them."))
    errors = _text_errors(subject, body)
    recipients = recipients_of(
        programme=programme, audience=audience, cohort=cohort, enrolment=enrolment, author=author
    )
    if not recipients.members:
        errors["__all__"] = [nobody_to_send_to()]
    if errors:
        raise ValidationError(errors)
    announcement = Announcement(
        programme=programme,
        audience=audience,
        cohort=cohort if audience != Audience.PROGRAMME else None,
        enrolment=enrolment if audience == Audience.TEAM else None,
        subject=subject,
        body=body,
        author=author if author is not None and author.pk is not None else None,
        recipient_count=recipients.count,
    )
    announcement.full_clean()
    announcement.save()
    # Who wrote what to whom, and how many it reached; the message itself stays in the
    # announcement (the log is not a second copy of people's words).
    record_event(
        action=AuditEvent.Action.ANNOUNCEMENT_SENT,
        actor=author,
        subject_label=announcement.subject,
        organisation_id=programme.organisation_id,
        to=_audience_label(announcement),
        recipients=recipients.count,
    )
    _tell(announcement, recipients)
    return announcement


def _audience_label(announcement: Announcement) -> str:
    return audience_name(
        programme=announcement.programme,
        audience=announcement.audience,
        cohort=announcement.cohort,
        enrolment=announcement.enrolment,
    )


def _tell(announcement: Announcement, recipients: Recipients) -> None:
    """One `ANNOUNCEMENT` notification for each person it reaches, linking to its page."""
    programme = announcement.programme
    notify(
        recipients=recipients.people,
        kind=Notification.Kind.ANNOUNCEMENT,
        key=f"announcement:{announcement.pk}",
        context={
            "subject": announcement.subject,
            "body": announcement.body,
            "author": _person_label(announcement.author),
            "to": _audience_label(announcement),
            "organisation": programme.organisation.name,
        },
        url=app_settings.SITE_URL() + reverse("lup:announcement-detail", args=[announcement.pk]),
    )
