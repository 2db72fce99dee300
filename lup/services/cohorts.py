"""Closing a cohort: every unit still enrolled is settled, so no figure counts it as
"in progress" any longer.

A unit that has not completed when its cohort closes either has not completed
(`NOT_COMPLETED`) or moves to a later cohort of the same programme with its work kept
(`MOVED`, `moved_to` the new enrolment, which takes over its team, with their attendance,
and its innovation project; activity completions are the people's own, so they count
there as they did here). Completed and withdrawn units stay as they are.

Lock order, as for every completion write: the cohort, the team members (participants),
then the enrolments, then the target cohorts. A completion being written at the same
moment is therefore either committed before the closing reads the unit (the unit stays
completed) or decided after it (the unit is no longer enrolled, so it is not stamped).

A unit may also move while both cohorts run (`move_enrolled_unit`, the programme office's
"Move"): the same move, with its refusals, under the same order. Its two cohorts are locked
first, the earlier-starting one before the other (closing locks its cohort before the later
ones it moves units to, so the two never wait for each other in a circle), then the unit's
team, its enrolment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import record_event
from ..models import AuditEvent, Cohort, Participant, UnitEnrolment
from .completion_writes import reevaluate_enrolment, touch_team
from .teams import enrol_unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class CohortClosing:
    """What closing a cohort did to its units."""

    cohort: Cohort
    not_completed: tuple[UnitEnrolment, ...] = ()
    # (the enrolment in the closed cohort, the new one in the later cohort)
    moved: tuple[tuple[UnitEnrolment, UnitEnrolment], ...] = ()
    # Units not moved whose team met the rule though their completion had not been
    # recorded: closing records it (`reevaluate_enrolment`) rather than call them not
    # completed. (A moved unit is checked in its new cohort instead.)
    completed: tuple[UnitEnrolment, ...] = ()


def later_cohorts(cohort: Cohort) -> Any:
    """The cohorts a unit of `cohort` may move to on closing: open cohorts of the same
    programme that start after it."""
    return Cohort.objects.filter(
        programme_id=cohort.programme_id,
        starts_on__gt=cohort.starts_on,
        closed_at__isnull=True,
    ).order_by("starts_on", "name")


def closing_refusal(cohort: Cohort) -> str | None:
    """Why `cohort` cannot be closed now (already closed, not started yet), or None."""
    if cohort.is_closed:
        return _("%(cohort)s is already closed.") % {"cohort": cohort.name}
    if timezone.localdate() < cohort.starts_on:
        return _("%(cohort)s has not started yet: a cohort can be closed once it has started.") % {
            "cohort": cohort.name
        }
    return None


def _enrolment_pk(key: Any) -> int:
    if isinstance(key, UnitEnrolment):
        return int(key.pk)
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    raise ValidationError(_("A unit to move is not a unit of this cohort."))


@transaction.atomic
def close_cohort(
    *,
    cohort: Cohort,
    closed_by: User | None,
    moves: Mapping[UnitEnrolment | int, Cohort] | None = None,
) -> CohortClosing:
    """Close a cohort that has started: each unit still enrolled has not completed, or
    moves to the later cohort `moves` gives for it (by enrolment or its id).

    Refuses (ValidationError, every reason at once, nothing changed) a cohort that is
    closed or has not started, a unit that is not one of the cohort's still enrolled, and
    a target that is not an open, later cohort of the same programme or already has the
    unit. A moved unit's new enrolment is then checked against the rule at once: its team
    may already meet it there. Audited: `COHORT_CLOSED` once and `UNIT_MOVED` per move.
    """
    locked = (
        Cohort.objects.select_for_update(of=("self",)).select_related("programme").get(pk=cohort.pk)
    )
    refusal = closing_refusal(locked)
    if refusal:
        raise ValidationError(refusal)

    wanted = {_enrolment_pk(key): target for key, target in (moves or {}).items()}
    # Participants before enrolments (the completion services' order), then the enrolments.
    list(
        Participant.objects.select_for_update(of=("self",))
        .filter(enrolment__cohort_id=locked.pk)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    enrolments = {
        enrolment.pk: enrolment
        for enrolment in UnitEnrolment.objects.select_for_update(of=("self",))
        .filter(cohort_id=locked.pk)
        .select_related("unit__organisation")
        .order_by("pk")
    }
    targets = _lock_targets(wanted.values())
    errors = _move_refusals(locked, wanted, enrolments, targets)
    if errors:
        raise ValidationError(errors)

    enrolled = sorted(
        (e for e in enrolments.values() if e.status == UnitEnrolment.Status.ENROLLED),
        key=lambda enrolment: (enrolment.unit.name, enrolment.pk),
    )
    not_completed: list[UnitEnrolment] = []
    moved: list[tuple[UnitEnrolment, UnitEnrolment]] = []
    completed: list[UnitEnrolment] = []
    for enrolment in enrolled:
        enrolment.cohort = locked
        if enrolment.pk in wanted:
            target = targets[wanted[enrolment.pk].pk]
            moved.append((enrolment, _move(enrolment, target, closed_by)))
        elif reevaluate_enrolment(enrolment=enrolment, actor=closed_by).unit_stamped:
            # Its team had met the rule, but the completion was never recorded: it has
            # completed (once not completed, no later check would repair it).
            enrolment.refresh_from_db()
            completed.append(enrolment)
        else:
            _settle(enrolment, UnitEnrolment.Status.NOT_COMPLETED)
            not_completed.append(enrolment)

    locked.closed_at = timezone.now()
    locked.closed_by = closed_by
    locked.save(update_fields=["closed_at", "closed_by"])
    record_event(
        action=AuditEvent.Action.COHORT_CLOSED,
        actor=closed_by,
        subject_label=locked.name,
        cohort=locked.name,
        programme=locked.programme.name,
        not_completed=len(not_completed),
        moved=len(moved),
        completed=len(completed),
        organisation_id=locked.programme.organisation_id,
    )
    cohort.closed_at, cohort.closed_by = locked.closed_at, locked.closed_by
    return CohortClosing(
        cohort=locked,
        not_completed=tuple(not_completed),
        moved=tuple(moved),
        completed=tuple(completed),
    )


def _lock_targets(targets: Any) -> dict[int, Cohort]:
    pks = sorted({target.pk for target in targets if isinstance(target, Cohort)})
    return {
        target.pk: target
        for target in Cohort.objects.select_for_update(of=("self",))
        .filter(pk__in=pks)
        .order_by("pk")
    }


def _move_refusals(
    cohort: Cohort,
    wanted: dict[int, Any],
    enrolments: dict[int, UnitEnrolment],
    targets: dict[int, Cohort],
) -> list[str]:
    """Every reason the moves asked for cannot be made (empty when they all can)."""
    errors: list[str] = []
    placed = set(
        UnitEnrolment.objects.filter(
            cohort_id__in=targets.keys(),
            unit_id__in=[enrolments[pk].unit_id for pk in wanted if pk in enrolments],
        ).values_list("cohort_id", "unit_id")
    )
    for pk, given in wanted.items():
        enrolment = enrolments.get(pk)
        if enrolment is None:
            errors.append(
                _("A unit to move is not a unit of %(cohort)s.") % {"cohort": cohort.name}
            )
            continue
        target = targets.get(given.pk) if isinstance(given, Cohort) else None
        refusal = _move_refusal(cohort, enrolment, target, placed, later_only=True)
        if refusal:
            errors.append(refusal)
    return errors


def _move_refusal(
    cohort: Cohort,
    enrolment: UnitEnrolment,
    target: Cohort | None,
    placed: set[tuple[int, int]],
    *,
    later_only: bool,
) -> str | None:
    """Why one unit of `cohort` cannot move to `target` (locked), or None. `placed` holds
    the (cohort, unit) pairs already taken; `later_only`: closing moves units only to a
    cohort that starts later."""
    unit = enrolment.unit.name
    if enrolment.status != UnitEnrolment.Status.ENROLLED:
        return _(
            "%(unit)s is no longer enrolled (%(status)s): only units still enrolled can be moved."
        ) % {"unit": unit, "status": enrolment.get_status_display().lower()}
    if target is None:
        return _("No cohort to move %(unit)s to.") % {"unit": unit}
    if target.programme_id != cohort.programme_id:
        return _("%(target)s is not a cohort of %(programme)s: %(unit)s cannot move there.") % {
            "target": target.name,
            "programme": cohort.programme.name,
            "unit": unit,
        }
    if later_only and target.starts_on <= cohort.starts_on:
        return _(
            "%(target)s does not start after %(cohort)s: %(unit)s can only move to a later cohort."
        ) % {"target": target.name, "cohort": cohort.name, "unit": unit}
    if target.pk == cohort.pk:
        return _("%(unit)s is already in %(target)s.") % {"unit": unit, "target": target.name}
    if target.is_closed:
        return _("%(target)s is closed: %(unit)s cannot move there.") % {
            "target": target.name,
            "unit": unit,
        }
    if (target.pk, enrolment.unit_id) in placed:
        return _("%(unit)s already has a place in %(target)s.") % {
            "unit": unit,
            "target": target.name,
        }
    return None


@transaction.atomic
def move_enrolled_unit(
    *, enrolment: UnitEnrolment, to_cohort: Cohort, moved_by: User | None
) -> UnitEnrolment:
    """Move a unit still enrolled in an open cohort to another open cohort of the same
    programme now, with its work: the enrolment becomes `MOVED` (`moved_to` the new one),
    which takes over its team with their attendance and its innovation project, and is
    checked against the rule at once. Returns the new enrolment.

    Refuses (ValidationError, nothing changed) a closed cohort, a unit no longer enrolled,
    and a target that is the same cohort, another programme's, closed, or already has the
    unit. Locks both cohorts (the earlier-starting first), the team, then the enrolment
    (see the module's docstring). Audited: `UNIT_MOVED`.
    """
    cohorts = {
        cohort.pk: cohort
        for cohort in Cohort.objects.select_for_update(of=("self",))
        .select_related("programme")
        .filter(pk__in={enrolment.cohort_id, to_cohort.pk})
        .order_by("starts_on", "pk")
    }
    cohort = cohorts[enrolment.cohort_id]
    list(
        Participant.objects.select_for_update(of=("self",))
        .filter(enrolment_id=enrolment.pk)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    locked = (
        UnitEnrolment.objects.select_for_update(of=("self",))
        .select_related("unit__organisation")
        .get(pk=enrolment.pk)
    )
    if cohort.is_closed:
        raise ValidationError(
            _("%(cohort)s is closed: its units can no longer move.") % {"cohort": cohort.name}
        )
    placed = set(
        UnitEnrolment.objects.filter(cohort_id=to_cohort.pk, unit_id=locked.unit_id).values_list(
            "cohort_id", "unit_id"
        )
    )
    refusal = _move_refusal(cohort, locked, cohorts.get(to_cohort.pk), placed, later_only=False)
    if refusal:
        raise ValidationError(refusal)
    locked.cohort = cohort
    new = _move(locked, cohorts[to_cohort.pk], moved_by)
    enrolment.status, enrolment.moved_to = locked.status, new
    return new


def _settle(enrolment: UnitEnrolment, status: str, moved_to: UnitEnrolment | None = None) -> None:
    UnitEnrolment.objects.filter(pk=enrolment.pk).update(
        status=status, moved_to=moved_to, updated_at=timezone.now()
    )
    enrolment.status, enrolment.moved_to = status, moved_to
    touch_team(enrolment)


def _move(enrolment: UnitEnrolment, target: Cohort, closed_by: Any) -> UnitEnrolment:
    """Move a unit with its team (current and withdrawn members, their attendance with
    them) and its innovation project to `target`; check the new enrolment at once."""
    new = enrol_unit(cohort=target, unit=enrolment.unit, replacing=enrolment)
    Participant.objects.filter(enrolment_id=enrolment.pk).update(
        enrolment=new, updated_at=timezone.now()
    )
    # The project belongs to lup.innovation, a layer above: reached through the registry.
    project: Any = apps.get_model("lup", "InnovationProject")
    project.objects.filter(enrolment_id=enrolment.pk).update(enrolment=new)
    _settle(enrolment, UnitEnrolment.Status.MOVED, moved_to=new)
    touch_team(new)
    record_event(
        action=AuditEvent.Action.UNIT_MOVED,
        actor=closed_by,
        subject_label=enrolment.unit.name,
        unit=enrolment.unit.name,
        from_cohort=enrolment.cohort.name,
        to_cohort=target.name,
        organisation_id=enrolment.cohort.programme.organisation_id,
    )
    new.cohort = target
    reevaluate_enrolment(enrolment=new, actor=closed_by)
    new.refresh_from_db()
    return new
