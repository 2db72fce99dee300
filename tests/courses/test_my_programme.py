"""lup's "My programme" page: a participant's curriculum with the next step first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses import services
from courses.models import Activity, Module
from lup.models import Participant, UnitEnrolment
from tests.factories import ParticipantFactory, UserFactory
from tests.lup.curriculum import build_curriculum

pytestmark = [pytest.mark.django_db]

URL = reverse("lup:my-programme")


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def setup():
    setup = build_curriculum()
    Module.objects.filter(title="Teori").update(due_days_after_start=14)
    return setup


def test_the_next_step_comes_first_then_the_modules(client, setup):
    client.force_login(setup.manager)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    next_step = html.index('id="next-step-heading"')
    assert next_step < html.index('id="modules-heading"')
    assert html.index("Hva er innovasjon?", next_step) < html.index('id="modules-heading"')
    assert reverse("courses:activity-detail", args=[setup.page.public_id]) in html
    assert "0 of 1 required activity done" in html
    assert "0 of 2 required activities done" in html
    # Due 14 days after the cohort's start (1 August), and that day has passed.
    theory = response.context["progress"].modules[0]
    assert theory.due_at.date() == dt.date(2026, 8, 15)
    assert "Past due" in html


def test_progress_moves_on_after_an_activity_is_done(client, setup):
    services.mark_done(user=setup.manager, activity=setup.page)
    client.force_login(setup.manager)

    response = client.get(URL)

    progress = response.context["progress"]
    assert progress.next_step.activity == setup.assignment.activity
    assert "1 of 1 required activity done" in response.content.decode()
    assert "You have done 1 of 3 required activities." in response.content.decode()


def test_feedback_on_the_team_answer_waits_for_every_member(client, setup):
    facilitator = UserFactory()
    setup.cohort.facilitators.add(facilitator)
    submission = services.submit_assignment(
        user=setup.manager, assignment=setup.assignment, text="v1"
    )
    services.review_submission(
        submission=submission, reviewer=facilitator, approve=False, feedback="Mer innsikt"
    )
    client.force_login(setup.enthusiasts[0])

    html = client.get(URL).content.decode()

    feedback = html.index('id="feedback-heading"')
    assert "Brukerreise" in html[feedback:]
    assert "Returned for revision" in html


def test_someone_without_a_cohort_is_told_so(client):
    client.force_login(UserFactory())

    response = client.get(URL)

    assert response.status_code == 200
    assert "You are not registered in any cohort yet" in response.content.decode()


def test_a_programme_without_a_curriculum_says_so(client):
    participant = ParticipantFactory(role=Participant.Role.MANAGER)
    client.force_login(participant.user)

    assert "no curriculum on this platform yet" in client.get(URL).content.decode()


def test_a_withdrawn_unit_is_not_the_current_programme(client, setup):
    UnitEnrolment.objects.filter(pk=setup.enrolment.pk).update(
        status=UnitEnrolment.Status.WITHDRAWN
    )
    client.force_login(setup.manager)

    assert "You are not registered in any cohort yet" in client.get(URL).content.decode()


def test_anonymous_visitors_are_asked_to_sign_in(client):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_home_links_participants_to_their_programme(client, setup):
    client.force_login(setup.manager)

    html = client.get(reverse("lup:home")).content.decode()

    assert f'href="{URL}"' in html
    assert "Go to my programme" in html


def test_the_page_takes_the_same_queries_for_a_larger_curriculum(client, setup):
    client.force_login(setup.manager)
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    module = Module.objects.get(title="Teori")
    for position in range(10, 40):
        Activity.objects.create(
            module=module, position=position, title=f"Side {position}", kind="page"
        )
    with CaptureQueriesContext(connection) as large:
        client.get(URL)

    assert len(large) == len(small)


def test_the_next_step_moves_past_an_answer_waiting_for_review(client, setup):
    services.mark_done(user=setup.manager, activity=setup.page)
    services.submit_assignment(user=setup.manager, assignment=setup.assignment, text="Reisen")
    client.force_login(setup.manager)

    response = client.get(URL)

    progress = response.context["progress"]
    assert progress.next_step.activity == setup.attendance  # not "Brukerreise", now waiting
    assert [item.activity for item in progress.awaiting_review] == [setup.assignment.activity]
