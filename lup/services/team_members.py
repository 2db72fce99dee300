"""The unit manager runs the team: invite, remove and replace enthusiasts, hand over the
manager role. Each change is audited and re-checks the unit against the rule.

The people put on a team come through `teams.add_participant`, as with the CSV import, so
the wall between tenants and the one-manager rule are the same whichever way they come.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .. import app_settings, completion
from ..audit import record_event
from ..languages import language_of
from ..models import AuditEvent, Participant, UnitEnrolment
from .completion_writes import reevaluate_enrolment
from .teams import REEVALUATED_BY_SERVICE, add_participant

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class TeamSize:
    """A team's current enthusiasts against the rule's minimum (shown on the team page)."""

    enthusiasts: int
    minimum: int

    @property
    def short_by(self) -> int:
        return max(self.minimum - self.enthusiasts, 0)


def team_size(enrolment: UnitEnrolment) -> TeamSize:
    """The team's enthusiasts still on it (active or completed) and the rule's minimum."""
    enthusiasts = (
        Participant.objects.current()
        .filter(enrolment=enrolment, role=Participant.Role.ENTHUSIAST)
        .count()
    )
    rule = completion.rule_of(enrolment.cohort.programme)
    return TeamSize(enthusiasts=enthusiasts, minimum=rule.min_enthusiasts)


def _refuse_unless_running(enrolment: UnitEnrolment) -> None:
    if enrolment.status != UnitEnrolment.Status.ENROLLED or enrolment.cohort.is_closed:
        raise ValidationError(
            _("The team of %(unit)s can no longer change: the unit is %(status)s.")
            % {"unit": enrolment.unit.name, "status": enrolment.get_status_display().lower()}
        )


def person_for_email(email: str, first_name: str, last_name: str) -> tuple[Any, bool]:
    """The account with this work e-mail, or a new one with no usable password (they sign
    in with the municipality's sign-in service, or set a password from the e-mail)."""
    user_model = get_user_model()
    found = list(user_model.objects.filter(email__iexact=email).order_by("pk")[:2])
    if len(found) > 1:
        raise ValidationError(
            _("Two accounts use %(email)s. Ask the programme administrators to merge them.")
            % {"email": email}
        )
    if found:
        return found[0], False
    user = user_model(username=email[:150], email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user, True


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("Enter a valid e-mail address.")) from None
    return email


@transaction.atomic
def invite_to_team(
    *,
    enrolment: UnitEnrolment,
    email: str,
    first_name: str = "",
    last_name: str = "",
    invited_by: User,
) -> Participant:
    """Put the person with this work e-mail on the team as an enthusiast: their account is
    found by e-mail or created; someone who left the team is brought back. Refuses another
    organisation's account (the wall between tenants), someone already on the team, and a
    team that can no longer change. The person is told by e-mail after the commit."""
    _refuse_unless_running(enrolment)
    email = _clean_email(email)
    user, _created = person_for_email(email, first_name.strip(), last_name.strip())
    existing = Participant.objects.filter(enrolment=enrolment, user=user).first()
    if existing is not None and existing.status != Participant.Status.WITHDRAWN:
        raise ValidationError(_("%(email)s is already on the team.") % {"email": user.email})
    participant, _new = add_participant(
        enrolment=enrolment, user=user, role=Participant.Role.ENTHUSIAST
    )
    if participant.status == Participant.Status.WITHDRAWN:
        participant.status = Participant.Status.ACTIVE
        participant.__dict__[REEVALUATED_BY_SERVICE] = True
        participant.save(update_fields=["status", "updated_at"])
    record_event(
        action=AuditEvent.Action.TEAM_MEMBER_ADDED,
        actor=invited_by,
        subject=user,
        unit=enrolment.unit.name,
        cohort=enrolment.cohort.name,
        role=participant.role,
    )
    reevaluate_enrolment(enrolment=enrolment, actor=invited_by)
    transaction.on_commit(lambda: _tell_the_invited(participant, invited_by))
    return participant


def _tell_the_invited(participant: Participant, invited_by: Any) -> None:
    """E-mail the person put on a team, in their own language, with where to sign in."""
    user = participant.user
    if not user.email:
        return
    enrolment = participant.enrolment
    with translation.override(language_of(user)):
        inviter = invited_by.get_full_name() or invited_by.email
        body = "\n".join(
            [
                _("%(inviter)s has put you on the team of %(unit)s in %(programme)s, %(cohort)s.")
                % {
                    "inviter": inviter,
                    "unit": enrolment.unit.name,
                    "programme": enrolment.cohort.programme.name,
                    "cohort": enrolment.cohort.name,
                },
                "",
                _("Sign in with your work account to see your programme:"),
                app_settings.SITE_URL() + reverse("lup:my-programme"),
            ]
        )
        subject = _("You are on the team of %(unit)s") % {"unit": enrolment.unit.name}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def _lock_member(participant: Participant, enrolment: UnitEnrolment) -> Participant:
    member = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=participant.pk, enrolment=enrolment)
        .first()
    )
    if member is None or member.status == Participant.Status.WITHDRAWN:
        raise ValidationError(_("That person is not on the team."))
    return member


