"""Attendance at gatherings: recorded by a facilitator, undone, or checked in by QR code."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.api import ActivityCompletion, record_completion, withdraw_completion

from ..models import Attendance, Gathering, Participant
from .completion_writes import complete_participant_if_earned, complete_unit_if_earned

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def record_attendance(
    *, gathering: Gathering, participant: Participant, recorded_by: User, method: str
) -> tuple[Attendance, bool]:
    """Record that a participant was at a gathering (once); it completes the gathering's
    attendance activity. Returns (attendance, created)."""
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
    """Undo an attendance recorded by mistake; the attendance activity is withdrawn too."""
    deleted, _count = Attendance.objects.filter(
        gathering=gathering, participant=participant
    ).delete()
    if deleted and gathering.activity is not None:
        withdraw_completion(
            user=participant.user, activity=gathering.activity, withdrawn_by=removed_by
        )


def check_in(*, gathering: Gathering, user: User, code: str) -> Attendance:
    """A participant checks in with the gathering's QR code, on the day of the gathering."""
    if not secrets.compare_digest(code.encode(), gathering.check_in_code.encode()):
        raise ValidationError(_("This check-in code is not valid."))
    today = timezone.localdate()
    if not (
        timezone.localtime(gathering.starts_at).date()
        <= today
        <= timezone.localtime(gathering.ends_at).date()
    ):
        raise ValidationError(_("Check-in is open on the day of the gathering only."))
    participant = (
        Participant.objects.current().filter(user=user, enrolment__cohort=gathering.cohort).first()
    )
    if participant is None:
        raise ValidationError(_("You are not registered in this gathering's cohort."))
    attendance, _created = record_attendance(
        gathering=gathering,
        participant=participant,
        recorded_by=user,
        method=Attendance.Method.CHECK_IN,
    )
    return attendance
