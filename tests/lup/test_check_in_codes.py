"""The QR check-in code rotates and is taken only while the gathering is on.

Attacks: a photo of yesterday's screen, a code two steps old, the secret behind the codes
(which the old QR codes showed), checking in the day before or after, the right code in
the hands of someone outside the cohort, and attendance recorded for a gathering months
ahead (which would complete units and issue certificates early).
"""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from courses.models import ActivityCompletion
from lup import services
from lup.models import Attendance, Gathering, Participant
from lup.services.attendance import (
    CHECK_IN_SCAN_GRACE,
    check_in_code_at,
    check_in_code_is_valid,
    current_check_in_code,
)
from tests.factories import UserFactory
from tests.lup.curriculum import build_curriculum
from tests.roles import build_world

pytestmark = pytest.mark.django_db

INVALID = "This check-in code is not valid or has expired."


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def gathering_of(cohort, *, starts_in: dt.timedelta, hours: int = 3, **fields) -> Gathering:
    starts_at = timezone.now() + starts_in
    return Gathering.objects.create(
        cohort=cohort,
        title=fields.pop("title", "Samling"),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        **fields,
    )


@pytest.fixture
def world():
    world = build_world()
    world.gathering = gathering_of(world.cohort_a, starts_in=-dt.timedelta(hours=1))
    return world


def url(gathering, code: str | None = None) -> str:
    code = current_check_in_code(gathering)[0] if code is None else code
    return reverse("lup:check-in", kwargs={"pk": gathering.pk, "code": code})


def qr_url(gathering) -> str:
    return reverse("lup:gathering-qr", kwargs={"pk": gathering.pk})


def travel(monkeypatch, moment: dt.datetime) -> None:
    """Every `timezone.now()` from here on answers `moment`."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


def ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


# The codes ----------------------------------------------------------------------------------


def test_the_code_turns_every_step_and_the_previous_one_still_counts(world):
    gathering = world.gathering
    now = timezone.now()
    code, changes_at = current_check_in_code(gathering, now=now)

    assert now < changes_at <= now + dt.timedelta(seconds=60)
    assert check_in_code_at(gathering, changes_at) != code
    assert check_in_code_is_valid(gathering, code, at=now)
    assert check_in_code_is_valid(gathering, code, at=changes_at)  # just after the turn
    assert not check_in_code_is_valid(gathering, code, at=changes_at + dt.timedelta(seconds=60))
    assert not check_in_code_is_valid(gathering, gathering.check_in_code, at=now)


def test_each_gathering_has_its_own_codes(world):
    other = gathering_of(world.cohort_a, starts_in=-dt.timedelta(hours=1), title="Andre")
    now = timezone.now()

    assert (
        current_check_in_code(other, now=now)[0]
        != current_check_in_code(world.gathering, now=now)[0]
    )
    assert not check_in_code_is_valid(other, current_check_in_code(world.gathering)[0])


def test_the_gatherings_secret_alone_does_not_give_the_codes(world):
    """Whoever saw an old QR code knows `check_in_code`; the site's key is needed too."""
    now = timezone.now()
    code = current_check_in_code(world.gathering, now=now)[0]

    with override_settings(SECRET_KEY="another-site-key-" + "x" * 40):
        assert current_check_in_code(world.gathering, now=now)[0] != code


@override_settings(LUP_CHECK_IN_CODE_SECONDS=5)
def test_the_setting_decides_how_long_a_code_lasts(world):
    now = timezone.now()
    code, changes_at = current_check_in_code(world.gathering, now=now)

    assert changes_at - now <= dt.timedelta(seconds=5)
    assert not check_in_code_is_valid(world.gathering, code, at=now + dt.timedelta(seconds=10))


# Checking in with a code --------------------------------------------------------------------


def test_the_previous_steps_code_still_checks_in(client, world):
    client.force_login(world.people["manager"])
    previous = check_in_code_at(world.gathering, ago(seconds=60))

    response = client.post(url(world.gathering, previous))

    assert response.status_code == 302
    assert Attendance.objects.get().method == Attendance.Method.CHECK_IN


@pytest.mark.parametrize(
    "when",
    [pytest.param({"seconds": 120}, id="previous-but-one step"), pytest.param({"days": 1})],
)
def test_an_old_code_is_refused_without_showing_the_gathering(client, world, when):
    client.force_login(world.people["manager"])
    old = check_in_code_at(world.gathering, ago(**when))

    for response in (client.get(url(world.gathering, old)), client.post(url(world.gathering, old))):
        assert response.status_code == 404
        assert INVALID in response.content.decode()
        assert world.gathering.title not in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_old_fixed_code_no_longer_checks_in(client, world):
    client.force_login(world.people["manager"])

    response = client.post(url(world.gathering, world.gathering.check_in_code))

    assert response.status_code == 404
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("code", ["x" * 3000, "æøå-💥", "%00", "null"])
def test_hostile_codes_are_just_invalid(client, world, code):
    client.force_login(world.people["manager"])

    response = client.post(url(world.gathering, code))

    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_another_gatherings_code_does_not_open_this_one(client, world):
    other = gathering_of(world.cohort_a, starts_in=-dt.timedelta(hours=1), title="Andre")
    client.force_login(world.people["manager"])

    response = client.post(url(world.gathering, current_check_in_code(other)[0]))

    assert response.status_code == 404
    assert not Attendance.objects.exists()


