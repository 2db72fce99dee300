"""The project workspace: starting a project, its phases and timeline, and the team canvas
with version history and concurrent saves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lup.innovation import selectors, services
from lup.innovation.models import (
    DEFAULT_PHASES,
    CanvasVersion,
    InnovationProject,
    PhaseChange,
    ProjectPhase,
)
from lup.models import Participant
from tests.factories import ProgrammeFactory
from tests.roles import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def world():
    return build_world()


def login(client, world, role):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(world.people[role])
    return client


# Starting a project


def test_a_team_member_starts_the_project_on_the_default_roadmap(client, world):
    InnovationProject.objects.all().delete()
    login(client, world, "enthusiast")
    enthusiast = world.team_u1.participants.get(user=world.people["enthusiast"])

    response = client.post(
        reverse("lup:project-start", kwargs={"pk": world.team_u1.pk}),
        {
            "title": "Digitalt nattilsyn",
            "need": "Beboerne vekkes av nattlige runder.",
            "audience": "Beboere og nattevakter",
            "idea": "Sensorer",
            "members": [enthusiast.pk],
        },
    )

    project = InnovationProject.objects.get(enrolment=world.team_u1)
    assert response.status_code == 302
    assert response["Location"] == reverse("lup:project-detail", kwargs={"pk": project.pk})
    assert project.organisation == world.programme.organisation
    assert list(project.members.all()) == [enthusiast]
    phases = list(ProjectPhase.objects.filter(programme=world.programme).order_by("position"))
    assert [phase.key for phase in phases] == [key for key, _n, _p in DEFAULT_PHASES]
    assert project.phase == phases[0]
    change = PhaseChange.objects.get(project=project)
    assert change.entered_on == timezone.localdate()


def test_starting_again_leads_to_the_existing_project(client, world):
    login(client, world, "manager")

    response = client.get(reverse("lup:project-start", kwargs={"pk": world.team_u1.pk}))

    assert response["Location"] == reverse("lup:project-detail", kwargs={"pk": world.project.pk})


def test_a_rejected_start_form_changes_nothing(client, world):
    login(client, world, "facilitator")

    response = client.post(
        reverse("lup:project-start", kwargs={"pk": world.team_u2.pk}),
        {"title": "", "need": "", "audience": "Noen"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "This field is required." in html
    assert not InnovationProject.objects.filter(enrolment=world.team_u2).exists()


def test_someone_else_cannot_start_another_units_project(client, world):
    login(client, world, "manager")  # U1's manager, not on U2's team

    response = client.post(
        reverse("lup:project-start", kwargs={"pk": world.team_u2.pk}),
        {"title": "X", "need": "Y", "audience": "Z"},
    )

    assert response.status_code == 404
    assert not InnovationProject.objects.filter(enrolment=world.team_u2).exists()


def test_a_programme_keeps_its_own_phases():
    programme = ProgrammeFactory()
    ProjectPhase.objects.create(programme=programme, key="a", name="Alfa", position=1)

    phases = services.ensure_project_phases(programme=programme)

    assert [phase.name for phase in phases] == ["Alfa"]
    assert services.ensure_project_phases(programme=programme) == phases


def test_the_team_page_and_my_programme_link_to_the_project(client, world):
    login(client, world, "manager")

    team = client.get(reverse("lup:team-detail", kwargs={"pk": world.team_u1.pk}))
    mine = client.get(reverse("lup:my-programme"))

    url = reverse("lup:project-detail", kwargs={"pk": world.project.pk})
    assert url in team.content.decode()
    assert url in mine.content.decode()


# Editing and reading


def test_the_team_edits_the_project(client, world):
    login(client, world, "enthusiast")

    response = client.post(
        reverse("lup:project-edit", kwargs={"pk": world.project.pk}),
        {"title": "Nytt navn", "need": "Behov", "audience": "Brukere", "idea": ""},
    )

    assert response.status_code == 302
    world.project.refresh_from_db()
    assert world.project.title == "Nytt navn"


def test_hr_reads_the_project_without_edit_links_and_cannot_edit(client, world):
    login(client, world, "hr")

    page = client.get(reverse("lup:project-detail", kwargs={"pk": world.project.pk}))
    edit = client.post(
        reverse("lup:project-edit", kwargs={"pk": world.project.pk}),
        {"title": "Hacked", "need": "x", "audience": "y"},
    )

    assert page.status_code == 200
    assert reverse("lup:project-edit", kwargs={"pk": world.project.pk}) not in (
        page.content.decode()
    )
    assert edit.status_code == 404
    world.project.refresh_from_db()
    assert world.project.title == "Digitalt nattilsyn"


def test_members_must_be_on_the_units_team(world):
    stranger = world.team_u2.participants.first()

    with pytest.raises(services.ValidationError):
        services.update_project(
            project=world.project,
            title="T",
            need="N",
            audience="A",
            idea="",
            members=[stranger],
        )


# Phases and the timeline


def phase(world, key):
    return ProjectPhase.objects.get(programme=world.programme, key=key)


def test_a_phase_change_is_dated_and_drawn_on_the_timeline(client, world):
    login(client, world, "manager")
    first = PhaseChange.objects.get(project=world.project)
    first.entered_on = dt.date(2025, 8, 1)
    first.save()

    response = client.post(
        reverse("lup:project-phase", kwargs={"pk": world.project.pk}),
        {"phase": phase(world, "innsikt").pk, "entered_on": "2025-09-15", "note": "Intervjuer"},
    )

    assert response.status_code == 302
    world.project.refresh_from_db()
    assert world.project.phase.key == "innsikt"
    html = client.get(reverse("lup:project-detail", kwargs={"pk": world.project.pk})).content
    timeline = html.decode().split('id="timeline"')[1].split("</ol>")[0]
    assert timeline.index("Forankring") < timeline.index("Innsikt")
    assert 'datetime="2025-09-15"' in timeline
    assert 'aria-current="step"' in timeline
    assert "Intervjuer" in timeline


def test_the_phase_form_suggests_the_next_phase_not_the_first(client, world):
    """A careless "save" moves the project forward: the form starts at the phase after the
    current one (here Forankring, the first; then Innsikt)."""
    login(client, world, "manager")
    url = reverse("lup:project-phase", kwargs={"pk": world.project.pk})

    form = client.get(url).context["form"]
    assert form["phase"].value() == phase(world, "innsikt").pk

    client.post(url, {"phase": phase(world, "innsikt").pk, "entered_on": dt.date.today()})
    after = client.get(url).context["form"]
    following = (
        ProjectPhase.objects.filter(
            programme=world.programme, position__gt=phase(world, "innsikt").position
        )
        .order_by("position")
        .first()
    )
    assert after["phase"].value() == following.pk
    assert phase(world, "innsikt").pk not in [pk for pk, _ in after.fields["phase"].choices]


@pytest.mark.parametrize(
    ("entered_on", "message"),
    [
        ("2999-01-01", "The date cannot be in the future."),
        ("2000-01-01", "The date cannot be before the latest phase change"),
        ("", "This field is required."),
    ],
)
def test_a_bad_phase_date_is_a_form_error_and_changes_nothing(client, world, entered_on, message):
    login(client, world, "enthusiast")

    response = client.post(
        reverse("lup:project-phase", kwargs={"pk": world.project.pk}),
        {"phase": phase(world, "innsikt").pk, "entered_on": entered_on},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    world.project.refresh_from_db()
    assert world.project.phase.key == "forankring"
    assert PhaseChange.objects.filter(project=world.project).count() == 1


# The team canvas


def canvas_url(world):
    return reverse("lup:project-canvas", kwargs={"pk": world.project.pk})


def canvas_post(base, **fields):
    data = {"base_number": base}
    data.update({f"field_{key}": value for key, value in fields.items()})
    return data


def test_every_save_makes_a_new_version(client, world):
    login(client, world, "enthusiast")

    client.post(canvas_url(world), canvas_post(0, purpose="Bedre søvn"))
    client.post(canvas_url(world), canvas_post(1, purpose="Bedre søvn", goals="Færre runder"))

    versions = list(CanvasVersion.objects.filter(project=world.project).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].content["goals"] == "Færre runder"
    assert versions[1].saved_by == world.people["enthusiast"]


def test_saving_nothing_new_makes_no_version(client, world):
    login(client, world, "enthusiast")
    client.post(canvas_url(world), canvas_post(0, purpose="Bedre søvn"))

    client.post(canvas_url(world), canvas_post(1, purpose="Bedre søvn "))

    assert CanvasVersion.objects.filter(project=world.project).count() == 1


def test_the_second_of_two_saves_from_the_same_version_keeps_its_text_and_asks_to_merge(
    client, world
):
    services.save_canvas(
        project=world.project, content={"purpose": "Start"}, base_number=0, saved_by=None
    )
    login(client, world, "manager")
    client.post(canvas_url(world), canvas_post(1, purpose="Managerens tekst"))
    login(client, world, "enthusiast")

    response = client.post(canvas_url(world), canvas_post(1, purpose="Ildsjelens tekst"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone saved a newer version" in html
    assert "Ildsjelens tekst" in html  # their own text, kept in the form
    assert "Managerens tekst" in html  # the newer text, to merge with
    assert 'name="base_number" value="2"' in html
    assert CanvasVersion.objects.filter(project=world.project).count() == 2

    client.post(canvas_url(world), canvas_post(2, purpose="Managerens og ildsjelens tekst"))

    latest = CanvasVersion.objects.filter(project=world.project).order_by("-number").first()
    assert latest.number == 3
    assert latest.content["purpose"] == "Managerens og ildsjelens tekst"


def test_the_service_refuses_a_stale_base(world):
    services.save_canvas(
        project=world.project, content={"purpose": "A"}, base_number=0, saved_by=None
    )
    services.save_canvas(
        project=world.project, content={"purpose": "B"}, base_number=1, saved_by=None
    )

    with pytest.raises(services.CanvasConflict) as conflict:
        services.save_canvas(
            project=world.project, content={"purpose": "C"}, base_number=1, saved_by=None
        )

    assert conflict.value.latest.number == 2


def test_hr_reads_the_canvas_but_cannot_save_it(client, world):
    services.save_canvas(
        project=world.project, content={"purpose": "Bedre søvn"}, base_number=0, saved_by=None
    )
    login(client, world, "hr")

    page = client.get(canvas_url(world))
    client.post(canvas_url(world), canvas_post(1, purpose="Endret"))

    assert "Bedre søvn" in page.content.decode()
    assert 'id="canvas-form"' not in page.content.decode()
    assert CanvasVersion.objects.filter(project=world.project).count() == 1


def test_history_shows_who_saved_and_a_version_shows_what_changed(client, world):
    enthusiast = world.people["enthusiast"]
    services.save_canvas(
        project=world.project,
        content={"purpose": "Bedre søvn for beboerne"},
        base_number=0,
        saved_by=enthusiast,
    )
    services.save_canvas(
        project=world.project,
        content={"purpose": "Bedre nattesøvn for beboerne"},
        base_number=1,
        saved_by=world.people["manager"],
    )
    login(client, world, "facilitator")

    history = client.get(reverse("lup:canvas-history", kwargs={"pk": world.project.pk}))
    version = client.get(
        reverse("lup:canvas-version", kwargs={"pk": world.project.pk, "number": 2})
    )
    missing = client.get(
        reverse("lup:canvas-version", kwargs={"pk": world.project.pk, "number": 9})
    )

    assert enthusiast.get_full_name() in history.content.decode()
    html = version.content.decode()
    assert "søvn</del>" in html
    assert "nattesøvn</ins>" in html
    assert missing.status_code == 404


def test_word_diff_marks_removed_and_added_words():
    segments = selectors.word_diff("a b c", "a x c")

    assert [(s.kind, s.text) for s in segments] == [
        ("same", "a"),
        ("removed", "b"),
        ("added", "x"),
        ("same", "c"),
    ]


# Query counts


def test_the_project_page_runs_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    from tests.factories import BenefitFactory, BenefitMeasurementFactory

    login(client, world, "manager")
    BenefitMeasurementFactory(benefit=BenefitFactory(project=world.project))
    url = reverse("lup:project-detail", kwargs={"pk": world.project.pk})
    client.get(url)  # warm up: session and permission caches
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    for _ in range(5):
        benefit = BenefitFactory(project=world.project)
        for _ in range(4):
            BenefitMeasurementFactory(benefit=benefit)
    services.change_phase(
        project=world.project,
        phase=phase(world, "pilotering"),
        entered_on=timezone.localdate(),
        changed_by=None,
    )
    for member in Participant.objects.filter(enrolment=world.team_u1):
        world.project.members.add(member)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
