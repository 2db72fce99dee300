"""The records of processing activities (GDPR article 30(1), "protokoll over
behandlingsaktiviteter") of one organisation, from the same sources as its privacy
statement: the register's categories grouped into processing activities, with their data
subjects, recipients, transfers, retention and the security measures the code really
applies (read from the settings, so a measure that is off is not claimed).

`processing_records` builds the rows; `render_records_pdf` draws them (reportlab, Bitstream
Vera, which has æ, ø and å). The API gives the same rows as JSON.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import reportlab
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from .. import app_settings
from ..models import Organisation
from .categories import Category
from .recipients import Recipient
from .statement import CategorySection, Controller, Officer, Statement, privacy_statement


def subject_labels() -> dict[str, str]:
    """The categories of data subjects (registrerte), by key."""
    return {
        "managers": _("Unit managers taking part"),
        "enthusiasts": _("Enthusiasts (ildsjeler) taking part"),
        "facilitators": _("Facilitators of cohorts"),
        "administrators": _("Programme administrators"),
        "hr": _("HR staff"),
        "signatories": _("People who sign certificates"),
    }


EVERYONE = ("managers", "enthusiasts", "facilitators", "administrators", "hr")


@dataclass(frozen=True)
class ActivityDefinition:
    """A processing activity: the register categories it covers and whose data they are
    (keys of `subject_labels`)."""

    key: str
    categories: tuple[Category, ...]
    subjects: tuple[str, ...]


# Every category of the register belongs to exactly one activity (a test holds it).
ACTIVITIES: tuple[ActivityDefinition, ...] = (
    ActivityDefinition(
        "accounts",
        (Category.ACCOUNT, Category.SIGN_IN, Category.LANGUAGE, Category.ROLES),
        EVERYONE,
    ),
    ActivityDefinition(
        "programme",
        (
            Category.PARTICIPATION,
            Category.ATTENDANCE,
            Category.LEARNING_RECORDS,
            Category.XAPI_STATEMENTS,
            Category.UPLOADED_FILES,
            Category.NOTIFICATIONS,
        ),
        ("managers", "enthusiasts", "facilitators"),
    ),
    ActivityDefinition(
        "projects",
        (Category.PROJECT_WORK,),
        ("managers", "enthusiasts", "facilitators", "administrators"),
    ),
    ActivityDefinition(
        "certificates", (Category.CERTIFICATES,), ("managers", "enthusiasts", "signatories")
    ),
    ActivityDefinition(
        "administration", (Category.ADMINISTRATION,), ("administrators", "hr", "facilitators")
    ),
    ActivityDefinition("security", (Category.AUDIT,), EVERYONE),
    ActivityDefinition("rights", (Category.DATA_EXPORTS,), EVERYONE),
)


def _activity_texts() -> dict[str, tuple[str, str]]:
    """Each activity's name and who inside the organisation sees its data."""
    return {
        "accounts": (
            _("User accounts and sign-in"),
            _("The organisation's programme administrators."),
        ),
        "programme": (
            _("Running the programme: teams, learning, gatherings and completion reports"),
            _(
                "The team's manager, the cohort's facilitators, the organisation's programme "
                "administrators, and HR (completion reports)."
            ),
        ),
        "projects": (
            _("Innovation projects and the innovation prize"),
            _(
                "The team, the cohort's facilitators and the programme administrators; other "
                "organisations only for projects the team has consented to share."
            ),
        ),
        "certificates": (
            _("Certificates and their public verification"),
            _("The holder, and anyone the holder gives a certificate's code to (verification)."),
        ),
        "administration": (
            _("Administering the programme"),
            _("The organisation's programme administrators."),
        ),
        "security": (
            _("Security and audit log"),
            _("The organisation's programme administrators."),
        ),
        "rights": (
            _("Archives of a person's own data"),
            _("Only the person themself."),
        ),
    }


@dataclass(frozen=True)
class CategoryRecord:
    """A category of personal data in an activity, with its retention."""

    category: str
    label: str
    retention: tuple[str, ...]
    months: tuple[int, ...]
    days: tuple[int, ...]


@dataclass(frozen=True)
class ProcessingActivity:
    """One row of the records: article 30(1)(b) to (f)."""

    key: str
    name: str
    purposes: tuple[str, ...]
    data_subjects: tuple[str, ...]
    categories: tuple[CategoryRecord, ...]
    recipients_inside: str
    recipients_outside: tuple[str, ...]
    transfers: str


