"""The admin never stamps or withdraws a completion: the services do, under a row lock,
when the programme's rule says so."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lup.models import Participant, UnitEnrolment
from tests.roles import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]


def participant_form(participant: Participant, **changes: str) -> dict[str, str]:
    data = {
        "user": str(participant.user_id),
        "enrolment": str(participant.enrolment_id),
        "role": participant.role,
        "status": participant.status,
    }
    data.update(changes)
    return data


def test_the_admin_cannot_stamp_a_participants_completion(client):
    world = build_world()
    enthusiast = world.team_u1.participants.get(user=world.people["enthusiast"])
    client.force_login(world.people["administrator"])

    response = client.post(
        f"/admin/lup/participant/{enthusiast.pk}/change/",
        participant_form(enthusiast, status=Participant.Status.COMPLETED),
    )

    assert response.status_code == 200
    assert "recorded by the programme&#x27;s completion rule" in response.content.decode()
    enthusiast.refresh_from_db()
    assert enthusiast.status != Participant.Status.COMPLETED
    assert enthusiast.completed_at is None


def test_the_admin_cannot_withdraw_a_units_completion(client):
    world = build_world()
    UnitEnrolment.objects.filter(pk=world.team_u1.pk).update(
        status=UnitEnrolment.Status.COMPLETED, completed_at=timezone.now()
    )
    client.force_login(world.people["administrator"])

    response = client.post(
        f"/admin/lup/unitenrolment/{world.team_u1.pk}/change/",
        {
            "unit": str(world.team_u1.unit_id),
            "cohort": str(world.team_u1.cohort_id),
            "status": UnitEnrolment.Status.ENROLLED,
            "participants-TOTAL_FORMS": "0",
            "participants-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    world.team_u1.refresh_from_db()
    assert world.team_u1.status == UnitEnrolment.Status.COMPLETED


@pytest.mark.parametrize("status", [UnitEnrolment.Status.NOT_COMPLETED, UnitEnrolment.Status.MOVED])
def test_the_admin_cannot_settle_a_unit_without_closing_its_cohort(client, status):
    """Not completed and moved are what closing a cohort decides (with the team and project
    moved along): typed into the admin they would leave a half-moved unit, or a 500."""
    world = build_world()
    client.force_login(world.people["administrator"])

    response = client.post(
        f"/admin/lup/unitenrolment/{world.team_u1.pk}/change/",
        {
            "unit": str(world.team_u1.unit_id),
            "cohort": str(world.team_u1.cohort_id),
            "status": status,
            "participants-TOTAL_FORMS": "0",
            "participants-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "by closing its cohort" in response.content.decode()
    world.team_u1.refresh_from_db()
    assert world.team_u1.status == UnitEnrolment.Status.ENROLLED
