"""Everything the project page shows, in a fixed number of queries (nine whatever the
project's size: members, timeline, phases, canvas, benefits, measurements, phase updates,
pilot start, reviews)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch

from ...models import Participant
from .. import services
from ..models import (
    Benefit,
    BenefitUpdate,
    CanvasVersion,
    InnovationProject,
    PhaseChange,
    ProjectPhase,
    ProjectReview,
)
from .benefits import BenefitView, assemble_benefit_view
from .canvas import latest_canvas


@dataclass(frozen=True)
class TimelineEntry:
    """A phase the project entered, and when; `current` marks the latest."""

    phase: ProjectPhase
    entered_on: dt.date
    note: str
    changed_by: Any
    current: bool


@dataclass(frozen=True)
class ProjectPage:
    """What the project page shows (see `project_page`)."""

    project: InnovationProject
    members: list[Participant]
    timeline: list[TimelineEntry]
    phases: list[ProjectPhase]
    canvas: CanvasVersion | None
    benefits: list[BenefitView]
    reviews: list[ProjectReview]
    pilot_started_on: dt.date | None
    next_due: dt.date | None
    # The phase the project finished last, and its benefits not yet updated for it.
    finished_phase: ProjectPhase | None = None
    pending_updates: list[Benefit] | None = None


def project_page(project: InnovationProject) -> ProjectPage:
    """What the project page shows, in a fixed number of queries."""
    members = list(
        project.members.select_related("user").order_by(
            "role", "user__last_name", "user__first_name"
        )
    )
    changes = list(
        PhaseChange.objects.filter(project=project)
        .select_related("phase", "changed_by")
        .order_by("entered_on", "recorded_at")
    )
    timeline = [
        TimelineEntry(
            phase=change.phase,
            entered_on=change.entered_on,
            note=change.note,
            changed_by=change.changed_by,
            current=index == len(changes) - 1,
        )
        for index, change in enumerate(changes)
    ]
    phases: list[ProjectPhase] = []
    if project.enrolment is not None:
        phases = list(
            ProjectPhase.objects.filter(
                programme_id=project.enrolment.cohort.programme_id
            ).order_by("position")
        )
    pilot_started_on = min(
        (change.entered_on for change in changes if change.phase.starts_pilot), default=None
    )
    due = services.due_dates(pilot_started_on)
    canvas = latest_canvas(project)
    benefits = list(
        Benefit.objects.filter(project=project)
        .select_related("owner_person")
        .prefetch_related(
            "measurements",
            Prefetch(
                "updates",
                queryset=BenefitUpdate.objects.select_related("phase").order_by(
                    "measured_on", "pk"
                ),
            ),
        )
        .order_by("created_at", "pk")
    )
    finished = services.finished_phase_from(changes)
    pending = (
        [
            benefit
            for benefit in benefits
            if not any(update.phase_id == finished.pk for update in benefit.updates.all())
        ]
        if finished is not None and project.enrolment_id is not None
        else []
    )
    views = [
        assemble_benefit_view(
            benefit, sorted(benefit.measurements.all(), key=lambda m: m.measured_on), due
        )
        for benefit in benefits
    ]
    reviews = reviews_of(project)
    upcoming = [view.next_due for view in views if view.next_due is not None]
    return ProjectPage(
        project=project,
        members=members,
        timeline=timeline,
        phases=phases,
        canvas=canvas,
        benefits=views,
        reviews=reviews,
        pilot_started_on=pilot_started_on,
        next_due=min(upcoming, default=None),
        finished_phase=finished,
        pending_updates=pending,
    )


def reviews_of(project: InnovationProject) -> list[ProjectReview]:
    """The project's reviews, newest first."""
    return list(
        ProjectReview.objects.filter(project=project)
        .select_related("reviewer")
        .order_by("-created_at", "-pk")
    )
