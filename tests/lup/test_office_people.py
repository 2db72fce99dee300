"""People and roles in the programme office's own pages (lup.office.people_*): an
organisation's administrators add people by work e-mail with roles, change their roles and
take them out of the office, without the Django admin.

Every rule is attacked: who may open the pages (another organisation's administrator gets
404 and changes nothing), another municipality's account, a superuser's roles, the last
administrator, account flags and groups outside the four roles, unknown role values, bad
input. Audit entries come from `lup.receivers.roles` only (one per change, never two). The
list's query count does not grow with the office.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lup import permissions
from lup.models import AuditEvent, OrganisationMembership
from lup.office import people_selectors, people_services
from lup.roles import ADMINISTRATORS_GROUP, FACILITATORS_GROUP, HR_GROUP, PRIZE_JURY_GROUP
from tests.factories import UserFactory
from tests.roles import build_world

pytestmark = pytest.mark.django_db

User = get_user_model()
ROLE_GROUP_NAMES = {ADMINISTRATORS_GROUP, FACILITATORS_GROUP, HR_GROUP, PRIZE_JURY_GROUP}


@pytest.fixture
def world(english):
    """tests.roles' world (Bærum: administrator and HR in the office); messages in English."""
    return build_world()


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def people_url(world, organisation=None) -> str:
    organisation = organisation or world.programme.organisation
    return reverse("lup:office-people", kwargs={"slug": organisation.slug})


def roles_url(world, person, organisation=None) -> str:
    organisation = organisation or world.programme.organisation
    return reverse(
        "lup:office-person-roles", kwargs={"slug": organisation.slug, "user_id": person.pk}
    )


def state() -> dict:
    """Everything these pages may change, to prove a refusal changed nothing."""
    return {
        "accounts": sorted(
            User.objects.values_list(
                "pk", "email", "first_name", "last_name", "is_staff", "is_superuser", "is_active"
            )
        ),
        "memberships": sorted(
            OrganisationMembership.objects.values_list("organisation_id", "user_id")
        ),
        "groups": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        "user_permissions": sorted(
            User.user_permissions.through.objects.values_list("user_id", "permission_id")
        ),
        "role_events": AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).count(),
    }


def groups_of(person) -> set[str]:
    return set(person.groups.values_list("name", flat=True))


def second_administrator(world, email="admin2@example.no"):
    """Another of Bærum's programme administrators."""
    person = UserFactory(email=email)
    person.groups.add(Group.objects.get(name=ADMINISTRATORS_GROUP))
    OrganisationMembership.objects.create(organisation=world.programme.organisation, user=person)
    return person


def role_events(person, after: int = 0) -> list[dict]:
    return [
        event.details
        for event in AuditEvent.objects.filter(
            action=AuditEvent.Action.ROLE_CHANGED, subject_id=person.pk, pk__gt=after
        ).order_by("pk")
    ]


# The permission ---------------------------------------------------------------------------


def test_only_the_organisations_administrators_and_superusers_may_manage_its_people(world):
    baerum = world.programme.organisation.pk
    asker = world.other_programme.organisation.pk
    allowed = {
        role
        for role in ("enthusiast", "manager", "facilitator", "hr", "administrator", "superuser")
        if permissions.can_manage_people(world.people[role], baerum)
    }

    assert allowed == {"administrator", "superuser"}
    assert not permissions.can_manage_people(world.people["other_administrator"], baerum)
    assert permissions.can_manage_people(world.people["other_administrator"], asker)
    assert not permissions.can_manage_people(world.people["administrator"], asker)


# Adding a person --------------------------------------------------------------------------


