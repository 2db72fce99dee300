"""Writing through the API follows the HTML interface's rules and calls the same services."""

import pytest
from django.utils import timezone

from lup.models import Attendance, Gathering, Participant
from tests.roles import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    world.gathering = Gathering.objects.create(
        cohort=world.cohort_a,
        title="Samling",
        starts_at=timezone.now(),
        ends_at=timezone.now() + timezone.timedelta(hours=3),
    )
    return world


def add(client, world, **overrides):
    body = {
        "email": "Ny@Example.no",
        "first_name": "Ny",
        "last_name": "Person",
        "cohort": str(world.cohort_a.public_id),
        "unit": str(world.team_u2.unit.public_id),
        "role": "enthusiast",
        **overrides,
    }
    return client.post("/api/v1/participants/", body, content_type="application/json")


def test_an_administrator_adds_a_person_to_a_team(client, world):
    client.force_login(world.people["administrator"])

    created = add(client, world)
    again = add(client, world)

    assert created.status_code == 201, created.content
    assert again.status_code == 200
    assert created.json()["email"] == "ny@example.no"
    assert created.json()["unit"] == str(world.team_u2.unit.public_id)
    assert world.team_u2.participants.filter(user__email="ny@example.no").count() == 1


def test_the_services_rules_are_400_with_their_message(client, world):
    client.force_login(world.people["administrator"])

    response = add(client, world, role="manager")

    assert response.status_code == 400
    assert "manager2@example.no" in response.json()["non_field_errors"][0]  # the current one


@pytest.mark.parametrize("role", ["hr", "facilitator", "manager"])
def test_only_administrators_add_people(client, world, role):
    client.force_login(world.people[role])

    assert add(client, world).status_code in {400, 403}
    assert not Participant.objects.filter(user__email="ny@example.no").exists()


def test_another_organisations_cohort_is_not_in_scope(client, world):
    client.force_login(world.people["other_administrator"])

    response = add(client, world)

    assert response.status_code == 400
    assert "cohort" in response.json()


def test_an_administrator_changes_a_role(client, world):
    client.force_login(world.people["administrator"])
    manager = world.team_u2.participants.get()

    response = client.patch(
        f"/api/v1/participants/{manager.public_id}/",
        {"role": "enthusiast"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["role"] == "enthusiast"


def test_hr_cannot_change_a_role(client, world):
    client.force_login(world.people["hr"])
    manager = world.team_u2.participants.get()

    response = client.patch(
        f"/api/v1/participants/{manager.public_id}/",
        {"role": "enthusiast"},
        content_type="application/json",
    )

    assert response.status_code == 403


def attendance_url(world):
    return f"/api/v1/gatherings/{world.gathering.pk}/attendance/"


def test_a_facilitator_records_and_removes_attendance(client, world):
    client.force_login(world.people["facilitator"])
    enthusiast = world.team_u1.participants.get(user=world.people["enthusiast"])
    body = {"participant": str(enthusiast.public_id)}

    recorded = client.post(attendance_url(world), body, content_type="application/json")
    again = client.post(attendance_url(world), body, content_type="application/json")
    listed = client.get(attendance_url(world)).json()["results"]
    removed = client.delete(f"{attendance_url(world)}{enthusiast.public_id}/")

    assert recorded.status_code == 201, recorded.content
    assert again.status_code == 200
    assert [row["participant"] for row in listed] == [str(enthusiast.public_id)]
    assert listed[0]["method"] == Attendance.Method.FACILITATOR
    assert removed.status_code == 204
    assert not Attendance.objects.exists()


def test_a_participant_of_another_cohort_is_400(client, world):
    client.force_login(world.people["facilitator"])
    elsewhere = world.team_other.participants.get()

    response = client.post(
        attendance_url(world),
        {"participant": str(elsewhere.public_id)},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "participant" in response.json()


@pytest.mark.parametrize(("role", "expected"), [("enthusiast", 403), ("other_administrator", 404)])
def test_others_do_not_take_attendance(client, world, role, expected):
    client.force_login(world.people[role])
    enthusiast = world.team_u1.participants.get(user=world.people["enthusiast"])

    response = client.post(
        attendance_url(world),
        {"participant": str(enthusiast.public_id)},
        content_type="application/json",
    )

    assert response.status_code == expected
    assert not Attendance.objects.exists()


def test_a_participants_progress_follows_the_curriculum(client, world):
    from courses.models import Activity, Course, Module

    course = Course.objects.create(title="LUP", slug="lup-kurs")
    module = Module.objects.create(course=course, position=1, title="Teori")
    Activity.objects.create(module=module, position=1, title="Les", kind="page")
    world.programme.course = course
    world.programme.save()
    client.force_login(world.people["manager"])
    enthusiast = world.team_u1.participants.get(user=world.people["enthusiast"])

    progress = client.get(f"/api/v1/participants/{enthusiast.public_id}/progress/").json()

    assert progress["course"]["course"] == "LUP"
    assert progress["course"]["modules"][0]["activities"][0]["title"] == "Les"
    assert progress["course"]["done_count"] == 0
