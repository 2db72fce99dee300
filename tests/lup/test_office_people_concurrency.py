"""The last programme administrator under real concurrency, on PostgreSQL: two
administrators demoting (or removing) each other at the same moment leave one of them.
Each racer is a thread with its own connection, started together at a barrier; many
rounds, and every round must keep the invariant (mirrors test_intake_concurrency.py)."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connections

from lup.models import OrganisationMembership
from lup.office import people_services
from lup.roles import ADMINISTRATORS_GROUP, ensure_role_groups
from tests.concurrency import on_postgresql
from tests.factories import OrganisationFactory, UserFactory

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True)]
ROUNDS = 10


def at_once(*actions):
    """Run the actions in threads released together; the errors they raised."""
    barrier = threading.Barrier(len(actions), timeout=30)
    errors: list[BaseException] = []

    def run(action):
        try:
            barrier.wait()
            action()
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def office_of_two():
    """An organisation whose office has two programme administrators (and an HR person)."""
    ensure_role_groups()
    organisation = OrganisationFactory()
    administrators = Group.objects.get(name=ADMINISTRATORS_GROUP)
    people = [UserFactory() for _ in range(2)]
    for person in people:
        person.groups.add(administrators)
        OrganisationMembership.objects.create(organisation=organisation, user=person)
    OrganisationMembership.objects.create(organisation=organisation, user=UserFactory())
    return organisation, people


def take_out(how, organisation, person, by):
    """Demote the administrator to HR, or take them out of the office."""
    if how == "demote":
        people_services.change_roles(organisation=organisation, person=person, roles=["hr"], by=by)
    else:
        people_services.remove_person(organisation=organisation, person=person, by=by)


def administrators_left(organisation) -> int:
    return OrganisationMembership.objects.filter(
        organisation=organisation, user__groups__name=ADMINISTRATORS_GROUP
    ).count()


@pytest.mark.parametrize("how", ["demote", "remove"])
def test_two_administrators_taking_each_other_out_at_once_leave_one(how):
    for _ in range(ROUNDS):
        organisation, (first, second) = office_of_two()

        errors = at_once(
            *(
                lambda person=person, by=by, organisation=organisation: take_out(
                    how, organisation, person, by
                )
                for person, by in ((first, second), (second, first))
            )
        )

        assert administrators_left(organisation) == 1
        assert len(errors) == 1
        assert isinstance(errors[0], ValidationError)
        assert errors[0].code == "last_administrator"