def test_the_office_adds_a_new_person_with_roles_audited_once_each(world):
    organisation = world.programme.organisation

    person = people_services.add_person(
        organisation=organisation,
        email="  Kari.Nordmann@Baerum.Kommune.no ",
        first_name=" Kari ",
        last_name="Nordmann",
        roles=["hr", "prize_jury"],
        by=world.people["administrator"],
    )

    person.refresh_from_db()
    assert (person.email, person.first_name, person.last_name) == (
        "kari.nordmann@baerum.kommune.no",
        "Kari",
        "Nordmann",
    )
    assert not person.has_usable_password()
    assert not person.is_staff
    assert not person.is_superuser
    assert OrganisationMembership.objects.filter(organisation=organisation, user=person).exists()
    assert groups_of(person) == {HR_GROUP, PRIZE_JURY_GROUP}
    # The receivers audit the membership and the groups: once each, nothing written twice.
    events = role_events(person)
    assert [event.get("member_of") for event in events if "member_of" in event] == [
        organisation.name
    ]
    assert [sorted(event["groups"]) for event in events if "groups" in event] == [
        sorted([HR_GROUP, PRIZE_JURY_GROUP])
    ]
    assert len(events) == 2


def test_an_existing_account_of_the_organisation_is_linked_and_keeps_its_name(world):
    """U1's enthusiast (on one of Bærum's teams) joins the office as a facilitator."""
    enthusiast = world.people["enthusiast"]
    name = (enthusiast.first_name, enthusiast.last_name)

    person = people_services.add_person(
        organisation=world.programme.organisation,
        email=enthusiast.email.upper(),
        first_name="Other",
        last_name="Name",
        roles=["facilitator"],
        by=world.people["administrator"],
    )

    assert person == enthusiast
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == name
    assert groups_of(person) == {FACILITATORS_GROUP}
    assert User.objects.filter(email__iexact=enthusiast.email).count() == 1


@pytest.mark.parametrize(
    "role", ["other_administrator", "asker_hr", "asker_manager", "asker_facilitator", "superuser"]
)
def test_another_municipalitys_account_is_refused_and_the_refusal_audited(world, role):
    person = world.people[role]
    before = state()

    with pytest.raises(ValidationError) as refused:
        people_services.add_person(
            organisation=world.programme.organisation,
            email=person.email,
            roles=["administrator"],
            by=world.people["administrator"],
        )

    assert "belongs to another organisation" in refused.value.message_dict["email"][0]
    assert state() == before
    refusal = AuditEvent.objects.get(action=AuditEvent.Action.TENANT_REFUSED)
    assert (refusal.subject_id, refusal.actor) == (person.pk, world.people["administrator"])
    assert refusal.details["attempted"] == "give_role"


