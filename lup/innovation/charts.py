"""Geometry of a benefit's small chart: baseline, target and follow-up measurements over time.

Plain data for the template to draw as SVG (the same classes and ticks as the dashboard's
burn-up chart in `lup.charts`); the figures are also shown as a table next to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats

from ..charts import Tick

WIDTH = 480
HEIGHT = 220
LEFT = 64
RIGHT = 16
TOP = 16
BOTTOM = 40


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class BenefitChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    baseline: Point
    measured_points: str
    markers: list[Point]
    target_y: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]


def benefit_chart(
    *,
    baseline_on: dt.date,
    baseline_value: Decimal,
    target_value: Decimal,
    target_on: dt.date | None,
    measurements: list[tuple[dt.date, Decimal]],
) -> BenefitChart:
    """Lay out the baseline, the line of measurements from it, and the target as a line."""
    days = [baseline_on, *(day for day, _value in measurements)]
    if target_on:
        days.append(target_on)
    start, end = min(days), max(days)
    span = max((end - start).days, 1)
    values = [baseline_value, target_value, *(value for _day, value in measurements)]
    low, high = float(min(values)), float(max(values))
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    low, high = low - pad, high + pad
    if min(values) >= 0:
        low = max(low, 0.0)  # counts and hours do not go below zero
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM

    def x(day: dt.date) -> float:
        return round(LEFT + plot_width * (day - start).days / span, 1)

    def y(value: float) -> float:
        return round(TOP + plot_height * (1 - (value - low) / (high - low)), 1)

    series = [(baseline_on, baseline_value), *sorted(measurements)]
    points = [Point(x(day), y(float(value))) for day, value in series]
    y_ticks = [
        Tick(
            position=y(low + (high - low) * step / 4),
            label=formats.number_format(round(low + (high - low) * step / 4, 1), 1),
        )
        for step in range(5)
    ]
    x_ticks = [Tick(position=x(start), label=formats.date_format(start, "SHORT_DATE_FORMAT"))]
    if end != start:
        x_ticks.append(Tick(position=x(end), label=formats.date_format(end, "SHORT_DATE_FORMAT")))
    return BenefitChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM,
        baseline=points[0],
        measured_points=" ".join(f"{point.x},{point.y}" for point in points),
        markers=points[1:],
        target_y=y(float(target_value)),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
    )
