"""Every write of a participant's or a unit's completion, stamp and withdrawal.

Each locks the row that owns it (the participant, the unit's enrolment) with
`select_for_update`, and the `..._if_earned`/`..._if_unearned` services then ask the rule
(`lup.completion`, which only decides) under that lock, so a decision is taken from
committed state and two transactions cannot both miss the last completion. Lock order:
participant, then enrolment. Each write sends a signal of `lup.signals` in the same
transaction (certificates are issued on commit by its receiver, `lup.receivers`).

The rule-driven services raise nothing of their own, so they join the caller's
transaction without a savepoint (`savepoint=False`: two queries fewer per call; a
transaction of their own when there is none); the stamps by hand keep their savepoint,
as callers may catch their ValidationError.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import completion, signals
from ..audit import record_event
from ..models import AuditEvent, Participant, UnitEnrolment

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _lock_participant(participant: Participant) -> Participant:
    return Participant.objects.select_for_update().get(pk=participant.pk)


def _lock_enrolment(enrolment: UnitEnrolment) -> UnitEnrolment:
    return UnitEnrolment.objects.select_for_update().get(pk=enrolment.pk)


def _stamp_unit(enrolment: UnitEnrolment, completed_at: dt.datetime | None) -> None:
    enrolment.status = UnitEnrolment.Status.COMPLETED
    enrolment.completed_at = completed_at or timezone.now()
    enrolment.save(update_fields=["status", "completed_at", "updated_at"])
    signals.unit_completed.send(sender=UnitEnrolment, enrolment=enrolment)


def _stamp_participant(participant: Participant, completed_at: dt.datetime | None) -> None:
    participant.status = Participant.Status.COMPLETED
    participant.completed_at = completed_at or timezone.now()
    participant.save(update_fields=["status", "completed_at", "updated_at"])
    signals.participant_completed.send(sender=Participant, participant=participant)


@transaction.atomic
def record_unit_completion(
    *, enrolment: UnitEnrolment, completed_at: dt.datetime | None = None
) -> UnitEnrolment:
    """Stamp a unit's enrolment as completed. Idempotent: the first stamp is kept.

    The target dashboard counts a unit from the moment of its first completion.
    """
    enrolment = _lock_enrolment(enrolment)
    if enrolment.status == UnitEnrolment.Status.COMPLETED:
        return enrolment
    if enrolment.status == UnitEnrolment.Status.WITHDRAWN:
        raise ValidationError(_("A withdrawn enrolment cannot be completed."))
    _stamp_unit(enrolment, completed_at)
    return enrolment


@transaction.atomic
def record_participant_completion(
    *, participant: Participant, completed_at: dt.datetime | None = None
) -> Participant:
    """Stamp a participant as completed. Idempotent: the first stamp is kept."""
    participant = _lock_participant(participant)
    if participant.status == Participant.Status.COMPLETED:
        return participant
    if participant.status == Participant.Status.WITHDRAWN:
        raise ValidationError(_("A withdrawn participant cannot complete."))
    _stamp_participant(participant, completed_at)
    return participant


@transaction.atomic(savepoint=False)
def complete_participant_if_earned(*, participant: Participant) -> bool:
    """Stamp an active participant who meets the rule, deciding under the participant's
    lock. Returns whether they were stamped now. `participant` should come with
    `enrolment__cohort__programme__completion_rule` loaded (the rule reads them)."""
    locked = _lock_participant(participant)
    if locked.status != Participant.Status.ACTIVE:
        return False
    if not completion.participant_earned(participant):
        return False
    _stamp_participant(locked, None)
    return True


@transaction.atomic(savepoint=False)
def complete_unit_if_earned(*, enrolment: UnitEnrolment) -> bool:
    """Stamp an enrolled unit whose team meets the rule (a completed manager, enough
    enthusiasts, an approved project when required), deciding under the enrolment's lock.
    Returns whether it was stamped now."""
    locked = _lock_enrolment(enrolment)
    if locked.status != UnitEnrolment.Status.ENROLLED:
        return False
    if not completion.unit_has_completed(enrolment):
        return False
    _stamp_unit(locked, None)
    return True


@transaction.atomic(savepoint=False)
def complete_after_activity(*, user: User, activity: Any) -> None:
    """A learner did an activity: stamp them, and their unit, if that completes them.

    Called by the receiver of `courses`' `activity_completed`, inside the transaction that
    recorded the activity, with a fixed number of queries whatever the size of the cohort.
    """
    for participant in completion.participations(user, activity):
        if participant.status == Participant.Status.COMPLETED:
            continue
        if complete_participant_if_earned(participant=participant):
            complete_unit_if_earned(enrolment=participant.enrolment)


def _withdraw_unit(enrolment: UnitEnrolment, withdrawn_by: Any, **details: Any) -> None:
    UnitEnrolment.objects.filter(pk=enrolment.pk).update(
        status=UnitEnrolment.Status.ENROLLED, completed_at=None, updated_at=timezone.now()
    )
    record_event(
        action=AuditEvent.Action.COMPLETION_WITHDRAWN,
        actor=withdrawn_by,
        subject_label=enrolment.unit.name,
        unit=enrolment.unit.name,
        cohort=enrolment.cohort.name,
        **details,
        at=timezone.now().isoformat(),
    )
    signals.unit_completion_withdrawn.send(
        sender=UnitEnrolment, enrolment=enrolment, withdrawn_by=withdrawn_by
    )


@transaction.atomic(savepoint=False)
def withdraw_participant_completion_if_unearned(
    *, participant: Participant, withdrawn_by: Any, activity: Any
) -> bool:
    """Take back a completed participant's completion when the rule no longer holds for
    them (`activity` of theirs was withdrawn), deciding under the participant's lock, with
    an audit entry. Returns whether it was taken back."""
    if _lock_participant(participant).status != Participant.Status.COMPLETED:
        return False
    if completion.participant_earned(participant):
        return False
    Participant.objects.filter(pk=participant.pk).update(
        status=Participant.Status.ACTIVE, completed_at=None, updated_at=timezone.now()
    )
    record_event(
        action=AuditEvent.Action.COMPLETION_WITHDRAWN,
        actor=withdrawn_by,
        subject=participant.user,
        activity=activity.title,
        cohort=participant.enrolment.cohort.name,
    )
    signals.participant_completion_withdrawn.send(
        sender=Participant, participant=participant, withdrawn_by=withdrawn_by
    )
    return True


@transaction.atomic(savepoint=False)
def withdraw_unit_completion_if_unearned(*, enrolment: UnitEnrolment, withdrawn_by: Any) -> bool:
    """Take back a completed unit's completion when its team no longer meets the rule,
    deciding under the enrolment's lock, with an audit entry. Returns whether it was."""
    if _lock_enrolment(enrolment).status != UnitEnrolment.Status.COMPLETED:
        return False
    if completion.unit_has_completed(enrolment):
        return False
    _withdraw_unit(enrolment, withdrawn_by)
    return True