def test_staff_without_a_membership_here_is_refused(world):
    """A staff account that works for no organisation here could be anyone's."""
    staff = UserFactory(email="drift@example.no", is_staff=True)
    before = state()

    with pytest.raises(ValidationError, match="belongs to another organisation"):
        people_services.add_person(
            organisation=world.programme.organisation,
            email=staff.email,
            roles=["hr"],
            by=world.people["administrator"],
        )

    assert state() == before


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "x" * 250 + "@example.no"}, "email"),
        ({"roles": []}, "roles"),
        ({"roles": ["superuser"]}, "roles"),
        ({"roles": ["hr", "is_staff"]}, "roles"),
        ({"roles": [ADMINISTRATORS_GROUP]}, "roles"),  # a group's name is not a role value
        ({"first_name": ""}, "first_name"),  # a new account needs a name
        ({"last_name": "   "}, "last_name"),
        ({"first_name": "x" * 151}, "first_name"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_changes_nothing(world, values, field):
    arguments = {
        "organisation": world.programme.organisation,
        "email": "ny@example.no",
        "first_name": "Ny",
        "last_name": "Person",
        "roles": ["hr"],
        "by": world.people["administrator"],
    }
    before = state()

    with pytest.raises(ValidationError) as refused:
        people_services.add_person(**{**arguments, **values})

    assert field in refused.value.message_dict
    assert state() == before


def test_someone_already_in_the_office_is_not_added_twice(world):
    before = state()

    with pytest.raises(ValidationError, match="already in the programme office"):
        people_services.add_person(
            organisation=world.programme.organisation,
            email=world.people["hr"].email,
            roles=["prize_jury"],
            by=world.people["administrator"],
        )

    assert state() == before


# Changing roles ---------------------------------------------------------------------------


def test_roles_are_given_and_taken_and_other_groups_stay(world):
    hr = world.people["hr"]
    other = Group.objects.create(name="Intranett-redaktører")
    hr.groups.add(other)
    earlier = AuditEvent.objects.order_by("pk").last().pk

    change = people_services.change_roles(
        organisation=world.programme.organisation,
        person=hr,
        roles=["facilitator", "prize_jury"],
        by=world.people["administrator"],
    )

    assert change.given == {"facilitator", "prize_jury"}
    assert change.taken == {"hr"}
    assert groups_of(hr) == {FACILITATORS_GROUP, PRIZE_JURY_GROUP, other.name}
    hr.refresh_from_db()
    assert not hr.is_superuser
    assert not hr.is_staff
    # One event for what was given, one for what was taken (lup.receivers.roles).
    events = [event for event in role_events(hr, after=earlier) if "groups" in event]
    assert [(event["change"], sorted(event["groups"])) for event in events] == [
        ("post_add", sorted([FACILITATORS_GROUP, PRIZE_JURY_GROUP])),
        ("post_remove", [HR_GROUP]),
    ]


def test_saving_the_same_roles_changes_nothing(world):
    before = state()

    change = people_services.change_roles(
        organisation=world.programme.organisation,
        person=world.people["hr"],
        roles=["hr"],
        by=world.people["administrator"],
    )

    assert not change
    assert state() == before


def test_the_last_administrator_cannot_be_demoted_or_removed(world):
    administrator = world.people["administrator"]
    before = state()

    for attempt in (
        lambda: people_services.change_roles(
            organisation=world.programme.organisation,
            person=administrator,
            roles=["hr"],
            by=administrator,
        ),
        lambda: people_services.remove_person(
            organisation=world.programme.organisation, person=administrator, by=administrator
        ),
    ):
        with pytest.raises(ValidationError, match="last programme administrator"):
            attempt()

    assert state() == before
    assert ADMINISTRATORS_GROUP in groups_of(administrator)


def test_an_inactive_administrator_does_not_count_as_the_other_one(world):
    second = second_administrator(world)
    second.is_active = False
    second.save()

    with pytest.raises(ValidationError, match="last programme administrator"):
        people_services.change_roles(
            organisation=world.programme.organisation,
            person=world.people["administrator"],
            roles=[],
            by=world.people["administrator"],
        )


def test_asker_s_administrators_do_not_count_for_baerum(world):
    """Asker's administrator is in the same group, but not in Bærum's office."""
    with pytest.raises(ValidationError, match="last programme administrator"):
        people_services.remove_person(
            organisation=world.programme.organisation,
            person=world.people["administrator"],
            by=world.people["administrator"],
        )


def test_two_administrators_demoting_each_other_leave_one(world):
    """The sequential case of two demotions at once: the second one counts what the first
    left (tests/lup/test_office_people_concurrency.py runs them at the same moment)."""
    first, second = world.people["administrator"], second_administrator(world)
    organisation = world.programme.organisation

    people_services.change_roles(organisation=organisation, person=first, roles=[], by=second)
    with pytest.raises(ValidationError, match="last programme administrator"):
        people_services.change_roles(
            organisation=organisation, person=second, roles=["hr"], by=first
        )

    assert ADMINISTRATORS_GROUP not in groups_of(first)
    assert ADMINISTRATORS_GROUP in groups_of(second)


def test_the_count_is_taken_under_a_lock_on_the_organisations_memberships(world, monkeypatch):
    """The memberships are locked (select_for_update) before the administrators are
    counted; on SQLite the lock is not in the SQL, so the order of calls is checked."""
    calls: list[str] = []
    lock, refuse = people_services._lock_members, people_services._refuse_last_administrator

    def locking(organisation):
        calls.append("lock")
        members = lock(organisation)
        return members

    def counting(*args, **kwargs):
        calls.append("count")
        return refuse(*args, **kwargs)

    monkeypatch.setattr(people_services, "_lock_members", locking)
    monkeypatch.setattr(people_services, "_refuse_last_administrator", counting)
    second_administrator(world)
    with CaptureQueriesContext(connection) as queries:
        people_services.change_roles(
            organisation=world.programme.organisation,
            person=world.people["administrator"],
            roles=[],
            by=world.people["administrator"],
        )

    assert calls == ["lock", "count"]
    if connection.features.has_select_for_update:
        assert any(
            "FOR UPDATE" in query["sql"] and "lup_organisationmembership" in query["sql"]
            for query in queries.captured_queries
        )


def test_a_superusers_roles_are_not_changed_here(world):
    superuser = world.people["superuser"]
    OrganisationMembership.objects.create(organisation=world.programme.organisation, user=superuser)
    before = state()

    for attempt in (
        lambda: people_services.change_roles(
            organisation=world.programme.organisation,
            person=superuser,
            roles=["administrator"],
            by=world.people["administrator"],
        ),
        lambda: people_services.remove_person(
            organisation=world.programme.organisation,
            person=superuser,
            by=world.people["administrator"],
        ),
    ):
        with pytest.raises(ValidationError, match="is a superuser"):
            attempt()

    assert state() == before


def test_a_member_tied_to_another_organisation_is_not_changed_here(world):
    """Groups reach every organisation: a member of Bærum who also works for Asker keeps
    the roles Asker relies on."""
    hr = world.people["hr"]
    OrganisationMembership.objects.create(organisation=world.other_programme.organisation, user=hr)
    before = state()

    with pytest.raises(ValidationError, match="belongs to another organisation too"):
        people_services.change_roles(
            organisation=world.programme.organisation,
            person=hr,
            roles=["administrator", "hr"],
            by=world.people["administrator"],
        )

    assert state() == before


def test_someone_outside_the_office_is_not_changed(world):
    before = state()

    with pytest.raises(ValidationError, match="does not work for the programme office"):
        people_services.change_roles(
            organisation=world.programme.organisation,
            person=world.people["enthusiast"],
            roles=["hr"],
            by=world.people["administrator"],
        )

    assert state() == before


def test_unknown_roles_are_refused_when_changing(world):
    before = state()

    with pytest.raises(ValidationError) as refused:
        people_services.change_roles(
            organisation=world.programme.organisation,
            person=world.people["hr"],
            roles=["hr", "1"],
            by=world.people["administrator"],
        )

    assert "roles" in refused.value.message_dict
    assert state() == before


def test_an_api_tokens_account_is_neither_counted_listed_nor_changed(client, world):
    """Bærum's write token acts as a service account in the administrators' group: it is
    no administrator of the office (the last person still is), it is not listed, and its
    role (the token's scope) cannot be changed here."""
    account = world.tokens["administrator"][0].user
    assert OrganisationMembership.objects.filter(user=account).exists()
    assert ADMINISTRATORS_GROUP in groups_of(account)
    before = state()

    with pytest.raises(ValidationError, match="API token's account"):
        people_services.change_roles(
            organisation=world.programme.organisation,
            person=account,
            roles=["hr"],
            by=world.people["administrator"],
        )
    client.force_login(world.people["administrator"])
    page = client.get(people_url(world)).content.decode()
    answers = [
        client.post(roles_url(world, account), {"action": "save", "roles": ["hr"]}),
        client.post(roles_url(world, account), {"action": "remove"}),
    ]

    assert f'id="person-{account.pk}"' not in page
    assert [answer.status_code for answer in answers] == [404, 404]
    assert state() == before


# Removing a person ------------------------------------------------------------------------


def test_removing_deletes_the_membership_and_the_four_roles_only(world):
    hr = world.people["hr"]
    other = Group.objects.create(name="Intranett-redaktører")
    hr.groups.add(other, Group.objects.get(name=PRIZE_JURY_GROUP))

    people_services.remove_person(
        organisation=world.programme.organisation, person=hr, by=world.people["administrator"]
    )

    assert not OrganisationMembership.objects.filter(user=hr).exists()
    assert groups_of(hr) == {other.name}
    assert User.objects.filter(pk=hr.pk, is_active=True).exists()  # the account stays
    details = role_events(hr)
    assert any(event.get("member_of") == world.programme.organisation.name for event in details)
    assert any(
        event.get("change") == "post_remove"
        and sorted(event.get("groups", [])) == sorted([HR_GROUP, PRIZE_JURY_GROUP])
        for event in details
    )


# The pages: who gets them -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("enthusiast", 403),
        ("manager", 403),
        ("facilitator", 403),
        ("hr", 403),
        ("other_administrator", 404),
        ("administrator", 200),
        ("superuser", 200),
    ],
)
def test_who_opens_the_page(client, world, role, status):
    client.force_login(world.people[role])

    assert client.get(people_url(world)).status_code == status


