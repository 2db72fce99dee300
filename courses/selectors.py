"""Reads of `courses` that span several models, written for a fixed number of queries.

`course_progress` answers a learner's question "where am I, and what next?": every
module in order with its activities and what the learner has done, due dates from
their start, the next step, and answers returned with feedback. It runs six queries
whatever the size of the course: enrolment, modules, prerequisites, activities,
completions and submissions.

What a finished module is, and when a module is due, is decided here (and in
`services.due_on`/`due_at`) for every reader: `module_finished` says whether a learner
who has completed `done` of a module's `required` activities has finished it;
`module_outline` (one query) and `required_done_counts` (one query) give the same
answer for many learners at once, for a host app's team or cohort overviews.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from .adapter import get_adapter
from .models import (
    Activity,
    ActivityCompletion,
    Assignment,
    Course,
    Enrolment,
    H5PAttempt,
    Module,
    RubricCriterion,
    Submission,
)
from .services import due_at, due_on


def module_finished(*, done: int, required: int) -> bool:
    """A learner has finished a module when they have completed every required activity of
    it (`done` of its `required`); a module with no required activity is finished."""
    return done >= required


@dataclass
class ActivityProgress:
    """One activity and where the learner is with it."""

    activity: Activity
    done: bool
    completed_at: dt.datetime | None = None
    # The latest answer to an assignment by the learner or their team, if any.
    submission: Submission | None = None
    # For an H5P activity: the learner's best scaled score (0–1), if any.
    h5p_best_scaled: float | None = None

    @property
    def waiting_for_review(self) -> bool:
        return self.submission is not None and self.submission.status == Submission.Status.SUBMITTED

    @property
    def returned(self) -> bool:
        return (
            not self.done
            and self.submission is not None
            and self.submission.status == Submission.Status.RETURNED
        )


@dataclass
class ModuleProgress:
    """A module with its activities, its prerequisites and its due date for the learner."""

    module: Module
    activities: list[ActivityProgress]
    prerequisites: list[Module]
    prerequisites_done: bool
    due_at: dt.datetime | None

    @property
    def required(self) -> list[ActivityProgress]:
        return [item for item in self.activities if item.activity.required]

    @property
    def required_count(self) -> int:
        return len(self.required)

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.required if item.done)

    @property
    def is_done(self) -> bool:
        return module_finished(done=self.done_count, required=self.required_count)

    @property
    def percent(self) -> int:
        if not self.required_count:
            return 100
        return round(100 * self.done_count / self.required_count)

    @property
    def overdue(self) -> bool:
        return self.due_at is not None and not self.is_done and timezone.now() > self.due_at


@dataclass
class CourseProgress:
    """A learner's progress through a course."""

    course: Course
    enrolment: Enrolment | None
    starts_on: dt.date | None
    modules: list[ModuleProgress]
    next_step: ActivityProgress | None = None
    next_step_module: ModuleProgress | None = None
    feedback_waiting: list[ActivityProgress] = field(default_factory=list)

    @property
    def required_count(self) -> int:
        return sum(module.required_count for module in self.modules)

    @property
    def done_count(self) -> int:
        return sum(module.done_count for module in self.modules)

    @property
    def percent(self) -> int:
        if not self.required_count:
            return 0
        return round(100 * self.done_count / self.required_count)

    @property
    def is_done(self) -> bool:
        return bool(self.required_count) and self.done_count == self.required_count

    @property
    def awaiting_review(self) -> list[ActivityProgress]:
        """Required activities whose answer waits for a reviewer (never a next step)."""
        return [
            item
            for module in self.modules
            for item in module.required
            if not item.done and item.waiting_for_review
        ]


def _latest_submissions(user: Any, course: Course) -> dict[int, Submission]:
    """The newest answer per assignment that covers the learner (alone or with a team)."""
    latest: dict[int, Submission] = {}
    submissions = (
        Submission.objects.filter(members=user, assignment__activity__module__course=course)
        .select_related("assignment")
        .order_by("submitted_at", "attempt")
    )
    for submission in submissions:
        latest[submission.assignment.activity_id] = submission
    return latest


