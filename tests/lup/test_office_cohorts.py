"""The programme office runs its cohorts in the product's own pages (lup.office): new and
changed cohorts with their facilitators, gatherings planned, changed and cancelled, and a
unit moved to another running cohort with its work.

The services (every refusal changes nothing), the pages (who gets them: only the
administrators of the organisation that runs the programme), hostile input, the cohort
page's query count, and (on PostgreSQL) two moves of one unit at the same moment.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Activity, Course, Module
from lup.innovation.models import InnovationProject
from lup.models import (
    Attendance,
    AuditEvent,
    Cohort,
    Gathering,
    Participant,
    UnitEnrolment,
)
from lup.office import selectors, services
from tests.concurrency import on_postgresql, race
from tests.factories import (
    CohortFactory,
    ParticipantFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
    UserFactory,
)
from tests.roles import build_world

pytestmark = pytest.mark.django_db

ENROLLED = UnitEnrolment.Status.ENROLLED
MOVED = UnitEnrolment.Status.MOVED


@pytest.fixture
def world(english):
    """tests.roles' world; the services' refusals read in English."""
    return build_world()


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def state() -> dict:
    """Everything the office's services may change, to prove a refusal changed nothing."""
    return {
        "cohorts": sorted(
            Cohort.objects.values_list("pk", "name", "starts_on", "ends_on", "closed_at")
        ),
        "facilitators": sorted(Cohort.facilitators.through.objects.values_list("pk", "user_id")),
        "gatherings": sorted(
            Gathering.objects.values_list(
                "pk", "cohort_id", "title", "kind", "starts_at", "ends_at", "place", "agenda"
            )
        ),
        "enrolments": sorted(
            UnitEnrolment.objects.values_list("pk", "cohort_id", "unit_id", "status", "moved_to")
        ),
        "participants": sorted(Participant.objects.values_list("pk", "enrolment_id", "status")),
        "projects": sorted(InnovationProject.objects.values_list("pk", "enrolment_id")),
        "events": AuditEvent.objects.filter(
            action__in=[
                AuditEvent.Action.COHORT_CHANGED,
                AuditEvent.Action.GATHERING_CHANGED,
                AuditEvent.Action.UNIT_MOVED,
            ]
        ).count(),
    }


def at(day: str, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T{hour:02d}:00"))


def gathering(cohort: Cohort, **values) -> Gathering:
    fields = {
        "cohort": cohort,
        "kind": Gathering.Kind.SESSION,
        "title": "Samling 2",
        "starts_at": at("2025-10-01", 9),
        "ends_at": at("2025-10-01", 15),
    }
    return Gathering.objects.create(**{**fields, **values})


def attendance_activity(world) -> Activity:
    """An attendance activity of Bærum's programme's curriculum."""
    course = Course.objects.create(title="LUP", slug="lup-kontor")
    module = Module.objects.create(course=course, position=1, title="Samlinger")
    world.programme.course = course
    world.programme.save()
    return Activity.objects.create(module=module, position=1, title="Oppmøte", kind="attendance")


# Cohorts: the services --------------------------------------------------------------------


def test_the_office_creates_a_cohort_with_its_facilitator(world):
    administrator, facilitator = world.people["administrator"], world.people["facilitator"]

    cohort = services.create_cohort(
        programme=world.programme,
        name="  LUP 9 ",
        starts_on=dt.date(2026, 8, 20),
        ends_on=dt.date(2027, 2, 1),
        facilitators=[facilitator],
        by=administrator,
    )

    cohort.refresh_from_db()
    assert (cohort.name, cohort.programme, cohort.closed_at) == ("LUP 9", world.programme, None)
    assert list(cohort.facilitators.all()) == [facilitator]
    event = AuditEvent.objects.get(action=AuditEvent.Action.COHORT_CHANGED)
    assert event.actor == administrator
    assert event.details["change"] == "created"
    assert event.details["organisation_id"] == world.programme.organisation_id
    assert event.details["starts_on"] == "2026-08-20"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "lup 1"}, "name"),  # cohort A's name, in other letters
        ({"name": "x" * 81}, "name"),
        ({"ends_on": dt.date(2026, 8, 20)}, "ends_on"),  # the day it starts
        ({"ends_on": dt.date(2026, 1, 1)}, "ends_on"),
        ({"starts_on": None}, "starts_on"),
    ],
)
def test_a_cohort_that_does_not_add_up_is_refused(world, values, field):
    before = state()
    arguments = {
        "programme": world.programme,
        "name": "LUP 9",
        "starts_on": dt.date(2026, 8, 20),
        "ends_on": dt.date(2027, 2, 1),
        "facilitators": [],
        "by": world.people["administrator"],
    }

    with pytest.raises(ValidationError) as refused:
        services.create_cohort(**{**arguments, **values})

    assert field in refused.value.error_dict
    assert state() == before


