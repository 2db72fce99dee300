"""The unit's manager runs the team from the team page: invite an enthusiast by work
e-mail, remove or replace one, hand over the manager role. Every change is audited, the
rule's minimum is kept, and nobody else (an enthusiast, a facilitator, HR, another
municipality) can change the team."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment
from lup.models import AuditEvent, OrganisationMembership, Participant, UnitEnrolment
from tests.conftest import administrator_permissions
from tests.factories import OrganisationFactory, UserFactory
from tests.lup.curriculum import build_curriculum

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def setup():
    """A team of a manager and two enthusiasts; the rule needs one enthusiast."""
    return build_curriculum(team_size=2)


def team_url(setup) -> str:
    return reverse("lup:team-detail", kwargs={"pk": setup.enrolment.pk})


def member(setup, user) -> Participant:
    return Participant.objects.get(enrolment=setup.enrolment, user=user)


def current_team(setup) -> dict[str, str]:
    return dict(
        Participant.objects.current()
        .filter(enrolment=setup.enrolment)
        .values_list("user__email", "role")
    )


def remove_url(setup, participant) -> str:
    return reverse(
        "lup:team-member-remove",
        kwargs={"pk": setup.enrolment.pk, "participant_pk": participant.pk},
    )


def replace_url(setup, participant) -> str:
    return reverse(
        "lup:team-member-replace",
        kwargs={"pk": setup.enrolment.pk, "participant_pk": participant.pk},
    )


def invite(client, setup, email, **names):
    return client.post(
        reverse("lup:team-invite", kwargs={"pk": setup.enrolment.pk}), {"email": email, **names}
    )


def test_the_manager_sees_the_forms_and_the_rules_minimum(client, setup):
    client.force_login(setup.manager)

    html = client.get(team_url(setup)).content.decode()

    assert 'id="team-invite-form"' in html
    assert "needs at least 1 enthusiast on the team; it has 2" in html
    assert remove_url(setup, member(setup, setup.enthusiasts[0])) in html


def test_the_manager_invites_a_new_person_who_gets_an_account_and_an_email(
    client, setup, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(setup.manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(
            client, setup, "  Ny.Ildsjel@example.no ", first_name="Nora", last_name="Ny"
        )

    assert response.status_code == 302
    person = get_user_model().objects.get(email="Ny.Ildsjel@example.no")
    assert (person.first_name, person.has_usable_password()) == ("Nora", False)
    assert current_team(setup)["Ny.Ildsjel@example.no"] == Participant.Role.ENTHUSIAST
    assert Enrolment.objects.filter(user=person).exists()  # in the programme's course
    event = AuditEvent.objects.get(action=AuditEvent.Action.TEAM_MEMBER_ADDED)
    assert (event.actor, event.subject) == (setup.manager, person)
    [mail] = mailoutbox
    assert mail.to == ["Ny.Ildsjel@example.no"]
    assert setup.enrolment.unit.name in mail.subject
    assert "/me/programme/" in mail.body


def test_someone_who_left_is_brought_back_and_an_existing_account_is_linked(client, setup):
    leaving = member(setup, setup.enthusiasts[0])
    client.force_login(setup.manager)
    client.post(remove_url(setup, leaving))
    assert leaving.user.email not in current_team(setup)

    invite(client, setup, leaving.user.email.upper())

    leaving.refresh_from_db()
    assert leaving.status == Participant.Status.ACTIVE
    assert Participant.objects.filter(enrolment=setup.enrolment, user=leaving.user).count() == 1


@pytest.mark.parametrize("email", ["ikke-en-epost", "", "a@b", "x" * 300 + "@example.no"])
def test_a_bad_email_is_a_clear_error_and_changes_nothing(client, setup, email):
    client.force_login(setup.manager)
    before = current_team(setup)

    response = invite(client, setup, email)

    assert response.status_code == 400
    assert "e-mail" in response.content.decode().lower()
    assert current_team(setup) == before


def test_another_municipalitys_account_is_refused(client, setup):
    elsewhere = UserFactory(email="someone@asker.kommune.no")
    OrganisationMembership.objects.create(organisation=OrganisationFactory(), user=elsewhere)
    client.force_login(setup.manager)
    before = current_team(setup)

    response = invite(client, setup, elsewhere.email)

    assert response.status_code == 400
    assert "belongs to another organisation" in response.content.decode()
    assert current_team(setup) == before
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.TEAM_MEMBER_ADDED).exists()


def test_someone_already_on_the_team_is_refused(client, setup):
    client.force_login(setup.manager)

    response = invite(client, setup, setup.enthusiasts[0].email)

    assert response.status_code == 400
    assert "already on the team" in response.content.decode()


def test_removing_keeps_the_rules_minimum(client, setup):
    first, second = (member(setup, person) for person in setup.enthusiasts)
    client.force_login(setup.manager)

    client.post(remove_url(setup, first))
    refused = client.post(remove_url(setup, second), follow=True)

    assert set(current_team(setup)) == {setup.manager.email, second.user.email}
    assert "needs at least 1 enthusiasts" in refused.content.decode()
    removed = AuditEvent.objects.get(action=AuditEvent.Action.TEAM_MEMBER_REMOVED)
    assert (removed.actor, removed.subject) == (setup.manager, first.user)


def test_replacing_at_the_minimum_swaps_the_person_at_once(client, setup):
    client.force_login(setup.manager)
    client.post(remove_url(setup, member(setup, setup.enthusiasts[0])))
    last = member(setup, setup.enthusiasts[1])

    page = client.get(replace_url(setup, last))
    response = client.post(replace_url(setup, last), {"email": "erstatter@example.no"})

    assert page.status_code == 200
    assert response.status_code == 302
    assert set(current_team(setup)) == {setup.manager.email, "erstatter@example.no"}


def test_the_manager_cannot_be_removed_and_a_completed_member_stays(client, setup):
    manager = member(setup, setup.manager)
    done = member(setup, setup.enthusiasts[0])
    Participant.objects.filter(pk=done.pk).update(
        status=Participant.Status.COMPLETED, completed_at=timezone.now()
    )
    client.force_login(setup.manager)

    assert client.post(remove_url(setup, manager)).status_code == 302
    client.post(remove_url(setup, done))

    assert current_team(setup)[setup.manager.email] == Participant.Role.MANAGER
    assert done.user.email in current_team(setup)


def test_handing_over_makes_an_enthusiast_manager_and_the_old_one_an_enthusiast(client, setup):
    successor = member(setup, setup.enthusiasts[0])
    client.force_login(setup.manager)

    response = client.post(
        reverse("lup:team-handover", kwargs={"pk": setup.enrolment.pk}),
        {"successor": successor.pk},
    )

    assert response["Location"] == reverse("lup:my-programme")  # no longer sees the team
    team = current_team(setup)
    assert team[successor.user.email] == Participant.Role.MANAGER
    assert team[setup.manager.email] == Participant.Role.ENTHUSIAST
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).count() == 2
    # The old manager no longer runs the team (an enthusiast does not even see the team
    # page: out of their scope, it reads like an unknown one); the new one does.
    assert invite(client, setup, "x@example.no").status_code == 404
    client.force_login(successor.user)
    assert 'id="team-invite-form"' in client.get(team_url(setup)).content.decode()


def test_handing_over_to_someone_outside_the_team_is_refused(client, setup):
    other = build_curriculum(team_size=1)
    stranger = Participant.objects.get(enrolment=other.enrolment, user=other.enthusiasts[0])
    client.force_login(setup.manager)

    client.post(
        reverse("lup:team-handover", kwargs={"pk": setup.enrolment.pk}),
        {"successor": stranger.pk},
    )

    assert current_team(setup)[setup.manager.email] == Participant.Role.MANAGER


def test_a_team_that_can_no_longer_change_refuses_and_shows_no_forms(client, setup):
    UnitEnrolment.objects.filter(pk=setup.enrolment.pk).update(
        status=UnitEnrolment.Status.WITHDRAWN
    )
    client.force_login(setup.manager)
    before = current_team(setup)

    response = invite(client, setup, "sent@example.no")

    assert response.status_code == 400
    assert "can no longer change" in response.content.decode()
    assert current_team(setup) == before
    assert 'id="team-invite-form"' not in client.get(team_url(setup)).content.decode()


def test_only_the_manager_and_the_organisations_administrators_change_the_team(client, setup):
    facilitator = UserFactory()
    setup.cohort.facilitators.add(facilitator)
    administrator = UserFactory()
    administrator.user_permissions.add(*administrator_permissions())
    OrganisationMembership.objects.create(
        organisation=setup.cohort.programme.organisation, user=administrator
    )
    other_administrator = UserFactory()
    other_administrator.user_permissions.add(*administrator_permissions())
    OrganisationMembership.objects.create(
        organisation=OrganisationFactory(), user=other_administrator
    )
    target = member(setup, setup.enthusiasts[0])
    before = current_team(setup)

    for person, status in (
        (setup.enthusiasts[1], 404),  # on the team, not its manager: not in their scope
        (facilitator, 403),  # sees the team, does not run it
        (other_administrator, 404),  # another municipality: not even there
    ):
        client.force_login(person)
        assert invite(client, setup, "x@example.no").status_code == status
        assert client.post(remove_url(setup, target)).status_code == status
        assert client.get(replace_url(setup, target)).status_code == status
        replaced = client.post(replace_url(setup, target), {"email": "y@example.no"})
        assert replaced.status_code == status
        handover = reverse("lup:team-handover", kwargs={"pk": setup.enrolment.pk})
        assert client.post(handover, {"successor": target.pk}).status_code == status
        assert current_team(setup) == before
    client.logout()
    assert invite(client, setup, "x@example.no").status_code == 302  # to sign in
    assert current_team(setup) == before

    client.force_login(administrator)
    assert invite(client, setup, "fra-kontoret@example.no").status_code == 302
    assert "fra-kontoret@example.no" in current_team(setup)
