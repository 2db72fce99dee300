"""Geometry of the report's reuse graph: the units whose projects were reused on the left,
the units that reused them on the right, a line per reuse. Plain data (like `lup.charts`),
drawn as SVG by the page's template and with reportlab's graphics in the PDF, so both show
the same graph. The reuse list beside it is the graph's text alternative."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .selectors import Spreading

WIDTH = 640
# Where the two columns of units stand; their names are written outside them.
SOURCE_X = 226
REUSER_X = 414
LABEL_GAP = 10
TOP = 8
BOTTOM = 8
ROW = 34
# The ends of a unit's lines are spread over at most this height, so that two reuses
# between the same two units are two lines, not one drawn twice.
PORT_SPAN = 22
PORT_GAP = 4
# About what fits beside a column at 12 px; the list below has every name in full.
LABEL_CHARACTERS = 32


@dataclass(frozen=True)
class GraphNode:
    """A unit in one of the columns, with where its name goes."""

    x: float
    y: float
    top: float
    height: float
    unit: str
    organisation: str
    label_x: float
    anchor: str  # "end" on the left, "start" on the right

    @property
    def unit_text(self) -> str:
        return _shorten(self.unit)

    @property
    def organisation_text(self) -> str:
        return _shorten(self.organisation)


@dataclass(frozen=True)
class GraphEdge:
    """One reuse: a line from the source's unit to the reusing unit."""

    x1: float
    y1: float
    x2: float
    y2: float
    other_municipality: bool
    label: str  # for the line's <title>


@dataclass(frozen=True)
class ReuseGraph:
    width: int
    height: int
    sources: list[GraphNode]
    reusers: list[GraphNode]
    edges: list[GraphEdge]

    @property
    def across(self) -> int:
        return sum(1 for edge in self.edges if edge.other_municipality)

    @property
    def within(self) -> int:
        return len(self.edges) - self.across


def _shorten(text: str) -> str:
    if len(text) <= LABEL_CHARACTERS:
        return text
    return text[: LABEL_CHARACTERS - 1].rstrip() + "…"


def _column(count: int, plot_height: float) -> list[float]:
    """The middle of each of `count` rows spread evenly over the plot."""
    step = plot_height / max(count, 1)
    return [round(TOP + (index + 0.5) * step, 1) for index in range(count)]


def _ports(count: int) -> list[float]:
    """Offsets from a unit's middle for its `count` lines."""
    gap = min(PORT_GAP, PORT_SPAN / max(count - 1, 1))
    return [round((index - (count - 1) / 2) * gap, 1) for index in range(count)]


def reuse_graph(spreading: Spreading) -> ReuseGraph | None:
    """Lay out the reuses of the sources the report lists (MAX_REUSE_SOURCES at most): a
    unit appears once on each side however many projects it gave or took, and each reuse is
    its own line. None when nothing was reused."""
    if not spreading.sources:
        return None
    source_keys: dict[tuple[str, str], int] = {}
    reuser_keys: dict[tuple[str, str], int] = {}
    pairs: list[tuple[int, int, bool, str]] = []
    for source in spreading.sources:
        left = source_keys.setdefault((source.unit, source.organisation), len(source_keys))
        for reuser in source.reused_by:
            right = reuser_keys.setdefault((reuser.unit, reuser.organisation), len(reuser_keys))
            template = (
                _(
                    "%(project)s: from %(source)s (%(source_organisation)s) to %(unit)s "
                    "(%(organisation)s), across municipalities"
                )
                if reuser.other_municipality
                else _(
                    "%(project)s: from %(source)s (%(source_organisation)s) to %(unit)s "
                    "(%(organisation)s)"
                )
            )
            label = template % {
                "project": source.title,
                "source": source.unit,
                "source_organisation": source.organisation,
                "unit": reuser.unit,
                "organisation": reuser.organisation,
            }
            pairs.append((left, right, reuser.other_municipality, label))
    # Each reusing unit level with the middle of its sources, so fewer lines cross.
    sources_of: dict[int, list[int]] = {}
    for left, right, _other, _label in pairs:
        sources_of.setdefault(right, []).append(left)
    ranked = sorted(
        reuser_keys.items(),
        key=lambda item: (sum(sources_of[item[1]]) / len(sources_of[item[1]]), item[1]),
    )
    renumber = {old: new for new, (_key, old) in enumerate(ranked)}
    reuser_keys = {key: renumber[old] for key, old in ranked}
    pairs = [(left, renumber[right], other, label) for left, right, other, label in pairs]
    rows = max(len(source_keys), len(reuser_keys))
    plot_height = rows * ROW
    left_y = _column(len(source_keys), plot_height)
    right_y = _column(len(reuser_keys), plot_height)
    # Each unit's lines leave it in the order of the other ends, so they do not cross there.
    out_order: dict[int, list[int]] = {}
    in_order: dict[int, list[int]] = {}
    for index, (left, right, _other, _label) in enumerate(pairs):
        out_order.setdefault(left, []).append(index)
        in_order.setdefault(right, []).append(index)
    start_y: dict[int, float] = {}
    end_y: dict[int, float] = {}
    for left, indexes in out_order.items():
        indexes.sort(key=lambda index: (right_y[pairs[index][1]], index))
        for index, offset in zip(indexes, _ports(len(indexes)), strict=True):
            start_y[index] = round(left_y[left] + offset, 1)
    for right, indexes in in_order.items():
        indexes.sort(key=lambda index: (left_y[pairs[index][0]], index))
        for index, offset in zip(indexes, _ports(len(indexes)), strict=True):
            end_y[index] = round(right_y[right] + offset, 1)

    def nodes(
        keys: dict[tuple[str, str], int],
        ys: list[float],
        x: float,
        lines: dict[int, list[int]],
        left: bool,
    ) -> list[GraphNode]:
        made = []
        for (unit, organisation), index in keys.items():
            span = _ports(len(lines.get(index, [0])))
            height = (span[-1] - span[0]) + 8
            made.append(
                GraphNode(
                    x=x,
                    y=ys[index],
                    top=round(ys[index] - height / 2, 1),
                    height=round(height, 1),
                    unit=unit,
                    organisation=organisation,
                    label_x=x - LABEL_GAP if left else x + LABEL_GAP,
                    anchor="end" if left else "start",
                )
            )
        return made

    return ReuseGraph(
        width=WIDTH,
        height=int(TOP + plot_height + BOTTOM),
        sources=nodes(source_keys, left_y, SOURCE_X, out_order, left=True),
        reusers=nodes(reuser_keys, right_y, REUSER_X, in_order, left=False),
        edges=[
            GraphEdge(
                x1=SOURCE_X,
                y1=start_y[index],
                x2=REUSER_X,
                y2=end_y[index],
                other_municipality=other,
                label=label,
            )
            for index, (_left, _right, other, label) in enumerate(pairs)
        ],
    )
