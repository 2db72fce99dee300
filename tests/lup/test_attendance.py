"""Attendance: facilitators tick who is here on a phone; participants check in with a QR code.

Attending completes the gathering's attendance activity, and with it (when the rest of
the rule is met) the participant and their unit, at that moment.
"""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import services as course_services
from courses.models import ActivityCompletion
from lup import services
from lup.models import Attendance, Gathering, OrganisationMembership, Participant, UnitEnrolment
from lup.services.attendance import current_check_in_code
from tests.conftest import administrator_permissions
from tests.factories import CohortFactory, UserFactory
from tests.lup.curriculum import build_curriculum
from tests.roles import with_two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def setup():
    """The curriculum, with its gathering under way: attendance is taken only once it has
    started (tests/lup/test_check_in_codes.py tries it earlier)."""
    setup = build_curriculum(team_size=1)
    setup.gathering.starts_at = timezone.now() - dt.timedelta(hours=1)
    setup.gathering.ends_at = timezone.now() + dt.timedelta(hours=5)
    setup.gathering.save()
    return setup


@pytest.fixture
def facilitator(setup):
    person = UserFactory(email="fasilitator@example.no")
    setup.cohort.facilitators.add(person)
    return person


def participant(setup, person) -> Participant:
    return setup.enrolment.participants.get(user=person)


def attendance_url(gathering) -> str:
    return reverse("lup:gathering-attendance", kwargs={"pk": gathering.pk})


def everything_but_attendance(setup, facilitator) -> None:
    for person in (setup.manager, *setup.enthusiasts):
        course_services.mark_done(user=person, activity=setup.page)
    submission = course_services.submit_assignment(
        user=setup.manager, assignment=setup.assignment, text="Vår brukerreise"
    )
    course_services.review_submission(submission=submission, reviewer=facilitator, approve=True)


