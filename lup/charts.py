"""Geometry of the burn-up chart, drawn as SVG by the dashboard template.

Kept apart from the selector so the figures stay plain data and the drawing can
change without touching the queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import formats

from .selectors import TargetProgress

WIDTH = 720
HEIGHT = 320
LEFT = 56
RIGHT = 24
TOP = 24
BOTTOM = 48


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class BurnUpChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    completed_points: str
    # The plan from today: steps at each planned cohort's end (expected), and the range.
    forecast_points: str
    forecast_low_points: str
    forecast_high_points: str
    target_y: float
    today_x: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]


def burn_up_chart(progress: TargetProgress) -> BurnUpChart:
    """Lay out the cumulative completions to today, the plan from today (a step at each
    planned cohort's end, with the likely range as two more step lines) and the target."""
    start = progress.programme.starts_on
    deadline = progress.programme.deadline
    forecast = progress.forecast
    span_days = max((deadline - start).days, 1)
    y_max = max(progress.target, forecast.high, progress.completed, 1)
    y_max = _nice_ceiling(y_max * 1.1)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM

    def x(day: dt.date) -> float:
        return round(LEFT + plot_width * (day - start).days / span_days, 1)

    def y(value: float) -> float:
        return round(TOP + plot_height * (1 - value / y_max), 1)

    def step_line(points: list[tuple[dt.date, int]]) -> str:
        """The count holds until the next point, then rises there."""
        steps: list[str] = []
        previous: int | None = None
        for day, value in points:
            if previous is not None and value != previous:
                steps.append(f"{x(day)},{y(previous)}")
            steps.append(f"{x(day)},{y(value)}")
            previous = value
        return " ".join(steps)

    completed = step_line([(point.day, point.completed) for point in progress.series])
    today = min(progress.today, deadline)
    plan = {"expected": "", "low": "", "high": ""}
    if progress.today < deadline:
        for name in plan:
            points = [(today, progress.completed)]
            points += [(step.day, getattr(step, name)) for step in forecast.steps]
            points.append((deadline, getattr(forecast, name)))
            plan[name] = step_line(points)
    step = _nice_ceiling(y_max / 5)
    y_ticks = [Tick(position=y(value), label=str(value)) for value in range(0, y_max + 1, step)]
    x_ticks = []
    year = start.year
    while dt.date(year, 1, 1) <= deadline:
        for month in (1, 7):
            day = dt.date(year, month, 1)
            if start <= day <= deadline:
                x_ticks.append(Tick(position=x(day), label=formats.date_format(day, "M Y")))
        year += 1
    return BurnUpChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM,
        completed_points=completed,
        forecast_points=plan["expected"],
        forecast_low_points=plan["low"],
        forecast_high_points=plan["high"],
        target_y=y(progress.target),
        today_x=x(today),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
    )


def _nice_ceiling(value: float) -> int:
    """Round up to 1, 2 or 5 times a power of ten, for readable axis ticks."""
    value = max(int(value + 0.999), 1)
    magnitude = 10 ** (len(str(value)) - 1)
    for factor in (1, 2, 5, 10):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude
