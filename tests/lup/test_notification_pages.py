"""A person's notifications in the product: the list (their own only, in their language,
newest first, unread ones said in words), marking read, opening one (only to a page on this
site), the e-mail choices (saved, and obeyed by the next notification), the one-click
unsubscribe page, and the office's e-mail previews (every kind, for the office only)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lup.models import Cohort, Gathering
from lup.notifications.digest import waiting_for_digest
from lup.notifications.kinds import OPTIONAL
from lup.notifications.models import Delivery, Notification, NotificationPreference
from lup.notifications.services import DIGEST, notify, unsubscribe_token
from tests.roles import build_world
from tests.smtp import Received

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
LIST = "/me/notifications/"
CHOICES = "/me/notifications/choices/"
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def make(person, kind=Kind.ANSWER_RETURNED, *, key=None, url="", read=False, **context):
    """A stored notification for `person` (the context a kind's writer reads)."""
    contexts: dict[str, dict[str, Any]] = {
        Kind.ANSWER_RETURNED: {"activity": "Brukerreise"},
        Kind.DUE_SOON: {
            "module": "Forstå behovet",
            "due_on": "2026-06-01",
            "days_before": 7,
            "activities": ["Intervju", "Brukerreise"],
        },
        Kind.ANNOUNCEMENT: {"subject": "Velkommen", "body": "Vi sees.", "author": "Kontoret"},
    }
    return Notification.objects.create(
        recipient=person,
        kind=kind,
        key=key or f"test:{kind}:{Notification.objects.count()}",
        context={**contexts.get(kind, {}), **context},
        url=url,
        delivery=Delivery.OFF,
        read_at=timezone.now() if read else None,
    )


# The list -------------------------------------------------------------------------------


def test_the_list_shows_ones_own_newest_first_in_ones_language(client, english, world):
    enthusiast = world.people["enthusiast"]
    older = make(enthusiast, Kind.ANSWER_RETURNED)
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - dt.timedelta(days=1)
    )
    newer = make(enthusiast, Kind.DUE_SOON)
    theirs = make(world.people["manager"], Kind.ANNOUNCEMENT, subject="Bare for lederen")
    client.force_login(enthusiast)

    response = client.get(LIST)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Answer returned: Brukerreise" in page
    assert "Due June 1, 2026: Forstå behovet" in page
    assert page.index(f'id="notification-{newer.pk}"') < page.index(f'id="notification-{older.pk}"')
    assert f'id="notification-{theirs.pk}"' not in page
    assert "Bare for lederen" not in page
    # The same notification, read in Norwegian: written when it is read.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "nb"
    assert "1. juni 2026" in client.get(LIST).content.decode()


def test_unread_ones_are_said_in_words_and_counted_in_the_heading(client, english, world):
    enthusiast = world.people["enthusiast"]
    unread = make(enthusiast)
    read = make(enthusiast, read=True)
    client.force_login(enthusiast)

    page = client.get(LIST).content.decode()

    assert f'id="unread-{unread.pk}"' in page
    assert f'id="unread-{read.pk}"' not in page
    assert f'id="mark-read-{unread.pk}"' in page
    assert f'id="mark-read-{read.pk}"' not in page
    heading = page.split('id="notifications-heading"', 1)[1].split("</h1>", 1)[0]
    assert "(1 unread)" in heading


def test_a_notification_is_marked_read_and_the_page_comes_back(client, world):
    enthusiast = world.people["enthusiast"]
    first, second = make(enthusiast), make(enthusiast)
    client.force_login(enthusiast)

    response = client.post(LIST, {"read": first.pk, "page": "2"})

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?page=2"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_all_are_marked_read_but_nobody_elses(client, world):
    enthusiast, manager = world.people["enthusiast"], world.people["manager"]
    mine = [make(enthusiast), make(enthusiast)]
    theirs = make(manager)
    client.force_login(enthusiast)

    response = client.post(LIST, {"all": "1"})

    assert response.status_code == 302
    assert response["Location"] == LIST
    assert all(Notification.objects.get(pk=n.pk).read_at is not None for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_another_persons_notification_is_not_found_and_stays_unread(client, world):
    theirs = make(world.people["manager"], url="https://lup.test/me/programme/")
    client.force_login(world.people["enthusiast"])

    marked = client.post(LIST, {"read": theirs.pk})
    opened = client.get(reverse("lup:my-notification-open", args=[theirs.pk]))

    assert marked.status_code == 404
    assert opened.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    "body", [{}, {"read": ""}, {"read": "abc"}, {"read": "-1"}, {"read": "9" * 30}]
)
def test_a_bad_request_to_mark_read_changes_nothing(client, world, body):
    enthusiast = world.people["enthusiast"]
    notification = make(enthusiast)
    client.force_login(enthusiast)

    response = client.post(LIST, body)

    assert response.status_code == 400
    notification.refresh_from_db()
    assert notification.read_at is None


