"""Review of innovation projects: facilitators comment, approve or return; approval feeds the
programme's completion rule, and taking it back takes the unit's completion back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lup import completion
from lup.innovation import services
from lup.innovation.models import InnovationProject, ProjectReview
from lup.models import AuditEvent, UnitEnrolment
from lup.selectors import programme_target_progress
from tests.factories import UserFactory
from tests.lup.curriculum import build_curriculum
from tests.lup.test_completion import approve_team_assignment, do_everything

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def setup():
    """A unit whose programme requires an approved project, and a project for it."""
    setup = build_curriculum(team_size=1)
    rule = setup.cohort.programme.completion_rule
    rule.require_project_approval = True
    rule.save()
    setup.project = services.start_project(
        enrolment=setup.enrolment,
        title="Digitalt nattilsyn",
        need="Beboerne vekkes av nattlige runder.",
        audience="Beboere",
    )
    return setup


@pytest.fixture
def facilitator(setup):
    person = UserFactory(email="fasilitator@example.no")
    setup.cohort.facilitators.add(person)
    return person


def everyone_completes(setup, facilitator):
    approve_team_assignment(setup, setup.manager, facilitator)
    for person in (setup.manager, *setup.enthusiasts):
        do_everything(setup, person)


def review_url(setup):
    return reverse("lup:project-review", kwargs={"pk": setup.project.pk})


def enrolment_status(setup):
    setup.enrolment.refresh_from_db()
    return setup.enrolment.status


def post_review(client, person, setup, **data):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(person)
    return client.post(review_url(setup), {"point": "final", **data})


def test_approval_completes_a_unit_whose_people_have_completed(client, setup, facilitator):
    everyone_completes(setup, facilitator)
    assert enrolment_status(setup) == UnitEnrolment.Status.ENROLLED  # held back by the rule
    before = programme_target_progress(setup.cohort.programme).completed

    response = post_review(client, facilitator, setup, decision="approve", comment="Flott!")

    assert response["Location"] == reverse("lup:project-detail", kwargs={"pk": setup.project.pk})
    setup.project.refresh_from_db()
    assert setup.project.review_status == InnovationProject.Review.APPROVED
    assert setup.project.approved_at is not None
    assert enrolment_status(setup) == UnitEnrolment.Status.COMPLETED
    assert programme_target_progress(setup.cohort.programme).completed == before + 1


def test_an_approved_project_lets_the_unit_complete_when_its_people_finish_later(
    setup, facilitator
):
    services.review_project(
        project=setup.project, reviewer=facilitator, point="final", decision="approve"
    )
    assert enrolment_status(setup) == UnitEnrolment.Status.ENROLLED

    everyone_completes(setup, facilitator)

    assert enrolment_status(setup) == UnitEnrolment.Status.COMPLETED


def test_approval_alone_does_not_complete_a_unit_whose_people_have_not(setup, facilitator):
    services.review_project(
        project=setup.project, reviewer=facilitator, point="final", decision="approve"
    )

    assert enrolment_status(setup) == UnitEnrolment.Status.ENROLLED


def test_returning_an_approved_project_takes_the_units_completion_back_with_an_audit_entry(
    client, setup, facilitator
):
    everyone_completes(setup, facilitator)
    services.review_project(
        project=setup.project, reviewer=facilitator, point="final", decision="approve"
    )
    assert enrolment_status(setup) == UnitEnrolment.Status.COMPLETED

    post_review(client, facilitator, setup, decision="return", comment="Mangler gevinster.")

    setup.project.refresh_from_db()
    assert setup.project.review_status == InnovationProject.Review.RETURNED
    assert setup.project.approved_at is None
    assert enrolment_status(setup) == UnitEnrolment.Status.ENROLLED
    event = AuditEvent.objects.get(action=AuditEvent.Action.COMPLETION_WITHDRAWN)
    assert event.actor == facilitator
    assert event.details["unit"] == setup.enrolment.unit.name


def test_returning_leaves_the_unit_alone_when_the_programme_does_not_require_approval(
    setup, facilitator
):
    rule = setup.cohort.programme.completion_rule
    rule.require_project_approval = False
    rule.save()
    everyone_completes(setup, facilitator)
    services.review_project(
        project=setup.project, reviewer=facilitator, point="final", decision="approve"
    )

    services.review_project(
        project=setup.project, reviewer=facilitator, point="final", decision="return", comment="x"
    )

    assert enrolment_status(setup) == UnitEnrolment.Status.COMPLETED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.COMPLETION_WITHDRAWN).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "return", "comment": ""}, "Write a comment for the team."),
        ({"decision": "comment", "comment": "  "}, "Write a comment for the team."),
        ({"decision": "maybe"}, "Select a valid choice."),
        ({"decision": "approve", "point": "sometime"}, "Select a valid choice."),
    ],
)
def test_a_rejected_review_is_a_form_error_and_changes_nothing(
    client, setup, facilitator, data, message
):
    response = post_review(client, facilitator, setup, **data)

    assert response.status_code == 200
    assert message in response.content.decode()
    setup.project.refresh_from_db()
    assert setup.project.review_status == InnovationProject.Review.DRAFT
    assert not ProjectReview.objects.exists()


def test_approving_twice_is_refused(setup, facilitator):
    services.review_project(
        project=setup.project, reviewer=facilitator, point="final", decision="approve"
    )

    with pytest.raises(services.ValidationError):
        services.review_project(
            project=setup.project, reviewer=facilitator, point="final", decision="approve"
        )


def test_a_comment_is_shown_to_the_team(client, setup, facilitator):
    post_review(client, facilitator, setup, decision="comment", comment="Snakk med brukerne.")
    client.force_login(setup.manager)

    html = client.get(reverse("lup:project-detail", kwargs={"pk": setup.project.pk})).content

    assert "Snakk med brukerne." in html.decode()


def test_the_team_cannot_review_its_own_project(client, setup, facilitator):
    response = post_review(client, setup.manager, setup, decision="approve")

    assert response.status_code == 404
    setup.project.refresh_from_db()
    assert setup.project.review_status == InnovationProject.Review.DRAFT


def test_the_team_asks_for_review(client, setup):
    client.force_login(setup.enthusiasts[0])

    client.post(reverse("lup:project-submit", kwargs={"pk": setup.project.pk}))

    setup.project.refresh_from_db()
    assert setup.project.review_status == InnovationProject.Review.SUBMITTED


def test_the_project_requirement_hook(setup, facilitator):
    rule = setup.cohort.programme.completion_rule

    assert not completion.project_requirement_met(setup.enrolment, rule)
    services.review_project(
        project=setup.project, reviewer=facilitator, point="final", decision="approve"
    )
    assert completion.project_requirement_met(setup.enrolment, rule)
    rule.require_project_approval = False
    assert completion.project_requirement_met(setup.enrolment, rule)
