"""Reads of the project workspace, each with a fixed number of queries.

- `project_page`: everything the project page shows (eight queries whatever the project's
  size: members, timeline, phases, canvas, benefits, measurements, pilot start, reviews).
- `benefit_rollup`: a programme's benefits summed by type and unit of measure, in one query.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from .. import permissions, scoping
from ..models import Cohort, Participant, Programme, UnitEnrolment
from . import services
from .charts import BenefitChart, benefit_chart
from .models import (
    Benefit,
    BenefitMeasurement,
    BenefitType,
    CanvasVersion,
    InnovationProject,
    MeasureUnit,
    PhaseChange,
    ProjectPhase,
    ProjectReview,
)

# Who may start a project for an enrolment: the same people who may edit its project once it
# exists (see scoping.editable_projects_for): the team, its facilitators, its administrators.


def startable_enrolments_for(user: Any) -> QuerySet[UnitEnrolment]:
    """Enrolments whose project the user may start (mirrors editable_projects_for)."""
    enrolments = UnitEnrolment.objects.select_related(
        "unit", "cohort__programme__organisation"
    ).exclude(status=UnitEnrolment.Status.WITHDRAWN)
    if not user.is_authenticated:
        return enrolments.none()
    if user.is_superuser:
        return enrolments
    scope = Q(pk__in=scoping._team_enrolments(user)) | Q(
        pk__in=scoping._facilitated_enrolments(user)
    )
    if user.has_perm("lup.change_innovationproject"):
        scope |= Q(cohort__programme__organisation__in=permissions.member_organisations(user))
    return enrolments.filter(scope)


def team_of(enrolment: UnitEnrolment) -> QuerySet[Participant]:
    """The people who may be on the project team: the unit's team in the cohort."""
    return (
        Participant.objects.current()
        .filter(enrolment=enrolment)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name")
    )


def benefit_programmes_for(user: Any) -> QuerySet[Programme]:
    """Programmes whose benefit roll-up the user may read: those whose dashboard they see
    (administrators, HR) and those they facilitate a cohort of."""
    programmes = Programme.objects.select_related("organisation")
    if not user.is_authenticated:
        return programmes.none()
    if user.is_superuser:
        return programmes
    facilitated = Cohort.facilitators.through.objects.filter(
        cohort__programme_id=OuterRef("pk"), user_id=user.pk
    )
    return programmes.filter(
        Q(pk__in=scoping.programmes_for(user).values("pk")) | Q(Exists(facilitated))
    )


# The project page


@dataclass(frozen=True)
class TimelineEntry:
    phase: ProjectPhase
    entered_on: dt.date
    note: str
    changed_by: Any
    current: bool


@dataclass(frozen=True)
class BenefitView:
    benefit: Benefit
    measurements: list[BenefitMeasurement]
    chart: BenefitChart
    realised: Decimal | None
    expected: Decimal
    next_due: dt.date | None

    @property
    def latest(self) -> BenefitMeasurement | None:
        return self.measurements[-1] if self.measurements else None

    @property
    def reached(self) -> bool:
        return self.realised is not None and self.realised >= self.expected


@dataclass(frozen=True)
class ProjectPage:
    project: InnovationProject
    members: list[Participant]
    timeline: list[TimelineEntry]
    phases: list[ProjectPhase]
    canvas: CanvasVersion | None
    benefits: list[BenefitView]
    reviews: list[ProjectReview]
    pilot_started_on: dt.date | None
    next_due: dt.date | None


def oriented(benefit: Benefit, value: Decimal) -> Decimal:
    """How far `value` has moved from the baseline in the direction of the target."""
    change = value - benefit.baseline_value
    return change if benefit.higher_is_better else -change


def _benefit_view(
    benefit: Benefit, measurements: list[BenefitMeasurement], due: list[dt.date]
) -> BenefitView:
    latest = measurements[-1] if measurements else None
    return BenefitView(
        benefit=benefit,
        measurements=measurements,
        chart=benefit_chart(
            baseline_on=benefit.baseline_on,
            baseline_value=benefit.baseline_value,
            target_value=benefit.target_value,
            target_on=benefit.target_on,
            measurements=[(m.measured_on, m.value) for m in measurements],
        ),
        realised=oriented(benefit, latest.value) if latest else None,
        expected=oriented(benefit, benefit.target_value),
        next_due=services.next_due_date(due, [m.measured_on for m in measurements]),
    )


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
    canvas = (
        CanvasVersion.objects.filter(project=project)
        .select_related("saved_by")
        .order_by("-number")
        .first()
    )
    benefits = list(
        Benefit.objects.filter(project=project)
        .prefetch_related("measurements")
        .order_by("created_at", "pk")
    )
    views = [
        _benefit_view(benefit, sorted(benefit.measurements.all(), key=lambda m: m.measured_on), due)
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
    )


def reviews_of(project: InnovationProject) -> list[ProjectReview]:
    """The project's reviews, newest first."""
    return list(
        ProjectReview.objects.filter(project=project)
        .select_related("reviewer")
        .order_by("-created_at", "-pk")
    )


def benefit_view(benefit: Benefit) -> BenefitView:
    """One benefit with its measurements and chart (three queries)."""
    measurements = list(benefit.measurements.select_related("recorded_by").order_by("measured_on"))
    pilot = PhaseChange.objects.filter(project_id=benefit.project_id, phase__starts_pilot=True)
    started = pilot.aggregate(first=Min("entered_on"))["first"]
    return _benefit_view(benefit, measurements, services.due_dates(started))