def on(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def gathering_today(setup):
    """A gathering running all of today (local time) that completes the attendance activity."""
    today = timezone.localdate()
    return Gathering.objects.create(
        cohort=setup.cohort,
        kind=Gathering.Kind.SESSION,
        title="Samling 2",
        starts_at=on(today, 0) + dt.timedelta(minutes=1),
        ends_at=on(today, 23) + dt.timedelta(minutes=59),
        activity=setup.attendance,
    )


# The facilitator's attendance list ----------------------------------------------------------


def test_facilitator_sees_the_cohort_grouped_by_unit(client, setup, facilitator):
    client.force_login(facilitator)

    response = client.get(attendance_url(setup.gathering))

    assert response.status_code == 200
    sheet = response.context["sheet"]
    assert [group.enrolment for group in sheet.groups] == [setup.enrolment]
    names = {entry.participant.user for entry in sheet.groups[0].entries}
    assert names == {setup.manager, *setup.enthusiasts}
    for person in (setup.manager, *setup.enthusiasts):
        assert f'value="{participant(setup, person).pk}"' in response.content.decode()


def test_recording_attendance_completes_the_activity_and_then_the_unit(client, setup, facilitator):
    everything_but_attendance(setup, facilitator)
    assert setup.enrolment.status == UnitEnrolment.Status.ENROLLED
    client.force_login(facilitator)
    present = [participant(setup, person).pk for person in (setup.manager, *setup.enthusiasts)]

    response = client.post(attendance_url(setup.gathering), {"present": present})

    assert response.status_code == 302
    assert Attendance.objects.filter(gathering=setup.gathering).count() == 2
    assert ActivityCompletion.objects.filter(activity=setup.attendance).count() == 2
    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.COMPLETED
    assert participant(setup, setup.manager).status == Participant.Status.COMPLETED
    page = client.get(response["Location"])
    assert "Attendance saved: 2 present." in page.content.decode()


def test_submitting_the_same_form_twice_records_each_person_once(client, setup, facilitator):
    client.force_login(facilitator)
    manager = participant(setup, setup.manager)

    for _ in range(2):
        client.post(attendance_url(setup.gathering), {"present": [manager.pk]})

    assert Attendance.objects.filter(gathering=setup.gathering, participant=manager).count() == 1
    assert (
        ActivityCompletion.objects.filter(activity=setup.attendance, user=setup.manager).count()
        == 1
    )
    assert Attendance.objects.get(participant=manager).method == Attendance.Method.FACILITATOR


def test_unticking_removes_the_attendance_and_its_completion(client, setup, facilitator):
    manager = participant(setup, setup.manager)
    services.record_attendance(
        gathering=setup.gathering,
        participant=manager,
        recorded_by=facilitator,
        method="facilitator",
    )
    client.force_login(facilitator)

    client.post(attendance_url(setup.gathering), {"was_present": [manager.pk]})

    assert not Attendance.objects.filter(participant=manager).exists()
    assert not ActivityCompletion.objects.filter(activity=setup.attendance).exists()


def test_saving_an_old_form_keeps_people_who_checked_in_meanwhile(client, setup, facilitator):
    """The form changes only what it showed: a check-in after it was loaded stays."""
    manager = participant(setup, setup.manager)
    enthusiast = participant(setup, setup.enthusiasts[0])
    client.force_login(facilitator)
    client.get(attendance_url(setup.gathering))  # loaded with nobody present
    services.record_attendance(
        gathering=setup.gathering, participant=enthusiast, recorded_by=None, method="check_in"
    )

    client.post(attendance_url(setup.gathering), {"present": [manager.pk]})

    assert set(
        Attendance.objects.filter(gathering=setup.gathering).values_list("participant", flat=True)
    ) == {manager.pk, enthusiast.pk}


def test_people_of_another_cohort_cannot_be_marked(client, setup, facilitator):
    stranger = build_curriculum(team_size=1)
    outsider = stranger.enrolment.participants.first()
    client.force_login(facilitator)

    client.post(attendance_url(setup.gathering), {"present": [outsider.pk, "nonsense"]})

    assert not Attendance.objects.exists()


def test_facilitator_of_another_cohort_gets_404_and_stores_nothing(client, setup):
    other = CohortFactory(programme=setup.cohort.programme, name="LUP annet")
    somebody_else = UserFactory(email="annen.fasilitator@example.no")
    other.facilitators.add(somebody_else)
    client.force_login(somebody_else)
    manager = participant(setup, setup.manager)

    assert client.get(attendance_url(setup.gathering)).status_code == 404
    assert client.post(attendance_url(setup.gathering), {"present": [manager.pk]}).status_code == (
        404
    )
    qr = reverse("lup:gathering-qr", kwargs={"pk": setup.gathering.pk})
    assert client.get(qr).status_code == 404
    assert not Attendance.objects.exists()


def test_participants_and_hr_may_not_take_attendance(client, setup):
    """They see the cohort, so the page exists for them: 403, never a silent change."""
    from lup.roles import HR_GROUP, ensure_role_groups

    hr = with_two_factor(UserFactory(email="hr@example.no"))
    hr.groups.add(ensure_role_groups()[HR_GROUP])
    OrganisationMembership.objects.create(organisation=setup.cohort.programme.organisation, user=hr)
    manager = participant(setup, setup.manager)
    for person in (setup.manager, setup.enthusiasts[0], hr):
        client.force_login(person)
        assert client.get(attendance_url(setup.gathering)).status_code == 403
        assert client.post(
            attendance_url(setup.gathering), {"present": [manager.pk]}
        ).status_code == (403)
    assert not Attendance.objects.exists()


def test_administrator_of_the_organisation_may_take_attendance(client, setup):
    administrator = UserFactory(email="admin@example.no")
    administrator.user_permissions.add(*administrator_permissions())
    OrganisationMembership.objects.create(
        organisation=setup.cohort.programme.organisation, user=administrator
    )
    client.force_login(administrator)

    assert client.get(attendance_url(setup.gathering)).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, setup):
    response = client.get(attendance_url(setup.gathering))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# The QR code and checking in ----------------------------------------------------------------


def check_in_url(gathering, code: str | None = None) -> str:
    """The address in the QR code now (the rotating code), or with another code."""
    code = code or current_check_in_code(gathering)[0]
    return reverse("lup:check-in", kwargs={"pk": gathering.pk, "code": code})


