"""Geometry of the barometer's bar chart: the share of innovative units at each moment, for
the programme and each cohort, with the national reference as a line. Plain data for the
template to draw as SVG (like `lup.charts`); the same figures are in a table beside it.
Groups with too few answers get no bar (the table says why)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..charts import Tick
from .models import BarometerRound
from .selectors import GroupResult, ProgrammeResults

WIDTH = 640
HEIGHT = 260
LEFT = 56
RIGHT = 16
TOP = 16
BOTTOM = 48
BAR_GAP = 4


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    moment: str
    label: str  # for the bar's <title>


@dataclass(frozen=True)
class GroupLabel:
    x: float
    text: str


@dataclass(frozen=True)
class ShareChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bars: list[Bar]
    groups: list[GroupLabel]
    y_ticks: list[Tick]
    reference_y: float | None


def share_chart(results: ProgrammeResults) -> ShareChart:
    groups: list[GroupResult] = [results.programme, *results.cohorts]
    plot_right = WIDTH - RIGHT
    plot_bottom = HEIGHT - BOTTOM
    slot = (plot_right - LEFT) / max(len(groups), 1)
    moments = BarometerRound.Moment.values
    bar_width = max((slot - 3 * BAR_GAP) / len(moments), 2)

    def y_of(share: float) -> float:
        return round(plot_bottom - share * (plot_bottom - TOP), 1)

    bars: list[Bar] = []
    labels: list[GroupLabel] = []
    for index, group in enumerate(groups):
        left = LEFT + index * slot + BAR_GAP
        labels.append(GroupLabel(x=round(LEFT + (index + 0.5) * slot, 1), text=group.name))
        for position, moment in enumerate(moments):
            figures = group.moments[moment]
            if not figures.shown or figures.innovative_share is None:
                continue
            top = y_of(figures.innovative_share)
            bars.append(
                Bar(
                    x=round(left + position * bar_width, 1),
                    y=top,
                    width=round(bar_width - 1, 1),
                    height=round(plot_bottom - top, 1),
                    moment=moment,
                    label=_("%(group)s, %(moment)s: %(share)s %% innovative")
                    % {
                        "group": group.name,
                        "moment": BarometerRound.Moment(moment).label,
                        "share": round(figures.innovative_share * 100),
                    },
                )
            )
    ticks = [Tick(position=y_of(share / 100), label=f"{share} %") for share in (0, 25, 50, 75, 100)]
    reference = (
        y_of(float(results.reference_share)) if results.reference_share is not None else None
    )
    return ShareChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=plot_right,
        plot_top=TOP,
        plot_bottom=plot_bottom,
        bars=bars,
        groups=labels,
        y_ticks=ticks,
        reference_y=reference,
    )
