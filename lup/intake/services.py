"""Intake's writes: opening a call, applying or nominating, and the office's decisions.

Accepting takes a place, so it locks the call's row first: two administrators accepting at
the same moment are served one after the other, and the second sees the first's place taken
(the capacity holds under concurrency; `tests/lup/test_intake_concurrency.py`). Then the
unit is enrolled and its team put on it with the same services as the CSV import and the
team page (`enrol_unit`, `add_participant`, `invite_to_team`), so the walls between tenants
and the one-manager rule are the same whichever way people come in.

Everyone involved is told by e-mail after the commit, in their own language: the sender
when the application arrives, the unit's manager when it was nominated, and both of them
when the office decides; the enthusiasts are told by `invite_to_team` when accepted. An
acceptance is also a notification for the team (lup.notifications), listed in the product.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .. import app_settings
from ..audit import record_event
from ..languages import language_of
from ..models import AuditEvent, Cohort, Participant, Sector, ServiceUnit
from ..notifications.models import Notification
from ..notifications.services import notify
from ..permissions import belongs_elsewhere, is_of_organisation, tenancy_ties
from ..services import (
    add_participant,
    enrol_unit,
    enrolment_conflict,
    invite_to_team,
    person_for_email,
)
from ..services.teams import another_tenants_account_refusal
from .models import Application, Call
from .selectors import eligible_units, places_taken

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Applications the office has yet to decide, or has decided to keep: each holds the unit's
# place in the call (the database allows one such application per unit and call).
LIVE = (Application.Status.PENDING, Application.Status.WAITING, Application.Status.ACCEPTED)
UNDECIDED = (Application.Status.PENDING, Application.Status.WAITING)
MAX_ENTHUSIASTS = 12


def _check_call_fields(
    *,
    cohort: Cohort,
    capacity: int,
    deadline: dt.date,
    sectors: Iterable[Sector],
    units: Iterable[ServiceUnit],
) -> None:
    errors: dict[str, list[str]] = {}
    if cohort.is_closed:
        errors.setdefault("cohort", []).append(
            _("%(cohort)s is closed and takes no new units.") % {"cohort": cohort.name}
        )
    if capacity < 1:
        errors.setdefault("capacity", []).append(_("A cohort takes at least one unit."))
    if deadline > cohort.starts_on:
        errors.setdefault("deadline", []).append(
            _("The deadline must be on or before the day the cohort starts (%(date)s).")
            % {"date": formats.date_format(cohort.starts_on, "SHORT_DATE_FORMAT")}
        )
    organisation_id = cohort.programme.organisation_id
    if any(sector.organisation_id != organisation_id for sector in sectors):
        errors.setdefault("sectors", []).append(
            _("Choose sectors of the organisation that runs the programme.")
        )
    if any(unit.organisation_id != organisation_id for unit in units):
        errors.setdefault("units", []).append(
            _("Choose units of the organisation that runs the programme.")
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def open_call(
    *,
    cohort: Cohort,
    capacity: int,
    deadline: dt.date,
    sectors: Sequence[Sector] = (),
    units: Sequence[ServiceUnit] = (),
    message: str = "",
    opened_by: User,
) -> Call:
    """Open a call for applications to `cohort` (one per cohort). Refuses a closed cohort, a
    cohort that has a call, no places, a deadline after the cohort starts, and sectors or
    units of another organisation (ValidationError, nothing saved). Audited."""
    locked = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    if Call.objects.filter(cohort=locked).exists():
        raise ValidationError(
            {"cohort": [_("%(cohort)s already has a call.") % {"cohort": locked.name}]}
        )
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": [_("The deadline has passed.")]})
    _check_call_fields(
        cohort=locked, capacity=capacity, deadline=deadline, sectors=sectors, units=units
    )
    call = Call.objects.create(
        cohort=locked,
        capacity=capacity,
        deadline=deadline,
        message=message.strip(),
        opened_by=opened_by,
    )
    call.sectors.set(sectors)
    call.units.set(units)
    record_event(
        action=AuditEvent.Action.CALL_CHANGED,
        actor=opened_by,
        cohort=locked.name,
        capacity=capacity,
        deadline=deadline.isoformat(),
    )
    return call


@transaction.atomic
def change_call(
    *,
    call: Call,
    capacity: int,
    deadline: dt.date,
    sectors: Sequence[Sector] = (),
    units: Sequence[ServiceUnit] = (),
    message: str = "",
    changed_by: User,
) -> Call:
    """Change a call's places, deadline, who may apply and its message. Never fewer places
    than units already accepted. Audited."""
    locked = Call.objects.select_for_update().select_related("cohort__programme").get(pk=call.pk)
    _check_call_fields(
        cohort=locked.cohort, capacity=capacity, deadline=deadline, sectors=sectors, units=units
    )
    taken = places_taken(locked.cohort_id)
    if capacity < taken:
        raise ValidationError(
            {
                "capacity": [
                    _("%(count)d units already have a place: the call cannot have fewer places.")
                    % {"count": taken}
                ]
            }
        )
    locked.capacity, locked.deadline, locked.message = capacity, deadline, message.strip()
    locked.save(update_fields=["capacity", "deadline", "message"])
    locked.sectors.set(sectors)
    locked.units.set(units)
    record_event(
        action=AuditEvent.Action.CALL_CHANGED,
        actor=changed_by,
        cohort=locked.cohort.name,
        capacity=capacity,
        deadline=deadline.isoformat(),
    )
    return locked


def _clean_emails(raw: Iterable[str]) -> list[str]:
    """Work e-mail addresses, trimmed and lower-cased, each once; ValidationError naming the
    first one that is not an address."""
    emails: list[str] = []
    for value in raw:
        email = value.strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                {"enthusiasts": [_("“%(value)s” is not an e-mail address.") % {"value": value}]}
            ) from None
        if email not in emails:
            emails.append(email)
    return emails


def _another_tenants(emails: Iterable[str], organisation_ids: set[int]) -> list[str]:
    """The addresses whose account belongs to another organisation: they cannot be on a team
    here (the wall between tenants), so the application says so now, not at acceptance."""
    matches = Q()
    for email in emails:
        matches |= Q(email__iexact=email)  # an account's address may be written in capitals
    users = list(get_user_model().objects.filter(matches)) if matches else []
    # The tenancy ties of all of them at once (three queries), as the CSV import does.
    ties = tenancy_ties(users)
    return sorted(user.email for user in users if ties[user.pk].reach_beyond(organisation_ids))


def leads_sector(user: Any, unit: ServiceUnit) -> bool:
    """Whether `user` leads the unit's sector (may nominate it)."""
    return bool(
        unit.sector_id
        and Sector.leaders.through.objects.filter(
            sector_id=unit.sector_id, user_id=user.pk
        ).exists()
    )