@transaction.atomic
def remove_from_team(
    *, participant: Participant, removed_by: User, keep_minimum: bool = True
) -> Participant:
    """Take an enthusiast off the team (withdrawn: their work stays, the record says they
    left). The manager is handed over, never removed; someone who has completed stays on
    the record. With `keep_minimum`, a removal that leaves fewer enthusiasts than the rule
    asks is refused: replace the person instead."""
    enrolment = UnitEnrolment.objects.select_related("unit", "cohort__programme").get(
        pk=participant.enrolment_id
    )
    _refuse_unless_running(enrolment)
    # Lock the whole team before counting it: two removals at once would each count the
    # other's enthusiast as still there, and together leave the team below the minimum.
    # Participants first, as every completion write locks them (then the enrolment).
    list(
        Participant.objects.select_for_update(of=("self",))
        .filter(enrolment_id=enrolment.pk)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    member = _lock_member(participant, enrolment)
    if member.role == Participant.Role.MANAGER:
        raise ValidationError(
            _("The manager cannot be removed. Hand the manager role to someone else first.")
        )
    if member.status == Participant.Status.COMPLETED:
        raise ValidationError(
            _("%(name)s has completed the programme and stays on the team's record.")
            % {"name": member.user.get_full_name() or member.user.email}
        )
    size = team_size(enrolment)
    if keep_minimum and size.enthusiasts - 1 < size.minimum:
        raise ValidationError(
            _(
                "The programme needs at least %(minimum)s enthusiasts on the team. Replace "
                "the person instead, or invite someone first."
            )
            % {"minimum": size.minimum}
        )
    member.status = Participant.Status.WITHDRAWN
    member.__dict__[REEVALUATED_BY_SERVICE] = True
    member.save(update_fields=["status", "updated_at"])
    record_event(
        action=AuditEvent.Action.TEAM_MEMBER_REMOVED,
        actor=removed_by,
        subject=member.user,
        unit=enrolment.unit.name,
        cohort=enrolment.cohort.name,
    )
    reevaluate_enrolment(enrolment=enrolment, actor=removed_by)
    return member


@transaction.atomic
def replace_in_team(
    *,
    participant: Participant,
    email: str,
    first_name: str = "",
    last_name: str = "",
    replaced_by: User,
) -> Participant:
    """Put a new enthusiast on the team in place of one who leaves, at once: the team is
    never below the rule's minimum in between. Returns the newcomer."""
    enrolment = UnitEnrolment.objects.select_related("unit", "cohort__programme").get(
        pk=participant.enrolment_id
    )
    newcomer = invite_to_team(
        enrolment=enrolment,
        email=email,
        first_name=first_name,
        last_name=last_name,
        invited_by=replaced_by,
    )
    if newcomer.pk == participant.pk:
        raise ValidationError(_("Choose someone else to replace them with."))
    remove_from_team(participant=participant, removed_by=replaced_by, keep_minimum=False)
    return newcomer


@transaction.atomic
def hand_over_manager(*, enrolment: UnitEnrolment, successor: Participant, by: User) -> None:
    """Make an enthusiast on the team its manager; the manager until now stays on the team
    as an enthusiast. Both role changes are audited and the unit is re-checked."""
    enrolment = UnitEnrolment.objects.select_related("unit", "cohort__programme").get(
        pk=enrolment.pk
    )
    _refuse_unless_running(enrolment)
    successor = _lock_member(successor, enrolment)
    if successor.role == Participant.Role.MANAGER:
        raise ValidationError(
            _("%(name)s is already the manager.")
            % {"name": successor.user.get_full_name() or successor.user.email}
        )
    current = (
        Participant.objects.current()
        .select_for_update(of=("self",))
        .select_related("user")
        .filter(enrolment=enrolment, role=Participant.Role.MANAGER)
        .first()
    )
    if current is not None:
        add_participant(enrolment=enrolment, user=current.user, role=Participant.Role.ENTHUSIAST)
    add_participant(enrolment=enrolment, user=successor.user, role=Participant.Role.MANAGER)
