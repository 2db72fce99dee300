"""The daily reminders (lup.reminders), e-mailed through a real SMTP server: a module's due
date near reaches those who have not done it and nobody who has, a week before and on the
day, once; never for a due date past, a closed cohort or a withdrawn unit; finishing the
module settles a reminder still waiting for the digest. Facilitators hear of gatherings
without attendance and of answers waiting long for review, about their own cohorts only.
A run's queries do not grow with the number of people."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.api import record_completion
from courses.models import Activity, ActivityCompletion, Assignment, Course, Module, Submission
from lup.models import Attendance, Gathering, Participant, UnitEnrolment
from lup.notifications.digest import send_daily_digests
from lup.notifications.models import Delivery, Notification
from lup.notifications.services import choose_delivery
from lup.reminders import services, tasks
from lup.services import remember_language
from tests.factories import ParticipantFactory, UserFactory
from tests.roles import build_world
from tests.smtp import Received

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DUE = TODAY + dt.timedelta(days=7)  # cohort A's module "Teori" is due a week from today
Kind = Notification.Kind


def english(*people) -> None:
    for person in people:
        remember_language(user=person, language="en", source="site")


@pytest.fixture
def world(monkeypatch):
    """Bærum's programme with a curriculum: "Teori" (two required activities and an optional
    one) due 37 days after a cohort starts, and "Praksis" (an assignment) with no due date.
    Cohort A started 30 days ago (Teori due in a week) with U1 (manager: all done;
    enthusiast: one of two) and U2 (a manager: nothing done); cohort B started 60 days ago
    (its due date is past) and has a facilitator of its own. Reminders a week before and
    on the day."""
    world = build_world()
    course = Course.objects.create(title="LUP", slug="lup-kurs")
    theory = Module.objects.create(
        course=course, position=1, title="Teori", due_days_after_start=37
    )
    practice = Module.objects.create(course=course, position=2, title="Praksis")
    world.read = Activity.objects.create(module=theory, position=1, title="Les", kind="page")
    world.reflect = Activity.objects.create(
        module=theory, position=2, title="Reflekter", kind="page"
    )
    Activity.objects.create(
        module=theory, position=3, title="Les mer", kind="link", url="https://ks.no", required=False
    )
    task = Activity.objects.create(
        module=practice, position=1, title="Brukerreise", kind="assignment"
    )
    world.assignment = Assignment.objects.create(activity=task, instructions="Lag en brukerreise.")
    world.theory = theory
    programme = world.programme
    programme.course = course
    programme.due_reminder_days = "7,0"
    programme.review_reminder_days = 5
    programme.save()
    for cohort, started in ((world.cohort_a, 30), (world.cohort_b, 60)):
        cohort.starts_on = TODAY - dt.timedelta(days=started)
        cohort.ends_on = TODAY + dt.timedelta(days=150)
        cohort.save()
    world.b_facilitator = UserFactory(email="b-facilitator@example.no")
    world.cohort_b.facilitators.add(world.b_facilitator)
    for activity in (world.read, world.reflect):
        ActivityCompletion.objects.create(
            user=world.people["manager"], activity=activity, source="marked_done"
        )
    ActivityCompletion.objects.create(
        user=world.people["enthusiast"], activity=world.read, source="marked_done"
    )
    english(*get_user_model().objects.all())
    # The cohorts' innovation barometer is open too: its reminders are tested in
    # tests/lup/test_barometer.py, and here they would only add e-mails to count.
    monkeypatch.setattr(services, "remind_barometer", lambda today: 0)
    return world


def run(captured, today=TODAY):
    with captured(execute=True):
        return services.send_reminders(today=today)


def reached(smtp_server: Received) -> list[str]:
    return sorted(address for recipients, _ in smtp_server.messages for address in recipients)


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


# Due dates --------------------------------------------------------------------------------


def test_a_due_date_reminds_those_who_have_not_done_it_a_week_before_and_on_the_day(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    week_before = run(django_capture_on_commit_callbacks, DUE - dt.timedelta(days=7))

    assert week_before.due == 2
    assert reached(smtp_server) == ["enthusiast@example.no", "manager2@example.no"]
    [message] = smtp_server.to("enthusiast@example.no")
    assert message["Subject"].startswith("Due ")
    assert message["Subject"].endswith(": Teori")
    text = text_of(message)
    assert "– Reflekter" in text  # what they still have to do, and only that
    assert "– Les\n" not in text
    assert "Les mer" not in text
    assert reverse("lup:my-programme") in text
    assert message["From"].addresses[0].display_name == world.programme.organisation.name
    assert "– Les" in text_of(smtp_server.to("manager2@example.no")[0])

    # The next days of the grace period, and a second run the same day: nobody again.
    assert run(django_capture_on_commit_callbacks, DUE - dt.timedelta(days=7)).total == 0
    assert run(django_capture_on_commit_callbacks, DUE - dt.timedelta(days=5)).total == 0
    assert len(smtp_server.messages) == 2

    on_the_day = run(django_capture_on_commit_callbacks, DUE)

    assert on_the_day.due == 2
    [_week, today] = smtp_server.to("enthusiast@example.no")
    assert today["Subject"] == "Due today: Teori"
    assert smtp_server.to("manager@example.no") == []  # done: never reminded
    assert run(django_capture_on_commit_callbacks, DUE).total == 0
    assert len(smtp_server.messages) == 4


def test_a_missed_run_still_reminds_within_the_grace_period_and_never_after_the_due_date(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    # Nothing before the first reminder's day, nor three days after it.
    assert run(django_capture_on_commit_callbacks, DUE - dt.timedelta(days=8)).due == 0
    assert run(django_capture_on_commit_callbacks, DUE - dt.timedelta(days=4)).due == 0
    # Two days late, the week's reminder still goes.
    assert run(django_capture_on_commit_callbacks, DUE - dt.timedelta(days=5)).due == 2
    # The day after the due date: nothing, that day's reminder was missed for good.
    assert run(django_capture_on_commit_callbacks, DUE + dt.timedelta(days=1)).due == 0
    assert len(smtp_server.messages) == 2


def test_nothing_for_a_due_date_in_the_past(world):
    """Cohort B started 60 days ago: its "Teori" was due 23 days ago, and its team is never
    reminded of it, on any day from now on."""
    for days in range(0, 10):
        services.send_reminders(today=TODAY + dt.timedelta(days=days))

    recipients = set(Notification.objects.values_list("recipient__email", flat=True))
    assert recipients == {"enthusiast@example.no", "manager2@example.no"}  # cohort A only
    b_team = Participant.objects.filter(enrolment=world.cohort_b.enrolments.get())
    assert not Notification.objects.filter(recipient__in=b_team.values("user")).exists()


def test_nothing_for_a_closed_cohort_a_withdrawn_unit_or_a_withdrawn_member(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    UnitEnrolment.objects.filter(pk=world.team_u2.pk).update(status=UnitEnrolment.Status.WITHDRAWN)
    Participant.objects.filter(user=world.people["enthusiast"]).update(
        status=Participant.Status.WITHDRAWN
    )
    assert run(django_capture_on_commit_callbacks, DUE).due == 0

    UnitEnrolment.objects.filter(pk=world.team_u2.pk).update(status=UnitEnrolment.Status.ENROLLED)
    world.cohort_a.closed_at = timezone.now()
    world.cohort_a.save()
    assert run(django_capture_on_commit_callbacks, DUE).due == 0

    world.programme.due_reminder_days = ""  # the programme wants none
    world.programme.save()
    world.cohort_a.closed_at = None
    world.cohort_a.save()
    assert run(django_capture_on_commit_callbacks, DUE).due == 0
    assert smtp_server.messages == []


def test_finishing_the_module_settles_the_reminder_waiting_for_the_digest(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    for person in ("enthusiast", "other_manager"):
        choose_delivery(user=world.people[person], kind=Kind.DUE_SOON, delivery=Delivery.DAILY)
    assert run(django_capture_on_commit_callbacks, DUE).due == 2
    assert smtp_server.messages == []  # both wait for the digest

    # U2's manager does one of two: the reminder still stands. The enthusiast finishes.
    record_completion(user=world.people["other_manager"], activity=world.read, source="marked_done")
    record_completion(user=world.people["enthusiast"], activity=world.reflect, source="marked_done")

    waiting = Notification.objects.filter(kind=Kind.DUE_SOON, settled_at__isnull=True)
    assert list(waiting.values_list("recipient__email", flat=True)) == ["manager2@example.no"]
    assert send_daily_digests(now=timezone.now()) == 1
    assert reached(smtp_server) == ["manager2@example.no"]
    # Still listed in the enthusiast's notifications, just not e-mailed.
    assert Notification.objects.filter(recipient=world.people["enthusiast"]).exists()


def test_the_due_date_run_takes_the_same_queries_for_two_people_and_for_twenty(world):
    def queries(today: dt.date) -> int:
        with CaptureQueriesContext(connection) as captured:
            told = services.remind_due_dates(today)
        assert told
        return len(captured)

    few = queries(DUE - dt.timedelta(days=7))
    for number in range(20):
        user = UserFactory(email=f"extra{number}@example.no")
        ParticipantFactory(enrolment=world.team_u2, user=user)
        if number % 2:
            ActivityCompletion.objects.create(user=user, activity=world.read, source="marked_done")
    many = queries(DUE)

    assert Notification.objects.filter(key__endswith=":0").count() == 22
    assert many == few, f"2 people: {few} queries, 22 people: {many}"


# Attendance -------------------------------------------------------------------------------


def facilitators_only(world) -> None:
    """No due-date reminders, so the facilitators' are all there is to read."""
    world.programme.due_reminder_days = ""
    world.programme.save()