@transaction.atomic
def apply_to_call(
    *,
    call: Call,
    unit: ServiceUnit,
    sent_by: User,
    motivation: str,
    enthusiasts: Iterable[str] = (),
    manager_email: str = "",
) -> Application:
    """A unit's application (its manager's: `manager_email` empty or the sender's own), or
    its nomination by the leader of its sector (someone else's `manager_email`).

    Refuses (ValidationError, nothing saved): a call past its deadline, a sender who does
    not work for the organisation, a unit the call does not invite, a unit that has a live
    application or already takes part in the programme, a nomination by someone who does not
    lead the unit's sector, more than twelve enthusiasts, the manager among them, and
    addresses whose accounts belong to another organisation."""
    locked_call = (
        Call.objects.select_for_update().select_related("cohort__programme").get(pk=call.pk)
    )
    cohort = locked_call.cohort
    organisation_id = cohort.programme.organisation_id
    if not locked_call.is_open():
        raise ValidationError(_("The call for %(cohort)s is closed.") % {"cohort": cohort.name})
    if not sent_by.is_superuser and not is_of_organisation(sent_by, organisation_id):
        raise ValidationError(
            _("Only people of %(organisation)s may apply.")
            % {"organisation": cohort.programme.organisation.name}
        )
    if not eligible_units(locked_call).filter(pk=unit.pk).exists():
        raise ValidationError(
            {"unit": [_("%(unit)s is not invited by this call.") % {"unit": unit.name}]}
        )
    if Application.objects.filter(call=locked_call, unit=unit, status__in=LIVE).exists():
        raise ValidationError(
            {"unit": [_("%(unit)s has already applied to this call.") % {"unit": unit.name}]}
        )
    conflict = enrolment_conflict(unit=unit, cohort=cohort)
    if conflict:
        raise ValidationError({"unit": [conflict]})

    own_email = (sent_by.email or "").strip().lower()
    manager = (manager_email or own_email).strip().lower()
    try:
        validate_email(manager)
    except ValidationError:
        raise ValidationError({"manager_email": [_("Enter a valid e-mail address.")]}) from None
    kind = Application.Kind.APPLIED if manager == own_email else Application.Kind.NOMINATED
    if kind == Application.Kind.NOMINATED and not leads_sector(sent_by, unit):
        raise ValidationError(
            {
                "manager_email": [
                    _(
                        "Only the leader of %(unit)s's sector may nominate it for another "
                        "manager. If you lead the unit, give your own address."
                    )
                    % {"unit": unit.name}
                ]
            }
        )
    emails = _clean_emails(enthusiasts)
    if manager in emails:
        raise ValidationError(
            {"enthusiasts": [_("The manager is on the team already: list only the enthusiasts.")]}
        )
    if len(emails) > MAX_ENTHUSIASTS:
        raise ValidationError(
            {
                "enthusiasts": [
                    _("Propose at most %(count)d enthusiasts.") % {"count": MAX_ENTHUSIASTS}
                ]
            }
        )
    elsewhere = _another_tenants([manager, *emails], {organisation_id, unit.organisation_id})
    if elsewhere:
        raise ValidationError(
            {"enthusiasts": [another_tenants_account_refusal(email) for email in elsewhere]}
        )
    motivation = motivation.strip()
    if not motivation:
        raise ValidationError({"motivation": [_("Say what the unit wants to improve.")]})
    application = Application(
        call=locked_call,
        unit=unit,
        kind=kind,
        applied_by=sent_by,
        manager_email=manager,
        enthusiast_emails=emails,
        motivation=motivation,
    )
    application.full_clean(exclude=["enrolment", "applied_by", "decided_by"])
    application.save()
    transaction.on_commit(lambda: _tell_about(application, "received"))
    return application


