"""Benefits in the API as on the workspace's pages: the benefit realisation plan's fields
(named owner, class, benefit map, baseline method) read and written with the form's rules,
and a benefit's update at the end of a phase recorded through the same service as the
update page, by the same people, refused with the same words and nothing stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lup.api.tokens import create_api_token
from lup.innovation import services
from lup.innovation.models import Benefit, BenefitUpdate, PhaseChange, ProjectPhase
from lup.notifications.models import Delivery, Notification
from lup.notifications.services import choose_delivery
from lup.reporting.models import ApiToken
from tests.roles import build_world

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
JSON = "application/json"


@pytest.fixture
def world():
    world = build_world()
    # The project started long ago, so its next phase can start on any recent day.
    PhaseChange.objects.filter(project=world.project).update(entered_on=dt.date(2024, 1, 1))
    world.benefit = services.add_benefit(
        project=world.project,
        type="time",
        description="Færre runder",
        indicator="Timer per år",
        unit_of_measure="hours_year",
        baseline_value=Decimal("1200"),
        baseline_on=dt.date(2025, 9, 1),
        target_value=Decimal("600"),
        owner="Enhetsleder",
        benefit_class="capacity",
    )
    return world


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def as_(client, person):
    client.force_login(person)
    return client


def finish_first_phase(world):
    """Move the project on, so its first phase is finished and benefits may be updated."""
    following = (
        ProjectPhase.objects.filter(
            programme=world.programme, position__gt=world.project.phase.position
        )
        .order_by("position")
        .first()
    )
    return services.change_phase(
        project=world.project,
        phase=following,
        entered_on=TODAY,
        changed_by=world.people["enthusiast"],
    )


def new_benefit(world, **changes):
    body = {
        "project": str(world.project.public_id),
        "type": "time",
        "description": "Færre turer",
        "indicator": "Turer per uke",
        "unit_of_measure": "count",
        "baseline_value": "10",
        "baseline_on": "2025-10-01",
        "target_value": "5",
        "owner": "Enhetsleder",
        "benefit_class": "budget",
        "leads_from_change": "Sensorer",
        "effect": "Færre turer",
        "baseline_method": "Telt i fire uker",
    }
    body.update(changes)
    return body


def url_of(benefit, action=""):
    return f"/api/v1/benefits/{benefit.public_id}/" + (f"{action}/" if action else "")


# Reading -------------------------------------------------------------------------------------


def test_a_benefit_shows_its_plan_and_its_updates(client, world):
    owner = world.people["other_manager"]
    owner.first_name, owner.last_name = "Kari", "Eier"
    owner.save()
    Benefit.objects.filter(pk=world.benefit.pk).update(
        owner_person=owner, leads_from_change="Sensorer", effect="Færre runder"
    )
    finish_first_phase(world)
    services.record_benefit_update(
        benefit=world.benefit,
        value=Decimal("1000"),
        measured_on=TODAY,
        status="on_track",
        recorded_by=world.people["manager"],
    )

    shown = as_(client, world.people["hr"]).get(url_of(world.benefit))

    assert shown.status_code == 200
    data = shown.json()
    assert data["owner_person"] == owner.email
    assert data["owner_person_name"] == "Kari Eier"
    assert data["benefit_class"] == "capacity"
    assert (data["leads_from_change"], data["effect"]) == ("Sensorer", "Færre runder")
    assert data["baseline_method"] == ""
    [update] = data["updates"]
    assert update["phase"] == PhaseChange.objects.earliest("entered_on").phase.key
    assert (update["value"], update["status"]) == ("1000.00", "on_track")
    assert update["measured_on"] == TODAY.isoformat()


def test_the_benefit_list_keeps_a_fixed_number_of_queries_with_updates(client, world):
    as_(client, world.people["administrator"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/benefits/")
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    few, rows = count()
    finish_first_phase(world)
    for index in range(3):
        benefit = services.add_benefit(
            project=world.project,
            **{
                **{name: getattr(world.benefit, name) for name in services.BENEFIT_FIELDS},
                "description": f"Gevinst {index}",
                "owner_person": world.people["manager"],
            },
        )
        services.record_benefit_update(
            benefit=benefit,
            value=Decimal(index),
            measured_on=TODAY,
            status="at_risk",
            recorded_by=None,
        )
    many, more_rows = count()

    assert more_rows == rows + 3
    assert many == few


# Adding and changing ----------------------------------------------------------------------------


def test_the_team_adds_a_benefit_with_its_plan(client, world):
    outsider = world.people["other_manager"]  # another Bærum unit's manager

    response = as_(client, world.people["enthusiast"]).post(
        "/api/v1/benefits/", new_benefit(world, owner_person=outsider.email.upper()), JSON
    )

    assert response.status_code == 201, response.content
    benefit = Benefit.objects.get(public_id=response.json()["id"])
    assert benefit.owner_person == outsider
    assert (benefit.benefit_class, benefit.baseline_method) == ("budget", "Telt i fire uker")
    assert response.json()["owner_person"] == outsider.email
    assert response.json()["updates"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"owner_person": "asker"}, "owner_person"),  # Asker's manager, replaced below
        ({"owner_person": "nobody@example.no"}, "owner_person"),
        ({"benefit_class": ""}, "benefit_class"),
        ({"benefit_class": None}, "benefit_class"),
        ({"target_value": "10"}, "target_value"),
        ({"target_on": "2025-09-01"}, "target_on"),
        ({"baseline_value": "1000000000"}, "baseline_value"),
    ],
    ids=[
        "another-tenants-person",
        "unknown-person",
        "blank-class",
        "no-class",
        "no-change",
        "target-before-baseline",
        "too-large",
    ],
)
def test_a_benefit_the_form_would_refuse_is_a_400_and_nothing_is_stored(
    client, world, changes, field
):
    if changes.get("owner_person") == "asker":
        changes = {"owner_person": world.people["asker_manager"].email}
    body = new_benefit(world, **changes)
    if changes.get("benefit_class", "") is None:
        del body["benefit_class"]

    response = as_(client, world.people["enthusiast"]).post("/api/v1/benefits/", body, JSON)

    assert response.status_code == 400
    assert field in response.json()
    assert Benefit.objects.count() == 1
    if field == "owner_person":
        assert response.json()["owner_person"] == [
            "The benefit owner must be a person in the unit's organisation."
        ]


def test_who_may_not_edit_the_project_adds_no_benefit(client, world):
    body = new_benefit(world)

    by_hr = as_(client, world.people["hr"]).post("/api/v1/benefits/", body, JSON)
    by_asker = as_(client, world.people["other_administrator"]).post(
        "/api/v1/benefits/", body, JSON
    )
    client.logout()
    _token, secret = create_api_token(
        name="Les",
        organisation=world.programme.organisation,
        scope=ApiToken.Scope.READ,
        expires_at=timezone.now() + dt.timedelta(days=1),
        created_by=world.people["administrator"],
    )
    by_read_token = client.post(
        "/api/v1/benefits/", body, JSON, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )

    assert by_hr.status_code == 403
    assert by_asker.status_code == 400
    assert "project" in by_asker.json()
    assert by_read_token.status_code == 403
    assert Benefit.objects.count() == 1


def test_a_facilitator_changes_the_plan_and_other_fields_stay(client, world):
    owner = world.people["manager"]

    response = as_(client, world.people["facilitator"]).patch(
        url_of(world.benefit),
        {"owner_person": owner.email, "effect": "Roligere netter", "baseline_method": "Turnus"},
        JSON,
    )

    assert response.status_code == 200, response.content
    world.benefit.refresh_from_db()
    assert world.benefit.owner_person == owner
    assert (world.benefit.effect, world.benefit.baseline_method) == ("Roligere netter", "Turnus")
    assert world.benefit.benefit_class == "capacity"
    assert world.benefit.target_value == Decimal("600")
    cleared = client.patch(url_of(world.benefit), {"owner_person": None}, JSON)
    assert cleared.status_code == 200
    world.benefit.refresh_from_db()
    assert world.benefit.owner_person is None


@pytest.mark.parametrize(
    "changes",
    [
        {"owner_person": "asker", "effect": "Endret"},
        {"target_value": "1200", "effect": "Endret"},
        {"baseline_on": (TODAY + dt.timedelta(days=1)).isoformat(), "effect": "Endret"},
        {"benefit_class": "", "effect": "Endret"},
    ],
    ids=["another-tenants-person", "target-is-baseline", "future-baseline", "blank-class"],
)
def test_a_refused_change_changes_nothing(client, world, changes):
    person = world.people["asker_manager"]
    Benefit.objects.filter(pk=world.benefit.pk).update(owner_person=world.people["manager"])
    if changes.get("owner_person") == "asker":
        changes = {**changes, "owner_person": person.email}
    before = Benefit.objects.values().get(pk=world.benefit.pk)

    response = as_(client, world.people["enthusiast"]).patch(url_of(world.benefit), changes, JSON)

    assert response.status_code == 400
    assert Benefit.objects.values().get(pk=world.benefit.pk) == before


def test_who_may_not_edit_the_project_changes_no_benefit(client, world):
    before = Benefit.objects.values().get(pk=world.benefit.pk)
    body = {"effect": "Kapret"}

    by_hr = as_(client, world.people["hr"]).patch(url_of(world.benefit), body, JSON)
    by_asker = as_(client, world.people["other_administrator"]).patch(
        url_of(world.benefit), body, JSON
    )
    by_other_team = as_(client, world.people["other_manager"]).patch(
        url_of(world.benefit), body, JSON
    )

    assert (by_hr.status_code, by_asker.status_code, by_other_team.status_code) == (403, 404, 404)
    assert Benefit.objects.values().get(pk=world.benefit.pk) == before


# The update at the end of a phase ---------------------------------------------------------------


def update(client, world, **changes):
    body = {"value": "900", "measured_on": TODAY.isoformat(), "status": "on_track", **changes}
    body = {name: value for name, value in body.items() if value is not None}
    return client.post(url_of(world.benefit, "updates"), body, JSON)


@pytest.mark.parametrize("role", ["enthusiast", "manager", "facilitator", "administrator"])
def test_the_team_and_the_office_record_the_update_of_a_finished_phase(client, world, role):
    finish_first_phase(world)
    as_(client, world.people[role])

    recorded = update(client, world, note="Bra")
    again = update(client, world, value="800")

    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["value"] == "900.00"
    assert recorded.json()["status"] == "on_track"
    assert again.status_code == 400
    assert "already" in again.json()["non_field_errors"][0]
    saved = BenefitUpdate.objects.get()
    assert (saved.value, saved.note, saved.recorded_by) == (
        Decimal("900"),
        "Bra",
        world.people[role],
    )
    shown = client.get(url_of(world.benefit)).json()
    assert [item["value"] for item in shown["updates"]] == ["900.00"]


def test_the_named_owner_outside_the_team_records_it_and_the_reminder_is_settled(client, world):
    owner = world.people["other_manager"]  # another Bærum unit's manager
    # The owner takes these in the daily digest: the reminder waits, unsent, until settled.
    choose_delivery(user=owner, kind=Notification.Kind.BENEFIT_DUE, delivery=Delivery.DAILY)
    Benefit.objects.filter(pk=world.benefit.pk).update(owner_person=owner)
    finish_first_phase(world)  # asks the owner for the update
    reminder = Notification.objects.get(recipient=owner, kind=Notification.Kind.BENEFIT_DUE)
    assert reminder.settled_at is None
    as_(client, owner)

    seen = client.get(url_of(world.benefit))
    recorded = update(client, world)

    assert seen.status_code == 200
    assert recorded.status_code == 201, recorded.content
    assert BenefitUpdate.objects.get().recorded_by == owner
    reminder.refresh_from_db()
    assert reminder.settled_at is not None


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"value": None}, {"value": ["Enter the value measured."]}),
        ({"measured_on": None}, {"measured_on": ["Enter the date of the measurement."]}),
        (
            {"value": None, "measured_on": None, "status": None},
            {
                "value": ["Enter the value measured."],
                "measured_on": ["Enter the date of the measurement."],
                "status": ["Choose a status."],
            },
        ),
        ({"value": ""}, None),
        ({"value": "mye"}, None),
        ({"value": "1000000000"}, None),
        ({"status": "done"}, {"status": ["Choose a status."]}),
        (
            {"measured_on": (TODAY + dt.timedelta(days=1)).isoformat()},
            {"measured_on": ["The date cannot be in the future."]},
        ),
        ({"measured_on": "2025-08-31"}, None),  # before the baseline
    ],
    ids=[
        "no-value",
        "no-date",
        "nothing",
        "blank-value",
        "not-a-number",
        "too-large",
        "unknown-status",
        "future",
        "before-baseline",
    ],
)
def test_an_update_without_its_value_or_date_is_refused_and_nothing_stored(
    client, world, changes, errors
):
    finish_first_phase(world)

    response = update(as_(client, world.people["manager"]), world, **changes)

    assert response.status_code == 400
    if errors is not None:
        assert response.json() == errors
    else:
        assert set(response.json()) == set(changes)
    assert not BenefitUpdate.objects.exists()


def test_no_update_before_the_project_has_finished_a_phase(client, world):
    response = update(as_(client, world.people["manager"]), world)

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The project has not finished a phase yet."]}
    assert not BenefitUpdate.objects.exists()


def test_who_may_not_update_the_benefit_is_refused_and_nothing_stored(client, world):
    finish_first_phase(world)
    outcomes = {
        role: update(as_(client, world.people[role]), world).status_code
        for role in ("hr", "other_administrator", "asker_manager", "other_manager")
    }
    client.logout()
    _token, secret = world.tokens["other_administrator"]
    by_asker_token = client.post(
        url_of(world.benefit, "updates"),
        {"value": "900", "measured_on": TODAY.isoformat(), "status": "on_track"},
        JSON,
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )

    assert outcomes == {
        "hr": 403,  # reads the project, may not change it
        "other_administrator": 404,
        "asker_manager": 404,
        "other_manager": 404,  # another team's manager, not the benefit's owner
    }
    assert by_asker_token.status_code == 404
    assert not BenefitUpdate.objects.exists()


def test_a_malformed_benefit_id_is_not_found(client, world):
    as_(client, world.people["manager"])

    assert client.post("/api/v1/benefits/nope/updates/", {}, JSON).status_code == 404
    assert client.patch("/api/v1/benefits/nope/", {}, JSON).status_code == 404


# The admin ----------------------------------------------------------------------------------------


def test_the_project_admin_shows_the_updates_read_only(client, world):
    finish_first_phase(world)
    services.record_benefit_update(
        benefit=world.benefit,
        value=Decimal("950"),
        measured_on=TODAY,
        status="at_risk",
        recorded_by=world.people["manager"],
        note="Sein start",
    )
    as_(client, world.people["administrator"])

    page = client.get(f"/admin/lup/innovationproject/{world.project.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "950" in html
    assert "Sein start" in html
    assert "At risk" in html
    # The updates are no form field: they are recorded through the service only.
    assert 'name="benefits-0-phase_updates"' not in html
    # The named owner is a raw id among the people the administrator may attach.
    assert 'name="benefits-0-owner_person"' in html
    assert world.people["asker_manager"].email not in html