def test_qr_page_shows_the_code_with_a_text_alternative_and_the_address(client, setup, facilitator):
    client.force_login(facilitator)

    response = client.get(reverse("lup:gathering-qr", kwargs={"pk": setup.gathering.pk}))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="img"' in html
    assert "aria-label=" in html
    assert "<svg" in html
    assert "<?xml" not in html
    assert f"http://testserver{check_in_url(setup.gathering)}" in html
    assert setup.gathering.check_in_code not in html  # the secret behind the codes


def test_participant_checks_in_on_the_day_with_the_right_code(client, setup, gathering_today):
    client.force_login(setup.manager)
    url = check_in_url(gathering_today)

    confirm = client.get(url)
    response = client.post(url)

    assert confirm.status_code == 200
    assert "check-in-button" in confirm.content.decode()
    assert response.status_code == 302
    attendance = Attendance.objects.get(gathering=gathering_today)
    assert attendance.participant == participant(setup, setup.manager)
    assert attendance.method == Attendance.Method.CHECK_IN
    assert ActivityCompletion.objects.filter(activity=setup.attendance, user=setup.manager).exists()
    after = client.get(response["Location"])
    assert "You are checked in. Welcome!" in after.content.decode()
    assert 'id="checked-in"' in after.content.decode()
    client.post(url)  # scanning again changes nothing
    assert Attendance.objects.filter(gathering=gathering_today).count() == 1


def test_a_wrong_code_is_refused_without_showing_the_gathering(client, setup, gathering_today):
    client.force_login(setup.manager)
    url = check_in_url(gathering_today, "not-the-code")

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 404
        assert "This check-in code is not valid or has expired." in response.content.decode()
        assert gathering_today.title not in response.content.decode()
    assert client.post(check_in_url(gathering_today, "æøå")).status_code == 404
    assert not Attendance.objects.exists()
    assert not ActivityCompletion.objects.exists()


def test_check_in_on_another_day_is_refused(client, setup):
    setup.gathering.starts_at = on(timezone.localdate() + dt.timedelta(days=1), 9)
    setup.gathering.ends_at = setup.gathering.starts_at + dt.timedelta(hours=6)
    setup.gathering.save()
    client.force_login(setup.manager)
    url = check_in_url(setup.gathering)  # today's code of tomorrow's gathering

    confirm = client.get(url)
    response = client.post(url)

    assert "Check-in opens at" in confirm.content.decode()
    assert "check-in-button" not in confirm.content.decode()
    assert response.status_code == 200
    assert "Check-in opens at" in response.content.decode()
    assert not Attendance.objects.exists()
    assert not ActivityCompletion.objects.exists()


def test_someone_outside_the_cohort_cannot_check_in(client, gathering_today):
    outsider = UserFactory(email="utenfor@example.no")
    client.force_login(outsider)

    response = client.post(check_in_url(gathering_today))

    assert response.status_code == 200
    assert "You are not registered in this gathering's cohort." in unescape(
        response.content.decode()
    )
    assert not Attendance.objects.exists()
    assert not ActivityCompletion.objects.exists()


def test_check_in_asks_anonymous_visitors_to_sign_in_first(client, gathering_today):
    url = check_in_url(gathering_today)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=" in response["Location"]


