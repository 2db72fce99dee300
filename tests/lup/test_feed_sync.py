"""A system syncing the completions feed sees every change, whatever made it.

The feed answers `updated_since` from each participant row's `updated_at`, and each row
shows its unit's status. A consumer syncs everything once, keeps the newest `updated_at`
it saw, and next time asks for what changed after it. Here it does exactly that, around
each kind of change that moves a participant's or a unit's completion: the second sync
must return the rows that changed, with their new values, and nothing when nothing did.
(Before, a unit completed by a project approval, or withdrawn, never reached a consumer.)
"""

from __future__ import annotations

from typing import Any

import pytest

from courses import services as course_services
from lup import services
from lup.innovation.models import InnovationProject, ProjectReview
from lup.innovation.services import review_project, start_project, submit_for_review
from lup.models import CompletionRule, OrganisationMembership, Participant, UnitEnrolment
from lup.privacy.anonymise import anonymise_person
from lup.roles import ADMINISTRATORS_GROUP, ensure_role_groups
from tests.factories import UserFactory
from tests.lup.curriculum import Setup, build_curriculum
from tests.roles import with_two_factor

pytestmark = pytest.mark.django_db


class Consumer:
    """An HR system keeping a copy of the feed, synced incrementally."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.high_water: str | None = None
        self.rows: dict[str, dict[str, Any]] = {}

    def sync(self) -> list[dict[str, Any]]:
        params: dict[str, Any] = {
            "page_size": 2
        }  # small pages: the cursor is part of what is tried
        if self.high_water:
            params["updated_since"] = self.high_water
        url: str | None = "/api/v1/completions/"
        received: list[dict[str, Any]] = []
        while url:
            response = self.client.get(url, params if url == "/api/v1/completions/" else None)
            assert response.status_code == 200, response.content
            body = response.json()
            received.extend(body["results"])
            url = body["next"]
        for row in received:
            self.rows[row["id"]] = row
            if self.high_water is None or row["updated_at"] > self.high_water:
                self.high_water = row["updated_at"]
        return received


@pytest.fixture
def setup() -> Setup:
    return build_curriculum(team_size=1)


@pytest.fixture
def consumer(client, setup) -> Consumer:
    groups = ensure_role_groups()
    administrator = with_two_factor(UserFactory(email="hr-system@example.no", is_staff=True))
    administrator.groups.add(groups[ADMINISTRATORS_GROUP])
    OrganisationMembership.objects.create(
        organisation=setup.cohort.programme.organisation, user=administrator
    )
    client.force_login(administrator)
    consumer = Consumer(client)
    assert len(consumer.sync()) == 2  # the manager and the enthusiast
    assert consumer.sync() == []  # nothing changed since
    return consumer


def facilitator_of(setup: Setup) -> Any:
    facilitator = UserFactory(email=f"facilitator-{setup.cohort.pk}@example.no")
    setup.cohort.facilitators.add(facilitator)
    return facilitator


def finish_everything_but_the_page(setup: Setup, people: list[Any]) -> None:
    facilitator = facilitator_of(setup)
    submission = course_services.submit_assignment(
        user=setup.manager, assignment=setup.assignment, text="Vår brukerreise"
    )
    course_services.review_submission(submission=submission, reviewer=facilitator, approve=True)
    for person in people:
        services.record_attendance(
            gathering=setup.gathering,
            participant=setup.enrolment.participants.get(user=person),
            recorded_by=facilitator,
            method="facilitator",
        )


def team(setup: Setup) -> list[Any]:
    return [setup.manager, *setup.enthusiasts]


def public_id(setup: Setup, user: Any) -> str:
    return str(setup.enrolment.participants.get(user=user).public_id)


def test_an_activity_that_completes_the_unit_reaches_every_row_of_the_team(setup, consumer):
    finish_everything_but_the_page(setup, team(setup))
    consumer.sync()
    course_services.mark_done(user=setup.manager, activity=setup.page)
    first = consumer.sync()
    assert {row["id"] for row in first} == {public_id(setup, setup.manager)}
    assert first[0]["status"] == "completed"

    course_services.mark_done(user=setup.enthusiasts[0], activity=setup.page)
    second = {row["id"]: row for row in consumer.sync()}

    # The enthusiast completed, and with them the unit: both rows say so.
    assert set(second) == {public_id(setup, person) for person in team(setup)}
    assert {row["unit_status"] for row in second.values()} == {"completed"}
    assert all(row["unit_completed_at"] for row in second.values())


def test_a_project_approval_that_completes_the_unit_reaches_the_feed(setup, consumer):
    rule = CompletionRule.objects.get(programme=setup.cohort.programme)
    rule.require_project_approval = True
    rule.save()
    finish_everything_but_the_page(setup, team(setup))
    for person in team(setup):
        course_services.mark_done(user=person, activity=setup.page)
    project = start_project(
        enrolment=setup.enrolment, title="Nattilsyn", need="Søvn", audience="Beboere"
    )
    submit_for_review(project=project)
    consumer.sync()
    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.ENROLLED

    review_project(
        project=project,
        reviewer=facilitator_of(setup),
        point=ProjectReview.Point.FINAL,
        decision=ProjectReview.Decision.APPROVE,
    )
    rows = consumer.sync()

    # No participant changed: only their unit did. Every row of the team comes again.
    assert {row["id"] for row in rows} == {public_id(setup, person) for person in team(setup)}
    assert {row["unit_status"] for row in rows} == {"completed"}

    review_project(
        project=InnovationProject.objects.get(pk=project.pk),
        reviewer=setup.cohort.facilitators.first(),
        point=ProjectReview.Point.FINAL,
        decision=ProjectReview.Decision.RETURN,
        comment="Mangler gevinstberegning.",
    )
    rows = consumer.sync()
    assert {row["id"] for row in rows} == {public_id(setup, person) for person in team(setup)}
    assert {row["unit_status"] for row in rows} == {"enrolled"}


def test_a_withdrawn_activity_reaches_the_feed_with_the_units_withdrawal(setup, consumer):
    finish_everything_but_the_page(setup, team(setup))
    for person in team(setup):
        course_services.mark_done(user=person, activity=setup.page)
    consumer.sync()

    course_services.withdraw_completion(
        user=setup.enthusiasts[0], activity=setup.page, withdrawn_by=setup.manager
    )
    rows = {row["id"]: row for row in consumer.sync()}

    assert set(rows) == {public_id(setup, person) for person in team(setup)}
    assert rows[public_id(setup, setup.enthusiasts[0])]["status"] == "active"
    assert rows[public_id(setup, setup.manager)]["status"] == "completed"
    assert {row["unit_status"] for row in rows.values()} == {"enrolled"}


def test_removed_attendance_reaches_the_feed(setup, consumer):
    finish_everything_but_the_page(setup, team(setup))
    for person in team(setup):
        course_services.mark_done(user=person, activity=setup.page)
    consumer.sync()

    services.remove_attendance(
        gathering=setup.gathering,
        participant=setup.enrolment.participants.get(user=setup.manager),
        removed_by=setup.cohort.facilitators.first(),
    )
    rows = {row["id"]: row for row in consumer.sync()}

    assert rows[public_id(setup, setup.manager)]["status"] == "active"
    assert {row["unit_status"] for row in rows.values()} == {"enrolled"}
    assert set(rows) == {public_id(setup, person) for person in team(setup)}


def test_an_anonymised_person_reaches_the_feed_without_their_name(setup, consumer):
    actor = UserFactory(is_superuser=True)

    anonymise_person(person=setup.enthusiasts[0], actor=actor)
    rows = consumer.sync()

    assert [row["id"] for row in rows] == [public_id(setup, setup.enthusiasts[0])]
    person = rows[0]["person"]
    assert person["email"].endswith(services.ANONYMISED_EMAIL_DOMAIN)
    assert person["first_name"] == services.ANONYMISED_NAME
    assert person["last_name"] == ""


def test_nothing_changed_means_nothing_returned(setup, consumer):
    Participant.objects.filter(enrolment=setup.enrolment).count()  # a read changes nothing
    assert consumer.sync() == []


def test_a_rule_change_that_completes_the_unit_reaches_the_feed(
    setup, consumer, django_capture_on_commit_callbacks
):
    """The rule asked for two gatherings and the team attended one; lowering the minimum
    completes them through the re-check the change starts (a task, here run at once)."""
    rule = CompletionRule.objects.get(programme=setup.cohort.programme)
    rule.min_attendance = 2
    rule.save()
    finish_everything_but_the_page(setup, team(setup))
    for person in team(setup):
        course_services.mark_done(user=person, activity=setup.page)
    consumer.sync()
    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.ENROLLED

    with django_capture_on_commit_callbacks(execute=True):
        rule.min_attendance = 1
        rule.save()
    rows = consumer.sync()

    assert {row["id"] for row in rows} == {public_id(setup, person) for person in team(setup)}
    assert {row["status"] for row in rows} == {"completed"}
    assert {row["unit_status"] for row in rows} == {"completed"}


def test_closing_the_cohort_reaches_the_feed_as_not_completed(setup, consumer):
    consumer.sync()

    services.close_cohort(cohort=setup.cohort, closed_by=None)
    rows = consumer.sync()

    assert {row["id"] for row in rows} == {public_id(setup, person) for person in team(setup)}
    assert {row["unit_status"] for row in rows} == {"not_completed"}
    assert consumer.sync() == []