@transaction.atomic
def withdraw_application(*, application: Application, by: User) -> Application:
    """The sender or the unit's manager withdraws an application the office has not
    accepted or declined."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status not in UNDECIDED:
        raise ValidationError(
            _("This application is %(status)s and can no longer be withdrawn.")
            % {"status": locked.get_status_display().lower()}
        )
    locked.status = Application.Status.WITHDRAWN
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_at"])
    return locked


def _lock_undecided(application: Application) -> tuple[Call, Application]:
    """Lock the call (the capacity), then the application; refuse a decided one."""
    call = (
        Call.objects.select_for_update(of=("self",))
        .select_related("cohort__programme")
        .get(pk=application.call_id)
    )
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=application.pk)
    )
    if locked.status not in UNDECIDED:
        raise ValidationError(
            _("This application is already %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    return call, locked


def _decide(locked: Application, status: str, by: User, note: str) -> None:
    locked.status = status
    locked.decided_at = timezone.now()
    locked.decided_by = by
    locked.decision_note = note.strip()
    locked.save(update_fields=["status", "decided_at", "decided_by", "decision_note", "enrolment"])
    record_event(
        action=AuditEvent.Action.APPLICATION_DECIDED,
        actor=by,
        unit=locked.unit.name,
        cohort=locked.call.cohort.name,
        decision=status,
    )
    transaction.on_commit(lambda: _tell_about(locked, status))


@transaction.atomic
def accept_application(*, application: Application, by: User, note: str = "") -> Application:
    """Give the unit a place: enrol it in the call's cohort with its manager and proposed
    enthusiasts (accounts found by work e-mail or created). Refuses a full call (wait-list
    instead), a decided application, and a unit or person that can no longer join (the
    reason from the team services; nothing is kept then). Audited; everyone is told."""
    call, locked = _lock_undecided(application)
    if places_taken(call.cohort_id) >= call.capacity:
        raise ValidationError(
            _(
                "All %(count)d places are taken. Put the unit on the waiting list, or give the "
                "call more places."
            )
            % {"count": call.capacity}
        )
    enrolment = enrol_unit(cohort=call.cohort, unit=locked.unit)
    manager, _created = person_for_email(locked.manager_email, "", "")
    add_participant(enrolment=enrolment, user=manager, role=Participant.Role.MANAGER)
    team = [manager]
    for email in locked.enthusiast_emails:
        if email == manager.email.lower():
            continue
        team.append(invite_to_team(enrolment=enrolment, email=email, invited_by=by).user)
    locked.enrolment = enrolment
    _decide(locked, Application.Status.ACCEPTED, by, note)
    _notify_accepted(locked, team)
    return locked


def _notify_accepted(application: Application, team: list[Any]) -> None:
    """The unit's manager and the enthusiasts named in the application find the acceptance
    among their notifications, linking to their programme page (where their team and
    cohort are). Each is e-mailed already (the decision, the invitation to the team), so
    the kind is by default listed only in the product (`notifications.kinds`)."""
    cohort = application.call.cohort
    notify(
        recipients=team,
        kind=Notification.Kind.APPLICATION_ACCEPTED,
        key=f"application-accepted:{application.pk}",
        context={
            "programme": cohort.programme.name,
            "cohort": cohort.name,
            "unit": application.unit.name,
            "organisation": cohort.programme.organisation.name,
        },
        url=app_settings.SITE_URL() + reverse("lup:my-programme"),
    )


@transaction.atomic
def wait_list_application(*, application: Application, by: User, note: str = "") -> Application:
    """Put the unit on the call's waiting list: it keeps its application and may be
    accepted when a place frees up. Audited; the unit is told."""
    _call, locked = _lock_undecided(application)
    if locked.status == Application.Status.WAITING:
        raise ValidationError(_("This application is already on the waiting list."))
    _decide(locked, Application.Status.WAITING, by, note)
    return locked


@transaction.atomic
def decline_application(*, application: Application, by: User, note: str) -> Application:
    """Decline an application, saying why (the unit is told). Audited."""
    if not note.strip():
        raise ValidationError({"note": [_("Tell the unit why.")]})
    _call, locked = _lock_undecided(application)
    _decide(locked, Application.Status.DECLINED, by, note)
    return locked


def waiting_position(application: Application) -> int:
    """The application's place on its call's waiting list (1 = next)."""
    return Application.objects.filter(
        call_id=application.call_id,
        status=Application.Status.WAITING,
        submitted_at__lte=application.submitted_at,
    ).count()


def _recipients(application: Application) -> list[Any]:
    """The sender and the unit's manager (one e-mail each, in their own language)."""
    people: dict[str, Any] = {}
    if application.applied_by is not None and application.applied_by.email:
        people[application.applied_by.email.lower()] = application.applied_by
    manager = get_user_model().objects.filter(email__iexact=application.manager_email).first()
    people.setdefault(application.manager_email.lower(), manager or application.manager_email)
    return list(people.values())


