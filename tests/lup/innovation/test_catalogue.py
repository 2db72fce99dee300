"""The catalogue ("stjæl og del"): publishing with consent, searching, project pages, reuse."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from lup.innovation import catalogue, sharing
from lup.innovation.models import InnovationProject, ProjectReuse
from lup.models import AuditEvent
from tests.factories import (
    BenefitFactory,
    BenefitMeasurementFactory,
    CanvasVersionFactory,
    ParticipantFactory,
    ProjectPhaseFactory,
    PublishedProjectFactory,
    UnitEnrolmentFactory,
)
from tests.roles import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def project(world):
    """U1's project (the manager's and the enthusiast's), not yet published."""
    return world.project


def publish_url(project):
    return reverse("lup:project-publish", kwargs={"pk": project.pk})


def page_url(project):
    return reverse("lup:catalogue-project", kwargs={"public_id": project.public_id})


# Publishing -----------------------------------------------------------------------------------


def test_only_the_units_manager_may_open_the_publish_page(client, world, project):
    for role in ("enthusiast", "facilitator", "administrator", "superuser"):
        client.force_login(world.people[role])
        assert client.get(publish_url(project)).status_code == 404, role
    client.force_login(world.people["other_manager"])
    assert client.get(publish_url(project)).status_code == 404

    client.force_login(world.people["manager"])
    assert client.get(publish_url(project)).status_code == 200


def test_the_project_page_offers_sharing_to_the_units_manager_only(client, world, project):
    detail = reverse("lup:project-detail", kwargs={"pk": project.pk})
    withdraw = reverse("lup:project-withdraw", kwargs={"pk": project.pk})
    client.force_login(world.people["enthusiast"])
    assert publish_url(project) not in client.get(detail).content.decode()

    client.force_login(world.people["manager"])
    assert f'href="{publish_url(project)}"' in client.get(detail).content.decode()
    client.post(publish_url(project), {"licence": "NLOD-2.0", "consent": "on"})
    html = client.get(detail).content.decode()
    assert f'action="{withdraw}"' in html
    assert f'href="{page_url(project)}"' in html  # see it in the catalogue


def test_publishing_without_consent_is_refused_with_a_clear_error(client, world, project):
    client.force_login(world.people["manager"])

    response = client.post(publish_url(project), {"licence": "CC-BY-4.0"})

    assert response.status_code == 200
    assert response.context["form"].errors["consent"]
    project.refresh_from_db()
    assert project.published_at is None
    with pytest.raises(ValidationError):
        sharing.publish_project(
            project=project, user=world.people["manager"], licence="CC-BY-4.0", consent=False
        )