def test_opening_marks_read_and_goes_to_its_page_on_this_site(client, world):
    enthusiast = world.people["enthusiast"]
    notification = make(enthusiast, url="https://lup.test/cohorts/7/?tab=1#gatherings")
    client.force_login(enthusiast)

    response = client.get(reverse("lup:my-notification-open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/cohorts/7/?tab=1#gatherings"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/cohorts/1/",
        "https://lup.test.evil.example/",
        "http://lup.test/cohorts/1/",  # another scheme than the site's
        "//evil.example/",
        "https:///evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "",
    ],
)
def test_opening_never_leads_to_another_site(client, world, url):
    enthusiast = world.people["enthusiast"]
    notification = make(enthusiast, url=url)
    client.force_login(enthusiast)

    response = client.get(reverse("lup:my-notification-open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == LIST


def test_the_personal_pages_are_never_stored(client, world):
    enthusiast = world.people["enthusiast"]
    client.force_login(enthusiast)

    for url in (LIST, CHOICES):
        directives = {part.strip() for part in client.get(url)["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url


def test_the_list_takes_a_fixed_number_of_queries_and_pages_by_thirty(
    client, english, world, django_assert_num_queries
):
    enthusiast = world.people["enthusiast"]
    make(enthusiast)
    client.force_login(enthusiast)
    client.get(LIST)  # the session and permissions, once
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for _ in range(44):
        make(enthusiast, Kind.DUE_SOON)

    with django_assert_num_queries(len(few.captured_queries)):
        first = client.get(LIST)
    second = client.get(f"{LIST}?page=2")

    assert first.content.decode().count('class="ds-card"') == 30
    assert second.content.decode().count('class="ds-card"') == 15
    assert "(45 unread)" in first.content.decode()


# The choices ----------------------------------------------------------------------------


def test_the_choices_show_the_current_choice_or_the_default(client, english, world):
    enthusiast = world.people["enthusiast"]
    NotificationPreference.objects.create(
        user=enthusiast, kind=Kind.ANSWER_RETURNED, delivery=Delivery.OFF
    )
    client.force_login(enthusiast)

    page = client.get(CHOICES).content.decode()

    for kind in OPTIONAL:
        assert f'<fieldset class="ds-fieldset" id="id_{kind}"' in page
    assert (
        'value="off" checked' in page.split('id="id_answer_returned"', 1)[1].split("</fieldset>")[0]
    )
    # No choice made: the kind's default (certificates: no e-mail; announcements: at once).
    assert 'value="now" checked' in page.split('id="id_announcement"', 1)[1].split("</fieldset>")[0]
    always = page.split('id="always-now"', 1)[1].split("</ul>", 1)[0]
    assert "A gathering is planned" in always
    assert 'name="gathering_planned"' not in page


def test_a_daily_choice_makes_the_next_notification_wait_for_the_digest(
    client, world, smtp_server: Received, django_capture_on_commit_callbacks
):
    enthusiast, manager = world.people["enthusiast"], world.people["manager"]
    client.force_login(enthusiast)

    response = client.post(CHOICES, {"answer_returned": "daily", "announcement": "off"})

    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[enthusiast, manager],
            kind=Kind.ANSWER_RETURNED,
            key="returned:1",
            context={"activity": "Brukerreise"},
        )
        notify(
            recipients=[enthusiast, manager],
            kind=Kind.ANNOUNCEMENT,
            key="announcement:1",
            context={"subject": "Velkommen", "body": "Vi sees.", "author": "Kontoret"},
        )

    mine = dict(Notification.objects.filter(recipient=enthusiast).values_list("kind", "delivery"))
    assert mine == {Kind.ANSWER_RETURNED: Delivery.DAILY, Kind.ANNOUNCEMENT: Delivery.OFF}
    # Nothing reached the enthusiast now (the manager, who chose nothing, got both).
    assert smtp_server.to(enthusiast.email) == []
    assert len(smtp_server.to(manager.email)) == 2
    assert enthusiast.pk in waiting_for_digest(timezone.now())


def test_saving_the_same_choices_changes_nothing(client, world):
    enthusiast = world.people["enthusiast"]
    client.force_login(enthusiast)

    response = client.post(CHOICES, {"announcement": "now", "answer_approved": "daily"})

    assert response.status_code == 302
    assert not NotificationPreference.objects.exists()  # the defaults still apply


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"announcement": "weekly"},  # no such delivery
        {"announcement": "off", "no_such_kind": "off"},
        {"announcement": "off", "gathering_planned": "off"},  # carries a calendar event
        {"announcement": "off", "gathering_cancelled": "daily"},
    ],
)
def test_a_bad_choice_is_refused_with_its_reason_and_nothing_changes(client, english, world, body):
    enthusiast = world.people["enthusiast"]
    NotificationPreference.objects.create(
        user=enthusiast, kind=Kind.ANSWER_RETURNED, delivery=Delivery.DAILY
    )
    client.force_login(enthusiast)

    response = client.post(CHOICES, body)

    assert response.status_code == 400
    assert 'id="form-errors"' in response.content.decode()
    assert list(NotificationPreference.objects.values_list("kind", "delivery")) == [
        (Kind.ANSWER_RETURNED, Delivery.DAILY)
    ]


