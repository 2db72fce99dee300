"""Attendance at gatherings: recorded by a facilitator, undone, or checked in by QR code.

The QR code on the facilitator's screen carries a rotating check-in code, like a TOTP: an
HMAC of the time step, keyed by the site's secret and the gathering's own secret
`check_in_code` (which is never shown). A code is good for its step and the one before, so
a photo of the screen or a forwarded link stops working within two steps, and a code is
taken only from shortly before the gathering starts until it ends.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from courses.api import ActivityCompletion, record_completion, withdraw_completion

from .. import app_settings
from ..models import Attendance, Gathering, Participant
from .completion_writes import (
    complete_participant_if_earned,
    complete_unit_if_earned,
    withdraw_participant_completion_if_unearned,
    withdraw_unit_completion_if_unearned,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import QuerySet

# People arrive early: check-in (and the facilitator's list) opens this long before the start.
ATTENDANCE_OPENS_BEFORE = dt.timedelta(minutes=30)
# Signing in (with two-factor) after scanning takes a while: a scan of a current code lets
# the person finish checking in this long afterwards (the view remembers the scan).
CHECK_IN_SCAN_GRACE = dt.timedelta(minutes=10)


def _step(at: dt.datetime) -> int:
    return int(at.timestamp()) // app_settings.CHECK_IN_CODE_SECONDS()


def _code_for_step(gathering: Gathering, step: int) -> str:
    # Keyed by SECRET_KEY and the gathering's secret: the old QR codes showed that secret
    # itself, so it alone must not be enough to work out the rotating codes.
    digest = salted_hmac(
        f"lup.check_in_code:{gathering.pk}:{gathering.check_in_code}",
        str(step),
        algorithm="sha256",
    ).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


def check_in_code_at(gathering: Gathering, at: dt.datetime) -> str:
    """The rotating check-in code that the gathering's QR code showed at the moment `at`."""
    return _code_for_step(gathering, _step(at))


def current_check_in_code(
    gathering: Gathering, *, now: dt.datetime | None = None
) -> tuple[str, dt.datetime]:
    """The check-in code to show now, and when the next one replaces it."""
    now = now or timezone.now()
    step = _step(now)
    seconds = app_settings.CHECK_IN_CODE_SECONDS()
    changes_at = dt.datetime.fromtimestamp((step + 1) * seconds, tz=dt.UTC)
    return _code_for_step(gathering, step), changes_at


def check_in_code_is_valid(
    gathering: Gathering, code: str, *, at: dt.datetime | None = None
) -> bool:
    """Whether `code` was shown at `at` (default now): the current step's code, or the
    previous step's, so that a scan just as the code turns still works."""
    step = _step(at or timezone.now())
    given = code.encode()
    # Compare with both, always: the time taken says nothing about which one matched.
    matches = [
        secrets.compare_digest(given, _code_for_step(gathering, each).encode())
        for each in (step, step - 1)
    ]
    return any(matches)


def attendance_opens_at(gathering: Gathering) -> dt.datetime:
    """From when attendance may be recorded, by a facilitator or by checking in."""
    return gathering.starts_at - ATTENDANCE_OPENS_BEFORE


