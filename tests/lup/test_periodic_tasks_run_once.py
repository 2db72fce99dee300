"""Periodic tasks that e-mail people do their work once, however many workers run them.

Two beat schedulers by mistake, a redelivered task, a run still going when the next one
starts: the same task then runs twice, at the same time or one after the other. Each test
runs it twice; on PostgreSQL (where several workers share one database) in two threads at
once, each on its own connection, through `tests.concurrency.race`.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from courses.models import Activity, Course, Module
from lup.innovation import services as innovation
from lup.innovation.models import BenefitReminder, PhaseChange
from lup.locks import exclusive, lock_key
from lup.models import AuditEvent
from lup.notifications.models import Notification
from lup.reminders import services as reminders
from lup.reporting import tasks as reporting_tasks
from lup.reporting.models import ScheduledExport
from lup.reporting.services import REPORT_EXPORTED, schedule_export
from tests.concurrency import on_postgresql, other_session, race
from tests.factories import BenefitFactory
from tests.lup.innovation.test_benefits import start_pilot
from tests.roles import build_world

TODAY = timezone.localdate()


def due_schedule() -> ScheduledExport:
    world = build_world()
    organisation = world.programme.organisation
    organisation.export_email_domains = "example.no"
    organisation.save()
    return schedule_export(
        organisation=organisation,
        name="Månedsrapport",
        preset_key="successfactors",
        export_format="csv",
        frequency="monthly",
        delivery="email",
        recipients="lonn@example.no",
        next_run_on=TODAY,
        created_by=world.people["hr"],
    )


def due_reminder(settings) -> None:
    settings.LUP_BENEFIT_REMINDER_MONTHS = (6,)
    world = build_world()
    PhaseChange.objects.filter(project=world.project).update(entered_on=dt.date(2024, 1, 1))
    pilot = TODAY - dt.timedelta(days=200)
    start_pilot(world, pilot)
    BenefitFactory(project=world.project, baseline_on=pilot - dt.timedelta(days=10))


def due_today() -> None:
    """Cohort A's module is due today, and its three team members have not done it."""
    world = build_world()
    course = Course.objects.create(title="LUP", slug="lup-kurs")
    module = Module.objects.create(
        course=course, position=1, title="Teori", due_days_after_start=30
    )
    Activity.objects.create(module=module, position=1, title="Les", kind="page")
    world.programme.course = course
    world.programme.save()
    world.cohort_a.starts_on = TODAY - dt.timedelta(days=30)
    world.cohort_a.ends_on = TODAY + dt.timedelta(days=100)
    world.cohort_a.save()
    world.cohort_b.closed_at = timezone.now()
    world.cohort_b.save()


def test_lock_keys_are_stable_signed_64_bit_numbers():
    key = lock_key("lup.innovation.benefit-reminders")
    assert key == lock_key("lup.innovation.benefit-reminders")
    assert key != lock_key("lup.reporting.scheduled-export:1")
    assert -(2**63) <= key < 2**63


@pytest.mark.django_db
def test_a_scheduled_export_run_twice_is_sent_once():
    scheduled = due_schedule()

    assert reporting_tasks.run_scheduled_export(scheduled.pk) is not None
    assert reporting_tasks.run_scheduled_export(scheduled.pk) is None  # no longer due

    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action=REPORT_EXPORTED).count() == 1


@pytest.mark.django_db
def test_reminders_run_twice_are_sent_once(settings, django_capture_on_commit_callbacks):
    due_reminder(settings)

    with django_capture_on_commit_callbacks(execute=True):
        assert innovation.send_benefit_reminders() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert innovation.send_benefit_reminders() == 0

    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_daily_reminders_run_twice_are_sent_once(django_capture_on_commit_callbacks):
    due_today()

    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.send_reminders(today=TODAY)
    assert first.due == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminders(today=TODAY).total == 0

    # The due dates' three, and the innovation barometer's (its start survey is open too).
    assert len(mail.outbox) == first.total


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_daily_reminders_sent_by_two_workers_at_once_are_sent_once():
    due_today()

    errors = race(lambda: reminders.send_reminders(today=TODAY))

    assert errors == []
    # Each notification e-mailed once: the due dates' three, and the barometer's.
    assert Notification.objects.filter(kind=Notification.Kind.DUE_SOON).count() == 3
    assert len(mail.outbox) == Notification.objects.count()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_scheduled_export_run_by_two_workers_at_once_is_sent_once():
    scheduled = due_schedule()

    errors = race(lambda: reporting_tasks.run_scheduled_export(scheduled.pk))

    assert errors == []
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action=REPORT_EXPORTED).count() == 1
    scheduled.refresh_from_db()
    assert scheduled.next_run_on > TODAY


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_reminders_sent_by_two_workers_at_once_are_sent_once(settings):
    due_reminder(settings)

    errors = race(innovation.send_benefit_reminders)

    assert errors == []
    assert len(mail.outbox) == 1
    assert BenefitReminder.objects.count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_lock_is_held_until_the_transaction_ends():
    """The lock itself: while one session holds it, another cannot take it."""
    key = lock_key("lup.test-lock")
    with exclusive("lup.test-lock"), other_session() as other:
        assert other.execute("SELECT pg_try_advisory_xact_lock(%s)", [key]).fetchone() == (False,)
    with other_session() as other:
        assert other.execute("SELECT pg_try_advisory_xact_lock(%s)", [key]).fetchone() == (True,)
