"""A learner's progress through a course: next step, prerequisites, due dates, feedback,
read with the same number of queries however large the course."""

from __future__ import annotations

import datetime as dt

import pytest

from courses import services
from courses.models import Activity
from courses.selectors import course_progress
from tests.courses.factories import (
    ActivityFactory,
    AssignmentFactory,
    CourseFactory,
    EnrolmentFactory,
    ModuleFactory,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]

START = dt.date(2026, 8, 1)


@pytest.fixture
def course():
    """Two theory modules, the second after the first, and a practice module with an
    assignment; an optional link first of all."""
    course = CourseFactory()
    first = ModuleFactory(course=course, position=1, title="Innsikt", due_days_after_start=14)
    second = ModuleFactory(course=course, position=2, title="Idé", due_days_after_start=60)
    second.prerequisites.add(first)
    practice = ModuleFactory(course=course, position=3, title="Praksis", kind="practice")
    ActivityFactory(
        module=first, position=1, title="Les mer", kind="link", url="https://ks.no", required=False
    )
    ActivityFactory(module=first, position=2, title="Intervju")
    ActivityFactory(module=first, position=3, title="Observasjon")
    ActivityFactory(module=second, position=1, title="Idémyldring")
    AssignmentFactory(activity__module=practice, activity__position=1, activity__title="Reise")
    return course


@pytest.fixture
def learner(course):
    return EnrolmentFactory(course=course, starts_on=START).user


def titles(items) -> list[str]:
    return [item.activity.title for item in items]


def done(user, title):
    services.mark_done(user=user, activity=Activity.objects.get(title=title))


def test_modules_come_in_order_with_their_required_activities_counted(course, learner):
    done(learner, "Intervju")

    progress = course_progress(user=learner, course=course)

    assert [m.module.title for m in progress.modules] == ["Innsikt", "Idé", "Praksis"]
    innsikt = progress.modules[0]
    assert titles(innsikt.activities) == ["Les mer", "Intervju", "Observasjon"]
    assert (innsikt.done_count, innsikt.required_count, innsikt.percent) == (1, 2, 50)
    assert (progress.done_count, progress.required_count) == (1, 4)


def test_the_next_step_is_the_first_required_activity_not_done(course, learner):
    progress = course_progress(user=learner, course=course)

    assert progress.next_step.activity.title == "Intervju"  # the optional link is skipped
    assert progress.next_step_module.module.title == "Innsikt"


def test_a_module_waits_for_its_prerequisites(course, learner):
    done(learner, "Intervju")
    done(learner, "Observasjon")
    progress = course_progress(user=learner, course=course)
    assert progress.next_step.activity.title == "Idémyldring"

    other = EnrolmentFactory(course=course, starts_on=START).user
    done(other, "Intervju")
    progress = course_progress(user=other, course=course)
    assert progress.modules[1].prerequisites_done is False
    assert [m.title for m in progress.modules[1].prerequisites] == ["Innsikt"]
    assert progress.next_step.activity.title == "Observasjon"


def test_an_answer_waiting_for_review_is_never_the_next_step(course, learner):
    """The learner has sent "Reise"; the reviewer's turn. Nothing else left: no next step;
    returned for revision: it is the next step again."""
    for title in ("Intervju", "Observasjon", "Idémyldring"):
        done(learner, title)
    assignment = Activity.objects.get(title="Reise").assignment
    assert course_progress(user=learner, course=course).next_step.activity.title == "Reise"
    sent = services.submit_assignment(user=learner, assignment=assignment, text="v1")

    waiting = course_progress(user=learner, course=course)
    assert waiting.next_step is None
    assert titles(waiting.awaiting_review) == ["Reise"]

    services.review_submission(
        submission=sent, reviewer=UserFactory(is_superuser=True), approve=False, feedback="Mer"
    )
    assert course_progress(user=learner, course=course).next_step.activity.title == "Reise"


def test_when_everything_is_done_there_is_no_next_step(course, learner):
    for activity in Activity.objects.filter(kind="page"):
        services.mark_done(user=learner, activity=activity)
    services.record_completion(
        user=learner, activity=Activity.objects.get(title="Reise"), source="approved"
    )

    progress = course_progress(user=learner, course=course)

    assert progress.next_step is None
    assert progress.is_done


def test_due_dates_count_from_the_start(course, learner):
    progress = course_progress(user=learner, course=course)
    later = course_progress(user=learner, course=course, starts_on=dt.date(2026, 9, 1))

    assert progress.modules[0].due_at.date() == dt.date(2026, 8, 15)
    assert progress.modules[1].due_at.date() == dt.date(2026, 9, 30)
    assert progress.modules[2].due_at is None
    assert later.modules[0].due_at.date() == dt.date(2026, 9, 15)


def test_answers_returned_for_revision_wait_as_feedback_until_a_new_attempt(course, learner):
    assignment = Activity.objects.get(title="Reise").assignment
    reviewer = UserFactory(is_superuser=True)
    first = services.submit_assignment(user=learner, assignment=assignment, text="v1")
    assert titles(course_progress(user=learner, course=course).feedback_waiting) == []
    services.review_submission(
        submission=first, reviewer=reviewer, approve=False, feedback="Mer innsikt"
    )

    progress = course_progress(user=learner, course=course)
    [item] = progress.feedback_waiting
    assert item.activity.title == "Reise"
    assert item.submission.feedback == "Mer innsikt"

    services.submit_assignment(user=learner, assignment=assignment, text="v2")
    progress = course_progress(user=learner, course=course)
    assert progress.feedback_waiting == []
    assert progress.modules[2].activities[0].waiting_for_review


def test_someone_not_enrolled_has_no_enrolment_and_no_start(course):
    progress = course_progress(user=UserFactory(), course=course)

    assert progress.enrolment is None
    assert progress.modules[0].due_at is None


def build_course(activities: int):
    """A course of `activities` activities over three modules, with completions and answers."""
    course = CourseFactory()
    modules = [
        ModuleFactory(course=course, position=i, due_days_after_start=10 * i) for i in (1, 2, 3)
    ]
    modules[2].prerequisites.add(modules[0], modules[1])
    learner = EnrolmentFactory(course=course, starts_on=START).user
    reviewer = UserFactory(is_superuser=True)
    for index in range(activities):
        module = modules[index % 3]
        if index % 3 == 2:
            assignment = AssignmentFactory(activity__module=module, activity__position=index)
            submission = services.submit_assignment(
                user=learner, assignment=assignment, text=f"Svar {index}"
            )
            services.review_submission(
                submission=submission, reviewer=reviewer, approve=False, feedback="Mer"
            )
        else:
            activity = ActivityFactory(module=module, position=index)
            if index % 2:
                services.mark_done(user=learner, activity=activity)
    return course, learner


@pytest.mark.parametrize("activities", [3, 30])
def test_progress_takes_the_same_few_queries_for_3_or_30_activities(
    django_assert_max_num_queries, activities
):
    course, learner = build_course(activities)

    with django_assert_max_num_queries(6):
        progress = course_progress(user=learner, course=course)
        assert progress.next_step is not None
        assert len(progress.feedback_waiting) == activities // 3
        for module in progress.modules:
            for item in module.activities:
                assert item.activity.title
                assert item.activity.module_id == module.module.pk