def course_progress(
    *, user: Any, course: Course, starts_on: dt.date | None = None
) -> CourseProgress:
    """Where `user` is in `course`. Due dates count from `starts_on` (the learner's
    enrolment start unless given, e.g. their cohort's start)."""
    enrolment = Enrolment.objects.filter(course=course, user=user).first()
    if starts_on is None and enrolment is not None:
        starts_on = enrolment.starts_on
    modules = list(Module.objects.filter(course=course).order_by("position", "pk"))
    by_pk = {module.pk: module for module in modules}
    prerequisites: dict[int, list[Module]] = {module.pk: [] for module in modules}
    links = Module.prerequisites.through.objects.filter(from_module__course=course).values_list(
        "from_module_id", "to_module_id"
    )
    for module_id, prerequisite_id in links:
        if prerequisite_id in by_pk:
            prerequisites[module_id].append(by_pk[prerequisite_id])
    best_scores = H5PAttempt.objects.filter(activity=OuterRef("pk"), user_id=user.pk)
    activities = list(
        Activity.objects.filter(module__course=course)
        .select_related("assignment")
        .annotate(h5p_best_scaled=Subquery(best_scores.values("best_score_scaled")[:1]))
        .order_by("module__position", "module_id", "position", "pk")
    )
    completed = dict(
        ActivityCompletion.objects.filter(user=user, activity__module__course=course).values_list(
            "activity_id", "completed_at"
        )
    )
    latest = _latest_submissions(user, course)

    items: dict[int, list[ActivityProgress]] = {module.pk: [] for module in modules}
    for activity in activities:
        items[activity.module_id].append(
            ActivityProgress(
                activity=activity,
                done=activity.pk in completed,
                completed_at=completed.get(activity.pk),
                submission=latest.get(activity.pk),
                h5p_best_scaled=getattr(activity, "h5p_best_scaled", None),
            )
        )

    def module_done(module: Module) -> bool:
        required = [item for item in items[module.pk] if item.activity.required]
        return module_finished(
            done=sum(1 for item in required if item.done), required=len(required)
        )

    progress = CourseProgress(course=course, enrolment=enrolment, starts_on=starts_on, modules=[])
    for module in modules:
        progress.modules.append(
            ModuleProgress(
                module=module,
                activities=items[module.pk],
                prerequisites=prerequisites[module.pk],
                prerequisites_done=all(module_done(other) for other in prerequisites[module.pk]),
                due_at=(
                    due_at(starts_on, module.due_days_after_start)
                    if starts_on is not None
                    else None
                ),
            )
        )
    for module_progress in progress.modules:
        if not module_progress.prerequisites_done:
            continue
        # An answer waiting for review is the reviewer's turn, not the learner's next step.
        step = next(
            (
                item
                for item in module_progress.required
                if not item.done and not item.waiting_for_review
            ),
            None,
        )
        if step is not None:
            progress.next_step, progress.next_step_module = step, module_progress
            break
    progress.feedback_waiting = [
        item for module in progress.modules for item in module.activities if item.returned
    ]
    return progress


@dataclass(frozen=True)
class ModuleOutline:
    """A module of a course and the number of its required activities."""

    module: Module
    required: int

    def due_on(self, starts_on: dt.date) -> dt.date | None:
        """The module's due day for learners who start on `starts_on` (None: no due date)."""
        return due_on(starts_on, self.module.due_days_after_start)


def module_outline(course_id: int) -> list[ModuleOutline]:
    """One query: the course's modules in order, each with its number of required activities."""
    modules = (
        Module.objects.filter(course_id=course_id)
        .annotate(required_count=Count("activities", filter=Q(activities__required=True)))
        .order_by("position", "pk")
    )
    return [ModuleOutline(module=module, required=module.required_count) for module in modules]


def required_done_counts(course_id: int, users: Any) -> dict[tuple[int, int], int]:
    """One query: (user id, module id) -> how many of the module's required activities the
    user has completed, for `users` (user ids, or a queryset of them) in the course.
    Pairs with nothing completed are absent."""
    rows = (
        ActivityCompletion.objects.filter(
            activity__module__course_id=course_id, activity__required=True, user_id__in=users
        )
        .order_by()
        .values_list("user_id", "activity__module_id")
        .annotate(done=Count("pk"))
    )
    return {(user_id, module_id): done for user_id, module_id, done in rows}


@dataclass
class RubricLevel:
    criterion: str
    level: str


@dataclass
class SubmissionView:
    """An answer as a learner or reviewer reads it, with its rubric levels named."""

    submission: Submission
    rubric: list[RubricLevel]
    # Whether the reader may download the file (a member who joined the team later may not).
    can_download: bool = True


