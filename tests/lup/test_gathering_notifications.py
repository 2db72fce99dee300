"""When the office plans, moves or cancels a gathering, the cohort's people are told by
e-mail, through a real SMTP server (aiosmtpd), with the calendar event attached as Outlook
and Google act on it: METHOD:REQUEST with a raised SEQUENCE for a new or moved gathering,
METHOD:CANCEL for a cancelled one, the same UID throughout. Each version is told once per
person, never for a gathering that is over, never to people outside the cohort; a mail
server that fails loses nothing, and the next try sends what is left, once."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from icalendar import Calendar

from lup.calendar.events import gathering_uid
from lup.models import Gathering, Participant
from lup.notifications.models import Notification
from lup.notifications.services import email_notification
from lup.notifications.tasks import send_notification_emails
from lup.office.services import cancel_gathering, plan_gathering, update_gathering
from lup.services import remember_language
from tests.roles import build_world
from tests.smtp import Received

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@pytest.fixture
def world():
    world = build_world()
    for person in world.people.values():
        if person is not None:
            remember_language(user=person, language="en", source="site")
    return world


def day(days: int, hour: int = 9) -> dt.datetime:
    date = dt.date.today() + dt.timedelta(days=days)
    return dt.datetime(date.year, date.month, date.day, hour, tzinfo=OSLO)


def cohort_people(world) -> set[str]:
    """Who should hear of cohort A's gatherings: its team members and its facilitator."""
    team = Participant.objects.current().filter(enrolment__cohort=world.cohort_a)
    return {p.user.email for p in team.select_related("user")} | {"facilitator@example.no"}


def plan(world, captured, **changes) -> Gathering:
    values = {
        "cohort": world.cohort_a,
        "title": "Samling 2",
        "kind": Gathering.Kind.SESSION,
        "starts_at": day(14),
        "ends_at": day(14, 15),
        "place": "Sandvika",
        "agenda": "Gevinstkart",
        "by": world.people["administrator"],
    }
    with captured(execute=True):
        return plan_gathering(**{**values, **changes})


def calendar_in(message) -> tuple[str, Calendar]:
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    return attachment["Content-Type"], Calendar.from_ical(attachment.get_content())