@pytest.mark.parametrize(
    "person", ["asker_facilitator", "other_administrator", "superuser", "enthusiast", "asker_hr"]
)
def test_another_organisations_person_never_facilitates(world, person):
    """Asker's facilitator and administrator, a superuser, and someone who is only on a
    team: not Bærum's people to make facilitators."""
    before = state()

    with pytest.raises(ValidationError, match="cannot facilitate"):
        services.create_cohort(
            programme=world.programme,
            name="LUP 9",
            starts_on=dt.date(2026, 8, 20),
            ends_on=dt.date(2027, 2, 1),
            facilitators=[world.people["facilitator"], world.people[person]],
            by=world.people["administrator"],
        )

    assert state() == before


def test_the_list_of_facilitators_holds_the_organisations_own_only(world):
    candidates = selectors.facilitator_candidates(world.programme)

    assert world.people["facilitator"] in candidates
    for person in ("asker_facilitator", "other_administrator", "superuser", "enthusiast", "hr"):
        assert world.people[person] not in candidates, person


def test_the_office_changes_a_cohort_and_its_facilitators(world):
    administrator = world.people["administrator"]
    newcomer = UserFactory(email="ny-fasilitator@example.no")
    newcomer.groups.add(world.people["facilitator"].groups.get())
    world.programme.organisation.memberships.create(user=newcomer)

    services.update_cohort(
        cohort=world.cohort_b,
        name="LUP 2 (høst)",
        starts_on=dt.date(2025, 9, 1),
        ends_on=dt.date(2026, 2, 28),
        facilitators=[newcomer],
        by=administrator,
    )

    world.cohort_b.refresh_from_db()
    assert world.cohort_b.name == "LUP 2 (høst)"
    assert world.cohort_b.starts_on == dt.date(2025, 9, 1)
    assert list(world.cohort_b.facilitators.all()) == [newcomer]
    event = AuditEvent.objects.get(action=AuditEvent.Action.COHORT_CHANGED)
    assert event.details["before"]["cohort"] == "LUP 2"


def test_a_facilitator_the_cohort_has_may_stay(world):
    """Cohort A's facilitator has no membership (facilitators often have none): editing
    the cohort keeps them."""
    cohort = world.cohort_a
    services.update_cohort(
        cohort=cohort,
        name=cohort.name,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        facilitators=[world.people["facilitator"]],
        by=world.people["administrator"],
    )

    assert list(cohort.facilitators.all()) == [world.people["facilitator"]]


def test_a_closed_cohort_is_not_changed(world):
    Cohort.objects.filter(pk=world.cohort_b.pk).update(closed_at=timezone.now())
    before = state()

    with pytest.raises(ValidationError, match="closed"):
        services.update_cohort(
            cohort=world.cohort_b,
            name="Nytt navn",
            starts_on=world.cohort_b.starts_on,
            ends_on=world.cohort_b.ends_on,
            facilitators=[],
            by=world.people["administrator"],
        )

    assert state() == before


# Gatherings: the services -----------------------------------------------------------------


