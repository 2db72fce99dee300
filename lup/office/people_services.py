"""People and roles: the programme office adds people and gives or takes their roles.

A programme role is one of the four role groups of `lup.roles` (programme administrators,
facilitators, HR, the prize jury); an `OrganisationMembership` says where it applies. The
groups are the installation's, so a role given here reaches every organisation the person
belongs to: these services therefore refuse an account tied to another organisation
(`lup.permissions.belongs_elsewhere`, the wall between tenants) and a superuser's, and
touch no other group and no account flag (`is_staff`, `is_superuser`, `is_active`).

Nothing is audited here: `lup.receivers.roles` records every change of a person's groups
and every membership added or removed, whoever makes it (here, the admin, a command), with
the signed-in person of the request as the actor (`lup.audit`); `by` is the actor named in
the audited refusal of another tenant's account.

An organisation keeps at least one programme administrator: demoting or removing the last
one is refused. The decision is taken under a lock on the organisation's memberships, so
two administrators demoting each other at the same moment are served one after the other
and the second sees the first's change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import OrganisationMembership
from ..permissions import belongs_elsewhere
from ..roles import (
    ADMINISTRATORS_GROUP,
    FACILITATORS_GROUP,
    HR_GROUP,
    PRIZE_JURY_GROUP,
    ensure_role_groups,
)
from ..services import person_for_email, refuse_another_tenants_account

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from ..models import Organisation

# The roles this page gives, by the value a form posts, in the order the page shows them.
ADMINISTRATOR = "administrator"
ROLE_GROUPS: dict[str, str] = {
    ADMINISTRATOR: ADMINISTRATORS_GROUP,
    "facilitator": FACILITATORS_GROUP,
    "hr": HR_GROUP,
    "prize_jury": PRIZE_JURY_GROUP,
}
ROLE_OF_GROUP = {group: role for role, group in ROLE_GROUPS.items()}
# An API token acts as a service account of its organisation, a member with the role of its
# scope (`lup.api.tokens`): not a person of the office, never listed, counted or changed here
# (giving a reading token's account the administrator role would make it a writing one).
SERVICE_ACCOUNT = {"lup_api_tokens__isnull": False}
NAME_MAX_LENGTH = 150  # the user model's first_name and last_name
EMAIL_MAX_LENGTH = 254


@dataclass(frozen=True)
class RoleChange:
    """What a change of roles did: the roles given and taken (empty: nothing changed)."""

    given: frozenset[str]
    taken: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.given or self.taken)


def clean_roles(roles: Iterable[str]) -> frozenset[str]:
    """The roles asked for, each one of `ROLE_GROUPS`; anything else (another group's name
    or id, a flag such as `is_staff`) is refused, never ignored."""
    wanted = frozenset(str(role) for role in roles)
    unknown = sorted(wanted - ROLE_GROUPS.keys())
    if unknown:
        raise ValidationError(
            {
                "roles": [
                    _("Not a role this page gives: %(roles)s.") % {"roles": ", ".join(unknown)}
                ]
            },
            code="unknown_role",
        )
    return wanted


def _role_groups(roles: Iterable[str]) -> list[Group]:
    """The groups of the roles (made, with their permissions, if the installation lacks one)."""
    names = {ROLE_GROUPS[role] for role in roles}
    groups = list(Group.objects.filter(name__in=names))
    if len(groups) < len(names):
        groups = [group for name, group in ensure_role_groups().items() if name in names]
    return groups


def _roles_of(person: Any) -> frozenset[str]:
    """The person's roles of the four (other groups they may have are not this page's)."""
    names = person.groups.filter(name__in=ROLE_GROUPS.values()).values_list("name", flat=True)
    return frozenset(ROLE_OF_GROUP[name] for name in names)


def _refuse_unchangeable(person: Any, organisation: Organisation) -> None:
    """A superuser's account, and one tied to another organisation, are not changed here."""
    if person.is_superuser:
        raise ValidationError(
            _(
                "%(email)s is a superuser: their roles are not changed here. A superuser "
                "changes them in the administration pages."
            )
            % {"email": person.email},
            code="superuser",
        )
    if belongs_elsewhere(person, {organisation.pk}):
        raise ValidationError(
            _(
                "%(email)s belongs to another organisation too, or has a role there: a role "
                "given here would reach that organisation as well. Ask a superuser."
            )
            % {"email": person.email},
            code="another_tenant",
        )


def _lock_members(organisation: Organisation) -> list[int]:
    """Lock every membership of the organisation (in one order, so two callers never wait
    on each other crosswise) and return its members' ids. Who may hold a role here is then
    decided from committed state, one caller after the other."""
    return [
        membership.user_id
        for membership in OrganisationMembership.objects.select_for_update()
        .filter(organisation=organisation)
        .order_by("pk")
    ]


def _refuse_last_administrator(
    organisation: Organisation, person: Any, members: list[int], keeps_role: bool
) -> None:
    """Refuse to leave the organisation without an active programme administrator (call it
    under `_lock_members`)."""
    if keeps_role or not person.is_active or ADMINISTRATOR not in _roles_of(person):
        return
    others = (
        get_user_model()
        .groups.through.objects.filter(
            group__name=ADMINISTRATORS_GROUP,
            user_id__in=members,
            user__is_active=True,
            user__lup_api_tokens__isnull=True,  # a write token's account is no administrator
        )
        .exclude(user_id=person.pk)
        .count()
    )
    if not others:
        raise ValidationError(
            _(
                "%(email)s is the last programme administrator of %(organisation)s. Make "
                "someone else a programme administrator first."
            )
            % {"email": person.email, "organisation": organisation.name},
            code="last_administrator",
        )


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    return email


