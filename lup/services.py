"""Writes that carry the programme's invariants, called by views, imports, admin and API."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.api import ActivityCompletion, enrol, record_completion, withdraw_completion

from . import completion, signals
from .audit import record_event
from .models import (
    Attendance,
    AuditEvent,
    Cohort,
    Gathering,
    OrganisationMembership,
    Participant,
    ServiceUnit,
    UnitEnrolment,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def enrolment_conflict(*, unit: ServiceUnit, cohort: Cohort) -> str | None:
    """Why `unit` cannot join `cohort`, or None when it can.

    A unit takes part in a programme once: it may not be enrolled in two cohorts of
    the same programme unless the earlier enrolment was withdrawn.
    """
    if not unit.active:
        return _("%(unit)s is inactive and cannot be enrolled.") % {"unit": unit.name}
    other = (
        UnitEnrolment.objects.filter(unit=unit, cohort__programme_id=cohort.programme_id)
        .exclude(cohort=cohort)
        .exclude(status=UnitEnrolment.Status.WITHDRAWN)
        .select_related("cohort")
        .first()
    )
    if other is not None:
        return _("%(unit)s is already enrolled in %(cohort)s.") % {
            "unit": unit.name,
            "cohort": other.cohort.name,
        }
    return None


@transaction.atomic
def enrol_unit(*, cohort: Cohort, unit: ServiceUnit) -> UnitEnrolment:
    """Enrol a service unit in a cohort; returns the existing enrolment when there is one.

    Raises ValidationError when the unit is inactive or already takes part in
    another cohort of the same programme.
    """
    existing = UnitEnrolment.objects.filter(cohort=cohort, unit=unit).first()
    if existing is not None:
        return existing
    conflict = enrolment_conflict(unit=unit, cohort=cohort)
    if conflict:
        raise ValidationError(conflict)
    enrolment = UnitEnrolment(cohort=cohort, unit=unit)
    enrolment.full_clean()
    enrolment.save()
    return enrolment


@transaction.atomic
def add_participant(*, enrolment: UnitEnrolment, user: User, role: str) -> tuple[Participant, bool]:
    """Put a person on a unit's team in a cohort, or update their role if already there.

    Returns the participant and whether it was created. A team has one manager:
    making a second person manager raises ValidationError naming the current one.
    """
    if role not in Participant.Role.values:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role})
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
        participant.save(update_fields=["role"])
        record_event(
            action=AuditEvent.Action.ROLE_CHANGED,
            subject=user,
            unit=enrolment.unit.name,
            cohort=enrolment.cohort.name,
            role_before=previous,
            role_after=role,
        )
    return participant, False


# Completion. Every write of a participant's or a unit's completion, stamp and withdrawal,
# is here: each locks the row that owns it (the participant, the unit's enrolment) with
# `select_for_update`, and the `..._if_earned`/`..._if_unearned` services then ask the rule
# (`lup.completion`, which only decides) under that lock, so a decision is taken from
# committed state and two transactions cannot both miss the last completion. Lock order:
# participant, then enrolment. Each write sends a signal of `lup.signals` in the same
# transaction (certificates are issued on commit by its receiver, `lup.receivers`).
#
# The rule-driven services raise nothing of their own, so they join the caller's
# transaction without a savepoint (`savepoint=False`: two queries fewer per call; a
# transaction of their own when there is none); the stamps by hand keep their savepoint,
# as callers may catch their ValidationError.


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


ANONYMISED_NAME = "Anonymisert"


@transaction.atomic
def anonymise_person(*, person: User, actor: User) -> None:
    """Remove a departed person's personal data while keeping the programme's figures.

    Their participation records stay (so completion counts and dashboards do not move)
    but name, e-mail, login methods, roles and two-factor devices go; they can no longer
    sign in. Audit events keep only "anonymised #id" for them. Refuses one's own account.
    """
    if person.pk == actor.pk:
        raise ValidationError(_("You cannot anonymise yourself."))
    if not person.is_active and person.email.endswith(ANONYMISED_EMAIL_DOMAIN):
        raise ValidationError(_("This person is already anonymised."))
    label = f"anonymised #{person.pk}"
    from django.apps import apps

    for app_label, model_name in (
        ("account", "EmailAddress"),
        ("socialaccount", "SocialAccount"),
        ("mfa", "Authenticator"),
    ):
        if apps.is_installed(f"allauth.{'mfa' if app_label == 'mfa' else app_label}"):
            apps.get_model(app_label, model_name).objects.filter(user=person).delete()
    OrganisationMembership.objects.filter(user=person).delete()
    person.lup_facilitated_cohorts.clear()
    person.groups.clear()
    person.user_permissions.clear()
    person.first_name = ANONYMISED_NAME
    person.last_name = ""
    person.email = f"anonymised-{person.pk}{ANONYMISED_EMAIL_DOMAIN}"
    person.username = f"anonymised-{person.pk}"
    person.is_active = person.is_staff = person.is_superuser = False
    person.set_unusable_password()  # also ends every session: the session hash changes
    person.save()
    AuditEvent.objects.filter(actor=person).update(actor_label=label)
    AuditEvent.objects.filter(subject=person).update(subject_label=label, details={})
    record_event(
        action=AuditEvent.Action.PERSON_ANONYMISED, subject=person, actor=actor, subject_label=label
    )


ANONYMISED_EMAIL_DOMAIN = "@anonymised.invalid"


def verify_email_after_password_reset(*, user: User) -> None:
    """A password reset link reached the person, so their address is verified.

    Imported participants have no password; without this they would have to confirm
    the same address a second time before their first sign-in.
    """
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(
            user=user,
            email=user.email,
            verified=True,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


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
    import secrets

    from django.utils import timezone

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
