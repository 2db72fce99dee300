"""The curriculum admin: authoring for administrators, learners' data only in their scope."""

import pytest
from django.urls import reverse

from courses import services
from courses.models import ActivityCompletion
from lup.models import OrganisationMembership, UnitEnrolment
from lup.roles import ensure_role_groups
from tests.factories import OrganisationFactory, UserFactory
from tests.lup.curriculum import build_curriculum

pytestmark = pytest.mark.django_db


def administrator_of(organisation):
    from allauth.mfa.totp.internal.auth import TOTP

    person = UserFactory(is_staff=True)
    person.groups.add(ensure_role_groups()["Programme administrators"])
    OrganisationMembership.objects.create(organisation=organisation, user=person)
    TOTP.activate(person, "JBSWY3DPEHPK3PXP")
    return person


@pytest.fixture
def completed_unit():
    setup = build_curriculum(team_size=1)
    facilitator = UserFactory()
    setup.cohort.facilitators.add(facilitator)
    submission = services.submit_assignment(
        user=setup.manager, assignment=setup.assignment, text="Svar"
    )
    services.review_submission(submission=submission, reviewer=facilitator, approve=True)
    from lup import services as lup_services

    for person in (setup.manager, setup.enthusiasts[0]):
        services.mark_done(user=person, activity=setup.page)
        lup_services.record_attendance(
            gathering=setup.gathering,
            participant=setup.enrolment.participants.get(user=person),
            recorded_by=facilitator,
            method="facilitator",
        )
    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.COMPLETED
    return setup


def test_withdrawing_a_completion_in_the_admin_moves_the_unit_back(client, completed_unit):
    setup = completed_unit
    client.force_login(administrator_of(setup.cohort.programme.organisation))
    completion = ActivityCompletion.objects.get(user=setup.enthusiasts[0], activity=setup.page)

    client.post(
        reverse("admin:courses_activitycompletion_changelist"),
        {"action": "withdraw", "_selected_action": [completion.pk]},
    )

    setup.enrolment.refresh_from_db()
    assert not ActivityCompletion.objects.filter(pk=completion.pk).exists()
    assert setup.enrolment.status == UnitEnrolment.Status.ENROLLED


def test_other_organisations_answers_and_courses_are_hidden(client, completed_unit):
    setup = completed_unit
    client.force_login(administrator_of(OrganisationFactory()))

    answers = client.get(reverse("admin:courses_submission_changelist"))
    courses = client.get(reverse("admin:courses_course_changelist"))

    assert answers.context["cl"].result_count == 0
    assert courses.context["cl"].result_count == 0
    client.force_login(administrator_of(setup.cohort.programme.organisation))
    assert (
        client.get(reverse("admin:courses_submission_changelist")).context["cl"].result_count == 1
    )
