"""courses services: completions once, submissions validated before anything is stored,
and the review flow."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from courses import services
from courses.models import ActivityCompletion, RubricCriterion, Submission
from courses.signals import activity_completed
from tests.factories import UserFactory
from tests.lup.curriculum import build_curriculum

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def setup():
    return build_curriculum()


@pytest.fixture
def facilitator(setup):
    person = UserFactory()
    setup.cohort.facilitators.add(person)
    return person


def stored_files(settings) -> list:
    from pathlib import Path

    root = Path(settings.COURSES_PRIVATE_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_a_completion_is_recorded_and_announced_once(setup):
    heard = []
    activity_completed.connect(lambda **kwargs: heard.append(kwargs["user"]), weak=False)
    try:
        first = services.mark_done(user=setup.manager, activity=setup.page)
        again = services.mark_done(user=setup.manager, activity=setup.page)
    finally:
        activity_completed.receivers.pop()

    assert first[1] is True
    assert again == (first[0], False)
    assert heard == [setup.manager]


def test_only_pages_and_links_are_marked_done_and_only_by_learners(setup):
    with pytest.raises(ValidationError):
        services.mark_done(user=setup.manager, activity=setup.assignment.activity)
    with pytest.raises(PermissionDenied):
        services.mark_done(user=UserFactory(), activity=setup.page)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("reise.exe", b"MZ\x90\x00", "not accepted"),
        ("reise.svg", b"<svg onload=alert(1)>", "not accepted"),
        ("reise.pdf", b"GIF89a not a pdf", "does not match"),
        ("reise.txt", b"text\x00binary", "binary"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(setup, settings, name, content, message):
    upload = SimpleUploadedFile(name, content)

    with pytest.raises(ValidationError, match=message):
        services.submit_assignment(user=setup.manager, assignment=setup.assignment, upload=upload)

    assert not Submission.objects.exists()
    assert stored_files(settings) == []


def test_too_large_files_are_refused(setup, settings):
    settings.COURSES_SUBMISSION_MAX_BYTES = 10
    upload = SimpleUploadedFile("reise.pdf", b"%PDF-1.7 " + b"x" * 20)

    with pytest.raises(ValidationError, match="larger than"):
        services.submit_assignment(user=setup.manager, assignment=setup.assignment, upload=upload)
    assert stored_files(settings) == []


def test_an_empty_answer_is_refused(setup):
    with pytest.raises(ValidationError, match="Write an answer"):
        services.submit_assignment(user=setup.manager, assignment=setup.assignment, text="  ")


def test_a_closed_deadline_refuses_and_an_open_one_marks_late(setup):
    assignment = setup.assignment
    assignment.due_days_after_start = 0
    assignment.save()
    from courses.models import Enrolment

    Enrolment.objects.filter(user=setup.manager).update(starts_on=dt.date(2020, 1, 1))
    late = services.submit_assignment(user=setup.manager, assignment=assignment, text="Sent")
    assert late.late is True
    late.delete()

    assignment.closes_at_due = True
    assignment.save()
    with pytest.raises(ValidationError, match="deadline has passed"):
        services.submit_assignment(user=setup.manager, assignment=assignment, text="For sent")
    assert not Submission.objects.exists()


def test_a_double_submit_creates_one_record(setup):
    services.submit_assignment(user=setup.manager, assignment=setup.assignment, text="Svar")

    with pytest.raises(ValidationError, match="already waiting"):
        services.submit_assignment(
            user=setup.enthusiasts[0], assignment=setup.assignment, text="Svar igjen"
        )
    assert Submission.objects.count() == 1


def test_return_then_resubmit_then_approve(setup, facilitator):
    first = services.submit_assignment(
        user=setup.manager, assignment=setup.assignment, text="Utkast"
    )
    with pytest.raises(ValidationError, match="what to improve"):
        services.review_submission(submission=first, reviewer=facilitator, approve=False)

    returned = services.review_submission(
        submission=first, reviewer=facilitator, approve=False, feedback="Ta med brukerne."
    )
    second = services.submit_assignment(
        user=setup.enthusiasts[0], assignment=setup.assignment, text="Bedre"
    )
    approved = services.review_submission(submission=second, reviewer=facilitator, approve=True)

    assert (returned.status, returned.feedback) == ("returned", "Ta med brukerne.")
    assert (second.attempt, approved.status) == (2, "approved")
    assert ActivityCompletion.objects.filter(activity=setup.assignment.activity).count() == 3
    with pytest.raises(ValidationError, match="already approved"):
        services.submit_assignment(user=setup.manager, assignment=setup.assignment, text="Mer")
    with pytest.raises(ValidationError, match="already been reviewed"):
        services.review_submission(submission=second, reviewer=facilitator, approve=True)


def test_only_the_cohorts_facilitators_review(setup):
    submission = services.submit_assignment(
        user=setup.manager, assignment=setup.assignment, text="Svar"
    )
    stranger = UserFactory()

    with pytest.raises(PermissionDenied):
        services.review_submission(submission=submission, reviewer=stranger, approve=True)
    assert Submission.objects.get().status == "submitted"


def test_rubric_levels_must_come_from_the_rubric(setup, facilitator):
    criterion = RubricCriterion.objects.create(
        assignment=setup.assignment, title="Brukerinnsikt", levels=["Svak", "God", "Sterk"]
    )
    submission = services.submit_assignment(
        user=setup.manager, assignment=setup.assignment, text="Svar"
    )

    with pytest.raises(ValidationError, match="rubric"):
        services.review_submission(
            submission=submission,
            reviewer=facilitator,
            approve=True,
            rubric_levels={str(criterion.pk): "Utmerket"},
        )
    reviewed = services.review_submission(
        submission=submission,
        reviewer=facilitator,
        approve=True,
        rubric_levels={str(criterion.pk): "God"},
    )
    assert reviewed.rubric_levels == {str(criterion.pk): "God"}


def test_individual_assignments_are_per_learner(facilitator):
    setup = build_curriculum(team_assignment=False)
    setup.cohort.facilitators.add(facilitator)

    mine = services.submit_assignment(user=setup.manager, assignment=setup.assignment, text="A")
    theirs = services.submit_assignment(
        user=setup.enthusiasts[0], assignment=setup.assignment, text="B"
    )
    services.review_submission(submission=mine, reviewer=facilitator, approve=True)

    assert list(mine.members.all()) == [setup.manager]
    assert theirs.group_key != mine.group_key
    assert not ActivityCompletion.objects.filter(
        user=setup.enthusiasts[0], activity=setup.assignment.activity
    ).exists()