# The gathering's time window ----------------------------------------------------------------


def test_the_day_before_the_current_code_is_refused_with_a_clear_message(client, world):
    tomorrow = gathering_of(world.cohort_a, starts_in=dt.timedelta(days=1), title="I morgen")
    client.force_login(world.people["manager"])

    confirm = client.get(url(tomorrow))
    response = client.post(url(tomorrow))

    assert confirm.status_code == 200
    assert "Check-in opens at" in confirm.content.decode()
    assert "check-in-button" not in confirm.content.decode()
    assert response.status_code == 200
    assert "Check-in opens at" in response.content.decode()
    assert not Attendance.objects.exists()


def test_check_in_opens_shortly_before_the_start(client, world):
    soon = gathering_of(world.cohort_a, starts_in=dt.timedelta(minutes=20), title="Snart")
    client.force_login(world.people["manager"])

    response = client.post(url(soon))

    assert response.status_code == 302
    assert Attendance.objects.filter(gathering=soon).exists()


def test_check_in_closes_when_the_gathering_ends(client, world):
    ended = gathering_of(world.cohort_a, starts_in=-dt.timedelta(hours=4), title="Ferdig")
    client.force_login(world.people["manager"])

    response = client.post(url(ended))

    assert response.status_code == 200
    assert "Check-in closed when the gathering ended" in response.content.decode()
    assert not Attendance.objects.exists()


# Who may check in ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["facilitator", "administrator", "other_administrator"])
def test_the_right_code_does_not_check_in_someone_outside_the_cohort(client, world, role):
    client.force_login(world.people[role])

    confirm = client.get(url(world.gathering))
    response = client.post(url(world.gathering))

    assert "check-in-button" not in confirm.content.decode()
    assert response.status_code == 200
    assert "You are not registered in this gathering's cohort." in unescape(
        response.content.decode()
    )
    assert not Attendance.objects.exists()


def test_a_participant_of_another_cohort_cannot_check_in(client, world):
    elsewhere = world.team_other.participants.get().user
    client.force_login(elsewhere)

    client.post(url(world.gathering))

    assert not Attendance.objects.exists()


def test_a_withdrawn_participant_cannot_check_in(client, world):
    person = world.team_u1.participants.get(user=world.people["enthusiast"])
    person.status = Participant.Status.WITHDRAWN
    person.save()
    client.force_login(world.people["enthusiast"])

    client.post(url(world.gathering))

    assert not Attendance.objects.exists()


# Signing in after scanning ------------------------------------------------------------------


def test_a_scan_before_signing_in_is_remembered_while_the_code_turns(client, world, monkeypatch):
    scanned = url(world.gathering)
    start = timezone.now()

    first = client.get(scanned)
    assert first.status_code == 302
    assert first["Location"].startswith("/accounts/login/")
    # Signing in with two-factor takes a few minutes: the code on the screen has turned.
    travel(monkeypatch, start + dt.timedelta(minutes=4))
    client.force_login(world.people["manager"])

    confirm = client.get(scanned)
    response = client.post(scanned)

    assert confirm.status_code == 200
    assert "check-in-button" in confirm.content.decode()
    assert response.status_code == 302
    assert Attendance.objects.get().participant.user == world.people["manager"]


def test_a_remembered_scan_runs_out(client, world, monkeypatch):
    scanned = url(world.gathering)
    start = timezone.now()
    client.get(scanned)
    travel(monkeypatch, start + CHECK_IN_SCAN_GRACE + dt.timedelta(seconds=1))
    client.force_login(world.people["manager"])

    response = client.post(scanned)

    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_a_remembered_scan_is_not_extended_by_coming_back(client, world, monkeypatch):
    scanned = url(world.gathering)
    start = timezone.now()
    client.force_login(world.people["manager"])
    client.get(scanned)
    travel(monkeypatch, start + CHECK_IN_SCAN_GRACE / 2)
    client.get(scanned)
    travel(monkeypatch, start + CHECK_IN_SCAN_GRACE + dt.timedelta(seconds=1))

    assert client.post(scanned).status_code == 404
    assert not Attendance.objects.exists()


def test_a_remembered_scan_is_for_that_browser_and_gathering(client, world, monkeypatch):
    other = gathering_of(world.cohort_a, starts_in=-dt.timedelta(hours=1), title="Andre")
    scanned = url(world.gathering)
    start = timezone.now()
    client.force_login(world.people["manager"])
    client.get(scanned)
    travel(monkeypatch, start + dt.timedelta(minutes=4))
    from django.test import Client

    friend = Client(HTTP_ACCEPT_LANGUAGE="en")
    friend.force_login(world.people["enthusiast"])
    stale_code = scanned.rstrip("/").rsplit("/", 1)[-1]

    assert friend.post(scanned).status_code == 404  # a forwarded link, too late
    assert client.post(url(other, stale_code)).status_code == 404
    assert not Attendance.objects.exists()


