"""The programme report as an A4 PDF (reportlab, Bitstream Vera, which has æ, ø and å): the
same sections as the page, with the organisation's name, the period and the day it was made.
Text is real, selectable text in an embedded font. The reuse graph is drawn with reportlab's
graphics from the page's geometry (`charts.reuse_graph`); the barometer's figures are a
table (its bar chart is on the page only)."""

from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal
from functools import cache
from pathlib import Path

import reportlab
from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from ..barometer.selectors import MIN_ANSWERS
from . import charts
from .selectors import BarometerBeforeAfter, FactorCell, ProgrammeReport, ShareCell

REGULAR = "ReportVera"
BOLD = "ReportVeraBold"
MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
# The reuse graph's lines: the page's colours (Designsystemet's accent and success), and a
# dash for reuses across municipalities so the colour is never the only difference.
WITHIN_COLOUR = colors.HexColor("#0062BA")
ACROSS_COLOUR = colors.HexColor("#068718")
TEXT_COLOUR = colors.HexColor("#1e2b3c")
SUBTLE_COLOUR = colors.HexColor("#515e6c")
# The tallest graph drawn: about two thirds of the page. A taller one is shrunk to fit, down
# to GRAPH_MIN_SCALE (text about 5 pt); beyond that the table alone says who reused whose.
GRAPH_MAX_HEIGHT = 170 * mm
GRAPH_MIN_SCALE = 0.42
# reportlab's document builder keeps state in module globals: one build at a time.
_build_lock = threading.Lock()


@cache
def _register_fonts() -> None:
    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(REGULAR, str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "VeraBd.ttf")))


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=12)
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=20, spaceAfter=4),
        "heading": ParagraphStyle(
            "heading", fontName=BOLD, fontSize=11.5, leading=14, spaceBefore=8, spaceAfter=4
        ),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "head": ParagraphStyle("head", parent=body, fontName=BOLD, fontSize=8.5, leading=10.5),
    }


