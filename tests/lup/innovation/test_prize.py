"""The innovation prize: nominating, the jury's scores, one winner, winners in the catalogue."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from lup.innovation import prize
from lup.innovation.models import InnovationProject, JuryScore, Nomination
from lup.models import OrganisationMembership
from lup.roles import PRIZE_JURY_GROUP, ensure_role_groups
from tests.factories import UserFactory
from tests.roles import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]
YEAR = 2026


@pytest.fixture
def world():
    world = build_world()
    InnovationProject.objects.filter(pk=world.project.pk).update(
        licence="CC0-1.0", consent_at="2026-01-05T12:00Z", published_at="2026-01-05T12:00Z"
    )
    world.project.refresh_from_db()
    juror = UserFactory(email="jury@example.no")
    juror.groups.add(ensure_role_groups()[PRIZE_JURY_GROUP])
    OrganisationMembership.objects.create(organisation=world.programme.organisation, user=juror)
    world.people["juror"] = juror
    return world


def test_default_categories_are_created_once(world):
    first = prize.ensure_prize_categories(world.programme)
    again = prize.ensure_prize_categories(world.programme)

    assert [c.key for c in first] == ["arets-innovasjon", "stjael-med-stil", "beste-feil"]
    assert [c.pk for c in again] == [c.pk for c in first]


def nominate_url(project):
    return reverse("lup:prize-nominate", kwargs={"public_id": project.public_id})


def test_facilitators_administrators_and_managers_nominate_with_a_reason(client, world):
    category = prize.ensure_prize_categories(world.programme)[0]
    for role in ("facilitator", "administrator", "manager"):
        client.force_login(world.people[role])
        assert client.get(nominate_url(world.project)).status_code == 200, role
    for role in ("enthusiast", "hr"):
        client.force_login(world.people[role])
        assert client.get(nominate_url(world.project)).status_code == 403, role

    client.force_login(world.people["facilitator"])
    empty = client.post(nominate_url(world.project), {"category": category.pk, "year": YEAR})
    assert empty.status_code == 200
    assert empty.context["form"].errors["reason"]
    response = client.post(
        nominate_url(world.project),
        {"category": category.pk, "year": YEAR, "reason": "Halverte nattrundene."},
    )

    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.project, nomination.year, nomination.nominated_by) == (
        world.project,
        YEAR,
        world.people["facilitator"],
    )
    twice = client.post(
        nominate_url(world.project), {"category": category.pk, "year": YEAR, "reason": "Igjen."}
    )
    assert twice.status_code == 200
    assert "already nominated" in twice.content.decode()


def test_asker_cannot_nominate_in_baerums_prize(world):
    category = prize.ensure_prize_categories(world.programme)[0]

    with pytest.raises(ValidationError):
        prize.nominate_project(
            project=world.project,
            category=category,
            year=YEAR,
            reason="Flott.",
            user=world.people["other_administrator"],
        )


def test_the_jury_scores_and_declares_one_winner_shown_in_the_catalogue(client, world):
    category = prize.ensure_prize_categories(world.programme)[0]
    nomination = prize.nominate_project(
        project=world.project,
        category=category,
        year=YEAR,
        reason="Halverte nattrundene.",
        user=world.people["facilitator"],
    )
    client.force_login(world.people["juror"])
    board = client.get(reverse("lup:prize-jury"), {"year": YEAR})
    assert board.status_code == 200
    assert board.context["boards"][0].rows[0].nomination == nomination

    client.post(reverse("lup:prize-score", kwargs={"pk": nomination.pk}), {"score": "4"})
    client.post(reverse("lup:prize-score", kwargs={"pk": nomination.pk}), {"score": "5"})
    client.post(reverse("lup:prize-score", kwargs={"pk": nomination.pk}), {"score": "9"})
    assert JuryScore.objects.get().score == 5

    response = client.post(reverse("lup:prize-winner", kwargs={"pk": nomination.pk}))
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.is_winner

    listing = client.get(reverse("lup:catalogue"))
    assert [n.pk for n in listing.context["result"].winners] == [nomination.pk]
    assert listing.context["page"].object_list[0].is_winner
    winners_only = client.get(reverse("lup:catalogue"), {"winners": "on"})
    assert winners_only.context["page"].paginator.count == 1
    page = client.get(
        reverse("lup:catalogue-project", kwargs={"public_id": world.project.public_id})
    )
    assert page.context["story"].wins == [nomination]


def test_a_new_winner_replaces_the_old_one_and_the_database_allows_one(world):
    category = prize.ensure_prize_categories(world.programme)[0]
    from lup.innovation.services import start_project

    second = start_project(
        enrolment=world.team_u2, title="Felles matglede", need="Å spise sammen.", audience="Beboere"
    )
    first = prize.nominate_project(
        project=world.project,
        category=category,
        year=YEAR,
        reason="A",
        user=world.people["facilitator"],
    )
    runner_up = prize.nominate_project(
        project=second, category=category, year=YEAR, reason="B", user=world.people["facilitator"]
    )

    prize.declare_winner(nomination=first, user=world.people["juror"])
    prize.declare_winner(nomination=runner_up, user=world.people["juror"])

    assert list(Nomination.objects.filter(is_winner=True)) == [runner_up]
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.filter(pk=first.pk).update(is_winner=True)


def test_only_the_jury_of_the_programmes_organisation_judges(client, world):
    category = prize.ensure_prize_categories(world.programme)[0]
    nomination = prize.nominate_project(
        project=world.project,
        category=category,
        year=YEAR,
        reason="A",
        user=world.people["facilitator"],
    )
    client.force_login(world.people["facilitator"])
    assert client.get(reverse("lup:prize-jury")).status_code == 403
    # Asker's administrator has the permission (all lup permissions) but not Bærum's prize.
    client.force_login(world.people["other_administrator"])
    response = client.post(reverse("lup:prize-winner", kwargs={"pk": nomination.pk}))
    assert response.status_code == 404
    assert not Nomination.objects.filter(is_winner=True).exists()