def add_person(
    *,
    organisation: Organisation,
    email: str,
    first_name: str = "",
    last_name: str = "",
    roles: Iterable[str],
    by: User,
) -> Any:
    """Add the person with this work e-mail to the organisation's programme office with one
    or more roles: their account is found by e-mail, or created without a usable password
    (they sign in with the municipality's sign-in service, or set a password by e-mail), as
    a team invitation does.

    Refuses an account of another organisation (or a superuser's): that refusal is audited
    (`refuse_another_tenants_account`), so it is checked before the transaction that would
    roll the audit entry back, and checked again inside it. Refuses someone already in the
    office (their roles are changed in the list), a new account without a name, and no or
    unknown roles. Membership and roles are audited by `lup.receivers.roles`.
    """
    email = _clean_email(email)
    wanted = clean_roles(roles)
    if not wanted:
        raise ValidationError({"roles": [_("Choose at least one role.")]}, code="no_role")
    existing = get_user_model().objects.filter(email__iexact=email).order_by("pk").first()
    if existing is not None:
        try:
            refuse_another_tenants_account(
                person=existing, actor=by, organisation_ids={organisation.pk}, attempted="give_role"
            )
        except ValidationError as refused:
            raise ValidationError({"email": refused.messages}, code="another_tenant") from None
    return _add_person(
        organisation=organisation,
        email=email,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        roles=wanted,
    )


@transaction.atomic
def _add_person(
    *, organisation: Organisation, email: str, first_name: str, last_name: str, roles: frozenset
) -> Any:
    is_new = not get_user_model().objects.filter(email__iexact=email).exists()
    if is_new and not (first_name and last_name):
        errors = {}
        if not first_name:
            errors["first_name"] = [_("Give the new person's first name.")]
        if not last_name:
            errors["last_name"] = [_("Give the new person's last name.")]
        raise ValidationError(errors, code="name_needed")
    too_long = _("At most %(count)d characters.") % {"count": NAME_MAX_LENGTH}
    long_names = {
        field: [too_long]
        for field, value in (("first_name", first_name), ("last_name", last_name))
        if len(value) > NAME_MAX_LENGTH
    }
    if long_names:
        raise ValidationError(long_names, code="max_length")
    try:
        person, _created = person_for_email(email, first_name, last_name)
    except ValidationError as refused:  # two accounts with the address, or its user name taken
        raise ValidationError({"email": refused.messages}) from None
    # Again inside the transaction: the account may have been tied elsewhere meanwhile.
    try:
        _refuse_unchangeable(person, organisation)
    except ValidationError as refused:
        raise ValidationError({"email": refused.messages}, code="another_tenant") from None
    members = _lock_members(organisation)
    if person.pk in members:
        raise ValidationError(
            {
                "email": [
                    _(
                        "%(email)s is already in the programme office: change their roles in "
                        "the list."
                    )
                    % {"email": person.email}
                ]
            },
            code="already_member",
        )
    OrganisationMembership.objects.create(organisation=organisation, user=person)
    person.groups.add(*_role_groups(roles))
    return person


@transaction.atomic
def change_roles(
    *, organisation: Organisation, person: Any, roles: Iterable[str], by: User
) -> RoleChange:
    """Give the office's person exactly these roles of the four (their other groups stay).

    Refuses unknown roles, a superuser, an account tied to another organisation, someone
    who no longer works for the office, and taking the programme administrator role from
    the organisation's last active administrator (decided under `_lock_members`). An
    empty set keeps the person in the office without a role. Returns what changed; each
    group given or taken is audited by `lup.receivers.roles`.
    """
    wanted = clean_roles(roles)
    members = _lock_members(organisation)
    person = _locked_person(person)
    _refuse_unless_member(person, organisation, members)
    _refuse_unchangeable(person, organisation)
    _refuse_last_administrator(organisation, person, members, keeps_role=ADMINISTRATOR in wanted)
    current = _roles_of(person)
    change = RoleChange(given=wanted - current, taken=current - wanted)
    if change.given:
        person.groups.add(*_role_groups(change.given))
    if change.taken:
        person.groups.remove(*_role_groups(change.taken))
    return change


@transaction.atomic
def remove_person(*, organisation: Organisation, person: Any, by: User) -> None:
    """Take the person out of the organisation's programme office: their membership is
    deleted and the four programme roles taken away (other groups and their account stay;
    a cohort they facilitate keeps them until the office changes the cohort).

    The same refusals as `change_roles`: a superuser, an account tied to another
    organisation, someone not in the office, and the organisation's last administrator.
    Audited by `lup.receivers.roles` (the membership, then the roles).
    """
    members = _lock_members(organisation)
    person = _locked_person(person)
    _refuse_unless_member(person, organisation, members)
    _refuse_unchangeable(person, organisation)
    _refuse_last_administrator(organisation, person, members, keeps_role=False)
    OrganisationMembership.objects.filter(organisation=organisation, user=person).delete()
    current = _roles_of(person)
    if current:
        person.groups.remove(*_role_groups(current))


def _locked_person(person: Any) -> Any:
    """The person as committed now (flags may have changed since the page was read)."""
    return get_user_model().objects.get(pk=person.pk)


def _refuse_unless_member(person: Any, organisation: Organisation, members: list[int]) -> None:
    if get_user_model().objects.filter(pk=person.pk, **SERVICE_ACCOUNT).exists():
        raise ValidationError(
            _("This is an API token's account: its access is the token's (API tokens page)."),
            code="service_account",
        )
    if person.pk not in members:
        raise ValidationError(
            _("%(email)s does not work for the programme office of %(organisation)s.")
            % {"email": person.email, "organisation": organisation.name},
            code="not_member",
        )