def test_the_service_checks_the_time_of_the_scan(world):
    manager = world.people["manager"]
    code = current_check_in_code(world.gathering)[0]

    for scanned_at in (
        timezone.now() + dt.timedelta(minutes=5),  # in the future
        timezone.now() - CHECK_IN_SCAN_GRACE - dt.timedelta(minutes=1),  # too long ago
    ):
        with pytest.raises(ValidationError, match="not valid"):
            services.check_in(
                gathering=world.gathering, user=manager, code=code, scanned_at=scanned_at
            )
    assert not Attendance.objects.exists()


def test_an_old_code_shows_nothing_even_to_someone_who_attended(client, world):
    client.force_login(world.people["manager"])
    client.post(url(world.gathering))

    later = client.get(url(world.gathering, check_in_code_at(world.gathering, ago(hours=1))))

    assert later.status_code == 404
    assert world.gathering.title not in later.content.decode()


# The QR screen ------------------------------------------------------------------------------


def test_the_qr_screen_refreshes_itself_from_a_static_script(client, world):
    client.force_login(world.people["facilitator"])

    html = client.get(qr_url(world.gathering)).content.decode()

    assert 'src="/static/lup/gathering_qr.js"' in html
    assert f'data-refresh-url="{qr_url(world.gathering)}?format=json"' in html
    assert "<script>" not in html
    assert " onload=" not in html
    assert 'id="check-in-closed"' not in html


def test_the_qr_screen_gives_the_current_code_as_json(client, world):
    client.force_login(world.people["facilitator"])

    data = client.get(qr_url(world.gathering), {"format": "json"}).json()

    code = current_check_in_code(world.gathering)[0]
    assert data["url"] == f"http://testserver{url(world.gathering, code)}"
    assert data["svg"].startswith("<svg")
    assert 1 <= data["refresh_in"] <= 60


def test_the_qr_screen_says_when_check_in_is_closed(client, world):
    tomorrow = gathering_of(world.cohort_a, starts_in=dt.timedelta(days=1))
    client.force_login(world.people["facilitator"])

    html = client.get(qr_url(tomorrow)).content.decode()

    assert 'id="check-in-closed"' in html


@pytest.mark.parametrize(("role", "status"), [("manager", 403), ("other_administrator", 404)])
def test_only_those_taking_attendance_get_the_codes(client, world, role, status):
    client.force_login(world.people[role])

    response = client.get(qr_url(world.gathering), {"format": "json"})

    assert response.status_code == status
    assert current_check_in_code(world.gathering)[0] not in response.content.decode()


# Attendance for a gathering that has not started --------------------------------------------


def test_a_facilitator_cannot_record_attendance_months_ahead(client):
    setup = build_curriculum(team_size=2)
    setup.gathering.starts_at = timezone.now() + dt.timedelta(days=90)
    setup.gathering.ends_at = setup.gathering.starts_at + dt.timedelta(hours=6)
    setup.gathering.save()
    facilitator = UserFactory()
    setup.cohort.facilitators.add(facilitator)
    client.force_login(facilitator)
    present = list(setup.enrolment.participants.values_list("pk", flat=True))

    response = client.post(
        reverse("lup:gathering-attendance", kwargs={"pk": setup.gathering.pk}),
        {"present": present},
        follow=True,
    )

    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert html.count("Attendance can be recorded from") == 1  # once, not once per person
    assert not Attendance.objects.exists()
    assert not ActivityCompletion.objects.exists()
    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == setup.enrolment.Status.ENROLLED


def test_the_api_refuses_attendance_ahead_with_400(client, world):
    future = gathering_of(world.cohort_a, starts_in=dt.timedelta(days=30))
    enthusiast = world.team_u1.participants.get(user=world.people["enthusiast"])
    client.force_login(world.people["facilitator"])

    response = client.post(
        f"/api/v1/gatherings/{future.pk}/attendance/",
        {"participant": str(enthusiast.public_id)},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "Attendance can be recorded from" in response.content.decode()
    assert not Attendance.objects.exists()


def test_attendance_may_be_recorded_shortly_before_the_start_and_afterwards(world):
    enthusiast = world.team_u1.participants.get(user=world.people["enthusiast"])
    for starts_in in (dt.timedelta(minutes=20), -dt.timedelta(days=40)):
        gathering = gathering_of(world.cohort_a, starts_in=starts_in)

        _attendance, created = services.record_attendance(
            gathering=gathering,
            participant=enthusiast,
            recorded_by=world.people["facilitator"],
            method=Attendance.Method.FACILITATOR,
        )

        assert created