def test_signed_out_people_are_sent_to_sign_in(client, world):
    response = client.get(people_url(world))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_another_organisations_administrator_changes_nothing(client, world):
    """Asker's administrator, at Bærum's addresses and with Bærum's person at Asker's: not
    found (as other office pages answer for a foreign object), nothing changed."""
    client.force_login(world.people["other_administrator"])
    hr = world.people["hr"]
    before = state()

    answers = [
        client.post(
            people_url(world),
            {"email": "inn@example.no", "first_name": "I", "last_name": "N", "roles": ["hr"]},
        ),
        client.post(roles_url(world, hr), {"action": "save", "roles": ["administrator"]}),
        client.post(roles_url(world, hr), {"action": "remove"}),
        client.post(
            roles_url(world, hr, world.other_programme.organisation),
            {"action": "save", "roles": ["administrator"]},
        ),
        client.post(roles_url(world, hr, world.other_programme.organisation), {"action": "remove"}),
    ]

    assert [answer.status_code for answer in answers] == [404] * 5
    assert state() == before


def test_bærums_person_cannot_be_added_to_askers_office(client, world):
    client.force_login(world.people["other_administrator"])
    before = state()

    response = client.post(
        people_url(world, world.other_programme.organisation),
        {"email": world.people["enthusiast"].email, "roles": ["administrator"]},
    )

    assert response.status_code == 400
    assert "belongs to another organisation" in response.content.decode()
    assert state() == {**before, "role_events": before["role_events"]}