def _text(value: object) -> str:
    """Plain text for a reportlab Paragraph (which reads a little markup)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _date(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _number(value: Decimal | int) -> str:
    return formats.number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)


def _table(
    header: list[str], rows: list[list[str]], styles: dict[str, ParagraphStyle], widths: list[float]
) -> Table:
    data = [[Paragraph(_text(cell), styles["head"]) for cell in header]]
    data += [[Paragraph(_text(cell), styles["cell"]) for cell in row] for row in rows]
    table = Table(data, colWidths=[WIDTH * share for share in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def render_report_pdf(report: ProgrammeReport) -> bytes:
    """The report as an A4 PDF in the active language."""
    _register_fonts()
    styles = _styles()
    programme = report.programme
    organisation = programme.organisation.name
    progress = report.progress
    period = _("%(start)s to %(end)s") % {
        "start": _date(report.period.starts_on),
        "end": _date(report.period.ends_on),
    }
    buffer = io.BytesIO()
    title = _("Programme report: %(programme)s") % {"programme": programme.name}
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author=organisation,
        subject=period,
        lang=get_language() or "nb",
    )
    story: list[Flowable] = [
        Paragraph(_text(organisation), styles["body"]),
        Paragraph(_text(title), styles["title"]),
        Paragraph(
            _text(
                _("Period: %(period)s. Made %(date)s.")
                % {"period": period, "date": _date(report.made_on)}
            ),
            styles["body"],
        ),
    ]
    if report.period_is_empty:
        story.append(Spacer(1, 3 * mm))
        story.append(Paragraph(_text(_no_data_text()), styles["body"]))

    story.append(Paragraph(_text(_("Units completed")), styles["heading"]))
    story.append(
        Paragraph(
            _text(
                _(
                    "%(period)s units completed in the period; %(completed)s of the target of "
                    "%(target)s units by %(end)s (%(population)s units in scope)."
                )
                % {
                    "period": report.completed_in_period,
                    "completed": progress.completed,
                    "target": progress.target,
                    "end": _date(report.period.ends_on),
                    "population": progress.population,
                }
            ),
            styles["body"],
        )
    )
    story.append(
        Paragraph(
            _text(f"{progress.forecast.summary()} {progress.forecast.verdict()}"), styles["body"]
        )
    )
    story.append(Paragraph(_text(progress.forecast.basis_note()), styles["small"]))
    if progress.by_sector:
        story.append(Spacer(1, 2 * mm))
        story.append(
            _table(
                [_("Sector"), _("Units in scope"), _("Enrolled"), _("Completed")],
                [
                    [
                        row.label or _("Guest units from other organisations"),
                        "" if row.units_in_scope is None else str(row.units_in_scope),
                        str(row.units_in_progress),
                        str(row.units_completed),
                    ]
                    for row in progress.by_sector
                ],
                styles,
                [0.46, 0.18, 0.18, 0.18],
            )
        )

    story.append(Paragraph(_text(_("Innovation projects")), styles["heading"]))
    if report.projects:
        story.append(
            Paragraph(
                _text(
                    _(
                        "%(projects)s projects by %(end)s, %(started)s of them started in the "
                        "period."
                    )
                    % {
                        "projects": report.projects,
                        "end": _date(report.period.ends_on),
                        "started": report.projects_started,
                    }
                ),
                styles["body"],
            )
        )
        story.append(Spacer(1, 2 * mm))
        story.append(
            _table(
                [_("Phase today"), _("Projects"), _("Started in the period")],
                [
                    [row.label or _("No phase yet"), str(row.projects), str(row.started)]
                    for row in report.by_phase
                ],
                styles,
                [0.5, 0.25, 0.25],
            )
        )
        story.append(Spacer(1, 2 * mm))
        story.append(
            _table(
                [_("Sector"), _("Projects"), _("Started in the period")],
                [
                    [row.label or _("No sector"), str(row.projects), str(row.started)]
                    for row in report.by_sector
                ],
                styles,
                [0.5, 0.25, 0.25],
            )
        )
    else:
        story.append(Paragraph(_text(_("No projects by the end of the period.")), styles["body"]))

    story.append(Paragraph(_text(_("Benefits, as reported by the units")), styles["heading"]))
    benefits = report.benefits
    if benefits.benefits:
        story.append(
            Paragraph(
                _text(
                    _(
                        "As the units reported them on %(date)s: %(benefits)s benefits in "
                        "%(projects)s projects, %(measured)s of them measured."
                    )
                    % {
                        "date": _date(benefits.today),
                        "benefits": benefits.benefits,
                        "projects": benefits.projects_with_benefits,
                        "measured": benefits.measured,
                    }
                ),
                styles["body"],
            )
        )
        if report.summable_benefits:
            story.append(Spacer(1, 2 * mm))
            story.append(
                _table(
                    [_("Benefit"), _("Unit of measure"), _("Planned"), _("Realised")],
                    [
                        [
                            row.type_label,
                            row.unit_label,
                            _number(row.expected),
                            _number(row.realised),
                        ]
                        for row in report.summable_benefits
                    ],
                    styles,
                    [0.34, 0.26, 0.2, 0.2],
                )
            )
        if report.other_benefits:
            story.append(Spacer(1, 2 * mm))
            story.append(
                _table(
                    [_("Benefit"), _("Unit of measure"), _("Benefits"), _("Target reached")],
                    [
                        [row.type_label, row.unit_label, str(row.benefits), str(row.reached)]
                        for row in report.other_benefits
                    ],
                    styles,
                    [0.34, 0.26, 0.2, 0.2],
                )
            )
    else:
        story.append(Paragraph(_text(_("No benefits reported yet.")), styles["body"]))

    story.extend(_barometer_section(report.barometer, styles))

    story.append(Paragraph(_text(_("Spreading: projects reused")), styles["heading"]))
    spreading = report.spreading
    if spreading.reuses:
        story.append(
            Paragraph(
                _text(
                    _(
                        "%(reuses)s reuses in the period: %(across)s across municipalities, "
                        "%(within)s between units of the organisation; %(projects)s projects "
                        "reused by %(units)s units."
                    )
                    % {
                        "reuses": spreading.reuses,
                        "across": spreading.across_municipalities,
                        "within": spreading.within_organisation,
                        "projects": spreading.reused_projects,
                        "units": spreading.reusing_units,
                    }
                ),
                styles["body"],
            )
        )
        story.extend(_reuse_graph(report, styles))
        story.append(Spacer(1, 2 * mm))
        story.append(
            _table(
                [_("Project"), _("From"), _("Reused by")],
                [
                    [
                        source.title,
                        f"{source.unit}, {source.organisation}",
                        "; ".join(
                            f"{reuser.unit}, {reuser.organisation}"
                            + (
                                f" ({_('across municipalities')})"
                                if reuser.other_municipality
                                else ""
                            )
                            for reuser in source.reused_by
                        ),
                    ]
                    for source in spreading.sources
                ],
                styles,
                [0.3, 0.3, 0.4],
            )
        )
        if spreading.more_sources:
            story.append(
                Paragraph(
                    _text(
                        _("And %(count)s more reused projects.") % {"count": spreading.more_sources}
                    ),
                    styles["small"],
                )
            )
    else:
        story.append(Paragraph(_text(_("No reuses in the period.")), styles["body"]))

    story.append(Paragraph(_text(_("Stories: the innovation prize's winners")), styles["heading"]))
    if report.stories:
        for winner in report.stories:
            story.append(
                Paragraph(
                    "<b>"
                    + _text(f"{winner.category} {winner.year}: {winner.title}")
                    + "</b> "
                    + _text(f"({winner.unit})" if winner.unit else ""),
                    styles["body"],
                )
            )
            story.append(Paragraph(_text(winner.reason), styles["small"]))
    else:
        story.append(Paragraph(_text(_("No prize winners in the period.")), styles["body"]))

    with _build_lock:
        document.build(story)
    return buffer.getvalue()


def _no_data_text() -> str:
    return _(
        "Nothing happened in this period: no unit completed, no project started, nothing was "
        "reused and no prize was awarded. The figures below are as they stood at its end."
    )


def _share_cell(cell: ShareCell) -> str:
    if cell.state == "shown":
        return ngettext(
            "%(percent)s %% (%(answers)s answer)",
            "%(percent)s %% (%(answers)s answers)",
            cell.answers or 0,
        ) % {"percent": cell.percent, "answers": cell.answers}
    if cell.state == "too_few":
        return _("Too few answers to show (under %(min_answers)s)") % {"min_answers": MIN_ANSWERS}
    return _("No answers yet")


def _factor_cell(cell: FactorCell) -> str:
    if cell.hidden:
        return _("Too few answers")
    if cell.mean is None:
        return "–"
    return formats.number_format(cell.mean, decimal_pos=1, use_l10n=True)


def _barometer_section(
    barometer: BarometerBeforeAfter, styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    """The barometer's before and after: the same figures as the page's tables."""
    end = _date(barometer.answered_until)
    flowables: list[Flowable] = [
        Paragraph(_text(_("Innovation barometer: before and after")), styles["heading"])
    ]
    if not barometer.has_answers:
        flowables.append(
            Paragraph(
                _text(
                    _("No unit had answered the innovation barometer by %(end)s.") % {"end": end}
                ),
                styles["body"],
            )
        )
        return flowables
    flowables.append(
        Paragraph(
            _text(
                _(
                    "The share of units that had put something new to use, as the units "
                    "answered when their cohort started, when it ended and at the follow-up; "
                    "answers given by %(end)s. Groups with fewer than %(min_answers)s answers "
                    "are not shown, so no unit's answers can be read out of them."
                )
                % {"end": end, "min_answers": MIN_ANSWERS}
            ),
            styles["body"],
        )
    )
    if barometer.reference_percent is not None:
        flowables.append(
            Paragraph(
                _text(
                    _("National reference: %(share)s %% of units innovative (source: %(source)s).")
                    % {"share": barometer.reference_percent, "source": barometer.reference_source}
                ),
                styles["body"],
            )
        )
    flowables.append(Spacer(1, 2 * mm))
    flowables.append(
        _table(
            [
                _("Group"),
                *(label for _value, label in barometer.moments),
                _("Change (percentage points)"),
            ],
            [
                [
                    group.name,
                    *(_share_cell(cell) for cell in group.cells),
                    "–" if group.change_points is None else f"{group.change_points:+d}",
                ]
                for group in barometer.groups
            ],
            styles,
            [0.24, 0.19, 0.19, 0.19, 0.19],
        )
    )
    flowables.append(Paragraph(_text(_("What helped and what held back")), styles["heading"]))
    if barometer.latest_moment:
        summary = _(
            "Mean rating for the whole programme, from 1 (not at all) to 6 (very much): at "
            "the start and at the latest moment with enough answers (the column "
            "“%(latest)s”)."
        ) % {"latest": barometer.latest_label}
    else:
        summary = _(
            "Mean rating for the whole programme, from 1 (not at all) to 6 (very much). There "
            "are not yet enough answers at the end or at the follow-up to compare with the "
            "start."
        )
    flowables.append(Paragraph(_text(summary), styles["body"]))
    for table in barometer.factors:
        flowables.append(Spacer(1, 2 * mm))
        flowables.append(Paragraph(_text(table.caption), styles["head"]))
        flowables.append(
            _table(
                [_("Factor"), _("At the start"), barometer.latest_label, _("Change")],
                [
                    [
                        row.label,
                        _factor_cell(row.start),
                        _factor_cell(row.latest),
                        "–"
                        if row.change is None
                        else ("+" if row.change > 0 else "")
                        + formats.number_format(row.change, decimal_pos=1, use_l10n=True),
                    ]
                    for row in table.rows
                ],
                styles,
                [0.46, 0.18, 0.18, 0.18],
            )
        )
    return flowables


def _reuse_graph(report: ProgrammeReport, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The page's reuse graph drawn with reportlab's graphics, at the page's width (shrunk
    to fit a page when tall); too tall to read when shrunk: a sentence, the table follows."""
    graph = charts.reuse_graph(report.spreading)
    if graph is None:
        return []
    scale = min(WIDTH / graph.width, GRAPH_MAX_HEIGHT / graph.height)
    if scale < GRAPH_MIN_SCALE:
        return [
            Paragraph(
                _text(_("Too many units to draw the graph on a page: the table lists each reuse.")),
                styles["small"],
            )
        ]
    height = graph.height * scale
    drawing = Drawing(graph.width * scale, height)

    def y_of(y: float) -> float:
        return height - y * scale

    for edge in graph.edges:
        drawing.add(
            Line(
                edge.x1 * scale,
                y_of(edge.y1),
                edge.x2 * scale,
                y_of(edge.y2),
                strokeColor=ACROSS_COLOUR if edge.other_municipality else WITHIN_COLOUR,
                strokeWidth=1.5 * scale,
                strokeDashArray=[6 * scale, 4 * scale] if edge.other_municipality else None,
            )
        )
    for node in [*graph.sources, *graph.reusers]:
        drawing.add(
            Rect(
                (node.x - 3) * scale,
                y_of(node.top + node.height),
                6 * scale,
                node.height * scale,
                fillColor=TEXT_COLOUR,
                strokeColor=None,
            )
        )
        for text, offset, size, colour in (
            (node.unit_text, -3, 12, TEXT_COLOUR),
            (node.organisation_text, 11, 11, SUBTLE_COLOUR),
        ):
            drawing.add(
                String(
                    node.label_x * scale,
                    y_of(node.y + offset),
                    text,
                    fontName=REGULAR,
                    fontSize=size * scale,
                    fillColor=colour,
                    textAnchor=node.anchor,
                )
            )
    return [
        Spacer(1, 2 * mm),
        drawing,
        Paragraph(
            _text(
                _(
                    "Who reused whose: the units whose projects were reused on the left, the "
                    "units that reused them on the right, a line per reuse. Solid blue lines: "
                    "within the organisation; dashed green lines: across municipalities."
                )
            ),
            styles["small"],
        ),
    ]