def test_the_office_plans_changes_and_cancels_a_gathering(world):
    administrator = world.people["administrator"]
    activity = attendance_activity(world)

    planned = services.plan_gathering(
        cohort=world.cohort_a,
        title="Åpningssamling",
        kind=Gathering.Kind.OPENING,
        starts_at=at("2025-08-01", 9),
        ends_at=at("2025-08-01", 15),
        place="Rådhuset, sal 2",
        agenda="09.00 Velkommen\n10.00 Innovasjon i praksis",
        activity=activity,
        by=administrator,
    )
    assert (planned.place, planned.activity) == ("Rådhuset, sal 2", activity)

    services.update_gathering(
        gathering=planned,
        title="Åpningssamling",
        kind=Gathering.Kind.OPENING,
        starts_at=at("2025-08-02", 9),
        ends_at=at("2025-08-02", 15),
        place="Kulturhuset",
        agenda="",
        activity=activity,
        by=administrator,
    )
    planned.refresh_from_db()
    assert (planned.place, planned.starts_at) == ("Kulturhuset", at("2025-08-02", 9))

    services.cancel_gathering(gathering=planned, by=administrator)

    assert not Gathering.objects.filter(pk=planned.pk).exists()
    changes = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.GATHERING_CHANGED)
        .order_by("pk")
        .values_list("details__change", flat=True)
    )
    assert changes == ["planned", "changed", "cancelled"]


def plan(world, **values):
    arguments = {
        "cohort": world.cohort_a,
        "title": "Samling",
        "kind": Gathering.Kind.SESSION,
        "starts_at": at("2025-09-01", 9),
        "ends_at": at("2025-09-01", 15),
        "place": "",
        "agenda": "",
        "activity": None,
        "by": world.people["administrator"],
    }
    return services.plan_gathering(**{**arguments, **values})


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"kind": "party"}, "kind"),
        ({"ends_at": at("2025-09-01", 9)}, "ends_at"),
        ({"ends_at": at("2025-08-31", 9)}, "ends_at"),
        ({"starts_at": None}, "starts_at"),
        ({"place": "x" * 201}, "place"),
        ({"agenda": "x" * 5001}, "agenda"),
    ],
)
def test_a_gathering_that_does_not_add_up_is_refused(world, values, field):
    before = state()

    with pytest.raises(ValidationError) as refused:
        plan(world, **values)

    assert field in refused.value.error_dict
    assert state() == before


def test_a_cohort_has_one_opening(world):
    gathering(world.cohort_a, kind=Gathering.Kind.OPENING, title="Åpning")
    before = state()

    with pytest.raises(ValidationError, match="already has its"):
        plan(world, kind=Gathering.Kind.OPENING)

    assert state() == before


def test_an_activity_of_another_curriculum_is_refused(world):
    attendance_activity(world)
    course = Course.objects.create(title="Annet", slug="annet")
    module = Module.objects.create(course=course, position=1, title="M")
    foreign = Activity.objects.create(module=module, position=1, title="X", kind="attendance")
    before = state()

    with pytest.raises(ValidationError) as refused:
        plan(world, activity=foreign)

    assert "activity" in refused.value.error_dict
    assert state() == before


def test_no_gathering_is_planned_in_a_closed_cohort(world):
    Cohort.objects.filter(pk=world.cohort_a.pk).update(closed_at=timezone.now())
    before = state()

    with pytest.raises(ValidationError, match="closed"):
        plan(world)

    assert state() == before


def attended(world) -> Gathering:
    held = gathering(world.cohort_a, activity=attendance_activity(world))
    Attendance.objects.create(
        gathering=held,
        participant=world.team_u1.participants.get(user=world.people["enthusiast"]),
        method=Attendance.Method.FACILITATOR,
    )
    return held


def test_a_gathering_with_attendance_is_not_cancelled_and_says_why(world):
    held = attended(world)
    before = state()

    with pytest.raises(ValidationError, match="attendance is recorded for 1 people"):
        services.cancel_gathering(gathering=held, by=world.people["administrator"])

    assert state() == before
    assert Attendance.objects.filter(gathering=held).count() == 1


def test_the_activity_of_a_gathering_with_attendance_stays(world):
    held = attended(world)
    before = state()

    with pytest.raises(ValidationError, match="cannot change"):
        services.update_gathering(
            gathering=held,
            title=held.title,
            kind=held.kind,
            starts_at=held.starts_at,
            ends_at=held.ends_at,
            activity=None,
            by=world.people["administrator"],
        )

    assert state() == before