# Unsubscribing with the e-mail's link ---------------------------------------------------


def test_unsubscribing_asks_first_and_turns_the_kind_off_on_post(client, english, world):
    enthusiast = world.people["enthusiast"]
    url = reverse(
        "lup:notifications-unsubscribe",
        args=[unsubscribe_token(user_id=enthusiast.pk, kind=Kind.ANNOUNCEMENT)],
    )

    asked = client.get(url)

    assert asked.status_code == 200
    assert 'id="unsubscribe-confirm"' in asked.content.decode()
    assert not NotificationPreference.objects.exists()  # a mail scanner's GET does nothing

    done = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert done.status_code == 200
    assert f'href="{CHOICES}"' in done.content.decode()
    assert list(NotificationPreference.objects.values_list("user", "kind", "delivery")) == [
        (enthusiast.pk, Kind.ANNOUNCEMENT, Delivery.OFF)
    ]


def test_the_digests_link_turns_off_the_kinds_that_came_daily(client, world):
    enthusiast = world.people["enthusiast"]
    url = reverse(
        "lup:notifications-unsubscribe",
        args=[unsubscribe_token(user_id=enthusiast.pk, kind=DIGEST)],
    )

    client.post(url)

    off = set(
        NotificationPreference.objects.filter(user=enthusiast, delivery=Delivery.OFF).values_list(
            "kind", flat=True
        )
    )
    assert off == {Kind.ANSWER_SUBMITTED, Kind.ANSWER_APPROVED}  # the daily defaults


@pytest.mark.parametrize(
    "token",
    [
        "forged",
        unsubscribe_token(user_id=1, kind=Kind.ANNOUNCEMENT)[:-2] + "xx",
        "calendar",  # a gathering's kind: the calendar depends on its e-mail
    ],
    # Fixed ids: a signed token holds the time it was made, and every xdist worker must
    # collect the same test names.
    ids=["garbage", "bad-signature", "calendar-kind"],
)
def test_a_forged_or_calendar_token_is_not_found_and_changes_nothing(client, english, world, token):
    if token == "calendar":
        token = unsubscribe_token(
            user_id=world.people["enthusiast"].pk, kind=Kind.GATHERING_PLANNED
        )
    url = reverse("lup:notifications-unsubscribe", args=[token])

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 404
        assert 'id="unsubscribe-invalid"' in response.content.decode()
    assert not NotificationPreference.objects.exists()


# The office's e-mail previews -------------------------------------------------------------


