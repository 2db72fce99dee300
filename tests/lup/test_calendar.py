"""Calendars (RFC 5545), read back with the `icalendar` library as Outlook and Google would
read them: a gathering's event keeps its UID for ever and raises its SEQUENCE each time what
it shows changes, so a calendar moves it instead of adding another; a cancellation carries
METHOD:CANCEL; the zone is Europe/Oslo with its VTIMEZONE. The personal feed opens by its
secret alone, shows only the person's own gatherings, and answers 404 once stopped."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from lup.calendar.events import gathering_calendar, gathering_uid
from lup.calendar.models import CalendarFeed
from lup.calendar.services import make_calendar_feed
from lup.models import Gathering
from lup.office.services import update_gathering
from lup.services import remember_language
from tests.factories import UserFactory
from tests.lup.curriculum import build_curriculum
from tests.roles import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@pytest.fixture
def world():
    return build_world()


def at(days: int, hour: int = 9) -> dt.datetime:
    start = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime(start.year, start.month, start.day, hour, 0, tzinfo=OSLO)


def gathering_in(cohort, *, title: str = "Samling 2", days: int = 20, place: str = "Sandvika"):
    return Gathering.objects.create(
        cohort=cohort,
        kind=Gathering.Kind.SESSION,
        title=title,
        starts_at=at(days),
        ends_at=at(days, 15),
        place=place,
        agenda="Gevinstkart og brukerreiser",
    )


def events_of(body: bytes) -> list:
    calendar = Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    timezones = [component["TZID"] for component in calendar.walk("VTIMEZONE")]
    timed = [e for e in calendar.walk("VEVENT") if isinstance(e.decoded("DTSTART"), dt.datetime)]
    expected = ["Europe/Oslo"] if timed else []
    assert timezones == expected, "every time is in Oslo's zone, which is included"
    return list(calendar.walk("VEVENT"))


def test_a_gathering_is_an_event_in_oslo_time_with_its_place_and_agenda(world):
    gathering = gathering_in(world.cohort_a)

    [event] = events_of(gathering_calendar(gathering))

    assert str(event["UID"]) == gathering_uid(gathering)
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == at(20)
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Oslo"
    assert event.decoded("DTEND") == at(20, 15)
    assert str(event["LOCATION"]) == "Sandvika"
    assert "Gevinstkart og brukerreiser" in str(event["DESCRIPTION"])
    assert str(event["SUMMARY"]) == "Samling 2 – LUP 1"
    assert Calendar.from_ical(gathering_calendar(gathering))["METHOD"] == "PUBLISH"


def test_moving_a_gathering_keeps_its_uid_and_raises_its_sequence(world):
    gathering = gathering_in(world.cohort_a)
    [before] = events_of(gathering_calendar(gathering))

    moved = update_gathering(
        gathering=gathering,
        title=gathering.title,
        kind=gathering.kind,
        starts_at=at(27),
        ends_at=at(27, 15),
        place="Bærum rådhus",
        agenda=gathering.agenda,
        by=world.people["administrator"],
    )
    [after] = events_of(gathering_calendar(moved, method="REQUEST"))

    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after.decoded("DTSTART") == at(27)
    assert str(after["LOCATION"]) == "Bærum rådhus"
    assert "mailto:" in str(after["ORGANIZER"])


def test_a_change_no_calendar_shows_does_not_raise_the_sequence(world):
    gathering = gathering_in(world.cohort_a)

    same = update_gathering(
        gathering=gathering,
        title=gathering.title,
        kind=Gathering.Kind.CLOSING,  # the kind is not in the event
        starts_at=gathering.starts_at,
        ends_at=gathering.ends_at,
        place=gathering.place,
        agenda=gathering.agenda,
        by=world.people["administrator"],
    )

    assert same.calendar_sequence == 0


def test_a_cancellation_cancels_the_same_event(world):
    gathering = gathering_in(world.cohort_a)
    gathering.calendar_sequence = 3

    body = gathering_calendar(gathering, method="CANCEL")

    assert Calendar.from_ical(body)["METHOD"] == "CANCEL"
    [event] = events_of(body)
    assert str(event["UID"]) == gathering_uid(gathering)
    assert event["SEQUENCE"] == 4
    assert event["STATUS"] == "CANCELLED"


def test_an_unknown_method_is_refused(world):
    with pytest.raises(ValueError, match="unknown iTIP method"):
        gathering_calendar(gathering_in(world.cohort_a), method="PUBLISH; X")


def test_the_participant_downloads_a_gathering_and_another_municipality_cannot(client, world):
    gathering = gathering_in(world.cohort_a)
    url = reverse("lup:gathering-calendar", args=[gathering.pk])

    client.force_login(world.people["enthusiast"])
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    [event] = events_of(response.content)
    assert str(event["UID"]) == gathering_uid(gathering)
    client.force_login(world.people["other_administrator"])
    assert client.get(url).status_code == 404
    client.force_login(world.people["asker_manager"])
    assert client.get(url).status_code == 404


def test_the_cohort_page_offers_the_file_and_the_feed(client, world):
    gathering = gathering_in(world.cohort_a)
    client.force_login(world.people["enthusiast"])

    html = client.get(reverse("lup:cohort-detail", args=[world.cohort_a.pk])).content.decode()

    assert reverse("lup:gathering-calendar", args=[gathering.pk]) in html
    assert reverse("lup:my-calendar") in html


def feed(client, secret: str):
    """The feed as a calendar app reads it: without a session."""
    client.logout()
    return client.get(reverse("lup:calendar-feed", args=[secret]))


def secret_shown(html: str) -> str:
    return re.search(r'value="webcal://[^/"]+/calendar/([A-Za-z0-9_-]+)\.ics"', html).group(1)


def test_the_feed_shows_only_the_persons_own_gatherings(client, world, django_assert_num_queries):
    mine = [gathering_in(world.cohort_a, title=f"Samling {n}", days=n * 10) for n in (1, 2)]
    gathering_in(world.cohort_b, title="Et annet kull")
    gathering_in(world.other_cohort, title="Asker")
    gathering_in(world.cohort_a, title="For lenge siden", days=-400)
    secret = make_calendar_feed(user=world.people["enthusiast"])
    client.logout()

    # The feed with its person, the gatherings, the cohorts with a curriculum (none here),
    # when it was read.
    with django_assert_num_queries(4):
        response = client.get(reverse("lup:calendar-feed", args=[secret]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    events = events_of(response.content)
    assert [str(event["UID"]) for event in events] == [gathering_uid(g) for g in mine]
    assert CalendarFeed.objects.get(user=world.people["enthusiast"]).last_used_at is not None


def test_the_feed_reads_the_same_queries_however_many_gatherings(
    client, world, django_assert_num_queries
):
    for n in range(12):
        gathering_in(world.cohort_a, title=f"Samling {n}", days=n + 1)
    world.cohort_b.facilitators.add(world.people["facilitator"])
    gathering_in(world.cohort_b, title="Også fasilitert")
    secret = make_calendar_feed(user=world.people["facilitator"])
    feed(client, secret)  # the first read notes it; the next one within the hour does not

    with django_assert_num_queries(3):
        response = client.get(reverse("lup:calendar-feed", args=[secret]))

    assert len(events_of(response.content)) == 13


def test_the_feed_shows_the_due_days_of_the_persons_modules_in_their_language(client):
    from courses.models import Module

    setup = build_curriculum()
    Module.objects.filter(title="Teori").update(due_days_after_start=30)
    Module.objects.filter(title="Praksis").update(due_days_after_start=90)
    person = setup.enthusiasts[0]
    remember_language(user=person, language="en", source="site")
    secret = make_calendar_feed(user=person)
    outsider = make_calendar_feed(user=UserFactory())

    events = events_of(feed(client, secret).content)
    due = {str(event["SUMMARY"]): event for event in events if str(event["UID"]).startswith("due-")}

    cohort = setup.cohort
    assert set(due) == {f"Due: Teori – {cohort.name}", f"Due: Praksis – {cohort.name}"}
    theory = due[f"Due: Teori – {cohort.name}"]
    assert theory.decoded("DTSTART") == cohort.starts_on + dt.timedelta(days=30)
    assert theory.decoded("DTEND") == cohort.starts_on + dt.timedelta(days=31)
    assert str(theory["TRANSP"]) == "TRANSPARENT"
    assert not [e for e in events_of(feed(client, outsider).content) if "due-" in str(e["UID"])]


@pytest.mark.parametrize(
    "secret", ["nope", "x" * 129, "../../etc/passwd", "abc%00def", "' OR 1=1 --", "æøå"]
)
def test_an_unknown_or_hostile_secret_is_not_found(client, world, secret):
    make_calendar_feed(user=world.people["enthusiast"])

    response = client.get(f"/calendar/{secret}.ics")

    assert response.status_code == 404


def test_a_stopped_or_replaced_address_answers_404(client, world):
    person = world.people["enthusiast"]
    client.force_login(person)
    made = client.post(reverse("lup:my-calendar"), {"action": "make"})
    html = made.content.decode()
    assert made.status_code == 200
    assert "webcal://" in html
    first = secret_shown(html)
    assert feed(client, first).status_code == 200
    assert first not in CalendarFeed.objects.get(user=person).secret_hash  # kept hashed only

    client.force_login(person)
    replaced = client.post(reverse("lup:my-calendar"), {"action": "make"}).content.decode()
    second = secret_shown(replaced)
    assert feed(client, first).status_code == 404
    assert feed(client, second).status_code == 200

    client.force_login(person)
    stopped = client.post(reverse("lup:my-calendar"), {"action": "revoke"}, follow=True)
    assert "The calendar address is stopped." in stopped.content.decode()
    assert feed(client, second).status_code == 404
    assert not CalendarFeed.objects.filter(user=person).exists()


def test_a_deactivated_persons_feed_answers_404(client, world):
    person = world.people["enthusiast"]
    secret = make_calendar_feed(user=person)
    person.is_active = False
    person.save(update_fields=["is_active"])

    assert feed(client, secret).status_code == 404


def test_the_calendar_page_without_an_action_changes_nothing(client, world):
    client.force_login(world.people["enthusiast"])

    response = client.post(reverse("lup:my-calendar"), {"action": "delete-everything"})

    assert response.status_code == 400
    assert not CalendarFeed.objects.exists()


def test_the_feed_and_each_invitation_validate_with_an_independent_parser(client, world):
    """vobject (the parser the Radicale CalDAV server uses) validates what `icalendar`
    wrote: required properties (UID, DTSTAMP), the VTIMEZONE the times refer to, dates."""
    import vobject

    setup = build_curriculum()
    from courses.models import Module

    Module.objects.filter(title="Teori").update(due_days_after_start=30)
    gathering = gathering_in(setup.cohort, title="Samling 3")
    secret = make_calendar_feed(user=setup.enthusiasts[0])
    body = feed(client, secret).content.decode()

    parsed = vobject.readOne(body, validate=True)
    kinds = {str(event.uid.value).split("-")[0] for event in parsed.vevent_list}
    assert kinds == {"gathering", "due"}
    assert parsed.vtimezone.tzid.value == "Europe/Oslo"
    for method in ("REQUEST", "CANCEL"):
        invitation = vobject.readOne(
            gathering_calendar(gathering, method=method).decode(), validate=True
        )
        assert invitation.method.value == method
        assert invitation.vevent.uid.value == gathering_uid(gathering)