# Moving a unit: the service ---------------------------------------------------------------


def test_a_unit_moves_now_with_its_team_attendance_and_project(world):
    held = attended(world)
    team = set(world.team_u1.participants.values_list("pk", flat=True))

    new = services.move_unit(
        enrolment=world.team_u1, to_cohort=world.cohort_b, by=world.people["administrator"]
    )

    world.team_u1.refresh_from_db()
    assert world.team_u1.status == MOVED
    assert world.team_u1.moved_to == new
    assert new.cohort == world.cohort_b
    assert new.unit == world.team_u1.unit
    assert new.status == ENROLLED
    assert set(new.participants.values_list("pk", flat=True)) == team
    assert not Participant.objects.filter(enrolment=world.team_u1).exists()
    assert Attendance.objects.filter(gathering=held, participant__enrolment=new).count() == 1
    assert InnovationProject.objects.get(pk=world.project.pk).enrolment == new
    event = AuditEvent.objects.get(action=AuditEvent.Action.UNIT_MOVED)
    assert event.details["from_cohort"] == world.cohort_a.name
    assert event.details["to_cohort"] == world.cohort_b.name
    assert event.actor == world.people["administrator"]


def test_a_moved_unit_is_checked_against_the_rule_in_its_new_cohort(world, monkeypatch):
    checked = []
    from lup.services import cohorts

    original = cohorts.reevaluate_enrolment

    def spy(*, enrolment, actor=None, **kwargs):
        checked.append(enrolment.cohort_id)
        return original(enrolment=enrolment, actor=actor, **kwargs)

    monkeypatch.setattr(cohorts, "reevaluate_enrolment", spy)
    services.move_unit(
        enrolment=world.team_u1, to_cohort=world.cohort_b, by=world.people["administrator"]
    )

    assert checked == [world.cohort_b.pk]


def refused_move(world, enrolment, target, match):
    before = state()
    with pytest.raises(ValidationError, match=match):
        services.move_unit(enrolment=enrolment, to_cohort=target, by=world.people["administrator"])
    assert state() == before


def test_a_unit_does_not_move_to_a_closed_cohort(world):
    Cohort.objects.filter(pk=world.cohort_b.pk).update(closed_at=timezone.now())
    world.cohort_b.refresh_from_db()
    refused_move(world, world.team_u1, world.cohort_b, "is closed")


def test_a_unit_does_not_move_out_of_a_closed_cohort(world):
    Cohort.objects.filter(pk=world.cohort_a.pk).update(closed_at=timezone.now())
    refused_move(world, world.team_u1, world.cohort_b, "is closed")


def test_a_unit_does_not_move_to_another_programme(world):
    refused_move(world, world.team_u1, world.other_cohort, "is not a cohort of")


def test_a_unit_does_not_move_where_it_is(world):
    refused_move(world, world.team_u1, world.cohort_a, "already in")


def test_a_unit_does_not_move_where_it_already_has_a_place(world):
    UnitEnrolmentFactory(
        cohort=world.cohort_b, unit=world.team_u1.unit, status=UnitEnrolment.Status.WITHDRAWN
    )
    refused_move(world, world.team_u1, world.cohort_b, "already has a place")


@pytest.mark.parametrize(
    "status",
    [
        UnitEnrolment.Status.NOT_COMPLETED,
        UnitEnrolment.Status.WITHDRAWN,
        UnitEnrolment.Status.COMPLETED,
    ],
)
def test_only_a_unit_still_enrolled_moves(world, status):
    UnitEnrolment.objects.filter(pk=world.team_u1.pk).update(
        status=status,
        completed_at=timezone.now() if status == UnitEnrolment.Status.COMPLETED else None,
    )
    world.team_u1.refresh_from_db()
    refused_move(world, world.team_u1, world.cohort_b, "no longer enrolled")


# The pages -------------------------------------------------------------------------------


def signed_in(client, world, role):
    if world.people[role] is not None:
        client.force_login(world.people[role])
    return client