@dataclass(frozen=True)
class ProcessingRecords:
    """The records of processing activities of one organisation (article 30(1))."""

    organisation: Organisation
    controller: Controller
    officer: Officer
    legal_basis: str
    activities: tuple[ProcessingActivity, ...]
    security_measures: tuple[str, ...]
    not_included: str
    created: dt.date
    language: str


def _recipient_text(recipient: Recipient) -> str:
    return f"{recipient.name} ({recipient.host})" if recipient.host else recipient.name


def transfers_text(recipients: tuple[Recipient, ...]) -> str:
    """Transfers to third countries: none configured, unless a configured service may be
    outside the EEA (then the controller must check where it keeps the data)."""
    unknown = [recipient for recipient in recipients if recipient.in_eea is not True]
    if not unknown:
        return _("None configured.")
    return _(
        "None configured by the platform. Check in the data processing agreement where "
        "these services keep the data: %(services)s."
    ) % {"services": ", ".join(_recipient_text(recipient) for recipient in unknown)}


def _category_record(section: CategorySection) -> CategoryRecord:
    return CategoryRecord(
        category=section.category.value,
        label=section.label,
        retention=tuple(rule.record_text for rule in section.retention),
        months=tuple(rule.months for rule in section.retention if rule.months is not None),
        days=tuple(rule.days for rule in section.retention if rule.days is not None),
    )


def security_measures() -> tuple[str, ...]:
    """The technical and organisational measures (article 32) the platform applies, as
    configured: a measure that is off is not claimed."""
    measures = []
    groups = app_settings.MFA_REQUIRED_GROUPS()
    measures.append(
        _("Two-factor authentication is required for superusers and for: %(roles)s.")
        % {"roles": ", ".join(groups)}
        if groups
        else _("Two-factor authentication is required for superusers.")
    )
    measures.append(
        _(
            "Access by role: each person sees only what their role needs, and every page, "
            "report, export and API call is limited to the person's own organisation, so one "
            "organisation's staff never see another's people."
        )
    )
    measures.append(
        _(
            "A security and audit log of sign-ins, failed sign-ins, role changes and exports "
            "of personal data, kept %(days)s days."
        )
        % {"days": app_settings.AUDIT_RETENTION_DAYS()}
    )
    if "login_failed" in (getattr(settings, "ACCOUNT_RATE_LIMITS", None) or {}):
        measures.append(_("Failed sign-ins are limited per account and per address."))
    measures.append(
        _("Passwords are stored only as salted hashes (%(algorithm)s).")
        % {"algorithm": get_hasher("default").algorithm}
    )
    if getattr(settings, "SECURE_SSL_REDIRECT", False):
        measures.append(
            _(
                "Connections are encrypted: HTTP is redirected to HTTPS (with HSTS), and "
                "cookies are sent over HTTPS only."
            )
            if getattr(settings, "SECURE_HSTS_SECONDS", 0)
            and getattr(settings, "SESSION_COOKIE_SECURE", False)
            else _("Connections are encrypted: HTTP is redirected to HTTPS.")
        )
    else:
        measures.append(
            _(
                "The platform does not enforce encrypted connections itself (DJANGO_HTTPS is "
                "off): the server in front of it must."
            )
        )
    measures.append(
        _(
            "Learning activity statements (xAPI) name a pseudonym, never the person's name or "
            "e-mail address."
        )
    )
    claims = app_settings.SSO_FORBIDDEN_CLAIMS()
    if claims:
        measures.append(
            _(
                "National identity numbers are removed from what sign-in services send "
                "(%(claims)s) before anything is saved."
            )
            % {"claims": ", ".join(claims)}
        )
    return tuple(measures)


def records_from_statement(statement: Statement) -> ProcessingRecords:
    """The records of processing activities built from a privacy statement."""
    sections = {section.category: section for section in statement.categories}
    subjects = subject_labels()
    texts = _activity_texts()
    activities = []
    for definition in ACTIVITIES:
        present = [sections[category] for category in definition.categories if category in sections]
        if not present:
            continue
        outside = tuple(
            recipient
            for recipient in statement.recipients
            if set(recipient.categories) & set(definition.categories)
        )
        name, inside = texts[definition.key]
        activities.append(
            ProcessingActivity(
                key=definition.key,
                name=name,
                purposes=tuple(
                    dict.fromkeys(item.purpose for section in present for item in section.items)
                ),
                data_subjects=tuple(subjects[subject] for subject in definition.subjects),
                categories=tuple(_category_record(section) for section in present),
                recipients_inside=inside,
                recipients_outside=tuple(_recipient_text(recipient) for recipient in outside),
                transfers=transfers_text(outside),
            )
        )
    return ProcessingRecords(
        organisation=statement.organisation,
        controller=statement.controller,
        officer=statement.officer,
        legal_basis=statement.legal_basis,
        activities=tuple(activities),
        security_measures=security_measures(),
        not_included=_(
            "This lists the services the platform is configured to use. Add the operator of "
            "its servers and database (hosting) if that is a data processor."
        ),
        created=timezone.localdate(),
        language=get_language() or settings.LANGUAGE_CODE,
    )