@dataclass
class ActivityState:
    """What an activity page shows a learner: their enrolment, whether they are done, and
    for an assignment its due date, rubric and the answers of the learner or their team."""

    activity: Activity
    enrolment: Enrolment
    completion: ActivityCompletion | None
    previous: Activity | None
    next: Activity | None
    assignment: Assignment | None = None
    due_at: dt.datetime | None = None
    criteria: list[RubricCriterion] = field(default_factory=list)
    submissions: list[SubmissionView] = field(default_factory=list)
    # For an H5P activity: the learner's statements so far and best score, if any.
    h5p_attempt: H5PAttempt | None = None

    @property
    def done(self) -> bool:
        return self.completion is not None

    @property
    def waiting(self) -> Submission | None:
        return next(
            (
                view.submission
                for view in self.submissions
                if view.submission.status == Submission.Status.SUBMITTED
            ),
            None,
        )

    @property
    def approved(self) -> Submission | None:
        return next(
            (
                view.submission
                for view in self.submissions
                if view.submission.status == Submission.Status.APPROVED
            ),
            None,
        )

    @property
    def closed(self) -> bool:
        """The deadline has passed and the assignment takes no more answers."""
        return bool(
            self.assignment is not None
            and self.assignment.closes_at_due
            and self.due_at is not None
            and timezone.now() > self.due_at
        )

    @property
    def late(self) -> bool:
        return self.due_at is not None and timezone.now() > self.due_at

    @property
    def can_submit(self) -> bool:
        return (
            self.assignment is not None
            and self.waiting is None
            and self.approved is None
            and not self.closed
        )


def enrolled_activities(user: Any) -> Any:
    """Activities of the courses `user` is enrolled in (others are not found)."""
    return Activity.objects.filter(module__course__enrolments__user_id=user.pk).select_related(
        "module__course"
    )


def enrolled_courses(user: Any) -> Any:
    """Courses `user` is enrolled in."""
    return Course.objects.filter(enrolments__user_id=user.pk)


def _with_rubric(
    submissions: list[Submission], criteria: list[RubricCriterion]
) -> list[SubmissionView]:
    titles = {str(criterion.pk): criterion.title for criterion in criteria}
    order = [str(criterion.pk) for criterion in criteria]
    return [
        SubmissionView(
            submission=submission,
            rubric=[
                RubricLevel(criterion=titles[key], level=submission.rubric_levels[key])
                for key in order
                if key in (submission.rubric_levels or {})
            ],
        )
        for submission in submissions
    ]


def activity_state(*, user: Any, activity: Activity) -> ActivityState:
    """The learner's view of one activity of a course they are enrolled in."""
    course_id = activity.module.course_id
    enrolment = Enrolment.objects.get(course_id=course_id, user=user)
    completion = ActivityCompletion.objects.filter(activity=activity, user=user).first()
    order = list(
        Activity.objects.filter(module__course_id=course_id)
        .order_by("module__position", "module_id", "position", "pk")
        .only("pk", "public_id", "title", "kind")
    )
    index = next(i for i, other in enumerate(order) if other.pk == activity.pk)
    state = ActivityState(
        activity=activity,
        enrolment=enrolment,
        completion=completion,
        previous=order[index - 1] if index > 0 else None,
        next=order[index + 1] if index + 1 < len(order) else None,
    )
    if activity.kind == Activity.Kind.H5P:
        state.h5p_attempt = H5PAttempt.objects.filter(activity=activity, user=user).first()
    if activity.kind != Activity.Kind.ASSIGNMENT:
        return state
    assignment = Assignment.objects.filter(activity=activity).first()
    if assignment is None:
        return state
    state.assignment = assignment
    state.due_at = due_at(enrolment.starts_on, assignment.due_days_after_start)
    state.criteria = list(assignment.criteria.all())
    group_key, _members = get_adapter().team_for(user, assignment)
    submissions = list(
        Submission.objects.filter(assignment=assignment)
        .filter(Q(group_key=group_key) | Q(members=user))
        .select_related("submitted_by")
        .prefetch_related("members")
        .distinct()
        .order_by("-submitted_at", "-attempt")
    )
    state.submissions = _with_rubric(submissions, state.criteria)
    adapter = get_adapter()
    for view in state.submissions:
        view.can_download = bool(view.submission.file) and adapter.can_see_submission(
            user, view.submission
        )
    return state


@dataclass
class ReviewState:
    """What a reviewer sees: the answer, who it covers, and the team's earlier attempts."""

    submission: Submission
    members: list[Any]
    criteria: list[RubricCriterion]
    earlier: list[SubmissionView]
    rubric: list[RubricLevel]

    @property
    def waiting(self) -> bool:
        return self.submission.status == Submission.Status.SUBMITTED


def review_state(*, submission: Submission) -> ReviewState:
    criteria = list(submission.assignment.criteria.all())
    earlier = list(
        Submission.objects.filter(
            assignment_id=submission.assignment_id, group_key=submission.group_key
        )
        .exclude(pk=submission.pk)
        .select_related("submitted_by")
        .order_by("-attempt")
    )
    [current] = _with_rubric([submission], criteria)
    return ReviewState(
        submission=submission,
        members=list(submission.members.all()),
        criteria=criteria,
        earlier=_with_rubric(earlier, criteria),
        rubric=current.rubric,
    )