def test_the_office_creates_a_cohort_from_the_cohort_list(client, world):
    signed_in(client, world, "administrator")
    listing = client.get(reverse("lup:cohort-list")).content.decode()
    url = reverse("lup:office-cohort-create", kwargs={"slug": world.programme.slug})
    assert f'href="{url}"' in listing

    page = client.get(url).content.decode()
    assert 'type="date"' in page
    assert f'value="{world.people["facilitator"].pk}"' in page
    assert f'value="{world.people["asker_facilitator"].pk}"' not in page
    response = client.post(
        url,
        {
            "name": "LUP 9",
            "starts_on": "2026-08-20",
            "ends_on": "2027-02-01",
            "facilitators": [world.people["facilitator"].pk],
        },
    )

    cohort = Cohort.objects.get(name="LUP 9")
    assert response.status_code == 302
    assert response["Location"] == reverse("lup:cohort-detail", kwargs={"pk": cohort.pk})
    assert list(cohort.facilitators.all()) == [world.people["facilitator"]]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "LUP 9", "starts_on": "2026-13-45", "ends_on": "2027-02-01"},
        {"name": "LUP 9", "starts_on": "2027-02-01", "ends_on": "2026-08-20"},
        {"name": "LUP 1", "starts_on": "2026-08-20", "ends_on": "2027-02-01"},
        {"name": "LUP 9", "starts_on": "2026-08-20", "ends_on": "2027-02-01", "facilitators": "x"},
        {"name": "LUP 9", "starts_on": "2026-08-20", "ends_on": "2027-02-01", "facilitators": "-1"},
        {"name": "\x00", "starts_on": "2026-08-20", "ends_on": "2027-02-01"},
        {"name": ["a", "b"], "starts_on": ["2026-08-20", "x"], "ends_on": "2027-02-01"},
    ],
)
def test_hostile_or_wrong_input_gets_a_form_error_and_changes_nothing(client, world, body):
    signed_in(client, world, "administrator")
    before = state()

    response = client.post(
        reverse("lup:office-cohort-create", kwargs={"slug": world.programme.slug}), body
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    assert 'aria-invalid="true"' in page
    assert state() == before


def test_another_municipalitys_facilitator_is_refused_on_the_page(client, world):
    signed_in(client, world, "administrator")
    before = state()

    response = client.post(
        reverse("lup:office-cohort-edit", kwargs={"pk": world.cohort_a.pk}),
        {
            "name": "LUP 1",
            "starts_on": "2025-08-01",
            "ends_on": "2026-01-31",
            "facilitators": [world.people["asker_facilitator"].pk],
        },
    )

    assert response.status_code == 400
    assert state() == before


def test_the_cohort_page_offers_the_office_its_actions(client, world):
    gathering(world.cohort_a)
    signed_in(client, world, "administrator")

    page = client.get(reverse("lup:cohort-detail", kwargs={"pk": world.cohort_a.pk}))

    html = page.content.decode()
    assert 'id="cohort-edit-link"' in html
    assert 'id="gathering-plan-link"' in html
    assert reverse("lup:office-unit-move", kwargs={"pk": world.team_u1.pk}) in html
    held = world.cohort_a.gatherings.get()
    assert reverse("lup:office-gathering-cancel", kwargs={"pk": held.pk}) in html


@pytest.mark.parametrize("role", ["facilitator", "hr", "manager", "enthusiast"])
def test_the_cohort_page_offers_others_no_office_actions(client, world, role):
    gathering(world.cohort_a)
    signed_in(client, world, role)

    html = client.get(reverse("lup:cohort-detail", kwargs={"pk": world.cohort_a.pk})).content
    html = html.decode()

    assert "cohort-edit-link" not in html
    assert "gathering-plan-link" not in html
    assert "/move/" not in html
    assert "/cancel/" not in html


def office_posts(world, held):
    """Every office write, with a body that would change something if let through."""
    return [
        (
            reverse("lup:office-cohort-create", kwargs={"slug": world.programme.slug}),
            {"name": "LUP 9", "starts_on": "2026-08-20", "ends_on": "2027-02-01"},
        ),
        (
            reverse("lup:office-cohort-edit", kwargs={"pk": world.cohort_a.pk}),
            {"name": "Kapret", "starts_on": "2025-08-01", "ends_on": "2026-01-31"},
        ),
        (
            reverse("lup:office-gathering-create", kwargs={"pk": world.cohort_a.pk}),
            {
                "title": "Kapret",
                "kind": "session",
                "starts_at": "2025-09-01T09:00",
                "ends_at": "2025-09-01T15:00",
            },
        ),
        (
            reverse("lup:office-gathering-edit", kwargs={"pk": held.pk}),
            {
                "title": "Kapret",
                "kind": "session",
                "starts_at": "2025-09-01T09:00",
                "ends_at": "2025-09-01T15:00",
            },
        ),
        (reverse("lup:office-gathering-cancel", kwargs={"pk": held.pk}), {}),
        (
            reverse("lup:office-unit-move", kwargs={"pk": world.team_u1.pk}),
            {"to_cohort": world.cohort_b.pk},
        ),
    ]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", {302}),
        ("enthusiast", {403, 404}),
        ("manager", {403, 404}),
        ("facilitator", {403, 404}),
        ("hr", {403}),
        ("other_administrator", {404}),
        ("asker_facilitator", {404}),
        ("asker_hr", {404}),
    ],
)
def test_nobody_but_the_office_writes(client, world, role, allowed):
    held = gathering(world.cohort_a)
    signed_in(client, world, role)
    before = state()

    for url, body in office_posts(world, held):
        response = client.post(url, body)
        assert response.status_code in allowed, (url, response.status_code)
        if role == "anonymous":
            assert response["Location"].startswith("/accounts/login/")
        assert client.get(url).status_code in allowed, url

    assert state() == before