def gathering(cohort, *, ended_days_ago: int, title: str = "Samling 2") -> Gathering:
    ends = timezone.now() - dt.timedelta(days=ended_days_ago)
    return Gathering.objects.create(
        cohort=cohort, title=title, starts_at=ends - dt.timedelta(hours=4), ends_at=ends
    )


def test_facilitators_are_reminded_once_of_a_gathering_without_attendance(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    facilitators_only(world)
    unrecorded = gathering(world.cohort_a, ended_days_ago=1)
    recorded = gathering(world.cohort_a, ended_days_ago=1, title="Samling 3")
    Attendance.objects.create(
        gathering=recorded,
        participant=Participant.objects.get(user=world.people["manager"]),
        method="facilitator",
    )
    gathering(world.cohort_a, ended_days_ago=10, title="Gammel samling")  # long ago
    gathering(world.cohort_b, ended_days_ago=1, title="B-samling")  # B's facilitator's

    assert run(django_capture_on_commit_callbacks).attendance == 2
    assert run(django_capture_on_commit_callbacks).attendance == 0

    [message] = smtp_server.to("facilitator@example.no")
    assert message["Subject"] == "Record attendance: Samling 2 (LUP 1)"
    assert reverse("lup:gathering-attendance", args=[unrecorded.pk]) in text_of(message)
    [other] = smtp_server.to("b-facilitator@example.no")
    assert "B-samling" in other["Subject"]
    assert reached(smtp_server) == ["b-facilitator@example.no", "facilitator@example.no"]


def test_no_attendance_reminder_before_the_gathering_is_over_or_in_a_closed_cohort(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    gathering(world.cohort_a, ended_days_ago=0)  # ended today: the reminder is tomorrow's
    closed = gathering(world.cohort_b, ended_days_ago=1)
    world.cohort_b.closed_at = timezone.now()
    world.cohort_b.save()

    assert run(django_capture_on_commit_callbacks).attendance == 0
    assert run(django_capture_on_commit_callbacks, TODAY + dt.timedelta(days=1)).attendance == 1
    assert smtp_server.to("b-facilitator@example.no") == []
    assert not Notification.objects.filter(key=f"attendance:{closed.pk}").exists()


# Reviews ----------------------------------------------------------------------------------


def submit(world, person: str, *, days_ago: float) -> Submission:
    user = world.people[person]
    submission = Submission.objects.create(
        assignment=world.assignment,
        submitted_by=user,
        group_key=f"user:{user.pk}",
        attempt=1,
        text="Vår brukerreise",
        submitted_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    submission.members.add(user)
    return submission


def test_facilitators_hear_of_answers_waiting_longer_than_the_programme_allows(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    facilitators_only(world)
    submit(world, "enthusiast", days_ago=7)
    submit(world, "other_manager", days_ago=2)  # not long yet
    approved = submit(world, "manager", days_ago=9)
    approved.status = Submission.Status.APPROVED
    approved.save()

    assert run(django_capture_on_commit_callbacks).reviews == 1
    assert run(django_capture_on_commit_callbacks).reviews == 0  # the same day: nothing new

    [message] = smtp_server.to("facilitator@example.no")
    assert message["Subject"] == "1 answer waits for review in LUP 1"
    text = text_of(message)
    assert "more than 5 days" in text
    assert reverse("lup:cohort-grid", args=[world.cohort_a.pk]) + "#review-heading" in text
    assert reached(smtp_server) == ["facilitator@example.no"]  # not B's, not Asker's

    # While the answer still waits, told again once in every stretch of 5 days, not daily.
    days = [TODAY + dt.timedelta(days=n) for n in range(1, 11)]
    told = [run(django_capture_on_commit_callbacks, day).reviews for day in days]
    stretches = {day.toordinal() // 5 for day in days} - {TODAY.toordinal() // 5}
    assert sum(told) == len(stretches) == 2
    assert all(not (a and b) for a, b in itertools.pairwise(told))
    # A programme that allows longer: not yet.
    world.programme.review_reminder_days = 30
    world.programme.save()
    assert run(django_capture_on_commit_callbacks, TODAY + dt.timedelta(days=12)).reviews == 0


# The task and the command -----------------------------------------------------------------


def test_the_task_and_the_command_run_the_reminders(world, capsys):
    call_command("send_reminders", "--today", (DUE - dt.timedelta(days=7)).isoformat())
    assert "Reminded 2 of due dates" in capsys.readouterr().out
    assert tasks.send_reminders.delay().get() == 0  # the same day: told already

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "7. desember")