def test_a_planned_gathering_reaches_the_cohort_with_an_invitation(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    gathering = plan(world, django_capture_on_commit_callbacks)

    reached = {address for recipients, _ in smtp_server.messages for address in recipients}
    assert reached == cohort_people(world)
    [message] = smtp_server.to("enthusiast@example.no")
    assert message["Subject"] == "Gathering: Samling 2 (LUP 1)"
    assert message["From"].addresses[0].display_name == world.programme.organisation.name
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Sandvika" in text
    assert f"/cohorts/{world.cohort_a.pk}/" in text
    [attachment] = list(message.iter_attachments())
    assert attachment.get_param("method") == "REQUEST"
    _content_type, calendar = calendar_in(message)
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert (str(event["UID"]), event["SEQUENCE"]) == (gathering_uid(gathering), 0)
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_a_moved_gathering_moves_the_same_event_and_a_cancelled_one_cancels_it(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    gathering = plan(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        moved = update_gathering(
            gathering=gathering,
            title=gathering.title,
            kind=gathering.kind,
            starts_at=day(21),
            ends_at=day(21, 15),
            place="Bærum rådhus",
            agenda=gathering.agenda,
            by=world.people["administrator"],
        )
    with django_capture_on_commit_callbacks(execute=True):
        cancel_gathering(gathering=moved, by=world.people["administrator"])

    invited, changed, cancelled = smtp_server.to("manager@example.no")
    assert changed["Subject"] == "Changed: Samling 2 (LUP 1)"
    assert "Bærum rådhus" in changed.get_body(preferencelist=("plain",)).get_content()
    events = []
    for message in (invited, changed, cancelled):
        _content_type, calendar = calendar_in(message)
        events.append(
            (calendar["METHOD"], *[(str(e["UID"]), e["SEQUENCE"]) for e in calendar.walk("VEVENT")])
        )
    uid = gathering_uid(gathering)
    assert events == [("REQUEST", (uid, 0)), ("REQUEST", (uid, 1)), ("CANCEL", (uid, 2))]
    assert cancelled["Subject"] == "Cancelled: Samling 2 (LUP 1)"
    _content_type, calendar = calendar_in(cancelled)
    assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


def test_nobody_is_told_twice_of_the_same_version(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    from lup.signals import gathering_changed

    gathering = plan(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        # The same version told again (a retried request, a second worker): nothing new.
        gathering_changed.send(sender=Gathering, gathering=gathering, change="planned", by=None)
        send_notification_emails(list(Notification.objects.values_list("pk", flat=True)))

    assert len(smtp_server.to("enthusiast@example.no")) == 1
    assert Notification.objects.count() == len(cohort_people(world))


def test_a_change_that_no_calendar_shows_tells_nobody(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    gathering = plan(world, django_capture_on_commit_callbacks)
    before = len(smtp_server.messages)
    with django_capture_on_commit_callbacks(execute=True):
        update_gathering(
            gathering=gathering,
            title=gathering.title,
            kind=Gathering.Kind.CLOSING,
            starts_at=gathering.starts_at,
            ends_at=gathering.ends_at,
            place=gathering.place,
            agenda=gathering.agenda,
            by=world.people["administrator"],
        )

    assert len(smtp_server.messages) == before


def test_people_outside_the_cohort_and_those_who_left_hear_nothing(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    left = Participant.objects.get(user=world.people["other_manager"])
    left.status = Participant.Status.WITHDRAWN
    left.save(update_fields=["status"])

    plan(world, django_capture_on_commit_callbacks)

    for outsider in ("other_manager", "asker_manager", "administrator", "hr"):
        assert not smtp_server.to(world.people[outsider].email), outsider


def test_a_gathering_that_is_over_tells_nobody(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    gathering = Gathering.objects.create(
        cohort=world.cohort_a,
        title="Var i fjor",
        starts_at=day(-30),
        ends_at=day(-30, 15),
    )
    with django_capture_on_commit_callbacks(execute=True):
        update_gathering(
            gathering=gathering,
            title=gathering.title,
            kind=gathering.kind,
            starts_at=gathering.starts_at,
            ends_at=gathering.ends_at,
            place="Rettet sted",
            agenda="",
            by=world.people["administrator"],
        )

    assert smtp_server.messages == []
    assert not Notification.objects.exists()


def test_a_failing_mail_server_loses_nothing_and_the_next_try_sends_once(
    world, settings, django_capture_on_commit_callbacks, smtp_server: Received
):
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # nothing listens: the connection is refused
    with django_capture_on_commit_callbacks(execute=False):
        gathering = plan_gathering(
            cohort=world.cohort_a,
            title="Samling 3",
            kind=Gathering.Kind.SESSION,
            starts_at=day(30),
            ends_at=day(30, 15),
            by=world.people["administrator"],
        )
    waiting = list(Notification.objects.values_list("pk", flat=True))
    assert waiting
    with pytest.raises(ConnectionRefusedError):
        email_notification(waiting[0])
    stored = Notification.objects.get(pk=waiting[0])
    assert stored.emailed_at is None
    assert stored.email_attempts == 1

    settings.EMAIL_PORT = port
    assert send_notification_emails(waiting) == len(waiting)
    assert send_notification_emails(waiting) == 0  # a retry delivered late sends nothing
    assert len(smtp_server.to("enthusiast@example.no")) == 1
    assert gathering.pk


def test_each_person_reads_it_in_their_own_language(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    remember_language(user=world.people["enthusiast"], language="nn", source="site")
    remember_language(user=world.people["manager"], language="nb", source="site")
    gathering = plan(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        update_gathering(
            gathering=gathering,
            title=gathering.title,
            kind=gathering.kind,
            starts_at=day(15),
            ends_at=day(15, 15),
            place=gathering.place,
            agenda=gathering.agenda,
            by=world.people["administrator"],
        )

    assert smtp_server.to("enthusiast@example.no")[-1]["Subject"] == "Endra: Samling 2 (LUP 1)"
    assert smtp_server.to("manager@example.no")[-1]["Subject"] == "Endret: Samling 2 (LUP 1)"
    assert smtp_server.to("facilitator@example.no")[-1]["Subject"].startswith("Changed:")


def test_a_gathering_moved_to_the_past_is_refused_and_changes_nothing(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    gathering = plan(world, django_capture_on_commit_callbacks)
    sequence, starts = gathering.calendar_sequence, gathering.starts_at
    notifications = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as raised:
        update_gathering(
            gathering=gathering,
            title=gathering.title,
            kind=gathering.kind,
            starts_at=day(-2),
            ends_at=day(-2, 15),
            place=gathering.place,
            agenda=gathering.agenda,
            by=world.people["administrator"],
        )

    assert "starts_at" in raised.value.message_dict
    gathering.refresh_from_db()
    assert (gathering.calendar_sequence, gathering.starts_at) == (sequence, starts)
    assert Notification.objects.count() == notifications


def test_the_cohorts_emails_go_over_one_smtp_connection(
    world, smtp_server: Received, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.mail.backends.smtp import EmailBackend

    opened = []
    real_open = EmailBackend.open

    def counting_open(self):
        new = real_open(self)
        if new:
            opened.append(self)
        return new

    monkeypatch.setattr(EmailBackend, "open", counting_open)
    plan(world, django_capture_on_commit_callbacks)

    assert len(smtp_server.messages) == len(cohort_people(world)) > 1
    assert len(opened) == 1