@transaction.atomic(savepoint=False)
def withdraw_after_activity(*, user: User, activity: Any, withdrawn_by: Any) -> None:
    """A learner's activity was withdrawn: take back their completion, and their unit's,
    if they no longer hold, with an audit entry for each (receiver of `courses`'
    `activity_completion_withdrawn`)."""
    for participant in completion.participations(user, activity):
        if participant.status != Participant.Status.COMPLETED:
            continue
        if withdraw_participant_completion_if_unearned(
            participant=participant, withdrawn_by=withdrawn_by, activity=activity
        ):
            withdraw_unit_completion_if_unearned(
                enrolment=participant.enrolment, withdrawn_by=withdrawn_by
            )


@transaction.atomic(savepoint=False)
def withdraw_unit_completion_for_project(*, enrolment: UnitEnrolment, withdrawn_by: Any) -> bool:
    """The unit's project approval was taken back: when the programme requires an approved
    project, the unit's completion goes back too, with an audit entry (as for a withdrawn
    activity). Only the project requirement is re-checked, so a unit completed by hand for
    other reasons is left alone when its programme does not require approval. Decided
    under the enrolment's lock; returns whether the completion was taken back."""
    if _lock_enrolment(enrolment).status != UnitEnrolment.Status.COMPLETED:
        return False
    rule = completion.rule_of(enrolment.cohort.programme)
    if completion.project_requirement_met(enrolment, rule):
        return False
    _withdraw_unit(enrolment, withdrawn_by, reason="project approval withdrawn")
    enrolment.status, enrolment.completed_at = UnitEnrolment.Status.ENROLLED, None
    return True