def _when(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _refuse_before_opening(gathering: Gathering, now: dt.datetime) -> None:
    # Attendance completes units and issues certificates: never ahead of the gathering.
    if now < attendance_opens_at(gathering):
        raise ValidationError(
            _("Attendance can be recorded from %(time)s, shortly before the gathering starts.")
            % {"time": _when(attendance_opens_at(gathering))},
            code="not_started",
        )


def _participant_for_check_in(gathering: Gathering, user: User) -> QuerySet[Participant]:
    return Participant.objects.current().filter(user=user, enrolment__cohort=gathering.cohort)


def check_in_refusal(
    *, gathering: Gathering, user: User, now: dt.datetime | None = None
) -> str | None:
    """Why `user` cannot check in to the gathering now (the code aside), or None if they
    can: check-in is open from shortly before the start until the end, for current
    participants of the gathering's cohort."""
    now = now or timezone.now()
    if now < attendance_opens_at(gathering):
        return _("Check-in opens at %(time)s, shortly before the gathering starts.") % {
            "time": _when(attendance_opens_at(gathering))
        }
    if now > gathering.ends_at:
        return _("Check-in closed when the gathering ended, at %(time)s.") % {
            "time": _when(gathering.ends_at)
        }
    if not _participant_for_check_in(gathering, user).exists():
        return _("You are not registered in this gathering's cohort.")
    return None


@transaction.atomic
def record_attendance(
    *, gathering: Gathering, participant: Participant, recorded_by: User, method: str
) -> tuple[Attendance, bool]:
    """Record that a participant was at a gathering (once); it completes the gathering's
    attendance activity. Returns (attendance, created).

    Refused (ValidationError) for someone outside the gathering's cohort, a withdrawn
    participant, and before the gathering opens (`attendance_opens_at`)."""
    _refuse_before_opening(gathering, timezone.now())
    if participant.enrolment.cohort_id != gathering.cohort_id:
        raise ValidationError(
            _("%(person)s is not in this gathering's cohort.")
            % {"person": participant.user.get_full_name() or participant.user.email}
        )
    if participant.status == Participant.Status.WITHDRAWN:
        raise ValidationError(_("A withdrawn participant cannot attend."))
    attendance, created = Attendance.objects.get_or_create(
        gathering=gathering,
        participant=participant,
        defaults={"method": method, "recorded_by": recorded_by},
    )
    if gathering.activity is not None:
        record_completion(
            user=participant.user,
            activity=gathering.activity,
            source=ActivityCompletion.Source.ATTENDANCE,
        )
    elif (
        created
        and participant.status == Participant.Status.ACTIVE
        # Attendance may count toward the rule's minimum without an activity.
        and complete_participant_if_earned(participant=participant)
    ):
        complete_unit_if_earned(enrolment=participant.enrolment)
    return attendance, created


@transaction.atomic
def remove_attendance(*, gathering: Gathering, participant: Participant, removed_by: User) -> None:
    """Undo an attendance recorded by mistake; the attendance activity is withdrawn too.

    Either way the rule is checked again: when attendance counted toward the rule's
    minimum, the participant's completion, and their unit's, are taken back if they no
    longer hold (with an audit entry)."""
    deleted, _count = Attendance.objects.filter(
        gathering=gathering, participant=participant
    ).delete()
    if not deleted:
        return
    if gathering.activity is not None:
        withdraw_completion(
            user=participant.user, activity=gathering.activity, withdrawn_by=removed_by
        )
    if withdraw_participant_completion_if_unearned(
        participant=participant, withdrawn_by=removed_by, reason="attendance removed"
    ):
        withdraw_unit_completion_if_unearned(
            enrolment=participant.enrolment, withdrawn_by=removed_by
        )


def check_in(
    *, gathering: Gathering, user: User, code: str, scanned_at: dt.datetime | None = None
) -> Attendance:
    """A participant checks in with the rotating code from the gathering's QR code.

    The code must be the one shown at `scanned_at` (when the person scanned it, remembered
    by the check-in page while they signed in; default now), and that scan at most
    `CHECK_IN_SCAN_GRACE` ago. Then check-in must be open (`check_in_refusal`): from shortly
    before the gathering starts until it ends, for current participants of its cohort.
    Raises ValidationError, changing nothing, when any of it fails."""
    now = timezone.now()
    at = now if scanned_at is None else scanned_at
    if not (now - CHECK_IN_SCAN_GRACE <= at <= now) or not check_in_code_is_valid(
        gathering, code, at=at
    ):
        raise ValidationError(
            _("This check-in code is not valid or has expired. Scan the code on the screen again."),
            code="invalid_code",
        )
    refusal = check_in_refusal(gathering=gathering, user=user, now=now)
    if refusal is not None:
        raise ValidationError(refusal, code="refused")
    participant = _participant_for_check_in(gathering, user).first()
    if participant is None:  # withdrawn in the meantime
        raise ValidationError(_("You are not registered in this gathering's cohort."))
    attendance, _created = record_attendance(
        gathering=gathering,
        participant=participant,
        recorded_by=user,
        method=Attendance.Method.CHECK_IN,
    )
    return attendance
