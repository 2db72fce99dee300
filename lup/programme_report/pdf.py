"""The programme report as an A4 PDF (reportlab, Bitstream Vera, which has æ, ø and å): the
same sections as the page, with the organisation's name, the period and the day it was made.
Text is real, selectable text in an embedded font."""

from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal
from functools import cache
from pathlib import Path

import reportlab
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from .selectors import ProgrammeReport

REGULAR = "ReportVera"
BOLD = "ReportVeraBold"
MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
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
        story.append(Spacer(1, 2 * mm))
        story.append(
            _table(
                [_("Project"), _("From"), _("Reused by")],
                [
                    [
                        source.title,
                        f"{source.unit}, {source.organisation}",
                        "; ".join(
                            f"{reuser.unit}, {reuser.organisation}" for reuser in source.reused_by
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