def test_the_database_refuses_a_publication_without_consent(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        InnovationProject.objects.filter(pk=project.pk).update(
            published_at="2026-01-01T00:00Z", licence="CC-BY-4.0"
        )


def test_the_manager_publishes_with_consent_and_withdraws(client, world, project):
    manager = world.people["manager"]
    client.force_login(manager)

    response = client.post(publish_url(project), {"licence": "NLOD-2.0", "consent": "on"})

    assert response.status_code == 302
    assert response["Location"] == page_url(project)
    project.refresh_from_db()
    assert project.published_at is not None
    assert (project.licence, project.consent_by, project.consent_at is not None) == (
        "NLOD-2.0",
        manager,
        True,
    )
    # Anyone signed in, in another organisation too, now reads it.
    client.force_login(world.people["other_administrator"])
    assert client.get(page_url(project)).status_code == 200

    client.force_login(manager)
    assert client.get(reverse("lup:project-withdraw", kwargs={"pk": project.pk})).status_code == 405
    client.post(reverse("lup:project-withdraw", kwargs={"pk": project.pk}))

    project.refresh_from_db()
    assert (project.published_at, project.consent_at, project.licence) == (None, None, "NLOD-2.0")
    client.force_login(world.people["other_administrator"])
    assert client.get(page_url(project)).status_code == 404
    # The manager's consent, and its withdrawal, are on the record.
    sharing = [AuditEvent.Action.PROJECT_PUBLISHED, AuditEvent.Action.PROJECT_WITHDRAWN]
    recorded = AuditEvent.objects.filter(actor=manager, action__in=sharing).order_by("at", "pk")
    assert list(recorded.values_list("action", flat=True)) == sharing


def test_an_unpublished_project_is_not_in_the_catalogue(client, world, project):
    client.force_login(world.people["manager"])

    assert client.get(page_url(project)).status_code == 404
    response = client.get(reverse("lup:catalogue"))
    assert project.title not in response.content.decode()


# Searching ------------------------------------------------------------------------------------


def _published_world(world):
    pilot = ProjectPhaseFactory(programme=world.programme, key="pilotering", name="Pilotering")
    insight = ProjectPhaseFactory(programme=world.programme, key="innsikt", name="Innsikt")
    night = world.project
    InnovationProject.objects.filter(pk=night.pk).update(
        title="Digitalt tilsyn på natt",
        phase=pilot,
        licence="CC-BY-4.0",
        consent_at="2026-01-05T12:00Z",
        published_at="2026-01-05T12:00Z",
    )
    night.refresh_from_db()
    BenefitFactory(project=night, type="time")
    food = PublishedProjectFactory(
        enrolment=world.team_u2,
        title="Felles matglede",
        need="Beboerne spiser lite alene.",
        idea="Måltider som fellesskap.",
        audience="Beboere på dagtid",
        story="Vi lagde middag sammen med beboerne.",
        phase=insight,
    )
    BenefitFactory(project=food, type="quality")
    return night, food


def titles(response):
    return [project.title for project in response.context["page"].object_list]


def test_search_by_text_sector_phase_and_benefit_type(client, world):
    _night, _food = _published_world(world)
    client.force_login(world.people["other_administrator"])
    url = reverse("lup:catalogue")

    assert sorted(titles(client.get(url))) == ["Digitalt tilsyn på natt", "Felles matglede"]
    assert titles(client.get(url, {"q": "middag"})) == ["Felles matglede"]  # in the story
    assert titles(client.get(url, {"q": "tilsyn natt"})) == ["Digitalt tilsyn på natt"]
    assert titles(client.get(url, {"q": "ingenting slikt"})) == []
    assert titles(client.get(url, {"phase": "pilotering"})) == ["Digitalt tilsyn på natt"]
    assert titles(client.get(url, {"benefit": "quality"})) == ["Felles matglede"]
    sector = world.team_u2.unit.sector.name
    assert titles(client.get(url, {"sector": sector})) == ["Felles matglede"]
    # An unknown filter value is ignored, not an error.
    assert client.get(url, {"phase": "no-such-phase"}).status_code == 200


def test_the_catalogue_needs_a_sign_in(client, world):
    response = client.get(reverse("lup:catalogue"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def _add_projects(programme, count):
    for _ in range(count):
        project = PublishedProjectFactory(
            enrolment=UnitEnrolmentFactory(cohort__programme=programme)
        )
        for kind in ("time", "costs"):
            benefit = BenefitFactory(project=project, type=kind)
            BenefitMeasurementFactory(benefit=benefit)
        source = PublishedProjectFactory(
            enrolment=UnitEnrolmentFactory(cohort__programme=programme)
        )
        ProjectReuse.objects.create(source=source, unit=project.enrolment.unit, project=project)


def test_the_first_page_takes_the_same_queries_however_many_projects(
    client, world, django_assert_num_queries
):
    _published_world(world)
    client.force_login(world.people["enthusiast"])
    url = reverse("lup:catalogue")
    client.get(url)  # warm up (session, permissions caches)

    _add_projects(world.programme, 3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url, {"q": "e"})
    _add_projects(world.programme, 25)

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, {"q": "e"})
    assert len(response.context["page"].object_list) == catalogue.PAGE_SIZE
    assert any(project.reuse_count for project in response.context["page"].object_list)


# The project page -----------------------------------------------------------------------------


def test_the_project_page_shows_story_canvas_benefits_timeline_and_licence(client, world):
    night, _food = _published_world(world)
    CanvasVersionFactory(project=night, number=1, content={"purpose": "Gammel"})
    CanvasVersionFactory(project=night, number=2, content={"purpose": "Bedre søvn for beboerne"})
    benefit = night.benefits.get()
    BenefitMeasurementFactory(benefit=benefit, measured_on="2026-02-01", value="1000")
    BenefitMeasurementFactory(benefit=benefit, measured_on="2026-03-01", value="812.50")
    client.force_login(world.people["hr"])

    response = client.get(page_url(night))

    html = response.content.decode()
    assert "Bedre søvn for beboerne" in html
    assert "Gammel" not in html
    assert "812,5" in html  # the latest measurement, in Norwegian notation
    assert "CC BY 4.0" in html
    assert response.context["story"].benefits[0].latest.value == 812.5


def test_the_project_page_takes_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    night, _food = _published_world(world)
    CanvasVersionFactory(project=night, number=1)
    client.force_login(world.people["enthusiast"])
    client.get(page_url(night))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(page_url(night))
    first = night.benefits.get()
    for number in range(5):
        BenefitMeasurementFactory(benefit=first)
        BenefitFactory(project=night, type="costs")
        CanvasVersionFactory(project=night, number=number + 10)
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(page_url(night))


# Reuse ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("english_site")
def test_another_unit_marks_reuse_linking_its_project_and_the_source_shows_it(client, world):
    night, food = _published_world(world)
    # U2's enthusiast marks that U2 reuses U1's night project, linking U2's own project.
    enthusiast = ParticipantFactory(enrolment=world.team_u2).user
    client.force_login(enthusiast)
    url = reverse("lup:catalogue-reuse", kwargs={"public_id": night.public_id})
    assert client.get(url).status_code == 200

    response = client.post(
        url, {"unit": world.team_u2.unit.pk, "project": food.pk, "note": "Vi bruker sensorene"}
    )

    assert response.status_code == 302
    reuse = ProjectReuse.objects.get()
    assert (reuse.source, reuse.unit, reuse.project, reuse.marked_by) == (
        night,
        world.team_u2.unit,
        food,
        enthusiast,
    )
    source_page = client.get(page_url(night)).content.decode()
    assert world.team_u2.unit.name in source_page
    assert client.get(page_url(food)).context["story"].reused_from[0].source == night
    listing = client.get(reverse("lup:catalogue"))
    counts = {project.title: project.reuse_count for project in listing.context["page"]}
    assert counts == {"Digitalt tilsyn på natt": 1, "Felles matglede": 0}

    # Twice is refused clearly.
    again = client.post(url, {"unit": world.team_u2.unit.pk})
    assert again.status_code == 200
    assert "already reuses" in " ".join(again.context["form"].non_field_errors())
    assert ProjectReuse.objects.count() == 1

    # And the mark can be removed.
    client.post(reverse("lup:catalogue-unreuse", kwargs={"pk": reuse.pk}))
    assert not ProjectReuse.objects.exists()


@pytest.mark.usefixtures("english_site")
def test_reusing_ones_own_project_is_refused(client, world):
    night, _food = _published_world(world)
    manager = world.people["manager"]

    with pytest.raises(ValidationError, match="own unit"):
        sharing.mark_reuse(source=night, unit=world.team_u1.unit, user=manager)
    # The page offers no unit to choose: the manager is only on the project's own team.
    client.force_login(manager)
    url = reverse("lup:catalogue-reuse", kwargs={"public_id": night.public_id})
    assert client.get(url).status_code == 404
    assert not client.get(page_url(night)).context["can_reuse"]


def test_only_team_members_of_the_unit_may_mark_reuse(world):
    night, _food = _published_world(world)

    with pytest.raises(ValidationError):
        sharing.mark_reuse(
            source=night, unit=world.team_u2.unit, user=world.people["administrator"]
        )
    with pytest.raises(ValidationError):
        sharing.mark_reuse(source=night, unit=world.team_u2.unit, user=world.people["enthusiast"])
    reuse = sharing.mark_reuse(
        source=night, unit=world.team_u2.unit, user=world.people["other_manager"]
    )
    with pytest.raises(ValidationError):
        sharing.unmark_reuse(reuse=reuse, user=world.people["manager"])


def test_the_catalogue_link_is_in_the_menu(client, world):
    client.force_login(world.people["enthusiast"])

    response = client.get(reverse("lup:catalogue"))

    nav = {item.url: item.active for item in response.context["lup_nav"]}
    assert nav[reverse("lup:catalogue")] is True