def _message(application: Application, event: str) -> tuple[str, str]:
    cohort = application.call.cohort
    names = {
        "unit": application.unit.name,
        "cohort": cohort.name,
        "programme": cohort.programme.name,
        "starts": formats.date_format(cohort.starts_on, "DATE_FORMAT"),
    }
    subjects = {
        "received": _("We have received the application of %(unit)s to %(cohort)s"),
        Application.Status.ACCEPTED: _("%(unit)s has a place in %(cohort)s"),
        Application.Status.WAITING: _("%(unit)s is on the waiting list for %(cohort)s"),
        Application.Status.DECLINED: _("%(unit)s did not get a place in %(cohort)s"),
    }
    if event == "received" and application.kind == Application.Kind.NOMINATED:
        first = _("%(unit)s has been nominated for %(programme)s, %(cohort)s.") % names
    elif event == "received":
        first = (
            _(
                "The application of %(unit)s to %(programme)s, %(cohort)s, has arrived. The "
                "programme office will tell you what it decides."
            )
            % names
        )
    elif event == Application.Status.ACCEPTED:
        first = (
            _(
                "%(unit)s has a place in %(programme)s, %(cohort)s, which starts %(starts)s. The "
                "team is set up: sign in to see it."
            )
            % names
        )
    elif event == Application.Status.WAITING:
        first = _(
            "%(unit)s is number %(position)d on the waiting list for %(cohort)s. You will be "
            "told if a place frees up."
        ) % {**names, "position": waiting_position(application)}
    else:
        first = _("%(unit)s did not get a place in %(programme)s, %(cohort)s.") % names
    lines = [first]
    if application.decision_note:
        lines += ["", _("From the programme office:"), application.decision_note]
    lines += ["", app_settings.SITE_URL() + reverse("lup:my-applications")]
    return subjects[event] % names, "\n".join(lines)


def _tell_about(application: Application, event: str) -> None:
    """E-mail the sender and the unit's manager what happened to the application."""
    for person in _recipients(application):
        address = person if isinstance(person, str) else person.email
        language = settings.LANGUAGE_CODE if isinstance(person, str) else language_of(person)
        with translation.override(language):
            subject, body = _message(application, event)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])


@transaction.atomic
def add_sector_leader(*, sector: Sector, email: str, by: User) -> Any:
    """Make the person with this work e-mail a leader of the sector (they may nominate its
    units): their account is found, or created without a password. Refuses another
    organisation's account (the wall between tenants). Audited as a role change."""
    try:
        validate_email((email or "").strip())
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    person, _created = person_for_email(email.strip().lower(), "", "")
    if belongs_elsewhere(person, {sector.organisation_id}):
        raise ValidationError({"email": [another_tenants_account_refusal(person.email)]})
    if sector.leaders.filter(pk=person.pk).exists():
        raise ValidationError(
            {
                "email": [
                    _("%(email)s already leads %(sector)s.")
                    % {"email": person.email, "sector": sector.name}
                ]
            }
        )
    sector.leaders.add(person)
    record_event(
        action=AuditEvent.Action.ROLE_CHANGED,
        actor=by,
        subject=person,
        role="sector leader",
        sector=sector.name,
        change="added",
    )
    return person


@transaction.atomic
def remove_sector_leader(*, sector: Sector, person: Any, by: User) -> None:
    """The person no longer leads the sector (their nominations stay). Audited."""
    if not sector.leaders.filter(pk=person.pk).exists():
        raise ValidationError(_("That person does not lead %(sector)s.") % {"sector": sector.name})
    sector.leaders.remove(person)
    record_event(
        action=AuditEvent.Action.ROLE_CHANGED,
        actor=by,
        subject=person,
        role="sector leader",
        sector=sector.name,
        change="removed",
    )