def test_unticking_at_a_gathering_without_an_activity_checks_the_rule_again(
    client, setup, facilitator
):
    """The rule counts attendance (a minimum of two gatherings); the second gathering has no
    attendance activity of its own. Unticking someone there must take back the completion
    it gave, theirs and their unit's, with an audit entry: before, nothing was re-checked."""
    from lup.models import AuditEvent, CompletionRule

    rule = CompletionRule.objects.get(programme=setup.cohort.programme)
    rule.min_attendance = 2
    rule.save()
    extra = Gathering.objects.create(
        cohort=setup.cohort,
        kind=Gathering.Kind.SESSION,
        title="Samling uten aktivitet",
        starts_at=timezone.now() - dt.timedelta(hours=2),
        ends_at=timezone.now() + dt.timedelta(hours=2),
    )
    everything_but_attendance(setup, facilitator)
    team = [participant(setup, person) for person in (setup.manager, *setup.enthusiasts)]
    for gathering in (setup.gathering, extra):
        for member in team:
            services.record_attendance(
                gathering=gathering,
                participant=member,
                recorded_by=facilitator,
                method="facilitator",
            )
    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.COMPLETED
    client.force_login(facilitator)

    keep = [member.pk for member in team if member.user != setup.manager]
    response = client.post(
        attendance_url(extra), {"was_present": [member.pk for member in team], "present": keep}
    )

    assert response.status_code == 302
    manager = participant(setup, setup.manager)
    assert manager.status == Participant.Status.ACTIVE
    assert manager.completed_at is None
    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.ENROLLED
    withdrawn = AuditEvent.objects.filter(action=AuditEvent.Action.COMPLETION_WITHDRAWN)
    assert withdrawn.filter(subject=setup.manager, details__reason="attendance removed").exists()
    assert withdrawn.filter(details__unit=setup.enrolment.unit.name).exists()


# Finding people on a phone ------------------------------------------------------------------


@pytest.fixture
def second_unit(setup):
    """Another unit in the cohort, with Åse Ødegård on its team."""
    from tests.factories import ParticipantFactory, ServiceUnitFactory, UnitEnrolmentFactory

    enrolment = UnitEnrolmentFactory(
        cohort=setup.cohort,
        unit=ServiceUnitFactory(organisation=setup.cohort.programme.organisation, name="Ø-huset"),
    )
    person = UserFactory(email="ase@example.no", first_name="Åse", last_name="Ødegård")
    return ParticipantFactory(enrolment=enrolment, user=person)


def test_the_list_narrows_to_a_name_or_a_unit(client, setup, facilitator, second_unit):
    client.force_login(facilitator)
    url = attendance_url(setup.gathering)

    by_name = client.get(url, {"q": "ødegå"})  # any case, Norwegian letters
    by_unit = client.get(url, {"unit": second_unit.enrolment_id})
    by_email = client.get(url, {"q": setup.manager.email.upper()})

    assert [
        entry.participant for group in by_name.context["groups"] for entry in group.entries
    ] == [second_unit]
    assert [group.enrolment for group in by_unit.context["groups"]] == [second_unit.enrolment]
    assert [
        entry.participant.user for group in by_email.context["groups"] for entry in group.entries
    ] == [setup.manager]
    html = by_name.content.decode()
    assert f'id="present-{second_unit.pk}"' in html
    assert f'id="present-{participant(setup, setup.manager).pk}"' not in html
    assert "Show everyone" in html
    assert "Nobody matches" in client.get(url, {"q": "ingen slik"}).content.decode()


@pytest.mark.parametrize("unit", ["abc", "-1", "99999999", "1" * 40])
def test_a_nonsense_unit_filter_shows_nothing_and_fails_nothing(client, setup, facilitator, unit):
    client.force_login(facilitator)

    response = client.get(attendance_url(setup.gathering), {"unit": unit, "q": "x" * 500})

    assert response.status_code == 200


def test_saving_a_narrowed_list_keeps_the_marks_of_everyone_else(
    client, setup, facilitator, second_unit
):
    """Only the people shown are on the form: ticking Åse leaves the manager's mark."""
    manager = participant(setup, setup.manager)
    services.record_attendance(
        gathering=setup.gathering,
        participant=manager,
        recorded_by=facilitator,
        method="facilitator",
    )
    client.force_login(facilitator)
    narrowed = f"{attendance_url(setup.gathering)}?q=%C3%85se"

    response = client.post(narrowed, {"present": [second_unit.pk]})

    assert response.status_code == 302
    assert response["Location"] == narrowed  # back to the same narrowed list
    present = set(
        Attendance.objects.filter(gathering=setup.gathering).values_list(
            "participant_id", flat=True
        )
    )
    assert present == {manager.pk, second_unit.pk}
