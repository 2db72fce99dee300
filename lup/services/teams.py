"""Enrolling a unit in a cohort, and putting people on its team."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from courses.api import enrol

from ..audit import record_event
from ..models import (
    PLACE_GIVEN_UP,
    AuditEvent,
    Cohort,
    Participant,
    ServiceUnit,
    UnitEnrolment,
)
from ..permissions import belongs_elsewhere, runs_itself
from .completion_writes import reevaluate_enrolment

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Set on a participant whose change a service re-evaluates itself, so the receiver that
# re-evaluates changes saved without a service (lup.receivers.team_changes) does not.
REEVALUATED_BY_SERVICE = "_lup_reevaluated_by_service"


def enrolment_conflict(
    *, unit: ServiceUnit, cohort: Cohort, replacing: UnitEnrolment | None = None
) -> str | None:
    """Why `unit` cannot join `cohort`, or None when it can.

    A unit takes part in a programme once: it may not be enrolled in two cohorts of
    the same programme unless the earlier enrolment was withdrawn, did not complete or
    moved on (or is `replacing`, the
    enrolment a unit moves from when its cohort closes). A closed cohort takes no units.
    """
    if cohort.is_closed:
        return _("%(cohort)s is closed and takes no new units.") % {"cohort": cohort.name}
    if not unit.active:
        return _("%(unit)s is inactive and cannot be enrolled.") % {"unit": unit.name}
    if unit.organisation_id != cohort.programme.organisation_id and runs_itself(
        unit.organisation_id
    ):
        return guest_unit_refusal(unit)
    others = (
        UnitEnrolment.objects.filter(unit=unit, cohort__programme_id=cohort.programme_id)
        .exclude(cohort=cohort)
        .exclude(status__in=PLACE_GIVEN_UP)
    )
    if replacing is not None:
        others = others.exclude(pk=replacing.pk)
    other = others.select_related("cohort").first()
    if other is not None:
        return _("%(unit)s is already enrolled in %(cohort)s.") % {
            "unit": unit.name,
            "cohort": other.cohort.name,
        }
    return None


@transaction.atomic
def enrol_unit(
    *, cohort: Cohort, unit: ServiceUnit, replacing: UnitEnrolment | None = None
) -> UnitEnrolment:
    """Enrol a service unit in a cohort; returns the existing enrolment when there is one.

    Raises ValidationError when the cohort is closed, or the unit is inactive or already
    takes part in another cohort of the same programme (other than `replacing`, the
    enrolment it moves from: `lup.services.cohorts.close_cohort`).
    """
    existing = UnitEnrolment.objects.filter(cohort=cohort, unit=unit).first()
    if existing is not None:
        return existing
    conflict = enrolment_conflict(unit=unit, cohort=cohort, replacing=replacing)
    if conflict:
        raise ValidationError(conflict)
    enrolment = UnitEnrolment(cohort=cohort, unit=unit)
    enrolment.full_clean()
    enrolment.save()
    return enrolment


def guest_unit_refusal(unit: ServiceUnit) -> str:
    """Why another tenant's unit cannot join this organisation's cohort as a guest."""
    return _(
        "%(unit)s belongs to %(organisation)s, which runs its own programme: only its "
        "administrators can enrol it."
    ) % {"unit": unit.name, "organisation": unit.organisation.name}


def team_organisations(enrolment: UnitEnrolment) -> set[int]:
    """The organisations a team's people may belong to: the one running the programme, and
    the unit's own (a guest unit from another municipality)."""
    return {enrolment.cohort.programme.organisation_id, enrolment.unit.organisation_id}


def another_tenants_account(user: User, enrolment: UnitEnrolment) -> str | None:
    """Why `user` cannot be put on this team because their account is another
    organisation's to manage (lup.permissions.belongs_elsewhere), or None."""
    if not belongs_elsewhere(user, team_organisations(enrolment)):
        return None
    return another_tenants_account_refusal(user.email)


def another_tenants_account_refusal(email: str) -> str:
    """The refusal to put another organisation's account on a team (service, import)."""
    return _(
        "%(email)s belongs to another organisation, or has a role there, and cannot be "
        "added to a team here. Ask that organisation, or use another e-mail address."
    ) % {"email": email}


@transaction.atomic
def add_participant(*, enrolment: UnitEnrolment, user: User, role: str) -> tuple[Participant, bool]:
    """Put a person on a unit's team in a cohort, or update their role if already there.

    Returns the participant and whether it was created. A team has one manager:
    making a second person manager raises ValidationError naming the current one. An
    account that belongs to another organisation (or a superuser's, or staff's elsewhere)
    is refused: the wall between tenants.
    """
    if role not in Participant.Role.values:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role})
    refusal = another_tenants_account(user, enrolment)
    if refusal:
        raise ValidationError(refusal)
    participant = Participant.objects.filter(enrolment=enrolment, user=user).first()
    if role == Participant.Role.MANAGER:
        current_manager = (
            Participant.objects.current()
            .filter(enrolment=enrolment, role=Participant.Role.MANAGER)
            .exclude(user=user)
            .select_related("user")
            .first()
        )
        if current_manager is not None:
            raise ValidationError(
                _("%(unit)s already has a manager in %(cohort)s: %(email)s.")
                % {
                    "unit": enrolment.unit.name,
                    "cohort": enrolment.cohort.name,
                    "email": current_manager.user.email,
                }
            )
    if participant is None:
        participant = Participant(enrolment=enrolment, user=user, role=role)
        participant.full_clean(exclude=["user", "enrolment"])
        participant.save()
        course = enrolment.cohort.programme.course
        if course is not None:
            enrol(user=user, course=course, starts_on=enrolment.cohort.starts_on)
        return participant, True
    if participant.role != role:
        previous = participant.role
        participant.role = role
        participant.__dict__[REEVALUATED_BY_SERVICE] = True
        participant.save(update_fields=["role"])
        record_event(
            action=AuditEvent.Action.ROLE_CHANGED,
            subject=user,
            unit=enrolment.unit.name,
            cohort=enrolment.cohort.name,
            role_before=previous,
            role_after=role,
        )
        # A new manager may complete the unit (or the person): re-check it now.
        reevaluate_enrolment(enrolment=enrolment)
    return participant, False
