"""Roles and scope: who sees what, two-factor for administrators and HR, audit, personal data."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from lup import scoping
from lup.models import AuditEvent, Participant
from lup.selectors import programme_target_progress
from tests.factories import UserFactory
from tests.roles import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def world():
    return build_world()


def emails(participants) -> set[str]:
    return {participant.user.email for participant in participants}


def test_each_role_sees_exactly_its_people(world):
    people = world.people
    team_u1 = {"manager@example.no", "enthusiast@example.no"}
    cohort_a = team_u1 | {"manager2@example.no"}

    assert emails(scoping.participants_for(people["enthusiast"])) == {"enthusiast@example.no"}
    assert emails(scoping.participants_for(people["manager"])) == team_u1
    assert emails(scoping.participants_for(people["facilitator"])) == cohort_a
    baerum = emails(scoping.participants_for(people["administrator"]))
    assert cohort_a < baerum
    assert baerum == emails(scoping.participants_for(people["hr"]))
    assert not baerum & emails(scoping.participants_for(people["other_administrator"]))
    assert Participant.objects.count() == scoping.participants_for(people["superuser"]).count()


def test_teams_cohorts_and_programmes_in_scope(world):
    people = world.people

    assert list(scoping.enrolments_for(people["manager"])) == [world.team_u1]
    assert not scoping.enrolments_for(people["enthusiast"]).exists()
    assert set(scoping.enrolments_for(people["facilitator"])) == {world.team_u1, world.team_u2}
    assert list(scoping.cohorts_for(people["enthusiast"])) == [world.cohort_a]
    assert set(scoping.cohorts_for(people["administrator"])) == {world.cohort_a, world.cohort_b}
    assert list(scoping.programmes_for(people["hr"])) == [world.programme]
    assert list(scoping.programmes_for(people["other_administrator"])) == [world.other_programme]
    assert not scoping.programmes_for(people["facilitator"]).exists()


def test_out_of_scope_objects_are_404_not_403(client, world):
    client.force_login(world.people["manager"])

    assert client.get(reverse("lup:team-detail", args=[world.team_u1.pk])).status_code == 200
    assert client.get(reverse("lup:team-detail", args=[world.team_u2.pk])).status_code == 404
    assert client.get(reverse("lup:cohort-detail", args=[world.cohort_b.pk])).status_code == 404


def test_a_manager_sees_the_team_and_a_facilitator_the_cohorts_teams(client, world):
    client.force_login(world.people["facilitator"])

    cohort_page = client.get(reverse("lup:cohort-detail", args=[world.cohort_a.pk])).content
    team_page = client.get(reverse("lup:team-detail", args=[world.team_u1.pk])).content

    assert world.team_u1.unit.name.encode() in cohort_page
    assert world.team_u2.unit.name.encode() in cohort_page
    assert b"enthusiast@example.no" in team_page


def test_administrators_and_hr_must_set_up_two_factor(client, world):
    newcomer = UserFactory(email="new-admin@example.no")
    newcomer.groups.add(world.people["administrator"].groups.get())
    client.force_login(newcomer)

    response = client.get(reverse("lup:home"))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    # allauth asks for the password again before setting up an authenticator.
    setup = client.get(reverse("mfa_activate_totp"), follow=True)
    assert setup.status_code == 200
    assert setup.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))


def test_people_with_two_factor_and_participants_go_straight_in(client, world):
    for role in ("administrator", "hr", "enthusiast", "facilitator"):
        client.force_login(world.people[role])
        assert client.get(reverse("lup:my-data")).status_code == 200, role


def test_sign_ins_and_failed_sign_ins_are_audited(client, world):
    person = world.people["enthusiast"]
    person.set_password("a-long-password-2026")
    person.save()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)

    client.post(reverse("account_login"), {"login": person.email, "password": "wrong"})
    client.post(
        reverse("account_login"), {"login": person.email, "password": "a-long-password-2026"}
    )

    failed = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert failed.subject_label == person.email
    assert failed.ip_address == "127.0.0.1"
    login = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert login.subject == person


def test_role_changes_are_audited_with_who_did_it(world):
    from lup.audit import _current_request

    administrator = world.people["administrator"]
    request = type("Request", (), {"user": administrator, "META": {"REMOTE_ADDR": "10.0.0.1"}})()
    token = _current_request.set(request)
    try:
        world.people["enthusiast"].groups.add(administrator.groups.get())
        world.cohort_b.facilitators.add(world.people["enthusiast"])
    finally:
        _current_request.reset(token)

    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.ROLE_CHANGED, subject=world.people["enthusiast"]
    )
    assert {tuple(sorted(event.details)) for event in events} >= {
        ("change", "groups"),
        ("change", "facilitator_of"),
    }
    assert {event.actor for event in events} == {administrator}


def test_a_participant_downloads_their_own_data(client, world):
    person = world.people["enthusiast"]
    client.force_login(person)

    page = client.get(reverse("lup:my-data"))
    download = client.get(reverse("lup:my-data-json"))

    assert person.email in page.content.decode()
    data = json.loads(download.content)
    assert data["person"]["email"] == person.email
    assert [p["cohort"] for p in data["participations"]] == ["LUP 1"]
    assert "manager@example.no" not in download.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PERSONAL_DATA_EXPORTED, subject=person
    ).exists()


def test_anonymising_keeps_the_figures_and_removes_the_person(client, world):
    administrator, person = world.people["administrator"], world.people["enthusiast"]
    person_pk = person.pk
    before = programme_target_progress(world.programme)
    client.force_login(administrator)
    url = reverse("lup:anonymise-person", args=[person_pk])

    assert person.email in client.get(url).content.decode()
    wrong = client.post(url, {"confirm_email": "someone@else.no"})
    assert wrong.status_code == 200
    assert get_user_model().objects.get(pk=person_pk).email == person.email

    done = client.post(url, {"confirm_email": person.email.upper()})

    assert done.status_code == 302
    person.refresh_from_db()
    assert person.email.endswith("@anonymised.invalid")
    assert (person.first_name, person.last_name, person.is_active) == ("Anonymisert", "", False)
    assert not person.has_usable_password()
    assert Participant.objects.filter(user=person).count() == 1
    assert programme_target_progress(world.programme).completed == before.completed
    event = AuditEvent.objects.get(action=AuditEvent.Action.PERSON_ANONYMISED)
    assert (event.actor, event.subject_label) == (administrator, f"anonymised #{person_pk}")
    assert not AuditEvent.objects.filter(subject_label="enthusiast@example.no").exists()


def test_anonymising_is_scoped_and_not_for_oneself(client, world):
    client.force_login(world.people["other_administrator"])
    assert (
        client.get(
            reverse("lup:anonymise-person", args=[world.people["enthusiast"].pk])
        ).status_code
        == 404
    )
    client.force_login(world.people["administrator"])
    own = reverse("lup:anonymise-person", args=[world.people["administrator"].pk])
    assert client.get(own).status_code == 404
    client.force_login(world.people["hr"])
    hr_try = reverse("lup:anonymise-person", args=[world.people["enthusiast"].pk])
    assert client.get(hr_try).status_code == 403


def test_the_audit_log_is_for_administrators(client, world):
    client.force_login(world.people["administrator"])
    world.cohort_a.facilitators.add(world.people["manager"])

    page = client.get(reverse("lup:audit-log"), {"action": "role_changed"})

    assert page.status_code == 200
    assert "manager@example.no" in page.content.decode()
    client.force_login(world.people["hr"])
    assert client.get(reverse("lup:audit-log")).status_code == 403


def test_admin_sign_in_goes_through_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
