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
from dataclasses import dataclass
from functools import partial
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


def touch_team(enrolment: UnitEnrolment) -> None:
    """Mark the team's rows as changed when their unit's status changes: the completions
    feed shows each participant's unit status, and systems sync it by `updated_at`.

    Called under the enrolment's lock, it must not wait for a member's row: a member being
    stamped at this very moment holds their row and waits for the enrolment (lock order:
    participant, then enrolment), and the two transactions, each waiting for the other,
    would end in a deadlock, one of them aborted (a user's error page, their step lost).
    So rows another transaction holds are skipped now, and the team is touched again once
    this transaction has committed, when it holds nothing that anyone waits for.
    """
    team = Participant.objects.filter(enrolment_id=enrolment.pk).order_by()
    size = team.count()
    free = team.select_for_update(skip_locked=True, of=("self",)).values("pk")
    if Participant.objects.filter(pk__in=free).update(updated_at=timezone.now()) < size:
        transaction.on_commit(partial(_touch_after_commit, enrolment.pk), robust=True)


def _touch_after_commit(enrolment_pk: int) -> None:
    Participant.objects.filter(enrolment_id=enrolment_pk).update(updated_at=timezone.now())


def _stamp_unit(enrolment: UnitEnrolment, completed_at: dt.datetime | None) -> None:
    enrolment.status = UnitEnrolment.Status.COMPLETED
    enrolment.completed_at = completed_at or timezone.now()
    enrolment.save(update_fields=["status", "completed_at", "updated_at"])
    touch_team(enrolment)
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
    A participant already completed still has their unit checked: should an earlier
    transaction have missed the unit's completion, any later activity repairs it.
    """
    for participant in completion.participations(user, activity):
        already = participant.status == Participant.Status.COMPLETED
        if (already or complete_participant_if_earned(participant=participant)) and (
            participant.enrolment.status == UnitEnrolment.Status.ENROLLED
        ):
            complete_unit_if_earned(enrolment=participant.enrolment)


def _withdraw_unit(enrolment: UnitEnrolment, withdrawn_by: Any, **details: Any) -> None:
    UnitEnrolment.objects.filter(pk=enrolment.pk).update(
        status=UnitEnrolment.Status.ENROLLED, completed_at=None, updated_at=timezone.now()
    )
    touch_team(enrolment)
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
    *,
    participant: Participant,
    withdrawn_by: Any,
    activity: Any = None,
    reason: str | None = None,
) -> bool:
    """Take back a completed participant's completion when the rule no longer holds for
    them (`activity` of theirs was withdrawn, or for `reason`, a key of
    `lup.audit.WITHDRAWAL_REASONS`), deciding under the participant's lock, with an audit
    entry. Returns whether it was taken back."""
    if _lock_participant(participant).status != Participant.Status.COMPLETED:
        return False
    if completion.participant_earned(participant):
        return False
    Participant.objects.filter(pk=participant.pk).update(
        status=Participant.Status.ACTIVE, completed_at=None, updated_at=timezone.now()
    )
    details: dict[str, Any] = {"cohort": participant.enrolment.cohort.name}
    if activity is not None:
        details["activity"] = activity.title
    if reason is not None:
        details["reason"] = reason
    record_event(
        action=AuditEvent.Action.COMPLETION_WITHDRAWN,
        actor=withdrawn_by,
        subject=participant.user,
        **details,
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


@dataclass(frozen=True)
class Reevaluation:
    """What re-checking one enrolment against the rule did and found."""

    participants_stamped: tuple[Participant, ...] = ()
    unit_stamped: bool = False
    # A completed unit whose team no longer meets the rule: reported, never taken back
    # here (only a withdrawal of what earned it takes a completion back).
    unit_no_longer_meets_rule: bool = False

    @property
    def repairs(self) -> int:
        return len(self.participants_stamped) + int(self.unit_stamped)


@transaction.atomic(savepoint=False)
def reevaluate_enrolment(
    *, enrolment: UnitEnrolment, actor: Any = None, required: frozenset[int] | None = None
) -> Reevaluation:
    """Re-check a unit's team and the unit itself against the rule, from committed state,
    and stamp every completion that was earned but is missing, each with a
    `COMPLETION_REPAIRED` audit entry. Idempotent: a second run finds nothing to do.

    Used by the scheduled reconcile, after a rule change, a role change and a withdrawal
    from the team. Locks the team's rows, then the enrolment (the order of every
    completion write: a member being stamped at this moment holds their row and then
    waits for the enrolment, so holding the enrolment while waiting for that row would
    deadlock), so no stamp of this unit runs meanwhile. `required` (the programme's
    required activities) may be passed by a caller checking many units of one programme.
    A fixed number of queries whatever the team's size, plus a few per stamp.
    """
    team = list(
        Participant.objects.select_for_update(of=("self",))
        .filter(enrolment_id=enrolment.pk)
        .select_related("user")
        .order_by("pk")
    )
    locked = (
        UnitEnrolment.objects.select_for_update(of=("self",))
        .select_related("unit", "cohort__programme__completion_rule")
        .get(pk=enrolment.pk)
    )
    programme = locked.cohort.programme
    stamped: list[Participant] = []
    if locked.status in (UnitEnrolment.Status.ENROLLED, UnitEnrolment.Status.COMPLETED):
        if required is None:
            required = frozenset(completion.required_activity_ids(programme))
        active = [member for member in team if member.status == Participant.Status.ACTIVE]
        earned = completion.members_who_completed(active, required, completion.rule_of(programme))
        for member in active:
            if member.pk in earned:
                member.enrolment = locked  # the receivers read it: no query
                _stamp_participant(member, None)
                stamped.append(member)
                _record_repair(actor, participant=member, enrolment=locked)
    unit_stamped = False
    no_longer = False
    if locked.status == UnitEnrolment.Status.ENROLLED and completion.unit_has_completed(locked):
        _stamp_unit(locked, None)
        unit_stamped = True
        _record_repair(actor, enrolment=locked)
    elif locked.status == UnitEnrolment.Status.COMPLETED:
        no_longer = not completion.unit_has_completed(locked)
    return Reevaluation(
        participants_stamped=tuple(stamped),
        unit_stamped=unit_stamped,
        unit_no_longer_meets_rule=no_longer,
    )


def _record_repair(
    actor: Any, *, enrolment: UnitEnrolment, participant: Participant | None = None
) -> None:
    details: dict[str, Any] = {
        "unit": enrolment.unit.name,
        "cohort": enrolment.cohort.name,
        "organisation_id": enrolment.cohort.programme.organisation_id,
    }
    if participant is not None:
        record_event(
            action=AuditEvent.Action.COMPLETION_REPAIRED,
            actor=actor,
            subject=participant.user,
            **details,
        )
    else:
        record_event(
            action=AuditEvent.Action.COMPLETION_REPAIRED,
            actor=actor,
            subject_label=enrolment.unit.name,
            **details,
        )
