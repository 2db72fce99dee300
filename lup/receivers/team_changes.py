"""A change on a unit's team re-checks the unit against the completion rule.

A participant whose role changes (an enthusiast made manager) or who leaves the team or
comes back may change whether the unit, or a person on it, meets the rule. The services
that make such a change re-evaluate inline (`lup.services.add_participant`); a change saved
without a service (the admin's participant forms) is re-evaluated here, once the
transaction commits, with `lup.services.reevaluate_enrolment`. That stamps what is now
earned and never takes a completion back: a participant's withdrawal does not withdraw the
unit's completion (a re-check reports a unit that no longer meets the rule).

pre_save reads the row as the database has it (the instance already holds the new values);
post_save compares (the pattern of `programme_changes`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .. import services
from ..models import Participant, UnitEnrolment
from ..services.teams import REEVALUATED_BY_SERVICE

TEAM_FIELDS = ("role", "status")
_BEFORE = "_lup_team_before"


@receiver(pre_save, sender=Participant, dispatch_uid="lup_team_change_before")
def remember_role_and_status(
    sender: Any, instance: Participant, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    instance.__dict__.pop(_BEFORE, None)
    if raw or instance.pk is None or instance.__dict__.get(REEVALUATED_BY_SERVICE):
        return
    if update_fields is not None:
        saved = set(update_fields)
        if not saved & set(TEAM_FIELDS):
            return
        if "role" not in saved and instance.status == Participant.Status.COMPLETED:
            return  # a completion stamp (lup.services), not a change of the team
    instance.__dict__[_BEFORE] = (
        Participant.objects.filter(pk=instance.pk).values(*TEAM_FIELDS).first()
    )


@receiver(post_save, sender=Participant, dispatch_uid="lup_team_change_reevaluate")
def reevaluate_after_team_change(
    sender: Any, instance: Participant, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    before = instance.__dict__.pop(_BEFORE, None)
    by_service = instance.__dict__.pop(REEVALUATED_BY_SERVICE, False)
    if raw or created or before is None or by_service:
        return
    if before == {field: getattr(instance, field) for field in TEAM_FIELDS}:
        return
    enrolment_id = instance.enrolment_id
    transaction.on_commit(lambda: _reevaluate(enrolment_id), robust=True)


def _reevaluate(enrolment_id: int) -> None:
    enrolment = UnitEnrolment.objects.filter(pk=enrolment_id).first()
    if enrolment is not None:
        services.reevaluate_enrolment(enrolment=enrolment)