def test_the_office_writes_through_every_page(client, world):
    held = gathering(world.cohort_a)
    signed_in(client, world, "administrator")

    for url, body in office_posts(world, held):
        response = client.post(url, body)
        assert response.status_code == 302, (url, response.content.decode()[:2000])

    assert Cohort.objects.filter(name="LUP 9").exists()
    assert Cohort.objects.get(pk=world.cohort_a.pk).name == "Kapret"
    assert not Gathering.objects.filter(pk=held.pk).exists()
    assert Gathering.objects.filter(cohort=world.cohort_a, title="Kapret").count() == 1
    assert UnitEnrolment.objects.get(pk=world.team_u1.pk).status == MOVED


def test_the_move_page_offers_only_the_programmes_open_cohorts(client, world):
    closed = CohortFactory(programme=world.programme, name="LUP 0", closed_at=timezone.now())
    signed_in(client, world, "administrator")
    url = reverse("lup:office-unit-move", kwargs={"pk": world.team_u1.pk})

    html = client.get(url).content.decode()

    assert f'value="{world.cohort_b.pk}"' in html
    for other in (closed, world.other_cohort, world.cohort_a):
        assert f'value="{other.pk}"' not in html
    before = state()
    for target in (closed, world.other_cohort, world.cohort_a):
        response = client.post(url, {"to_cohort": target.pk})
        assert response.status_code == 400
        assert "Choose one of the open cohorts listed." in response.content.decode()
    assert state() == before


def test_asker_moves_its_own_unit_into_no_cohort_of_baerum(client, world):
    """Asker's administrator on Asker's own team, naming Bærum's cohort: refused."""
    signed_in(client, world, "other_administrator")
    before = state()

    response = client.post(
        reverse("lup:office-unit-move", kwargs={"pk": world.team_other.pk}),
        {"to_cohort": world.cohort_b.pk},
    )

    assert response.status_code == 400
    assert state() == before


def test_cancelling_a_gathering_with_attendance_says_why_on_the_page(client, world):
    held = attended(world)
    signed_in(client, world, "administrator")
    url = reverse("lup:office-gathering-cancel", kwargs={"pk": held.pk})

    assert "attendance is recorded" in client.get(url).content.decode()
    before = state()
    response = client.post(url)

    assert response.status_code == 400
    assert "attendance is recorded" in response.content.decode()
    assert state() == before


