"""Updating each benefit at the end of every project phase, as benefit realisation practice
asks: the phase change asks for it, the benefit's owner is reminded, and recording the
update settles the reminder.

The phase an update belongs to is the one the project finished last: the phase of the
phase change before the latest. Each benefit is updated once per phase.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ... import app_settings
from ...models import Participant
from ...notifications.models import Notification
from ...notifications.services import notify, settle
from ..models import Benefit, BenefitUpdate, InnovationProject, PhaseChange, ProjectPhase


def update_key(benefit_id: int, phase_id: int) -> str:
    """The reminder's key (and what it is `about`) for a benefit's update of a phase."""
    return f"benefit-update:{benefit_id}:{phase_id}"


def finished_phase(project: InnovationProject) -> ProjectPhase | None:
    """The phase the project finished last (that of the phase change before the latest),
    or None while it is still in its first phase."""
    changes = list(
        PhaseChange.objects.filter(project=project)
        .select_related("phase")
        .order_by("-entered_on", "-recorded_at", "-pk")[:2]
    )
    if len(changes) < 2 or changes[1].phase_id == changes[0].phase_id:
        return None
    return changes[1].phase


def finished_phase_from(changes: list[PhaseChange]) -> ProjectPhase | None:
    """`finished_phase` from the project's phase changes already read, in timeline order."""
    if len(changes) < 2 or changes[-2].phase_id == changes[-1].phase_id:
        return None
    return changes[-2].phase


def managers_of(project: InnovationProject) -> list[User]:
    """The team's current managers, who are reminded of benefits without a named owner."""
    return [
        participant.user
        for participant in Participant.objects.current()
        .filter(enrolment_id=project.enrolment_id, role=Participant.Role.MANAGER)
        .select_related("user")
    ]


def request_benefit_updates(
    *, project: InnovationProject, phase: ProjectPhase, ended_on: dt.date
) -> int:
    """Remind each benefit's owner (or, without a named owner, the team's managers) to
    update the benefit for `phase`, which ended on `ended_on`: one BENEFIT_DUE notification
    per benefit and phase, linking to the update form. Benefits updated for the phase
    already are left out. Returns the number of benefits asked for."""
    benefits = list(
        Benefit.objects.filter(project=project)
        .exclude(updates__phase=phase)
        .select_related("owner_person")
        .order_by("created_at", "pk")
    )
    if not benefits:
        return 0
    managers: list[User] | None = None
    organisation = project.organisation.name
    for benefit in benefits:
        if benefit.owner_person is not None:
            recipients: Iterable[User] = [benefit.owner_person]
        else:
            if managers is None:
                managers = managers_of(project)
            recipients = managers
        key = update_key(benefit.pk, phase.pk)
        notify(
            recipients=recipients,
            kind=Notification.Kind.BENEFIT_DUE,
            key=key,
            about=key,
            context={
                "project": project.title,
                "due_on": ended_on.isoformat(),
                "benefits": [benefit.description],
                "organisation": organisation,
            },
            url=app_settings.SITE_URL() + reverse("lup:benefit-update", args=[benefit.pk]),
        )
    return len(benefits)


@transaction.atomic
def record_benefit_update(
    *,
    benefit: Benefit,
    value: Decimal | None,
    measured_on: dt.date | None,
    status: str,
    recorded_by: User | None,
    note: str = "",
) -> BenefitUpdate:
    """Record the benefit's update for the phase the project finished last, and settle the
    reminder of it. Refused (ValidationError by field, nothing stored) without a value or a
    date, with a date in the future or before the baseline, while no phase is finished, or
    when the benefit is updated for that phase already."""
    errors: dict[str, Any] = {}
    if value is None:
        errors["value"] = _("Enter the value measured.")
    if measured_on is None:
        errors["measured_on"] = _("Enter the date of the measurement.")
    elif measured_on > timezone.localdate():
        errors["measured_on"] = _("The date cannot be in the future.")
    elif measured_on < benefit.baseline_on:
        errors["measured_on"] = _("The update cannot be before the baseline (%(date)s).") % {
            "date": formats.date_format(benefit.baseline_on, "SHORT_DATE_FORMAT")
        }
    if status not in BenefitUpdate.Status.values:
        errors["status"] = _("Choose a status.")
    if errors:
        raise ValidationError(errors)
    assert value is not None
    assert measured_on is not None
    phase = finished_phase(benefit.project)
    if phase is None:
        raise ValidationError(_("The project has not finished a phase yet."))
    if BenefitUpdate.objects.filter(benefit=benefit, phase=phase).exists():
        raise _updated_already(phase)
    update = BenefitUpdate(
        benefit=benefit,
        phase=phase,
        value=value,
        measured_on=measured_on,
        status=status,
        note=note,
        recorded_by=recorded_by,
    )
    update.full_clean()
    try:
        with transaction.atomic():
            update.save()
    except IntegrityError:  # recorded by someone else a moment ago
        raise _updated_already(phase) from None
    settle(about=update_key(benefit.pk, phase.pk))
    return update


def _updated_already(phase: ProjectPhase) -> ValidationError:
    return ValidationError(
        _("This benefit is updated for the phase %(phase)s already.") % {"phase": phase.name}
    )