@pytest.mark.parametrize("role", ["hr", "facilitator", "manager"])
def test_bærums_people_without_the_role_change_nothing(client, world, role):
    client.force_login(world.people[role])
    before = state()

    answers = [
        client.post(people_url(world), {"email": "ny@example.no", "roles": ["administrator"]}),
        client.post(
            roles_url(world, world.people["hr"]), {"action": "save", "roles": ["administrator"]}
        ),
    ]

    assert [answer.status_code for answer in answers] == [403, 403]
    assert state() == before


def test_the_roles_address_takes_posts_only(client, world):
    client.force_login(world.people["administrator"])

    assert client.get(roles_url(world, world.people["hr"])).status_code == 405


# The pages: what they do ------------------------------------------------------------------


def test_the_page_lists_the_office_with_roles_and_the_two_factor_note(client, world):
    client.force_login(world.people["administrator"])

    response = client.get(people_url(world))

    page = response.content.decode()
    assert response.status_code == 200
    assert "People and roles" in page
    for role in ("administrator", "hr"):
        assert world.people[role].email in page
    for outsider in ("enthusiast", "other_administrator", "asker_hr", "superuser"):
        assert world.people[outsider].email not in page
    # HR's row: the HR box checked, the administrator box not.
    hr = world.people["hr"]
    assert f'value="hr" id="role-{hr.pk}-hr" checked' in page
    assert f'value="administrator" id="role-{hr.pk}-administrator">' in page
    assert 'id="two-factor-note"' in page
    assert "These roles need two-factor authentication: Programme administrator, HR." in page
    assert 'role="region"' in page  # fits 390 px: the table scrolls in its region
    assert '<th scope="row"' in page


