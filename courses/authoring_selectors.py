"""Reads of the curriculum editor, in a fixed number of queries however long the course."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Prefetch

from .models import Activity, Course, Module


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