def test_the_gathering_form_takes_norwegian_time(client, world, settings):
    settings.TIME_ZONE = "Europe/Oslo"
    signed_in(client, world, "administrator")

    response = client.post(
        reverse("lup:office-gathering-create", kwargs={"pk": world.cohort_a.pk}),
        {
            "title": "Samling i Sandvika",
            "kind": "session",
            "starts_at": "2025-09-01T09:00",
            "ends_at": "2025-09-01T15:30",
            "place": "Sandvika",
            "agenda": "<script>alert(1)</script>",
        },
    )

    assert response.status_code == 302
    planned = Gathering.objects.get(title="Samling i Sandvika")
    assert planned.starts_at == dt.datetime(2025, 9, 1, 7, 0, tzinfo=dt.UTC)  # 09:00 summer time
    page = client.get(reverse("lup:cohort-detail", kwargs={"pk": world.cohort_a.pk}))
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def cohort_page_queries(client, cohort) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("lup:cohort-detail", kwargs={"pk": cohort.pk}))
    assert response.status_code == 200
    return len(queries)


def test_the_cohort_page_makes_the_same_queries_however_many_units_and_gatherings(client, world):
    signed_in(client, world, "administrator")
    cohort = world.cohort_b

    def grow(count: int) -> None:
        for _ in range(count):
            enrolment = UnitEnrolmentFactory(
                cohort=cohort, unit=ServiceUnitFactory(organisation=world.programme.organisation)
            )
            ParticipantFactory(enrolment=enrolment, role=Participant.Role.MANAGER)
            gathering(cohort, title=f"Samling {enrolment.pk}")

    grow(1)
    cohort_page_queries(client, cohort)  # sessions and caches warm
    few = cohort_page_queries(client, cohort)
    grow(6)
    many = cohort_page_queries(client, cohort)

    assert many == few


# Two moves of one unit at the same moment (PostgreSQL) ------------------------------------


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_moves_of_one_unit_at_once_make_one_move():
    world = build_world()
    third = CohortFactory(programme=world.programme, name="LUP 3")
    barrier = threading.Barrier(2)
    targets = iter([world.cohort_b, third])
    lock = threading.Lock()

    def move() -> None:
        with lock:
            target = next(targets)
        enrolment = UnitEnrolment.objects.get(pk=world.team_u1.pk)
        barrier.wait(timeout=10)
        services.move_unit(enrolment=enrolment, to_cohort=target, by=None)

    errors = race(move, count=2)

    assert len(errors) == 1, errors
    assert isinstance(errors[0], ValidationError), errors
    moved = UnitEnrolment.objects.get(pk=world.team_u1.pk)
    assert moved.status == MOVED
    new = UnitEnrolment.objects.filter(unit=world.team_u1.unit, status=ENROLLED)
    assert list(new) == [moved.moved_to]
    assert set(moved.moved_to.participants.values_list("pk", flat=True)) == set(
        Participant.objects.filter(enrolment__unit=world.team_u1.unit).values_list("pk", flat=True)
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UNIT_MOVED).count() == 1


def test_the_office_changes_are_in_their_organisations_audit_log_only(world):
    from lup import scoping

    services.create_cohort(
        programme=world.programme,
        name="LUP 9",
        starts_on=dt.date(2026, 8, 20),
        ends_on=dt.date(2027, 2, 1),
        by=world.people["administrator"],
    )
    plan(world, title="Samling i Sandvika")
    services.move_unit(
        enrolment=world.team_u2, to_cohort=world.cohort_b, by=world.people["administrator"]
    )
    office = [
        AuditEvent.Action.COHORT_CHANGED,
        AuditEvent.Action.GATHERING_CHANGED,
        AuditEvent.Action.UNIT_MOVED,
    ]

    def seen_by(role: str) -> set[str]:
        return set(
            scoping.audit_events_for(world.people[role])
            .filter(action__in=office)
            .values_list("action", flat=True)
        )

    assert seen_by("administrator") == set(office)
    assert seen_by("other_administrator") == set()