def test_the_two_factor_note_follows_the_setting(client, world, settings):
    settings.LUP_MFA_REQUIRED_GROUPS = [HR_GROUP]
    client.force_login(world.people["administrator"])

    page = client.get(people_url(world)).content.decode()

    assert "These roles need two-factor authentication: HR." in page


def test_a_superusers_row_has_no_form(client, world):
    superuser = world.people["superuser"]
    OrganisationMembership.objects.create(organisation=world.programme.organisation, user=superuser)
    client.force_login(world.people["administrator"])

    page = client.get(people_url(world)).content.decode()

    assert superuser.email in page
    assert f'id="roles-form-{superuser.pk}"' not in page
    assert f'id="roles-form-{world.people["hr"].pk}"' in page
    assert "Superuser: changed by a superuser" in page


def test_adding_a_person_on_the_page(client, world):
    client.force_login(world.people["administrator"])

    response = client.post(
        people_url(world),
        {
            "email": "ola@baerum.kommune.no",
            "first_name": "Ola",
            "last_name": "Nordmann",
            "roles": ["administrator", "facilitator"],
        },
        follow=True,
    )

    person = User.objects.get(email="ola@baerum.kommune.no")
    assert groups_of(person) == {ADMINISTRATORS_GROUP, FACILITATORS_GROUP}
    assert response.redirect_chain[-1][0] == people_url(world)
    assert "Ola Nordmann is in the programme office with the roles" in response.content.decode()
    # The actor is the signed-in administrator (the receivers read it from the request).
    assert {event.actor for event in AuditEvent.objects.filter(subject_id=person.pk)} == {
        world.people["administrator"]
    }


def test_flags_and_foreign_groups_in_the_post_are_never_granted(client, world):
    """is_staff, is_superuser, groups and permissions are not fields of the form: posted
    anyway they are ignored; a group's id or name as a role is refused."""
    client.force_login(world.people["administrator"])
    other = Group.objects.create(name="Intranett-redaktører")

    refused = client.post(
        people_url(world),
        {
            "email": "ola@baerum.kommune.no",
            "first_name": "Ola",
            "last_name": "Nordmann",
            "roles": ["hr", str(other.pk)],
        },
    )
    accepted = client.post(
        people_url(world),
        {
            "email": "ola@baerum.kommune.no",
            "first_name": "Ola",
            "last_name": "Nordmann",
            "roles": ["hr"],
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [str(other.pk)],
            "user_permissions": ["1", "2"],
        },
    )

    assert refused.status_code == 400
    assert "Not a role this page gives" in refused.content.decode()
    assert accepted.status_code == 302
    person = User.objects.get(email="ola@baerum.kommune.no")
    assert not person.is_staff
    assert not person.is_superuser
    assert groups_of(person) == {HR_GROUP}
    assert not person.user_permissions.exists()


def test_another_municipalitys_account_gets_a_clear_form_error(client, world):
    client.force_login(world.people["administrator"])
    before = state()

    response = client.post(
        people_url(world),
        {"email": world.people["other_administrator"].email, "roles": ["hr"]},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_email_error"' in page
    assert "belongs to another organisation, or has a role there" in page
    assert state() == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "ola@example.no", "first_name": "Ola", "last_name": "N"},  # no role
        {"email": "ola@example.no", "first_name": "Ola", "last_name": "N", "roles": "boss"},
        {"email": "a" * 300 + "@example.no", "roles": ["hr"]},
        {"email": "ola@example.no", "first_name": "x" * 5000, "last_name": "N", "roles": ["hr"]},
        {"email": "ola@example.no\r\nBcc: x@example.no", "roles": ["hr"]},
        {"email": '=HYPERLINK("http://x")@example.no', "roles": ["hr"]},
    ],
)
def test_hostile_additions_come_back_with_errors(client, world, body):
    client.force_login(world.people["administrator"])
    before = state()

    response = client.post(people_url(world), body)

    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert state() == before


