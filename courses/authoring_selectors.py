"""Reads of the curriculum editor, in a fixed number of queries however long the course."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from .models import Activity, Course, CourseImage, Module


@dataclass(frozen=True)
class OutlineModule:
    """A module in the editor's outline, with its activities in order."""

    module: Module
    activities: Sequence[Activity]
    first: bool
    last: bool


def curriculum_outline(course: Course) -> list[OutlineModule]:
    """The course's modules and activities in order (two queries). Each activity carries
    `done_count`, how many learners have completed it, and its H5P package."""
    activities = (
        Activity.objects.select_related("h5p_package")
        .annotate(done_count=Count("completions"))
        .order_by("position", "pk")
    )
    modules = list(
        Module.objects.filter(course=course)
        .order_by("position", "pk")
        .prefetch_related(Prefetch("activities", queryset=activities, to_attr="ordered"))
    )
    return [
        OutlineModule(
            module=module,
            activities=module.ordered,
            first=index == 0,
            last=index == len(modules) - 1,
        )
        for index, module in enumerate(modules)
    ]


def course_images(course: Course) -> list[CourseImage]:
    """The course's images for content pages, oldest first (one query)."""
    return list(CourseImage.objects.filter(course=course).order_by("pk"))


@dataclass(frozen=True)
class ImageUse:
    """Where a course's Markdown shows an image: its activities (content pages and
    assignments' instructions) and whether the course's own description does."""

    activities: Sequence[Activity]
    in_description: bool

    def __bool__(self) -> bool:
        return bool(self.activities) or self.in_description


def pages_using_image(image: CourseImage) -> ImageUse:
    """The Markdown of the image's course that refers to it by its file's address (one
    query, plus the course when it is not loaded): what deleting it would leave without it."""
    name = image.image.name
    if not name:
        return ImageUse(activities=[], in_description=False)
    activities = list(
        Activity.objects.filter(module__course_id=image.course_id)
        .filter(Q(body__contains=name) | Q(assignment__instructions__contains=name))
        .select_related("module")
        .order_by("module__position", "position", "pk")
    )
    return ImageUse(activities=activities, in_description=name in image.course.description)
