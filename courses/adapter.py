"""The adapter through which a host project tells `courses` what it cannot know itself.

Set COURSES_ADAPTER to a subclass of DefaultCoursesAdapter (as with allauth's adapters).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils.module_loading import import_string

from . import app_settings

# Who may open the authoring pages at all; which courses, the adapter's `can_edit_course`.
EDIT_COURSE_PERMISSION = "courses.change_course"


@dataclass(frozen=True)
class ReviewQueue:
    """Where a reviewer works through answers: the queue's page and its waiting answers.

    `waiting` are submissions in the order the reviewer takes them (oldest first); the
    review page offers the next one after the current and a way back to `url`."""

    url: str
    waiting: Sequence[Any]


class DefaultCoursesAdapter:
    """Everyone learns alone: a team is just the learner."""

    def team_for(self, user: Any, assignment: Any) -> tuple[str, list[Any]]:
        """The key naming the learner's team for this assignment, and its members."""
        return f"user-{user.pk}", [user]

    def can_review(self, reviewer: Any, submission: Any) -> bool:
        """Whether `reviewer` may review `submission` (default: staff with the permission)."""
        return bool(reviewer.has_perm("courses.change_submission"))

    def submitted_for(self, submission: Any) -> str:
        """Who an answer is from as the host names them (a unit, a team) for its reviewer;
        "" when the learner's name says it all (default)."""
        return ""

    def review_queue(self, reviewer: Any, submission: Any) -> ReviewQueue | None:
        """The queue `reviewer` reviews `submission` from, or None (default: no queue; the
        review page then offers no "next answer")."""
        return None

    def visible_courses(self, user: Any) -> Any:
        """The courses `user` may see in the admin, as a queryset, or None for all."""
        return None

    def editable_courses(self, user: Any) -> Any:
        """The courses whose content `user` may change (the course, its modules, activities,
        assignments and images), as a queryset, or None for all (default: those visible).

        A host that shares courses between organisations narrows this to the courses the
        person's organisation owns; the others see the course read-only and still use it."""
        return self.visible_courses(user)

    def can_edit_course(self, user: Any, course: Any) -> bool:
        """Whether `user` may edit the curriculum of `course` on the authoring pages
        (`courses.authoring_views`): its modules, activities, assignments and rubrics.

        Default: signed in, with the permission to change courses, and the course among
        `editable_courses`. A host narrows it (LUP: the owner organisation's programme
        administrators)."""
        if not user.is_authenticated or not user.has_perm(EDIT_COURSE_PERMISSION):
            return False
        return may_edit_course(user, course.pk)

    def h5p_packages_for(self, user: Any, course: Any) -> Any:
        """The uploaded H5P packages `user` may show in an activity of `course`, as a
        queryset, or None for every package (default)."""
        return None

    def course_created(self, user: Any, course: Any) -> None:
        """Called after `user` created `course` (in the admin); a host may record an owner."""

    def visible_learners(self, user: Any) -> Any:
        """The learners whose submissions and completions `user` may see in the admin, as a
        queryset of users, or None for everyone (default: staff see everyone)."""
        return None

    def can_see_submission(self, user: Any, submission: Any) -> bool:
        """Whether `user` may read a submission and download its file."""
        return user.pk in {member.pk for member in submission.members.all()} or self.can_review(
            user, submission
        )


def may_edit_course(user: Any, course_id: int) -> bool:
    """Whether the adapter lets `user` change the content of the course with this id."""
    courses = get_adapter().editable_courses(user)
    return courses is None or courses.filter(pk=course_id).exists()


def limit_to_editable(queryset: Any, user: Any, course_field: str) -> Any:
    """`queryset` narrowed to rows whose course (at `course_field`, "" for courses
    themselves) `user` may change."""
    courses = get_adapter().editable_courses(user)
    if courses is None:
        return queryset
    lookup = f"{course_field}__in" if course_field else "pk__in"
    return queryset.filter(**{lookup: courses.values("pk")})


@cache
def _adapter_class(path: str) -> type[DefaultCoursesAdapter]:
    return import_string(path)


def get_adapter() -> DefaultCoursesAdapter:
    return _adapter_class(app_settings.ADAPTER())()
