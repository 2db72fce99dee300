"""Completion at event time: a participant, then their unit, completes the moment the
last required activity is done; withdrawals move the figures back with an audit entry."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from courses import services as course_services
from courses.models import ActivityCompletion, Enrolment
from lup import services
from lup.models import AuditEvent, Participant, UnitEnrolment
from lup.selectors import programme_target_progress
from tests.factories import UserFactory
from tests.lup.curriculum import build_curriculum

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def do_everything(setup, person):
    course_services.mark_done(user=person, activity=setup.page)
    participant = setup.enrolment.participants.get(user=person)
    services.record_attendance(
        gathering=setup.gathering, participant=participant, recorded_by=person, method="facilitator"
    )


def approve_team_assignment(setup, author, reviewer):
    submission = course_services.submit_assignment(
        user=author, assignment=setup.assignment, text="Vår brukerreise"
    )
    return course_services.review_submission(submission=submission, reviewer=reviewer, approve=True)


def status(setup, person) -> str:
    return setup.enrolment.participants.get(user=person).status


@pytest.fixture
def setup():
    return build_curriculum()


@pytest.fixture
def facilitator(setup):
    person = UserFactory(email="fasilitator@example.no")
    setup.cohort.facilitators.add(person)
    return person


def test_participants_are_enrolled_in_the_curriculum_from_the_cohort_start(setup):
    enrolment = Enrolment.objects.get(user=setup.manager)

    assert enrolment.starts_on == setup.cohort.starts_on


def test_a_team_approval_completes_the_assignment_for_every_member(setup, facilitator):
    approve_team_assignment(setup, setup.enthusiasts[0], facilitator)

    team = [setup.manager, *setup.enthusiasts]
    assert ActivityCompletion.objects.filter(activity=setup.assignment.activity).count() == len(
        team
    )


def test_the_unit_completes_the_moment_the_rule_holds(setup, facilitator):
    programme = setup.cohort.programme
    before = programme_target_progress(programme).completed
    approve_team_assignment(setup, setup.manager, facilitator)
    do_everything(setup, setup.manager)
    assert status(setup, setup.manager) == Participant.Status.COMPLETED
    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.ENROLLED  # no enthusiast yet

    do_everything(setup, setup.enthusiasts[0])  # the last required activity

    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.COMPLETED
    assert setup.enrolment.completed_at is not None
    assert programme_target_progress(programme).completed == before + 1


def test_optional_activities_are_not_needed(setup, facilitator):
    approve_team_assignment(setup, setup.manager, facilitator)
    do_everything(setup, setup.manager)

    assert not ActivityCompletion.objects.filter(user=setup.manager, activity=setup.optional)
    assert status(setup, setup.manager) == Participant.Status.COMPLETED


def test_minimum_attendance_is_part_of_the_rule(setup, facilitator):
    rule = setup.cohort.programme.completion_rule
    rule.min_attendance = 2
    rule.save()
    approve_team_assignment(setup, setup.manager, facilitator)

    do_everything(setup, setup.manager)  # attended one gathering of two

    assert status(setup, setup.manager) == Participant.Status.ACTIVE


def test_a_required_project_approval_holds_the_unit_back(setup, facilitator):
    rule = setup.cohort.programme.completion_rule
    rule.require_project_approval = True
    rule.save()
    approve_team_assignment(setup, setup.manager, facilitator)
    for person in (setup.manager, setup.enthusiasts[0]):
        do_everything(setup, person)

    setup.enrolment.refresh_from_db()
    assert status(setup, setup.manager) == Participant.Status.COMPLETED
    assert setup.enrolment.status == UnitEnrolment.Status.ENROLLED


def test_withdrawing_a_completion_moves_the_figures_back_with_an_audit_entry(setup, facilitator):
    programme = setup.cohort.programme
    approve_team_assignment(setup, setup.manager, facilitator)
    for person in (setup.manager, setup.enthusiasts[0]):
        do_everything(setup, person)
    completed = programme_target_progress(programme).completed

    course_services.withdraw_completion(
        user=setup.enthusiasts[0], activity=setup.page, withdrawn_by=facilitator
    )

    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.ENROLLED
    assert setup.enrolment.completed_at is None
    assert status(setup, setup.enthusiasts[0]) == Participant.Status.ACTIVE
    assert programme_target_progress(programme).completed == completed - 1
    events = AuditEvent.objects.filter(action=AuditEvent.Action.COMPLETION_WITHDRAWN)
    assert events.count() == 2  # the participant and the unit
    assert {event.actor for event in events} == {facilitator}

    course_services.mark_done(user=setup.enthusiasts[0], activity=setup.page)  # done again

    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.COMPLETED


@pytest.mark.parametrize("team_size", [2, 30])
def test_recording_a_completion_runs_a_fixed_number_of_queries(
    facilitator, team_size, django_assert_max_num_queries
):
    setup = build_curriculum(team_size=team_size)
    setup.cohort.facilitators.add(facilitator)
    approve_team_assignment(setup, setup.manager, facilitator)
    do_everything(setup, setup.manager)
    course_services.mark_done(user=setup.enthusiasts[0], activity=setup.page)
    participant = setup.enrolment.participants.get(user=setup.enthusiasts[0])
    services.record_attendance(
        gathering=setup.gathering,
        participant=participant,
        recorded_by=facilitator,
        method="facilitator",
    )
    course_services.withdraw_completion(
        user=setup.enthusiasts[0], activity=setup.attendance, withdrawn_by=facilitator
    )

    # The completion that makes the participant and the unit complete, end to end.
    with django_assert_max_num_queries(25):
        course_services.record_completion(
            user=setup.enthusiasts[0], activity=setup.attendance, source="attendance"
        )

    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == UnitEnrolment.Status.COMPLETED


def test_attendance_twice_is_one_record(setup, facilitator):
    participant = setup.enrolment.participants.get(user=setup.manager)
    for _ in range(2):
        services.record_attendance(
            gathering=setup.gathering,
            participant=participant,
            recorded_by=facilitator,
            method="facilitator",
        )

    assert participant.attendances.count() == 1


def test_a_file_submission_for_the_team(setup, settings, tmp_path):
    settings.COURSES_PRIVATE_ROOT = str(tmp_path)
    upload = SimpleUploadedFile("reise.pdf", b"%PDF-1.7 brukerreise")

    submission = course_services.submit_assignment(
        user=setup.enthusiasts[1], assignment=setup.assignment, upload=upload
    )

    assert submission.file_name == "reise.pdf"
    assert submission.group_key == f"enrolment-{setup.enrolment.pk}"
    assert set(submission.members.all()) == {setup.manager, *setup.enthusiasts}
    with pytest.raises(ValueError, match="no URL"):
        submission.file.url  # noqa: B018  (never served from a public URL)
    assert (tmp_path / submission.file.name).exists()


def test_a_check_in_code_with_any_characters_is_just_invalid(setup):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="not valid"):
        services.check_in(gathering=setup.gathering, user=setup.manager, code="blåbær-ø")