def test_changing_and_removing_on_the_page(client, world):
    client.force_login(world.people["administrator"])
    hr = world.people["hr"]

    saved = client.post(
        roles_url(world, hr), {"action": "save", "roles": ["hr", "prize_jury"]}, follow=True
    )
    assert groups_of(hr) == {HR_GROUP, PRIZE_JURY_GROUP}
    assert "The roles of" in saved.content.decode()

    unchanged = client.post(
        roles_url(world, hr), {"action": "save", "roles": ["hr", "prize_jury"]}, follow=True
    )
    assert "Nothing changed." in unchanged.content.decode()

    removed = client.post(roles_url(world, hr), {"action": "remove"}, follow=True)
    assert "is no longer in the programme office" in removed.content.decode()
    assert not OrganisationMembership.objects.filter(user=hr).exists()
    assert groups_of(hr) == set()
    # No longer in the office: their address is not found there.
    assert client.post(roles_url(world, hr), {"action": "save"}).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},  # no action: never read as "take every role"
        {"action": "delete"},
        {"action": "save", "roles": ["hr", "superuser"]},
        {"action": "save", "roles": ["1"]},
    ],
)
def test_malformed_role_changes_are_refused(client, world, body):
    client.force_login(world.people["administrator"])
    before = state()

    response = client.post(roles_url(world, world.people["hr"]), body)

    assert response.status_code == 400
    assert 'id="roles-refused"' in response.content.decode()
    assert state() == before


def test_the_last_administrator_is_refused_on_the_page(client, world):
    administrator = world.people["administrator"]
    client.force_login(administrator)
    before = state()

    demoted = client.post(roles_url(world, administrator), {"action": "save", "roles": ["hr"]})
    removed = client.post(roles_url(world, administrator), {"action": "remove"})

    for response in (demoted, removed):
        assert response.status_code == 400
        assert "is the last programme administrator" in response.content.decode()
    assert state() == before


def test_a_superusers_roles_are_refused_on_the_page(client, world):
    superuser = world.people["superuser"]
    OrganisationMembership.objects.create(organisation=world.programme.organisation, user=superuser)
    client.force_login(world.people["administrator"])
    before = state()

    response = client.post(roles_url(world, superuser), {"action": "remove"})

    assert response.status_code == 400
    assert "is a superuser" in response.content.decode()
    assert state() == before


def test_an_administrator_who_steps_down_goes_home(client, world):
    administrator = world.people["administrator"]
    second_administrator(world)
    client.force_login(administrator)

    response = client.post(roles_url(world, administrator), {"action": "save", "roles": ["hr"]})

    assert response.status_code == 302
    assert response["Location"] == reverse("lup:home")
    assert client.get(people_url(world)).status_code == 403


# Reads: a fixed number of queries ---------------------------------------------------------


def test_the_list_takes_five_queries_however_many_people(world, django_assert_num_queries):
    organisation = world.programme.organisation
    for number in range(12):
        second_administrator(world, email=f"kontor{number}@example.no")

    with django_assert_num_queries(5):
        people = people_selectors.office_people(organisation)

    assert len(people) == 14
    assert all(person.changeable for person in people)


def test_the_page_takes_the_same_queries_for_more_people(client, world):
    client.force_login(world.people["administrator"])
    url = people_url(world)
    client.get(url)  # sessions, permission caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for number in range(10):
        second_administrator(world, email=f"kontor{number}@example.no")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200

    assert len(many.captured_queries) == len(few.captured_queries)


# The dashboard's link ---------------------------------------------------------------------


@pytest.mark.parametrize(("role", "shown"), [("administrator", True), ("hr", False)])
def test_the_dashboard_links_the_page_for_the_administrators(client, world, role, shown):
    client.force_login(world.people[role])

    response = client.get(reverse("lup:dashboard", kwargs={"slug": world.programme.slug}))

    assert response.context["can_manage_people"] is shown
    assert ('id="people-link"' in response.content.decode()) is shown
    if shown:
        assert people_url(world) in response.content.decode()