# Canvas history


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "added" or "removed"
    text: str


@dataclass(frozen=True)
class FieldComparison:
    key: str
    label: str
    before: str
    after: str
    segments: list[Segment]

    @property
    def changed(self) -> bool:
        return self.before != self.after


def word_diff(before: str, after: str) -> list[Segment]:
    """The words removed and added between two texts, for an inline diff."""
    old, new = before.split(" "), after.split(" ")
    segments: list[Segment] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(Segment("same", " ".join(old[a1:a2])))
            continue
        if a2 > a1:
            segments.append(Segment("removed", " ".join(old[a1:a2])))
        if b2 > b1:
            segments.append(Segment("added", " ".join(new[b1:b2])))
    return segments


def compare_canvas(
    fields: list[tuple[str, str, str]],
    before: dict[str, str],
    after: dict[str, str],
) -> list[FieldComparison]:
    """Field by field comparison of two canvas versions (the programme's fields first, then
    any field kept from an earlier configuration)."""
    labels = {key: label for key, label, _help in fields}
    keys = [key for key, _label, _help in fields]
    keys += sorted((set(before) | set(after)) - set(keys))
    return [
        FieldComparison(
            key=key,
            label=labels.get(key, key),
            before=before.get(key, ""),
            after=after.get(key, ""),
            segments=word_diff(before.get(key, ""), after.get(key, "")),
        )
        for key in keys
    ]


def canvas_history(project: InnovationProject) -> list[CanvasVersion]:
    return list(
        CanvasVersion.objects.filter(project=project).select_related("saved_by").order_by("-number")
    )


# The programme's benefits, rolled up


@dataclass
class RollupRow:
    type: str
    type_label: str
    unit_of_measure: str
    unit_label: str
    summable: bool
    benefits: int = 0
    measured: int = 0
    reached: int = 0
    projects: set[int] = field(default_factory=set)
    expected: Decimal = Decimal(0)
    realised: Decimal = Decimal(0)


@dataclass(frozen=True)
class BenefitRollup:
    programme: Programme
    rows: list[RollupRow]
    projects: int
    projects_with_benefits: int
    benefits: int
    measured: int
    today: dt.date


def benefit_rollup(programme: Programme) -> BenefitRollup:
    """The programme's benefits by type and unit of measure, in two queries.

    Realised is the latest measurement minus the baseline, turned so that movement towards
    the target counts positive; expected is the target minus the baseline, turned the same
    way. Only hours and kroner per year are summed across projects: adding up per cents or
    scores from different indicators would mean nothing, so for those only counts are shown.
    """
    latest = BenefitMeasurement.objects.filter(benefit=OuterRef("pk")).order_by("-measured_on")
    rows = (
        Benefit.objects.filter(
            project__enrolment__cohort__programme=programme,
        )
        .exclude(project__enrolment__status=UnitEnrolment.Status.WITHDRAWN)
        .annotate(latest_value=Subquery(latest.values("value")[:1]))
        .values(
            "project_id",
            "type",
            "unit_of_measure",
            "baseline_value",
            "target_value",
            "latest_value",
        )
        .order_by()
    )
    summable = MeasureUnit.summable()
    grouped: dict[tuple[str, str], RollupRow] = {}
    types, units = dict(BenefitType.choices), dict(MeasureUnit.choices)
    projects_with_benefits: set[int] = set()
    measured = 0
    for row in rows:
        key = (row["type"], row["unit_of_measure"])
        if key not in grouped:
            grouped[key] = RollupRow(
                type=row["type"],
                type_label=str(types.get(row["type"], row["type"])),
                unit_of_measure=row["unit_of_measure"],
                unit_label=str(units.get(row["unit_of_measure"], row["unit_of_measure"])),
                summable=row["unit_of_measure"] in summable,
            )
        entry = grouped[key]
        benefit = Benefit(baseline_value=row["baseline_value"], target_value=row["target_value"])
        entry.benefits += 1
        entry.projects.add(row["project_id"])
        projects_with_benefits.add(row["project_id"])
        entry.expected += oriented(benefit, row["target_value"])
        if row["latest_value"] is not None:
            realised = oriented(benefit, row["latest_value"])
            entry.measured += 1
            measured += 1
            entry.realised += realised
            if realised >= oriented(benefit, row["target_value"]):
                entry.reached += 1
    order = {value: index for index, value in enumerate(BenefitType.values)}
    units_order = {value: index for index, value in enumerate(MeasureUnit.values)}
    project_count = (
        InnovationProject.objects.filter(enrolment__cohort__programme=programme)
        .exclude(enrolment__status=UnitEnrolment.Status.WITHDRAWN)
        .count()
    )
    return BenefitRollup(
        programme=programme,
        rows=sorted(
            grouped.values(),
            key=lambda r: (
                not r.summable,
                order.get(r.type, 99),
                units_order.get(r.unit_of_measure, 99),
            ),
        ),
        projects=project_count,
        projects_with_benefits=len(projects_with_benefits),
        benefits=sum(entry.benefits for entry in grouped.values()),
        measured=measured,
        today=timezone.localdate(),
    )
