"""Announcements: a facilitator or the programme office writes to a cohort, one team or all
units of a programme; each current team member of the units it is for (and, to a cohort or a
team, the cohort's facilitators) gets it once, by e-mail through a real SMTP server. Empty
text or nobody to reach is refused with a clear error, and nothing is stored or sent; those
who may not write (a facilitator of another cohort, a participant, HR, another municipality)
are refused. The history lists take a fixed number of queries; the API follows the same
rules through the same service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from lup.announcements.services import send_announcement
from lup.api.tokens import create_api_token
from lup.models import Cohort, Participant, UnitEnrolment
from lup.notifications.models import Announcement, Notification
from lup.reporting.models import ApiToken
from lup.services import remember_language
from tests.factories import ParticipantFactory, ServiceUnitFactory, UnitEnrolmentFactory
from tests.roles import build_world
from tests.smtp import Received

pytestmark = pytest.mark.django_db

COHORT, TEAM, PROGRAMME = "cohort", "team", "programme"


@pytest.fixture
def world():
    world = build_world()
    for person in world.people.values():
        if person is not None:
            remember_language(user=person, language="en", source="site")
    # Cohort A also holds a withdrawn unit (with a current member) and U1 a withdrawn
    # enthusiast: neither is told anything any more.
    gone = UnitEnrolmentFactory(
        cohort=world.cohort_a,
        unit=ServiceUnitFactory(organisation=world.programme.organisation),
        status=UnitEnrolment.Status.WITHDRAWN,
    )
    ParticipantFactory(enrolment=gone, role=Participant.Role.MANAGER, user__email="gone@example.no")
    ParticipantFactory(
        enrolment=world.team_u1,
        status=Participant.Status.WITHDRAWN,
        user__email="left@example.no",
    )
    return world


def emails_of(participants) -> set[str]:
    return {participant.user.email for participant in participants.select_related("user")}


def current_members(**filters) -> set[str]:
    """The e-mail addresses of the current members of the teams (not withdrawn units)."""
    return emails_of(
        Participant.objects.current()
        .filter(**filters)
        .exclude(enrolment__status=UnitEnrolment.Status.WITHDRAWN)
    )


def reached(smtp_server: Received) -> list[str]:
    """Every address the server got a message for, as often as it got one."""
    return sorted(
        address for recipients, _message in smtp_server.messages for address in recipients
    )


def send(world, captured, *, by="administrator", audience=COHORT, **given):
    values = {
        "author": world.people[by],
        "programme": world.programme,
        "audience": audience,
        "cohort": world.cohort_a if audience == COHORT else None,
        "enrolment": world.team_u1 if audience == TEAM else None,
        "subject": "Welcome to LUP 1",
        "body": "We meet at the town hall.\n\nBring your canvas.",
    }
    with captured(execute=True):
        return send_announcement(**{**values, **given})


def nothing_sent(smtp_server: Received) -> None:
    assert not Announcement.objects.exists()
    assert not Notification.objects.filter(kind=Notification.Kind.ANNOUNCEMENT).exists()
    assert smtp_server.messages == []


# Who it reaches -----------------------------------------------------------------------------


def test_an_announcement_to_a_cohort_reaches_every_current_member_and_facilitator_once(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    announcement = send(world, django_capture_on_commit_callbacks)

    expected = current_members(enrolment__cohort=world.cohort_a) | {"facilitator@example.no"}
    assert expected == {
        "enthusiast@example.no",
        "manager@example.no",
        "manager2@example.no",
        "facilitator@example.no",
    }
    assert reached(smtp_server) == sorted(expected)  # each once, nobody else
    assert announcement.recipient_count == 4
    [message] = smtp_server.to("manager2@example.no")
    assert message["Subject"] == "Welcome to LUP 1"
    assert message["From"].addresses[0].display_name == world.programme.organisation.name
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "We meet at the town hall." in text
    assert "LUP 1" in text  # to whom
    assert f"/announcements/{announcement.pk}/" in text
    notification = Notification.objects.get(recipient=world.people["enthusiast"])
    assert notification.kind == Notification.Kind.ANNOUNCEMENT
    assert notification.key == f"announcement:{announcement.pk}"
    assert notification.url.endswith(f"/announcements/{announcement.pk}/")


def test_a_team_announcement_reaches_only_that_team_and_its_cohorts_facilitators(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    announcement = send(world, django_capture_on_commit_callbacks, audience=TEAM)

    assert reached(smtp_server) == sorted(
        ["enthusiast@example.no", "manager@example.no", "facilitator@example.no"]
    )
    assert (announcement.cohort, announcement.enrolment) == (world.cohort_a, world.team_u1)
    assert announcement.recipient_count == 3


def test_a_programme_announcement_reaches_the_current_members_of_all_its_units(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    announcement = send(world, django_capture_on_commit_callbacks, audience=PROGRAMME)

    expected = current_members(enrolment__cohort__programme=world.programme)
    assert len(expected) == 4  # U1's two, U2's and cohort B's managers
    assert reached(smtp_server) == sorted(expected)  # not Asker's, not the facilitator
    assert announcement.recipient_count == 4
    assert announcement.cohort is None


def test_the_author_is_not_sent_their_own_announcement(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    announcement = send(world, django_capture_on_commit_callbacks, by="facilitator")

    assert smtp_server.to("facilitator@example.no") == []
    assert len(smtp_server.messages) == announcement.recipient_count == 3


def test_a_person_both_on_a_team_and_facilitating_is_told_once(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    world.cohort_a.facilitators.add(world.people["manager"])

    send(world, django_capture_on_commit_callbacks)

    assert len(smtp_server.to("manager@example.no")) == 1


# Refused: nothing stored, nothing sent ----------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "body", "field", "message"),
    [
        ("", "Body", "subject", "Write a subject."),
        ("   ", "Body", "subject", "Write a subject."),
        ("Subject", "", "body", "Write the message."),
        ("Subject", " \n\t ", "body", "Write the message."),
        ("S" * 151, "Body", "subject", "The subject can be at most 150 characters."),
    ],
)
def test_empty_text_is_refused_with_a_clear_error(
    world,
    smtp_server: Received,
    django_capture_on_commit_callbacks,
    english,
    subject,
    body,
    field,
    message,
):
    with pytest.raises(ValidationError) as refused:
        send(world, django_capture_on_commit_callbacks, subject=subject, body=body)

    assert refused.value.message_dict[field] == [message]
    nothing_sent(smtp_server)


def test_an_audience_with_nobody_to_reach_is_refused(
    world, smtp_server: Received, django_capture_on_commit_callbacks, english
):
    empty = Cohort.objects.create(
        programme=world.programme,
        name="LUP 9",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 6, 1),
    )
    empty.facilitators.add(world.people["facilitator"])

    with pytest.raises(ValidationError) as refused:
        send(world, django_capture_on_commit_callbacks, cohort=empty)

    assert "nobody to send to" in refused.value.messages[0]
    nothing_sent(smtp_server)


def test_a_team_whose_members_all_left_has_nobody_to_reach(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    world.team_u2.participants.update(status=Participant.Status.WITHDRAWN)

    with pytest.raises(ValidationError):
        send(world, django_capture_on_commit_callbacks, audience=TEAM, enrolment=world.team_u2)

    nothing_sent(smtp_server)


@pytest.mark.parametrize(
    ("by", "audience"),
    [
        ("facilitator", PROGRAMME),  # the office's only
        ("manager", COHORT),
        ("enthusiast", TEAM),
        ("hr", COHORT),
        ("hr", PROGRAMME),
        ("other_administrator", COHORT),
        ("other_administrator", PROGRAMME),
        ("asker_facilitator", TEAM),
    ],
)
def test_those_who_may_not_write_are_refused(
    world, smtp_server: Received, django_capture_on_commit_callbacks, by, audience
):
    with pytest.raises(PermissionDenied):
        send(world, django_capture_on_commit_callbacks, by=by, audience=audience)

    nothing_sent(smtp_server)


def test_a_facilitator_of_another_cohort_is_refused(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    team_b = world.cohort_b.enrolments.get()

    with pytest.raises(PermissionDenied):
        send(world, django_capture_on_commit_callbacks, by="facilitator", cohort=world.cohort_b)
    with pytest.raises(PermissionDenied):
        send(
            world,
            django_capture_on_commit_callbacks,
            by="facilitator",
            audience=TEAM,
            enrolment=team_b,
        )

    nothing_sent(smtp_server)


def test_a_cohort_of_another_programme_or_a_team_of_another_cohort_is_refused(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError) as other_programme:
        send(world, django_capture_on_commit_callbacks, by="superuser", cohort=world.other_cohort)
    with pytest.raises(ValidationError) as other_cohort:
        send(
            world,
            django_capture_on_commit_callbacks,
            by="superuser",
            audience=TEAM,
            cohort=world.cohort_b,
            enrolment=world.team_u1,
        )

    assert "cohort" in other_programme.value.message_dict
    assert "enrolment" in other_cohort.value.message_dict
    nothing_sent(smtp_server)


# Pages --------------------------------------------------------------------------------------


def sign_in(client, world, role):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(world.people[role])
    return client


def test_the_facilitator_writes_to_the_cohort_from_its_page(
    client, world, smtp_server: Received, django_capture_on_commit_callbacks
):
    sign_in(client, world, "facilitator")
    cohort_page = client.get(reverse("lup:cohort-detail", args=[world.cohort_a.pk]))
    write_url = reverse("lup:cohort-announcement-write", args=[world.cohort_a.pk])
    assert write_url in cohort_page.content.decode()

    form = client.get(write_url)
    assert form.status_code == 200
    assert 'data-count="3"' in form.content.decode()  # its three team members
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(write_url, {"subject": "Samling", "body": "<b>Hei</b> alle"})

    announcement = Announcement.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == reverse("lup:announcement-detail", args=[announcement.pk])
    assert (announcement.author, announcement.audience) == (world.people["facilitator"], COHORT)
    assert len(smtp_server.messages) == 3
    page = client.get(sent["Location"]).content.decode()
    assert "&lt;b&gt;Hei&lt;/b&gt; alle" in page  # the text as written, never markup


@pytest.mark.parametrize("body", [{}, {"subject": " ", "body": " "}, {"subject": "S"}])
def test_a_bad_form_comes_back_with_errors_and_sends_nothing(
    client, world, smtp_server: Received, django_capture_on_commit_callbacks, body
):
    sign_in(client, world, "administrator")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("lup:cohort-announcement-write", args=[world.cohort_a.pk]), body
        )

    assert response.status_code == 400
    assert 'id="form-errors"' in response.content.decode()
    assert "Write the message." in response.content.decode()
    nothing_sent(smtp_server)


def test_nobody_to_reach_is_said_on_the_page_and_refused(
    client, world, smtp_server: Received, django_capture_on_commit_callbacks
):
    world.team_u2.participants.update(status=Participant.Status.WITHDRAWN)
    sign_in(client, world, "administrator")
    url = reverse("lup:team-announcement-write", args=[world.team_u2.pk])

    form = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"subject": "Hei", "body": "Hallo"})

    assert 'id="announcement-nobody"' in form.content.decode()
    assert response.status_code == 400
    assert "nobody to send to" in response.content.decode()
    nothing_sent(smtp_server)


@pytest.mark.parametrize(
    ("role", "route", "status"),
    [
        ("other_administrator", "lup:cohort-announcement-write", 404),
        ("other_administrator", "lup:team-announcement-write", 404),
        ("other_administrator", "lup:programme-announcement-write", 404),
        ("asker_facilitator", "lup:cohort-announcement-write", 404),
        ("manager", "lup:cohort-announcement-write", 403),
        ("manager", "lup:team-announcement-write", 403),
        ("enthusiast", "lup:cohort-announcement-write", 403),
        ("enthusiast", "lup:team-announcement-write", 404),
        ("hr", "lup:cohort-announcement-write", 403),
        ("hr", "lup:programme-announcement-write", 403),
        ("facilitator", "lup:programme-announcement-write", 404),
    ],
)
def test_others_may_not_write(
    client, world, smtp_server: Received, django_capture_on_commit_callbacks, role, route, status
):
    sign_in(client, world, role)
    argument = {
        "lup:cohort-announcement-write": world.cohort_a.pk,
        "lup:team-announcement-write": world.team_u1.pk,
        "lup:programme-announcement-write": world.programme.slug,
    }[route]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(route, args=[argument]), {"subject": "S", "body": "B"})

    assert response.status_code == status
    nothing_sent(smtp_server)


def test_the_office_writes_to_all_units_from_the_dashboard(
    client, world, smtp_server: Received, django_capture_on_commit_callbacks
):
    sign_in(client, world, "administrator")
    dashboard = client.get(reverse("lup:dashboard", args=[world.programme.slug])).content.decode()
    url = reverse("lup:programme-announcement-write", args=[world.programme.slug])
    assert url in dashboard

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"subject": "Innovasjonsprisen", "body": "Nominer!"})

    assert response.status_code == 302
    assert Announcement.objects.get().audience == PROGRAMME
    assert len(smtp_server.messages) == 4


def test_participants_see_what_was_sent_to_them_and_nothing_else(
    client, world, django_capture_on_commit_callbacks
):
    to_cohort = send(world, django_capture_on_commit_callbacks, subject="To the cohort")
    to_u2 = send(
        world,
        django_capture_on_commit_callbacks,
        audience=TEAM,
        enrolment=world.team_u2,
        subject="To U2",
    )
    to_all = send(world, django_capture_on_commit_callbacks, audience=PROGRAMME, subject="To all")
    to_b = send(world, django_capture_on_commit_callbacks, cohort=world.cohort_b, subject="To B")
    sign_in(client, world, "enthusiast")

    history = client.get(reverse("lup:cohort-announcements", args=[world.cohort_a.pk]))
    page = history.content.decode()

    assert history.status_code == 200
    assert "To the cohort" in page
    assert "To all" in page
    assert "To U2" not in page
    assert "To B" not in page
    assert client.get(reverse("lup:announcement-detail", args=[to_cohort.pk])).status_code == 200
    assert client.get(reverse("lup:announcement-detail", args=[to_all.pk])).status_code == 200
    for hidden in (to_u2, to_b):
        assert client.get(reverse("lup:announcement-detail", args=[hidden.pk])).status_code == 404


def test_the_history_is_newest_first_and_hr_reads_none(
    client, world, django_capture_on_commit_callbacks
):
    first = send(world, django_capture_on_commit_callbacks, subject="First")
    second = send(world, django_capture_on_commit_callbacks, subject="Second")
    Announcement.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(1))
    url = reverse("lup:cohort-announcements", args=[world.cohort_a.pk])

    page = sign_in(client, world, "manager").get(url).content.decode()
    hr_page = sign_in(client, world, "hr").get(url).content.decode()

    assert page.index(f'id="announcement-{second.pk}"') < page.index(
        f'id="announcement-{first.pk}"'
    )
    assert 'id="announcement-list-empty"' in hr_page
    other = sign_in(client, world, "other_administrator")
    assert other.get(url).status_code == 404
    assert other.get(reverse("lup:announcement-detail", args=[first.pk])).status_code == 404


def many_announcements(world, count: int) -> None:
    """`count` announcements to cohort A, its team U1 and the programme, by the office."""
    audiences = [
        {"audience": COHORT, "cohort": world.cohort_a},
        {"audience": TEAM, "cohort": world.cohort_a, "enrolment": world.team_u1},
        {"audience": PROGRAMME},
    ]
    Announcement.objects.bulk_create(
        [
            Announcement(
                programme=world.programme,
                subject=f"Nummer {number}",
                body="Tekst",
                author=world.people["administrator" if number % 2 else "facilitator"],
                recipient_count=3,
                **audiences[number % 3],
            )
            for number in range(count)
        ]
    )


@pytest.mark.parametrize(
    ("role", "route"),
    [
        ("enthusiast", "lup:cohort-announcements"),
        ("facilitator", "lup:cohort-announcements"),
        ("manager", "lup:team-announcements"),
        ("administrator", "lup:programme-announcements"),
    ],
)
def test_the_history_takes_the_same_queries_for_one_announcement_or_many(
    client, world, django_assert_num_queries, role, route
):
    sign_in(client, world, role)
    argument = {
        "lup:cohort-announcements": world.cohort_a.pk,
        "lup:team-announcements": world.team_u1.pk,
        "lup:programme-announcements": world.programme.slug,
    }[route]
    url = reverse(route, args=[argument])
    many_announcements(world, 1)
    client.get(url)  # the session and permissions, as on any page
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200

    many_announcements(world, 30)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)

    assert response.content.decode().count('class="ds-card"') >= 11


# The API ------------------------------------------------------------------------------------


def post(client, body, **extra):
    return client.post("/api/v1/announcements/", body, content_type="application/json", **extra)


def api_body(world, audience=COHORT, **overrides):
    target = {
        COHORT: {"cohort": str(world.cohort_a.public_id)},
        TEAM: {"team": str(world.team_u1.public_id)},
        PROGRAMME: {"programme": str(world.programme.public_id)},
    }[audience]
    return {"audience": audience, **target, "subject": "Hei", "body": "Hallo", **overrides}


def test_the_api_sends_an_announcement_through_the_same_service(
    client, world, smtp_server: Received, django_capture_on_commit_callbacks
):
    client.force_login(world.people["facilitator"])

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, api_body(world, TEAM))

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["audience"], data["team"], data["recipient_count"]) == (
        TEAM,
        str(world.team_u1.public_id),
        2,
    )
    assert data["cohort"] == str(world.cohort_a.public_id)
    assert reached(smtp_server) == ["enthusiast@example.no", "manager@example.no"]


def test_a_write_token_writes_to_all_units_and_a_read_token_may_not(
    client, world, smtp_server: Received, django_capture_on_commit_callbacks
):
    _token, secret = world.tokens["administrator"]
    _read, read_secret = create_api_token(
        name="Les",
        organisation=world.programme.organisation,
        scope=ApiToken.Scope.READ,
        expires_at=timezone.now() + dt.timedelta(days=1),
        created_by=world.people["administrator"],
    )

    with django_capture_on_commit_callbacks(execute=True):
        refused = post(
            client, api_body(world, PROGRAMME), HTTP_AUTHORIZATION=f"Bearer {read_secret}"
        )
        created = post(client, api_body(world, PROGRAMME), HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert refused.status_code == 403
    assert created.status_code == 201, created.content
    assert len(smtp_server.messages) == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "  "}, "subject"),
        ({"body": ""}, "body"),
        ({"audience": "everyone"}, "audience"),
        ({"cohort": "not-an-id"}, "cohort"),
        ({"cohort": None}, "cohort"),
        ({"subject": "S" * 151}, "subject"),
        ({"subject": "a\x00b"}, "subject"),
        ({"body": "half a pair: \ud800"}, "body"),
    ],
)
def test_the_api_answers_bad_input_with_field_errors(
    client, world, smtp_server: Received, django_capture_on_commit_callbacks, body, field
):
    client.force_login(world.people["administrator"])

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, {**api_body(world), **body})

    assert response.status_code == 400, response.content
    assert field in response.json()
    nothing_sent(smtp_server)


def test_the_api_says_when_there_is_nobody_to_reach(
    client, world, smtp_server: Received, django_capture_on_commit_callbacks
):
    world.team_u1.participants.update(status=Participant.Status.WITHDRAWN)
    client.force_login(world.people["administrator"])

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, api_body(world, TEAM))

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    nothing_sent(smtp_server)


@pytest.mark.parametrize(
    ("role", "audience", "status"),
    [
        ("manager", COHORT, 403),
        ("hr", COHORT, 403),
        ("hr", PROGRAMME, 403),
        ("facilitator", PROGRAMME, 400),  # no programme in a facilitator's scope
        ("other_administrator", COHORT, 400),  # not in their scope
        ("other_administrator", TEAM, 400),
        ("other_administrator", PROGRAMME, 400),
    ],
)
def test_the_api_refuses_those_who_may_not_write(
    client, world, smtp_server: Received, django_capture_on_commit_callbacks, role, audience, status
):
    client.force_login(world.people[role])

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, api_body(world, audience))

    assert response.status_code == status
    nothing_sent(smtp_server)


def test_the_api_lists_only_what_the_caller_may_read(
    client, world, django_capture_on_commit_callbacks, django_assert_num_queries
):
    mine = send(world, django_capture_on_commit_callbacks)
    send(world, django_capture_on_commit_callbacks, audience=TEAM, enrolment=world.team_u2)
    client.force_login(world.people["enthusiast"])

    listed = client.get("/api/v1/announcements/").json()
    assert [item["id"] for item in listed["results"]] == [mine.pk]
    assert client.get(f"/api/v1/announcements/{mine.pk}/").json()["subject"] == mine.subject
    client.force_login(world.people["other_administrator"])
    assert client.get("/api/v1/announcements/").json()["results"] == []
    assert client.get(f"/api/v1/announcements/{mine.pk}/").status_code == 404

    client.force_login(world.people["administrator"])
    client.get("/api/v1/announcements/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/announcements/")
    many_announcements(world, 20)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/announcements/").json()["results"]) == 22


def test_sending_is_in_the_audit_log_without_the_message(
    world, smtp_server: Received, django_capture_on_commit_callbacks
):
    """Who wrote to whom and how many it reached is audited; the words stay in the
    announcement, and a refused one leaves no entry."""
    from lup import audit
    from lup.models import AuditEvent

    with pytest.raises(ValidationError):
        send(world, django_capture_on_commit_callbacks, body="   ")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ANNOUNCEMENT_SENT).exists()

    announcement = send(world, django_capture_on_commit_callbacks)

    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.ANNOUNCEMENT_SENT)
    assert event.actor == world.people["administrator"]
    assert event.subject_label == announcement.subject
    assert event.details["recipients"] == 4
    assert "town hall" not in str(event.details)
    with translation.override("en"):
        assert "Sent to 4 people" in audit.describe(event)
