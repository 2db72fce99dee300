"""Benefit realisation plans: a named owner of the unit's organisation, the benefit map and
class, the update of each benefit at the end of a phase (asked for by the phase change, the
owner reminded through a real SMTP server, the reminder settled when it is recorded), and
the programme's roll-up as planned, measured and realised with overdue follow-ups."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lup.innovation import selectors, services
from lup.innovation.models import Benefit, BenefitUpdate, PhaseChange, ProjectPhase
from lup.notifications.models import Delivery, Notification
from lup.notifications.services import choose_delivery
from tests.concurrency import on_postgresql, race
from tests.factories import BenefitFactory, BenefitMeasurementFactory
from tests.roles import build_world
from tests.smtp import Received

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = timezone.localdate()


@pytest.fixture
def world():
    world = build_world()
    # The project started long ago, so later phases can start on any recent day.
    PhaseChange.objects.filter(project=world.project).update(entered_on=dt.date(2024, 1, 1))
    return world


def login(client, person):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(person)
    return client


def phases(world) -> list[ProjectPhase]:
    return list(ProjectPhase.objects.filter(programme=world.programme).order_by("position"))


def next_phase(world, day=None):
    """Move the project to its next phase (the first phase is then finished)."""
    current = world.project.phase
    following = next(phase for phase in phases(world) if phase.position > current.position)
    return services.change_phase(
        project=world.project,
        phase=following,
        entered_on=day or TODAY,
        changed_by=world.people["enthusiast"],
    )


def benefit_data(**changes):
    data = {
        "description": "Færre runder om natten",
        "type": "time",
        "indicator": "Timer brukt på runder per år",
        "unit_of_measure": "hours_year",
        "baseline_value": "1200",
        "baseline_on": "2025-09-01",
        "target_value": "600",
        "target_on": "",
        "owner": "Enhetsleder",
        "benefit_class": "capacity",
        "leads_from_change": "Sensorer i stedet for runder",
        "effect": "Nattevaktene går bare når det trengs",
        "baseline_method": "Telt i turnusen i fire uker",
    }
    data.update(changes)
    return data


# The named owner


def test_the_owner_may_be_a_person_of_the_units_organisation_outside_the_team(client, world):
    login(client, world.people["enthusiast"])
    outsider = world.people["other_manager"]  # another Bærum unit's manager

    response = client.post(
        reverse("lup:benefit-create", kwargs={"pk": world.project.pk}),
        benefit_data(owner_person=outsider.pk),
    )

    assert response.status_code == 302
    benefit = Benefit.objects.get(project=world.project)
    assert benefit.owner_person == outsider
    assert benefit.benefit_class == "capacity"
    html = client.get(reverse("lup:project-detail", kwargs={"pk": world.project.pk})).content
    text = html.decode()
    assert f'id="benefit-{benefit.pk}-map"' in text
    assert "Sensorer i stedet for runder → Nattevaktene går bare når det trengs →" in text


def test_a_person_of_another_municipality_is_refused_as_owner(client, world):
    login(client, world.people["enthusiast"])

    response = client.post(
        reverse("lup:benefit-create", kwargs={"pk": world.project.pk}),
        benefit_data(owner_person=world.people["asker_manager"].pk),
    )

    assert response.status_code == 200
    assert 'id="benefit-form"' in response.content.decode()
    assert response.context["form"].errors["owner_person"]
    assert not Benefit.objects.exists()


def test_the_service_refuses_an_owner_of_another_municipality(world):
    with pytest.raises(services.ValidationError) as refused:
        services.add_benefit(
            project=world.project,
            **{
                **benefit_data(baseline_on=dt.date(2025, 9, 1), target_on=None),
                "baseline_value": Decimal(1200),
                "target_value": Decimal(600),
                "owner_person": world.people["asker_manager"],
            },
        )
    assert "owner_person" in refused.value.message_dict
    assert not Benefit.objects.exists()


def test_a_benefit_class_is_required(client, world):
    login(client, world.people["enthusiast"])
    response = client.post(
        reverse("lup:benefit-create", kwargs={"pk": world.project.pk}),
        benefit_data(benefit_class=""),
    )
    assert response.context["form"].errors["benefit_class"]
    assert not Benefit.objects.exists()


# The update at the end of a phase


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("value", "Enter the value measured."),
        ("measured_on", "Enter the date of the measurement."),
    ],
)
def test_an_update_without_a_value_or_a_date_is_refused_and_nothing_stored(
    client, world, missing, message
):
    benefit = BenefitFactory.create(project=world.project)
    next_phase(world)
    login(client, world.people["enthusiast"])
    data = {
        f"update-{benefit.pk}-value": "900",
        f"update-{benefit.pk}-measured_on": TODAY.isoformat(),
        f"update-{benefit.pk}-status": "on_track",
    }
    data[f"update-{benefit.pk}-{missing}"] = ""

    response = client.post(reverse("lup:benefit-update", kwargs={"pk": benefit.pk}), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BenefitUpdate.objects.exists()


def test_the_service_refuses_an_update_without_value_or_date(world):
    benefit = BenefitFactory.create(project=world.project)
    next_phase(world)
    with pytest.raises(services.ValidationError) as refused:
        services.record_benefit_update(
            benefit=benefit, value=None, measured_on=None, status="on_track", recorded_by=None
        )
    assert set(refused.value.message_dict) == {"value", "measured_on"}
    assert not BenefitUpdate.objects.exists()


def test_no_update_is_asked_for_before_a_phase_is_finished(client, world):
    benefit = BenefitFactory.create(project=world.project)
    login(client, world.people["enthusiast"])
    page = client.get(reverse("lup:project-detail", kwargs={"pk": world.project.pk}))
    assert 'id="phase-updates"' not in page.content.decode()
    with pytest.raises(services.ValidationError):
        services.record_benefit_update(
            benefit=benefit,
            value=Decimal(900),
            measured_on=TODAY,
            status="on_track",
            recorded_by=None,
        )


def test_the_phase_change_asks_the_owner_who_records_the_update_and_is_no_longer_reminded(
    client, world, smtp_server: Received, django_capture_on_commit_callbacks
):
    owner = world.people["other_manager"]  # named owner, not on the team
    owned = BenefitFactory.create(project=world.project, owner_person=owner)
    unowned = BenefitFactory.create(project=world.project, description="Bedre søvn")
    first = world.project.phase

    with django_capture_on_commit_callbacks(execute=True):
        next_phase(world)

    # The owner is told of their own benefit, the manager of the one without an owner.
    [to_owner] = smtp_server.to(owner.email)
    text = to_owner.get_body(preferencelist=("plain",)).get_content()
    assert reverse("lup:benefit-update", kwargs={"pk": owned.pk}) in text
    assert "Færre unødvendige runder om natten" in text
    [to_manager] = smtp_server.to(world.people["manager"].email)
    assert reverse("lup:benefit-update", kwargs={"pk": unowned.pk}) in (
        to_manager.get_body(preferencelist=("plain",)).get_content()
    )
    assert not smtp_server.to(world.people["enthusiast"].email)
    key = services.update_key(owned.pk, first.pk)
    assert Notification.objects.get(recipient=owner, key=key).about == key

    # The team sees the request on the project page, a form per benefit.
    login(client, world.people["enthusiast"])
    html = client.get(reverse("lup:project-detail", kwargs={"pk": world.project.pk})).content
    text = html.decode()
    assert 'id="phase-updates"' in text
    assert f'id="benefit-update-form-{owned.pk}"' in text
    assert f'id="benefit-update-form-{unowned.pk}"' in text

    # The owner, outside the team, follows the link and records the update.
    login(client, owner)
    url = reverse("lup:benefit-update", kwargs={"pk": owned.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            f"update-{owned.pk}-value": "1 000",
            f"update-{owned.pk}-measured_on": TODAY.isoformat(),
            f"update-{owned.pk}-status": "on_track",
        },
    )
    assert response.status_code == 302
    update = BenefitUpdate.objects.get(benefit=owned)
    assert (update.phase, update.value, update.recorded_by) == (first, Decimal(1000), owner)
    # A second update for the same phase is refused.
    again = client.post(
        url,
        {
            f"update-{owned.pk}-value": "800",
            f"update-{owned.pk}-measured_on": TODAY.isoformat(),
            f"update-{owned.pk}-status": "on_track",
        },
    )
    assert again.status_code == 200
    assert BenefitUpdate.objects.get(benefit=owned).value == Decimal(1000)

    # The project page asks only for the benefit still not updated, and shows the update.
    login(client, world.people["enthusiast"])
    text = client.get(reverse("lup:project-detail", kwargs={"pk": world.project.pk})).content
    text = text.decode()
    assert f'id="benefit-update-form-{owned.pk}"' not in text
    assert f'id="benefit-update-form-{unowned.pk}"' in text
    assert f'id="benefit-{owned.pk}-updates"' in text


def test_recording_the_update_settles_the_reminder_of_that_benefit_only(world):
    owner = world.people["other_manager"]
    # The owner takes these in the daily digest: the reminder waits, unsent.
    choose_delivery(user=owner, kind=Notification.Kind.BENEFIT_DUE, delivery=Delivery.DAILY)
    owned = BenefitFactory.create(project=world.project, owner_person=owner)
    other = BenefitFactory.create(project=world.project, owner_person=owner)
    first = world.project.phase
    next_phase(world)
    waiting = Notification.objects.filter(recipient=owner, settled_at__isnull=True)
    assert waiting.count() == 2

    services.record_benefit_update(
        benefit=owned,
        value=Decimal(900),
        measured_on=TODAY,
        status="on_track",
        recorded_by=owner,
    )

    settled = Notification.objects.get(key=services.update_key(owned.pk, first.pk))
    assert settled.settled_at is not None
    assert Notification.objects.get(key=services.update_key(other.pk, first.pk)).settled_at is None


def test_a_person_neither_on_the_team_nor_owner_cannot_update(client, world):
    benefit = BenefitFactory.create(project=world.project)
    next_phase(world)
    for person in (world.people["other_manager"], world.people["asker_manager"]):
        login(client, person)
        url = reverse("lup:benefit-update", kwargs={"pk": benefit.pk})
        assert client.get(url).status_code == 404
        response = client.post(
            url,
            {
                f"update-{benefit.pk}-value": "900",
                f"update-{benefit.pk}-measured_on": TODAY.isoformat(),
                f"update-{benefit.pk}-status": "realised",
            },
        )
        assert response.status_code == 404
    assert not BenefitUpdate.objects.exists()


def test_follow_up_reminders_go_to_the_named_owner(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    owner = world.people["other_manager"]
    BenefitFactory.create(project=world.project, owner_person=owner)
    pilot = ProjectPhase.objects.get(programme=world.programme, starts_pilot=True)
    start = services.add_months(TODAY, -6)
    services.change_phase(project=world.project, phase=pilot, entered_on=start, changed_by=None)
    Notification.objects.all().delete()  # the phase change's own request

    with django_capture_on_commit_callbacks(execute=True):
        reminded = services.send_benefit_reminders(today=TODAY)

    assert reminded == 1
    assert smtp_server.to(owner.email)
    assert not smtp_server.to(world.people["manager"].email)


# The programme's roll-up


def test_the_rollup_counts_planned_measured_and_realised_and_flags_overdue(world):
    pilot = ProjectPhase.objects.get(programme=world.programme, starts_pilot=True)
    services.change_phase(
        project=world.project,
        phase=pilot,
        entered_on=services.add_months(TODAY, -7),
        changed_by=None,
    )
    planned = BenefitFactory.create(project=world.project, description="Planlagt")
    measured = BenefitFactory.create(project=world.project, description="Målt")
    BenefitMeasurementFactory.create(benefit=measured, measured_on=TODAY, value=Decimal(900))
    reached = BenefitFactory.create(project=world.project, description="Nådd")
    BenefitMeasurementFactory.create(benefit=reached, measured_on=TODAY, value=Decimal(500))
    reported = BenefitFactory.create(project=world.project, description="Rapportert")
    BenefitUpdate.objects.create(
        benefit=reported,
        phase=pilot,
        value=Decimal(1100),
        measured_on=TODAY,
        status=BenefitUpdate.Status.REALISED,
    )

    realisation = selectors.benefit_realisation(world.programme, today=TODAY)

    assert (realisation.planned, realisation.measured, realisation.realised) == (1, 1, 2)
    # The six-month follow-up has passed: only the benefit never measured is overdue.
    assert [standing.benefit_id for standing in realisation.overdue] == [planned.pk]
    assert realisation.overdue[0].overdue_since == services.add_months(
        services.add_months(TODAY, -7), 6
    )


def test_nothing_is_overdue_before_the_first_follow_up_is_due(world):
    BenefitFactory.create(project=world.project)
    realisation = selectors.benefit_realisation(world.programme, today=TODAY)
    assert (realisation.planned, realisation.overdue) == (1, [])


def test_the_rollup_page_shows_the_realisation_and_overdue(client, world):
    pilot = ProjectPhase.objects.get(programme=world.programme, starts_pilot=True)
    services.change_phase(
        project=world.project,
        phase=pilot,
        entered_on=services.add_months(TODAY, -7),
        changed_by=None,
    )
    benefit = BenefitFactory.create(project=world.project)
    login(client, world.people["administrator"])
    response = client.get(reverse("lup:programme-benefits", kwargs={"slug": world.programme.slug}))
    html = response.content.decode()
    assert 'id="benefit-realisation"' in html
    assert f'data-benefit="{benefit.pk}"' in html


def test_the_realisation_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    pilot = ProjectPhase.objects.get(programme=world.programme, starts_pilot=True)
    services.change_phase(
        project=world.project,
        phase=pilot,
        entered_on=services.add_months(TODAY, -7),
        changed_by=None,
    )
    BenefitFactory.create(project=world.project)
    with django_assert_num_queries(3):
        selectors.benefit_realisation(world.programme)
    for index in range(5):
        benefit = BenefitFactory.create(project=world.project, description=f"B{index}")
        BenefitMeasurementFactory.create(benefit=benefit)
        BenefitUpdate.objects.create(
            benefit=benefit, phase=pilot, value=Decimal(900), measured_on=TODAY, status="at_risk"
        )
    with django_assert_num_queries(3):
        selectors.benefit_realisation(world.programme)


def test_the_project_page_runs_a_fixed_number_of_queries_with_updates(
    client, world, django_assert_num_queries
):
    BenefitFactory.create(project=world.project)
    next_phase(world)
    login(client, world.people["enthusiast"])
    url = reverse("lup:project-detail", kwargs={"pk": world.project.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    first = world.project.phase_changes.order_by("entered_on", "recorded_at").first().phase
    for index in range(4):
        benefit = BenefitFactory.create(project=world.project, description=f"B{index}")
        BenefitUpdate.objects.create(
            benefit=benefit, phase=first, value=Decimal(900), measured_on=TODAY, status="at_risk"
        )
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_owner_and_the_team_recording_the_same_update_at_once_store_one():
    """Both pass the "updated already?" check at the same moment: the unique constraint on
    (benefit, phase) keeps one, and the other is told so (a ValidationError, not a 500)."""
    world = build_world()
    PhaseChange.objects.filter(project=world.project).update(entered_on=dt.date(2024, 1, 1))
    owner = world.people["other_manager"]
    benefit = BenefitFactory.create(project=world.project, owner_person=owner)
    next_phase(world)
    barrier = threading.Barrier(2, timeout=30)
    people = iter([owner, world.people["enthusiast"]])
    lock = threading.Lock()

    def record() -> None:
        with lock:
            person = next(people)
        barrier.wait()
        services.record_benefit_update(
            benefit=benefit,
            value=Decimal(900),
            measured_on=TODAY,
            status="on_track",
            recorded_by=person,
        )

    errors = race(record)
    assert BenefitUpdate.objects.filter(benefit=benefit).count() == 1
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
