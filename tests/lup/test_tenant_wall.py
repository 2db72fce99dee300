"""The wall between municipalities holds against the attack an outside check made.

Bærum's administrator added Asker's administrator (by e-mail) to a Bærum team through
the API, which brought that account into Bærum's scope, then anonymised it: the account
was deactivated and wiped, and Asker's audit log showed nothing. Each step is tried again
here, by every way in (API, CSV import, the anonymise page), against an administrator, a
superuser and a participant of the other organisation.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from lup.imports import ImportRejected, import_participants
from lup.models import AuditEvent, OrganisationMembership, Participant
from lup.permissions import belongs_elsewhere
from lup.services import enrol_unit
from tests.factories import OrganisationFactory, ServiceUnitFactory
from tests.roles import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]


@pytest.fixture
def world():
    return build_world()


def add_by_api(client, world, email: str, role: str = "enthusiast"):
    body = {
        "email": email,
        "first_name": "Someone",
        "last_name": "Else",
        "cohort": str(world.cohort_a.public_id),
        "unit": str(world.team_u2.unit.public_id),
        "role": role,
    }
    return client.post("/api/v1/participants/", body, content_type="application/json")


def snapshot(person) -> tuple:
    person.refresh_from_db()
    return (
        person.email,
        person.first_name,
        person.is_active,
        person.has_usable_password(),
        sorted(person.groups.values_list("name", flat=True)),
        list(OrganisationMembership.objects.filter(user=person).values_list("organisation")),
        Participant.objects.filter(user=person).count(),
    )


@pytest.mark.parametrize("target", ["other_administrator", "superuser", "asker_participant"])
def test_another_organisations_account_cannot_be_put_on_a_team_through_the_api(
    client, world, target
):
    if target == "asker_participant":
        person = world.team_other.participants.get().user
    else:
        person = world.people[target]
    before = snapshot(person)
    client.force_login(world.people["administrator"])

    response = add_by_api(client, world, person.email.upper())

    assert response.status_code == 400
    assert "belongs to another organisation" in response.content.decode()
    assert snapshot(person) == before
    assert not Participant.objects.filter(user=person, enrolment=world.team_u2).exists()
    refused = AuditEvent.objects.get(action=AuditEvent.Action.TENANT_REFUSED)
    assert refused.subject == person
    assert refused.actor == world.people["administrator"]


def test_the_csv_import_lists_the_row_and_imports_nothing(world):
    asker_admin = world.people["other_administrator"]
    unit_code = world.team_u2.unit.code
    data = (
        "email;first_name;last_name;unit_code;cohort;role\n"
        f"ny.person@example.no;Ny;Person;{unit_code};LUP 1;ildsjel\n"
        f"{asker_admin.email};Asker;Admin;{unit_code};LUP 1;ildsjel\n"
    ).encode()
    people_before = get_user_model().objects.count()

    with pytest.raises(ImportRejected) as rejected:
        import_participants(data=data, programme=world.programme)

    [error] = rejected.value.errors
    assert error.line == 3
    assert "belongs to another organisation" in str(error)
    assert get_user_model().objects.count() == people_before
    assert not Participant.objects.filter(user=asker_admin).exists()


def test_a_guest_unit_from_a_municipality_without_staff_here_is_imported_again(world):
    """A small municipality with no staff of its own here sends a unit to Bærum's cohorts
    as a guest: its people may be put on that team, and imported again."""
    guest_org = OrganisationFactory(name="Gjestekommune", slug="gjest")
    unit = ServiceUnitFactory(organisation=guest_org, code="G1")
    data = (
        "email;first_name;last_name;unit_code;cohort;role;organisation\n"
        f"gjest@example.no;Gjest;Leder;{unit.code};LUP 2;leder;gjest\n"
    ).encode()

    first = import_participants(data=data, programme=world.programme)
    again = import_participants(data=data, programme=world.programme)

    assert (first.created, again.unchanged) == (1, 1)


def test_another_tenants_unit_cannot_be_enrolled_as_a_guest(world):
    """The hole the write-route attack found: Asker's administrator named Bærum as a
    guest unit's organisation, which enrolled Bærum's unit in Asker's cohort and put
    Bærum's administrator on its team. A tenant's units join only its own programmes."""
    baerum_unit = world.team_u1.unit
    data = (
        "email;first_name;last_name;unit_code;cohort;role;organisation\n"
        f"{world.people['administrator'].email};B;A;{baerum_unit.code};Asker 1;leder;baerum\n"
    ).encode()

    with pytest.raises(ImportRejected) as rejected:
        import_participants(data=data, programme=world.other_programme)

    [error] = rejected.value.errors
    assert "runs its own programme" in str(error)
    assert not baerum_unit.enrolments.filter(cohort__programme=world.other_programme).exists()
    with pytest.raises(ValidationError):
        enrol_unit(cohort=world.other_programme.cohorts.get(), unit=baerum_unit)


def test_anonymising_an_account_with_roles_elsewhere_is_refused(client, world):
    """Even if another organisation's administrator got onto a team here (as through the
    old hole), anonymising them is refused and both audit logs say so."""
    asker_admin = world.people["other_administrator"]
    Participant.objects.create(enrolment=world.team_u2, user=asker_admin)
    before = snapshot(asker_admin)
    client.force_login(world.people["administrator"])

    page = client.post(
        reverse("lup:anonymise-person", args=[asker_admin.pk]),
        {"confirm_email": asker_admin.email},
        follow=True,
    )

    assert "belongs to another organisation" in page.content.decode()
    assert snapshot(asker_admin) == before
    assert asker_admin.is_active
    refused = AuditEvent.objects.get(action=AuditEvent.Action.TENANT_REFUSED)
    assert (refused.subject, refused.actor) == (asker_admin, world.people["administrator"])
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PERSON_ANONYMISED).exists()


def test_a_superuser_is_never_attachable_or_anonymisable_by_an_organisation(world):
    superuser = world.people["superuser"]

    assert belongs_elsewhere(superuser, {world.programme.organisation_id})


def test_staff_without_a_membership_here_belong_elsewhere(world):
    staff = get_user_model().objects.create_user("staff-x", "staff-x@example.no", is_staff=True)
    baerum = world.programme.organisation
    assert belongs_elsewhere(staff, {baerum.pk})
    OrganisationMembership.objects.create(organisation=baerum, user=staff)
    assert not belongs_elsewhere(staff, {baerum.pk})


def test_own_people_are_still_anonymised(client, world):
    enthusiast = world.people["enthusiast"]
    client.force_login(world.people["administrator"])

    client.post(
        reverse("lup:anonymise-person", args=[enthusiast.pk]),
        {"confirm_email": enthusiast.email},
    )

    enthusiast.refresh_from_db()
    assert not enthusiast.is_active


def test_admin_lists_filters_and_choices_show_no_other_organisation(client, world):
    client.force_login(world.people["administrator"])
    asker_admin = world.people["other_administrator"]

    pages = [
        client.get("/admin/lup/programme/"),
        client.get("/admin/lup/cohort/"),
        client.get("/admin/lup/unitenrolment/"),
        client.get("/admin/lup/participant/"),
        client.get("/admin/lup/cohort/add/"),
        client.get(f"/admin/lup/cohort/{world.cohort_a.pk}/change/"),
    ]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200, page.request["PATH_INFO"]
        assert "Asker" not in html, page.request["PATH_INFO"]
        assert asker_admin.email not in html, page.request["PATH_INFO"]


def test_the_admin_refuses_another_organisations_account_by_raw_id(client, world):
    client.force_login(world.people["administrator"])
    asker_admin = world.people["other_administrator"]

    response = client.post(
        "/admin/lup/participant/add/",
        {
            "user": asker_admin.pk,
            "enrolment": world.team_u2.pk,
            "role": "enthusiast",
            "status": "active",
        },
    )
    facilitator = client.post(
        f"/admin/lup/cohort/{world.cohort_a.pk}/change/",
        {"facilitators": [asker_admin.pk]},
    )

    assert response.status_code == 200  # the form again, with its error
    assert not Participant.objects.filter(user=asker_admin).exists()
    assert facilitator.status_code == 200
    assert not world.cohort_a.facilitators.filter(pk=asker_admin.pk).exists()
