"""Reads for the people and roles page: an organisation's programme office, with each
person's roles and whether this page may change them, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from ..models import Organisation, OrganisationMembership
from ..permissions import member_organisations, tenancy_ties
from .people_services import ROLE_GROUPS, ROLE_OF_GROUP


def managed_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations whose people the user may look for at all: where they work (every
    one for a superuser). Whether they may manage them is `permissions.can_manage_people`."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=member_organisations(user))


@dataclass(frozen=True)
class OfficePerson:
    """One person of the office, as the page lists them."""

    user: Any
    roles: frozenset[str]  # of ROLE_GROUPS' keys
    is_superuser: bool
    elsewhere: bool  # tied to another organisation too (lup.permissions.belongs_elsewhere)
    last_login: dt.datetime | None

    @property
    def changeable(self) -> bool:
        """Whether this page may change the person's roles (the services decide again)."""
        return not (self.is_superuser or self.elsewhere)


def office_people(organisation: Organisation) -> list[OfficePerson]:
    """The organisation's members by name (people only: API tokens' service accounts are
    not listed), with their roles of the four and whether they are tied to another
    organisation: five queries whatever their number (the members, their role groups, and
    `tenancy_ties`' three)."""
    people = [
        membership.user
        for membership in OrganisationMembership.objects.filter(
            organisation=organisation, user__lup_api_tokens__isnull=True
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email", "pk")
    ]
    roles: dict[int, set[str]] = {person.pk: set() for person in people}
    for user_id, group in (
        get_user_model()
        .groups.through.objects.filter(user_id__in=roles, group__name__in=ROLE_GROUPS.values())
        .values_list("user_id", "group__name")
    ):
        roles[user_id].add(ROLE_OF_GROUP[group])
    ties = tenancy_ties(people) if people else {}
    return [
        OfficePerson(
            user=person,
            roles=frozenset(roles[person.pk]),
            is_superuser=bool(person.is_superuser),
            elsewhere=ties[person.pk].reach_beyond({organisation.pk}),
            last_login=person.last_login,
        )
        for person in people
    ]