def processing_records(organisation: Organisation) -> ProcessingRecords:
    """The records of processing activities of `organisation`, in the active language."""
    return records_from_statement(privacy_statement(organisation))


# The PDF ---------------------------------------------------------------------------------

REGULAR = "RecordsVera"
BOLD = "RecordsVeraBold"
# reportlab reads a font file through one shared file position while subsetting, so two
# threads must not build documents at once (as in certificates' rendering).
_build_lock = threading.Lock()


@cache
def _register_fonts() -> None:
    # Bitstream Vera ships with reportlab and has the Norwegian letters (the standard PDF
    # fonts have no embedded Unicode font).
    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(REGULAR, str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "VeraBd.ttf")))


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=8.5, leading=11)
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=20, spaceAfter=6),
        "heading": ParagraphStyle(
            "heading", fontName=BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4
        ),
        "body": body,
        "label": ParagraphStyle("label", parent=body, fontName=BOLD),
    }


def _text(value: str) -> str:
    """Plain text for a reportlab Paragraph (which reads a little markup)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _lines(values: tuple[str, ...] | list[str]) -> str:
    return "<br/>".join(f"• {_text(value)}" for value in values) or "–"


def _facts_table(rows: list[tuple[str, str]], styles: dict[str, ParagraphStyle]) -> Table:
    width = landscape(A4)[0] - 30 * mm
    table = Table(
        [
            [Paragraph(_text(label), styles["label"]), Paragraph(value, styles["body"])]
            for label, value in rows
        ],
        colWidths=[55 * mm, width - 55 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef2f6")),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def render_records_pdf(records: ProcessingRecords) -> bytes:
    """The records as a PDF (A4 landscape): the controller, then one table per activity,
    then the security measures. Text is real, selectable text in an embedded font."""
    _register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    title = _("Records of processing activities")
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{title}: {records.controller.name}",
        author=records.controller.name,
        subject=_("GDPR article 30(1)"),
        lang=records.language,
    )
    controller = records.controller.name
    if records.controller.organisation_number:
        controller += " " + _("(organisation number %(number)s)") % {
            "number": records.controller.organisation_number
        }
    officer = (
        ", ".join(part for part in (records.officer.name, records.officer.email) if part)
        if records.officer.given
        else _("Not given.")
    )
    story: list[Flowable] = [
        Paragraph(_text(f"{title}: {records.controller.name}"), styles["title"]),
        Paragraph(
            _text(
                _("GDPR article 30(1). Made %(date)s from the platform's register and settings.")
                % {"date": records.created.isoformat()}
            ),
            styles["body"],
        ),
        Spacer(1, 4 * mm),
        _facts_table(
            [
                (_("Controller"), _text(controller)),
                (_("Data protection officer"), _text(officer)),
                (_("Legal basis"), _text(records.legal_basis)),
            ],
            styles,
        ),
    ]
    for activity in records.activities:
        categories = [
            f"{category.label}: {' '.join(category.retention)}" for category in activity.categories
        ]
        story.append(
            KeepTogether(
                [
                    Paragraph(_text(activity.name), styles["heading"]),
                    _facts_table(
                        [
                            (_("Purposes"), _lines(activity.purposes)),
                            (_("Categories of data subjects"), _lines(activity.data_subjects)),
                            (
                                _("Categories of personal data"),
                                _lines([category.label for category in activity.categories]),
                            ),
                            (
                                _("Recipients in the organisation"),
                                _text(activity.recipients_inside),
                            ),
                            (
                                _("Services outside the platform"),
                                _lines(activity.recipients_outside)
                                if activity.recipients_outside
                                else _text(_("None configured.")),
                            ),
                            (_("Transfers to third countries"), _text(activity.transfers)),
                            (_("Retention"), _lines(categories)),
                        ],
                        styles,
                    ),
                ]
            )
        )
    story.append(Paragraph(_text(_("Security measures")), styles["heading"]))
    story.append(Paragraph(_lines(records.security_measures), styles["body"]))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(_text(records.not_included), styles["body"]))
    with _build_lock:
        document.build(story)
    return buffer.getvalue()
