"""Benefits (gevinster): baseline and target, follow-up measurements with clear errors,
reminders after the pilot starts, the chart, and the programme's roll-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from lup.innovation import selectors, services, tasks
from lup.innovation.models import (
    Benefit,
    BenefitMeasurement,
    BenefitReminder,
    PhaseChange,
    ProjectPhase,
)
from lup.models import Participant, UnitEnrolment
from lup.notifications.models import Notification
from lup.services import remember_language
from tests.factories import BenefitFactory, BenefitMeasurementFactory, InnovationProjectFactory
from tests.roles import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = timezone.localdate()


@pytest.fixture
def world():
    world = build_world()
    # The project started long ago, so the pilot can start on any recent day.
    PhaseChange.objects.filter(project=world.project).update(entered_on=dt.date(2024, 1, 1))
    return world


def login(client, world, role):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(world.people[role])
    return client


def benefit_data(**changes):
    data = {
        "description": "Færre runder om natten",
        "type": "time",
        "indicator": "Timer brukt på runder per år",
        "unit_of_measure": "hours_year",
        "baseline_value": "1200.5",
        "baseline_on": "2025-09-01",
        "target_value": "600",
        "target_on": "",
        "owner": "Enhetsleder",
        "benefit_class": "capacity",
    }
    data.update(changes)
    return data


def start_pilot(world, day):
    services.change_phase(
        project=world.project,
        phase=ProjectPhase.objects.get(programme=world.programme, starts_pilot=True),
        entered_on=day,
        changed_by=None,
    )


# Adding a benefit


def test_the_team_adds_a_benefit_with_a_norwegian_decimal_baseline(client, world):
    login(client, world, "enthusiast")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "nb"

    response = client.post(
        reverse("lup:benefit-create", kwargs={"pk": world.project.pk}),
        benefit_data(baseline_value="1200,5"),
    )

    benefit = Benefit.objects.get(project=world.project)
    assert response["Location"] == reverse("lup:benefit-detail", kwargs={"pk": benefit.pk})
    assert benefit.baseline_value == Decimal("1200.50")
    assert benefit.owner == "Enhetsleder"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1 200", Decimal("1200")),
        ("1\u00a0200,50", Decimal("1200.50")),  # as Norwegian formatting writes it
        ("12 000 000", Decimal("12000000")),
        (" 1,5 ", Decimal("1.5")),
    ],
)
def test_numbers_typed_the_norwegian_way_are_understood(client, world, typed, stored):
    login(client, world, "enthusiast")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "nb"

    client.post(
        reverse("lup:benefit-create", kwargs={"pk": world.project.pk}),
        benefit_data(baseline_value=typed, target_value="1"),
    )

    assert Benefit.objects.get(project=world.project).baseline_value == stored


@pytest.mark.parametrize("typed", ["1 20", "12 3456", "1 200 0"])
def test_spaces_that_are_not_digit_groups_are_refused(client, world, typed):
    login(client, world, "enthusiast")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "nb"

    response = client.post(
        reverse("lup:benefit-create", kwargs={"pk": world.project.pk}),
        benefit_data(baseline_value=typed),
    )

    assert response.status_code == 200
    assert not Benefit.objects.filter(project=world.project).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target_value": "1200.5"}, "The target must differ from the baseline."),
        ({"baseline_value": "5000000000"}, "less than or equal to"),
        ({"baseline_on": "2999-01-01"}, "The date cannot be in the future."),
        ({"target_on": "2025-01-01"}, "The target date must be after the baseline date."),
        ({"baseline_value": "mye"}, "Enter a number."),
        ({"owner": ""}, "This field is required."),
    ],
)
def test_a_bad_benefit_is_a_form_error_and_saves_nothing(client, world, changes, message):
    login(client, world, "manager")

    response = client.post(
        reverse("lup:benefit-create", kwargs={"pk": world.project.pk}), benefit_data(**changes)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Benefit.objects.exists()


def test_the_benefit_service_refuses_a_target_equal_to_the_baseline(world):
    with pytest.raises(services.ValidationError) as error:
        services.add_benefit(
            project=world.project,
            type="time",
            description="D",
            indicator="I",
            unit_of_measure="count",
            baseline_value=Decimal(5),
            baseline_on=TODAY,
            target_value=Decimal(5),
            owner="Enhetsleder",
        )

    assert "target_value" in error.value.message_dict


# Measurements


def measure_url(benefit):
    return reverse("lup:benefit-detail", kwargs={"pk": benefit.pk})


def test_the_team_records_a_follow_up_measurement(client, world):
    benefit = BenefitFactory(project=world.project)
    login(client, world, "enthusiast")

    response = client.post(
        measure_url(benefit), {"measured_on": "2026-01-10", "value": "900.25", "note": "Jan"}
    )

    assert response.status_code == 302
    measurement = BenefitMeasurement.objects.get(benefit=benefit)
    assert measurement.value == Decimal("900.25")
    assert measurement.recorded_by == world.people["enthusiast"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"measured_on": "2999-01-01", "value": "5"}, "The date cannot be in the future."),
        ({"measured_on": "", "value": "5"}, "This field is required."),
        ({"measured_on": "2026-01-10", "value": ""}, "This field is required."),
        ({"measured_on": "2026-01-10", "value": "1000000000"}, "less than or equal to"),
        ({"measured_on": "2026-01-10", "value": "-1e12"}, "greater than or equal to"),
        ({"measured_on": "2025-01-01", "value": "5"}, "A follow-up cannot be before the baseline"),
        (
            {"measured_on": "2026-01-01", "value": "5"},
            "There is already a measurement on this day.",
        ),
    ],
)
def test_a_bad_measurement_is_a_form_error_and_saves_nothing(client, world, data, message):
    benefit = BenefitFactory(project=world.project)
    BenefitMeasurementFactory(benefit=benefit, measured_on=dt.date(2026, 1, 1))
    login(client, world, "manager")

    response = client.post(measure_url(benefit), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html
    assert BenefitMeasurement.objects.filter(benefit=benefit).count() == 1


def test_those_who_may_only_read_see_the_benefit_but_cannot_measure(client, world):
    benefit = BenefitFactory(project=world.project)
    login(client, world, "hr")

    page = client.get(measure_url(benefit))
    client.post(measure_url(benefit), {"measured_on": "2026-01-10", "value": "5"})
    edit = client.get(reverse("lup:benefit-edit", kwargs={"pk": benefit.pk}))

    assert page.status_code == 200
    assert 'id="measurement-form"' not in page.content.decode()
    assert not BenefitMeasurement.objects.exists()
    assert edit.status_code == 404


def test_another_organisations_administrator_gets_404(client, world):
    benefit = BenefitFactory(project=world.project)
    login(client, world, "other_administrator")

    assert client.get(measure_url(benefit)).status_code == 404
    assert (
        client.post(measure_url(benefit), {"measured_on": "2026-01-10", "value": "5"}).status_code
        == 404
    )
    assert not BenefitMeasurement.objects.exists()


def test_the_chart_has_a_title_a_description_and_a_table_of_its_figures(client, world):
    benefit = BenefitFactory(project=world.project)
    BenefitMeasurementFactory(benefit=benefit, measured_on=dt.date(2026, 1, 5), value=900)
    login(client, world, "manager")

    html = client.get(measure_url(benefit)).content.decode()

    assert f'aria-labelledby="benefit-{benefit.pk}-title benefit-{benefit.pk}-desc"' in html
    assert "<desc" in html
    table = html.split(f'id="benefit-{benefit.pk}-table"')[1].split("</table>")[0]
    assert "1,200" in table
    assert "900" in table
    assert "600" in table


def test_editing_a_benefit_changes_its_target(client, world):
    benefit = BenefitFactory(project=world.project)
    login(client, world, "facilitator")

    client.post(
        reverse("lup:benefit-edit", kwargs={"pk": benefit.pk}),
        benefit_data(target_value="500", baseline_value="1200"),
    )

    benefit.refresh_from_db()
    assert benefit.target_value == Decimal("500")


# Reminders


def test_the_project_page_shows_the_next_measurement_due_after_the_pilot_starts(client, world):
    BenefitFactory(project=world.project, baseline_on=TODAY - dt.timedelta(days=30))
    login(client, world, "manager")
    url = reverse("lup:project-detail", kwargs={"pk": world.project.pk})
    assert "Next measurement due" not in client.get(url).content.decode()

    start_pilot(world, TODAY)

    due = services.add_months(TODAY, 6)
    page = selectors.project_page(world.project)
    assert page.next_due == due
    assert "Next measurement due" in client.get(url).content.decode()


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert services.add_months(dt.date(2026, 1, 15), 6) == dt.date(2026, 7, 15)
    assert services.add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert services.add_months(dt.date(2025, 12, 1), 12) == dt.date(2026, 12, 1)


def test_the_manager_is_reminded_once_per_due_date_with_a_link_to_measure(
    world, settings, django_capture_on_commit_callbacks
):
    settings.LUP_BENEFIT_REMINDER_MONTHS = (6, 12)
    remember_language(user=world.people["manager"], language="en", source="site")
    pilot = TODAY - dt.timedelta(days=200)  # 6 months fell due about 17 days ago
    start_pilot(world, pilot)
    benefit = BenefitFactory(project=world.project, baseline_on=pilot - dt.timedelta(days=10))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_benefit_reminders() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_benefit_reminders() == 0  # already reminded of this due date

    [message] = mail.outbox
    assert message.to == ["manager@example.no"]  # the line leader, who owns the benefits
    assert message.subject == f"Benefit follow-up due: {world.project.title}"
    assert benefit.description in message.body
    assert f"https://lup.test{reverse('lup:benefit-detail', args=[benefit.pk])}" in message.body
    [notification] = Notification.objects.all()
    assert notification.kind == Notification.Kind.BENEFIT_DUE
    assert notification.recipient == world.people["manager"]
    assert list(BenefitReminder.objects.values_list("benefit", "due_on")) == [
        (benefit.pk, services.add_months(pilot, 6))
    ]


def test_one_reminder_per_project_and_due_date_lists_its_benefits(
    world, settings, django_capture_on_commit_callbacks
):
    settings.LUP_BENEFIT_REMINDER_MONTHS = (6,)
    pilot = TODAY - dt.timedelta(days=200)
    start_pilot(world, pilot)
    first = BenefitFactory(project=world.project, baseline_on=pilot - dt.timedelta(days=10))
    second = BenefitFactory(
        project=world.project,
        baseline_on=pilot - dt.timedelta(days=10),
        description="Færre fall om natten",
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_benefit_reminders() == 1

    [notification] = Notification.objects.all()
    assert notification.context["benefits"] == [first.description, second.description]
    assert notification.url.endswith(
        reverse("lup:project-detail", args=[world.project.pk]) + "#benefits-heading"
    )
    assert len(mail.outbox) == 1
    assert BenefitReminder.objects.count() == 2


def test_no_reminder_for_a_due_date_long_past(world, settings):
    """The first run of the old reminders mailed due dates up to 18 months late (issue 21):
    a due date more than the grace period ago is not reminded of, now or later."""
    settings.LUP_BENEFIT_REMINDER_MONTHS = (6, 12)
    pilot = TODAY - dt.timedelta(days=730)  # due about 18 and 12 months ago
    start_pilot(world, pilot)
    BenefitFactory(project=world.project, baseline_on=pilot - dt.timedelta(days=10))

    assert services.send_benefit_reminders() == 0
    assert (
        services.send_benefit_reminders(
            today=services.add_months(pilot, 12)
            + dt.timedelta(days=services.BENEFIT_REMINDER_GRACE_DAYS + 1)
        )
        == 0
    )
    assert not Notification.objects.exists()
    # Within the grace period of the 12 months' due date, it was reminded of.
    assert services.send_benefit_reminders(today=services.add_months(pilot, 12)) == 1


def test_no_reminder_when_the_team_has_measured(world):
    pilot = TODAY - dt.timedelta(days=200)
    start_pilot(world, pilot)
    benefit = BenefitFactory(project=world.project, baseline_on=pilot - dt.timedelta(days=10))
    BenefitMeasurementFactory(benefit=benefit, measured_on=services.add_months(pilot, 6))

    assert services.send_benefit_reminders() == 0
    assert not BenefitReminder.objects.exists()
    assert not Notification.objects.exists()


def test_no_reminder_for_a_withdrawn_team_or_a_team_without_a_manager(world):
    pilot = TODAY - dt.timedelta(days=200)
    start_pilot(world, pilot)
    BenefitFactory(project=world.project, baseline_on=pilot - dt.timedelta(days=10))
    Participant.objects.filter(enrolment=world.team_u1, role=Participant.Role.MANAGER).update(
        status=Participant.Status.WITHDRAWN
    )

    assert services.send_benefit_reminders() == 0
    # Nothing recorded: a manager who takes over within the grace period is still told.
    assert not BenefitReminder.objects.exists()

    Participant.objects.filter(enrolment=world.team_u1, role=Participant.Role.MANAGER).update(
        status=Participant.Status.ACTIVE
    )
    UnitEnrolment.objects.filter(pk=world.team_u1.pk).update(status=UnitEnrolment.Status.WITHDRAWN)
    assert services.send_benefit_reminders() == 0
    assert not Notification.objects.exists()


def test_the_command_and_the_task_send_reminders(world, capsys):
    pilot = TODAY - dt.timedelta(days=375)  # 12 months fell due about 10 days ago
    start_pilot(world, pilot)
    BenefitFactory(project=world.project, baseline_on=pilot - dt.timedelta(days=10))

    call_command("send_benefit_reminders")
    assert "Sent 1 benefit reminders." in capsys.readouterr().out
    # The 12 months' due date only: 6 months fell due long ago.
    assert list(BenefitReminder.objects.values_list("due_on", flat=True)) == [
        services.add_months(pilot, 12)
    ]
    assert tasks.send_benefit_reminders.delay().get() == 0
    call_command("send_benefit_reminders", "--today", services.add_months(pilot, 6).isoformat())
    assert "Sent 1 benefit reminders." in capsys.readouterr().out


# The roll-up


def rollup_url(world):
    return reverse("lup:programme-benefits", kwargs={"slug": world.programme.slug})


def test_the_rollup_sums_hours_and_kroner_only_and_orients_by_direction(world):
    other = InnovationProjectFactory(enrolment=world.team_u2)
    # fewer hours is better: 1200 → 900 realises 300 of 600 expected
    fewer = BenefitFactory(project=world.project)
    BenefitMeasurementFactory(benefit=fewer, measured_on=dt.date(2026, 1, 1), value=1000)
    BenefitMeasurementFactory(benefit=fewer, measured_on=dt.date(2026, 3, 1), value=900)
    # more hours of activity is better: 100 → 250 with a target of 200 is reached
    more = BenefitFactory(
        project=other, baseline_value=100, target_value=200, unit_of_measure="hours_year"
    )
    BenefitMeasurementFactory(benefit=more, measured_on=dt.date(2026, 1, 1), value=250)
    # per cent: counted, never summed
    BenefitFactory(project=other, type="quality", unit_of_measure="percent")

    rollup = selectors.benefit_rollup(world.programme)

    hours = next(row for row in rollup.rows if row.unit_of_measure == "hours_year")
    assert (hours.benefits, hours.measured, hours.reached) == (2, 2, 1)
    assert hours.realised == Decimal(300 + 150)
    assert hours.expected == Decimal(600 + 100)
    percent = next(row for row in rollup.rows if row.unit_of_measure == "percent")
    assert not percent.summable
    assert (rollup.projects, rollup.projects_with_benefits, rollup.benefits) == (2, 2, 3)


def test_the_rollup_page_is_labelled_as_reported_by_the_units(client, world):
    BenefitFactory(project=world.project)
    login(client, world, "hr")

    html = client.get(rollup_url(world)).content.decode()

    assert "As reported by the units." in html
    assert 'id="benefit-rollup"' in html


def test_the_dashboard_links_to_the_rollup(client, world):
    login(client, world, "administrator")

    html = client.get(reverse("lup:dashboard", kwargs={"slug": world.programme.slug})).content

    assert rollup_url(world) in html.decode()


def test_the_rollup_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    login(client, world, "hr")
    client.get(rollup_url(world))  # warm up
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(rollup_url(world)).status_code == 200
    for enrolment in (world.team_u2,):
        project = InnovationProjectFactory(enrolment=enrolment)
        for index in range(6):
            benefit = BenefitFactory(
                project=project, unit_of_measure=["hours_year", "percent"][index % 2]
            )
            BenefitMeasurementFactory(benefit=benefit)
            BenefitMeasurementFactory(benefit=benefit)

    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(rollup_url(world)).status_code == 200
    with django_assert_num_queries(2):
        selectors.benefit_rollup(world.programme)