def previews_url(world, **query) -> str:
    url = reverse("lup:email-previews", args=[world.programme.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_office_sees_every_email_as_a_recipient_gets_it(client, english, world):
    Gathering.objects.create(
        cohort=world.cohort_a,
        title="Oppstartssamling",
        starts_at=dt.datetime(2026, 9, 1, 9, tzinfo=OSLO),
        ends_at=dt.datetime(2026, 9, 1, 15, tzinfo=OSLO),
        place="Sandvika",
    )
    client.force_login(world.people["administrator"])

    response = client.get(previews_url(world, language="en"))

    assert response.status_code == 200
    page = response.content.decode()
    for kind in Kind:
        assert f'id="email-{kind}"' in page, kind
    assert "Gathering: Oppstartssamling (LUP 1)" in page
    assert "Sandvika" in page
    assert "Bærum kommune &lt;lup@" in page  # the sender, as a mail program shows it
    digest = page.split('id="email-digest"', 1)[1]
    assert "3 new notifications" in digest
    assert 'id="digest-header-list-unsubscribe"' in digest
    assert "https://lup.test/notifications/unsubscribe/" in digest
    assert not Notification.objects.exists()  # nothing stored, nothing sent


def test_the_previews_are_written_in_the_chosen_language(client, english, world):
    Gathering.objects.create(
        cohort=world.cohort_a,
        title="Oppstartssamling",
        starts_at=dt.datetime(2026, 9, 1, 9, tzinfo=OSLO),
        ends_at=dt.datetime(2026, 9, 1, 15, tzinfo=OSLO),
    )
    client.force_login(world.people["administrator"])

    english_page = client.get(previews_url(world, language="en")).content.decode()
    norwegian = client.get(previews_url(world, language="nb")).content.decode()

    assert "Sept. 1, 2026" in english_page
    assert "1. september 2026" in norwegian
    assert "Sept. 1, 2026" not in norwegian
    assert '<dd lang="nb" class="ds-paragraph email-subject">' in norwegian


def test_an_unknown_language_is_refused_with_its_reason(client, english, world):
    client.force_login(world.people["administrator"])

    response = client.get(previews_url(world, language="xx"))

    assert response.status_code == 400
    assert 'id="language-error"' in response.content.decode()


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("enthusiast", 403),
        ("manager", 403),
        ("facilitator", 403),
        ("hr", 403),
        ("other_administrator", 404),  # Asker's: Bærum's programme is not found
    ],
)
def test_the_previews_are_the_offices_only(client, world, person, status):
    client.force_login(world.people[person])

    assert client.get(previews_url(world)).status_code == status


def test_the_previews_take_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    client.force_login(world.people["administrator"])
    url = previews_url(world, language="en")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for number in range(5):
        cohort = Cohort.objects.create(
            programme=world.programme,
            name=f"LUP {number + 10}",
            starts_on=dt.date(2025, 1, 1),
            ends_on=dt.date(2025, 6, 1),
        )
        for day in range(3):
            Gathering.objects.create(
                cohort=cohort,
                title=f"Samling {day}",
                starts_at=dt.datetime(2025, 2, day + 1, 9, tzinfo=OSLO),
                ends_at=dt.datetime(2025, 2, day + 1, 15, tzinfo=OSLO),
            )

    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# Where people find them --------------------------------------------------------------------


def test_the_dashboard_shows_the_unread_count_and_the_office_the_previews(client, english, world):
    administrator = world.people["administrator"]
    make(administrator)
    make(administrator, read=True)
    client.force_login(administrator)

    page = client.get(reverse("lup:dashboard", args=[world.programme.slug])).content.decode()

    assert "Notifications (1 unread)" in page
    assert f'href="{previews_url(world)}"' in page
    client.force_login(world.people["hr"])
    hr_page = client.get(reverse("lup:dashboard", args=[world.programme.slug])).content.decode()
    assert 'id="email-previews-link"' not in hr_page
    assert "Notifications (0 unread)" in hr_page


def test_the_home_page_shows_the_unread_count_and_the_menu_the_page(client, english, world):
    enthusiast = world.people["enthusiast"]
    make(enthusiast)
    make(enthusiast)
    client.force_login(enthusiast)

    response = client.get("/")

    assert "Notifications (2 unread)" in response.content.decode()
    menu = {str(item.label): item.url for item in response.context["lup_nav"]}
    assert menu["Notifications"] == LIST
    on_list = client.get(LIST)
    assert [item.active for item in on_list.context["lup_nav"] if item.url == LIST] == [True]
