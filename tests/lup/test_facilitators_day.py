"""A facilitator's day: the home page shows their open cohorts with what waits for them
(answers and projects to review, gatherings without attendance) and links straight to it;
the review page names the unit, offers the next answer in the cohort's queue and goes on
to it after a review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Submission
from lup.innovation.models import InnovationProject
from lup.models import Attendance, Gathering
from tests.factories import (
    CohortFactory,
    InnovationProjectFactory,
    ParticipantFactory,
    UnitEnrolmentFactory,
    UserFactory,
)
from tests.lup.test_cohort_pages import submit
from tests.lup.test_cohort_pages import world as world

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def gathering(cohort, *, days_from_now: int, title: str) -> Gathering:
    starts = timezone.now() + dt.timedelta(days=days_from_now)
    return Gathering.objects.create(
        cohort=cohort, title=title, starts_at=starts, ends_at=starts + dt.timedelta(hours=3)
    )


def review_url(submission: Submission) -> str:
    return reverse("courses:submission-review", kwargs={"submission_id": submission.public_id})


def test_home_shows_what_waits_for_the_facilitator(client, world):
    cohort = world["cohort"]
    first = submit(world["assignment"], world["team_a"][1])
    earlier = submit(world["assignment"], world["team_b"][0], status="returned")  # reviewed
    Submission.objects.filter(pk=earlier.pk).update(attempt=0)
    submit(world["assignment"], world["team_b"][0])
    elsewhere = ParticipantFactory(enrolment=UnitEnrolmentFactory(cohort=CohortFactory()))
    submit(world["assignment"], elsewhere)  # another cohort's answer
    project = InnovationProjectFactory(
        enrolment=world["a"], review_status=InnovationProject.Review.SUBMITTED
    )
    InnovationProjectFactory(enrolment=world["b"])  # a draft waits for nobody
    recorded = gathering(cohort, days_from_now=-20, title="Samling 1")
    Attendance.objects.create(
        gathering=recorded, participant=world["team_a"][0], method=Attendance.Method.FACILITATOR
    )
    unrecorded = gathering(cohort, days_from_now=-2, title="Samling 2")
    gathering(cohort, days_from_now=10, title="Samling 3")  # not begun
    client.force_login(world["facilitator"])

    response = client.get(reverse("lup:home"))

    assert response.status_code == 200
    [shown] = response.context["facilitated"]
    assert (shown.answers_waiting, shown.projects_waiting, shown.unrecorded_gatherings) == (
        2,
        1,
        1,
    )
    html = response.content.decode()
    assert "2 answers waiting for review" in html
    assert f"{reverse('lup:cohort-grid', args=[cohort.pk])}#review-heading" in html
    assert reverse("lup:project-review", args=[project.pk]) in html
    assert reverse("lup:gathering-attendance", args=[unrecorded.pk]) in html
    assert "not registered in any cohort" not in html
    assert first.status == Submission.Status.SUBMITTED


def test_home_reads_every_cohort_in_one_query(client, world):
    """The facilitator's cohorts and all their counts: the same queries for one or three."""
    client.force_login(world["facilitator"])
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("lup:home"))
    for _ in range(2):
        other = CohortFactory(programme=world["cohort"].programme)
        other.facilitators.add(world["facilitator"])
        submit(
            world["assignment"], ParticipantFactory(enrolment=UnitEnrolmentFactory(cohort=other))
        )

    with CaptureQueriesContext(connection) as three:
        response = client.get(reverse("lup:home"))

    assert len(response.context["facilitated"]) == 3
    assert len(three) == len(one)


def test_home_leaves_out_closed_cohorts_and_others_facilitators(client, world):
    cohort = world["cohort"]
    someone_else = UserFactory(email="annen@example.no")
    client.force_login(someone_else)
    assert client.get(reverse("lup:home")).context["facilitated"] == []

    cohort.closed_at = timezone.now()
    cohort.save(update_fields=["closed_at"])
    client.force_login(world["facilitator"])
    assert client.get(reverse("lup:home")).context["facilitated"] == []


def test_the_review_page_names_the_unit_and_goes_on_to_the_next_answer(client, world):
    first = submit(world["assignment"], world["team_a"][1])
    second = submit(world["assignment"], world["team_b"][0])
    Submission.objects.filter(pk=second.pk).update(
        submitted_at=first.submitted_at + dt.timedelta(minutes=5)
    )
    client.force_login(world["facilitator"])
    queue = f"{reverse('lup:cohort-grid', args=[world['cohort'].pk])}#review-heading"

    page = client.get(review_url(first))

    html = page.content.decode()
    assert f"A-skolen, {world['cohort'].name}" in html
    assert f'href="{review_url(second)}"' in html  # "Next answer"
    assert f'href="{queue}"' in html  # "Back to the queue"
    assert "Back to the queue (2 waiting)" in html

    done = client.post(review_url(first), {"decision": "approve", "feedback": "Fint."})

    assert done.status_code == 302
    assert done["Location"] == review_url(second)
    first.refresh_from_db()
    assert first.status == Submission.Status.APPROVED

    last = client.post(review_url(second), {"decision": "return", "feedback": "Mer om brukerne."})

    assert last["Location"] == queue  # nothing left: back to the queue
    assert "Next answer" not in client.get(review_url(second)).content.decode()


def test_the_queue_is_the_reviewers_own_cohort(client, world):
    """Another cohort's answers are never offered as "next", even in the same course."""
    mine = submit(world["assignment"], world["team_a"][1])
    elsewhere = ParticipantFactory(enrolment=UnitEnrolmentFactory(cohort=CohortFactory()))
    theirs = submit(world["assignment"], elsewhere)
    client.force_login(world["facilitator"])

    html = client.get(review_url(mine)).content.decode()

    assert review_url(theirs) not in html
    assert "Next answer" not in html
