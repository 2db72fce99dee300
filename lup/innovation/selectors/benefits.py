"""Reads of benefits: one benefit with its measurements, chart and next due follow-up, and a
programme's benefits rolled up by type and unit of measure, and counted as planned,
measured and realised with those overdue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, Min, OuterRef, Subquery
from django.utils import timezone

from ...models import Programme, UnitEnrolment
from .. import services
from ..charts import BenefitChart, benefit_chart
from ..models import (
    Benefit,
    BenefitMeasurement,
    BenefitType,
    BenefitUpdate,
    InnovationProject,
    MeasureUnit,
    PhaseChange,
)


@dataclass(frozen=True)
class BenefitView:
    """A benefit as the pages show it: its measurements, chart, realised and expected
    change (both turned so that movement towards the target counts positive), and the
    next follow-up due."""

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


def oriented(benefit: Benefit, value: Decimal) -> Decimal:
    """How far `value` has moved from the baseline in the direction of the target."""
    change = value - benefit.baseline_value
    return change if benefit.higher_is_better else -change


def assemble_benefit_view(
    benefit: Benefit, measurements: list[BenefitMeasurement], due: list[dt.date]
) -> BenefitView:
    """The benefit's view from its measurements (in date order) and follow-up due dates."""
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


def benefit_view(benefit: Benefit) -> BenefitView:
    """One benefit with its measurements and chart (three queries)."""
    measurements = list(benefit.measurements.select_related("recorded_by").order_by("measured_on"))
    pilot = PhaseChange.objects.filter(project_id=benefit.project_id, phase__starts_pilot=True)
    started = pilot.aggregate(first=Min("entered_on"))["first"]
    return assemble_benefit_view(benefit, measurements, services.due_dates(started))


# The programme's benefits, rolled up


@dataclass
class RollupRow:
    """The benefits of one type and unit of measure across a programme's projects."""

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
    """A programme's benefits rolled up (see `benefit_rollup`)."""

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


# Planned, measured and realised: where each of a programme's benefits stands


class Realisation:
    """Where a benefit stands: planned (nothing measured or updated yet), measured (a
    follow-up measurement or phase update, target not reached) or realised (updated as
    realised, or its latest value reaches the target)."""

    PLANNED = "planned"
    MEASURED = "measured"
    REALISED = "realised"


@dataclass(frozen=True)
class BenefitStanding:
    """One benefit of the programme, where it stands and whether a follow-up is overdue."""

    benefit_id: int
    description: str
    project_id: int
    project_title: str
    realisation: str
    overdue_since: dt.date | None

    @property
    def overdue(self) -> bool:
        return self.overdue_since is not None


@dataclass(frozen=True)
class BenefitRealisation:
    """A programme's benefits as planned, measured and realised, and those overdue (see
    `benefit_realisation`)."""

    planned: int
    measured: int
    realised: int
    overdue: list[BenefitStanding]
    today: dt.date

    @property
    def total(self) -> int:
        return self.planned + self.measured + self.realised


def benefit_realisation(
    programme: Programme, *, today: dt.date | None = None
) -> BenefitRealisation:
    """The programme's benefits (withdrawn teams left out) counted as planned, measured and
    realised, with those whose follow-up measurement is overdue: a due date (counted from
    the pilot's start, `services.due_dates`) passed without a measurement or update covering
    it. Three queries, however many benefits."""
    today = today or timezone.localdate()
    latest_measurement = BenefitMeasurement.objects.filter(benefit=OuterRef("pk")).order_by(
        "-measured_on"
    )
    latest_update = BenefitUpdate.objects.filter(benefit=OuterRef("pk")).order_by(
        "-measured_on", "-pk"
    )
    pilot = PhaseChange.objects.filter(
        project=OuterRef("project_id"), phase__starts_pilot=True
    ).order_by("entered_on")
    rows = list(
        Benefit.objects.filter(project__enrolment__cohort__programme=programme)
        .exclude(project__enrolment__status=UnitEnrolment.Status.WITHDRAWN)
        .annotate(
            measurement_value=Subquery(latest_measurement.values("value")[:1]),
            measurement_on=Subquery(latest_measurement.values("measured_on")[:1]),
            update_value=Subquery(latest_update.values("value")[:1]),
            update_on=Subquery(latest_update.values("measured_on")[:1]),
            realised_update=Exists(
                BenefitUpdate.objects.filter(
                    benefit=OuterRef("pk"), status=BenefitUpdate.Status.REALISED
                )
            ),
            pilot_started_on=Subquery(pilot.values("entered_on")[:1]),
        )
        .values(
            "pk",
            "description",
            "project_id",
            "project__title",
            "baseline_value",
            "target_value",
            "measurement_value",
            "measurement_on",
            "update_value",
            "update_on",
            "realised_update",
            "pilot_started_on",
        )
        .order_by("project__title", "pk")
    )
    # Filtered by programme, not by a list of ids: the same queries whatever the count.
    in_programme = {"benefit__project__enrolment__cohort__programme": programme}
    measured_days: dict[int, list[dt.date]] = {}
    for benefit_id, day in (
        *BenefitMeasurement.objects.filter(**in_programme).values_list("benefit_id", "measured_on"),
        *BenefitUpdate.objects.filter(**in_programme).values_list("benefit_id", "measured_on"),
    ):
        measured_days.setdefault(benefit_id, []).append(day)
    counts = {Realisation.PLANNED: 0, Realisation.MEASURED: 0, Realisation.REALISED: 0}
    overdue: list[BenefitStanding] = []
    for row in rows:
        realisation = _realisation(row)
        counts[realisation] += 1
        passed = [day for day in services.due_dates(row["pilot_started_on"]) if day <= today]
        since = services.next_due_date(passed, measured_days.get(row["pk"], []))
        if since is not None:
            overdue.append(
                BenefitStanding(
                    benefit_id=row["pk"],
                    description=row["description"],
                    project_id=row["project_id"],
                    project_title=row["project__title"],
                    realisation=realisation,
                    overdue_since=since,
                )
            )
    return BenefitRealisation(
        planned=counts[Realisation.PLANNED],
        measured=counts[Realisation.MEASURED],
        realised=counts[Realisation.REALISED],
        overdue=sorted(overdue, key=lambda standing: (standing.overdue_since, standing.benefit_id)),
        today=today,
    )


def _realisation(row: dict[str, Any]) -> str:
    """Planned, measured or realised, from a row of `benefit_realisation`'s query."""
    if row["realised_update"]:
        return Realisation.REALISED
    candidates = [
        (row["measurement_on"], row["measurement_value"]),
        (row["update_on"], row["update_value"]),
    ]
    known = [(day, value) for day, value in candidates if day is not None]
    if not known:
        return Realisation.PLANNED
    _day, latest = max(known, key=lambda pair: pair[0])
    benefit = Benefit(baseline_value=row["baseline_value"], target_value=row["target_value"])
    if oriented(benefit, latest) >= oriented(benefit, row["target_value"]):
        return Realisation.REALISED
    return Realisation.MEASURED
