"""Exchanging published projects between municipalities as JSON.

The format is versioned; version 1 (`"schema": "lup-innovation-project/1"`) is one object:

    {
      "schema": "lup-innovation-project/1",
      "id": "<the origin's identifier, 1–64 characters>",
      "url": "<the project's page at the origin, or empty>",
      "exported_at": "<ISO 8601 date and time>",
      "licence": "CC-BY-4.0" | "CC-BY-SA-4.0" | "CC0-1.0" | "NLOD-2.0",
      "origin": {"organisation": "...", "unit": "...", "sector": "..."},
      "title": "...", "need": "...", "audience": "...", "idea": "...", "story": "...",
      "phase": "<phase key>" | null,
      "phases": [{"key": "...", "name": "...", "entered_on": "YYYY-MM-DD"}],
      "canvas": {"version": 1, "fields": [{"key": "...", "label": "...", "text": "..."}]} | null,
      "benefits": [{
        "type": "quality" | "time" | "costs" | "satisfaction" | "other",
        "description": "...", "indicator": "...", "owner": "<a role, not a person>",
        "unit_of_measure": "hours_year" | "nok_year" | "percent" | "score" | "count",
        "baseline_value": "<decimal as a string>", "baseline_on": "YYYY-MM-DD",
        "target_value": "<decimal as a string>", "target_on": "YYYY-MM-DD" | null,
        "measurements": [{"measured_on": "YYYY-MM-DD", "value": "<decimal>", "note": "..."}]
      }]
    }

Every key is required and no other key is allowed. It holds no personal data: no names or
e-mail addresses of people, only the organisation, unit and sector names, the texts the
manager consented to share, phases, canvas and benefits.

An import validates the whole file first; a file that does not match gets every problem
listed (by JSON path) and nothing is written. The imported project is published in the
importer's organisation under its licence and keeps its origin; importing the same origin
identifier again updates that project instead of creating a second one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import record_event
from ..models import AuditEvent, Organisation
from . import services
from .models import (
    DEFAULT_CANVAS_FIELDS,
    MEASUREMENT_LIMIT,
    Benefit,
    BenefitMeasurement,
    BenefitType,
    CanvasVersion,
    InnovationProject,
    Licence,
    MeasureUnit,
    PhaseChange,
    ProjectPhase,
)

SCHEMA = "lup-innovation-project/1"
MAX_BYTES = 2_000_000
MAX_ITEMS = 200  # benefits, measurements, phases and canvas fields: each at most this many

_TOP_KEYS = {
    "schema",
    "id",
    "url",
    "exported_at",
    "licence",
    "origin",
    "title",
    "need",
    "audience",
    "idea",
    "story",
    "phase",
    "phases",
    "canvas",
    "benefits",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL = re.compile(r"^-?\d{1,12}(\.\d{1,2})?$")
_KEY = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")


class ExchangeRejected(Exception):
    """The file does not match the schema; `errors` lists every problem. Nothing was written."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(frozen=True)
class ImportOutcome:
    project: InnovationProject
    created: bool


# Export -------------------------------------------------------------------------------------


def _canvas_labels(project: InnovationProject) -> dict[str, str]:
    labels = {key: label for key, label, _help in DEFAULT_CANVAS_FIELDS}
    if project.enrolment is not None:
        programme = project.enrolment.cohort.programme
        labels.update({field.key: field.label for field in programme.canvas_fields.all()})
    return labels


def export_project(project: InnovationProject, *, url: str = "") -> dict[str, Any]:
    """The project as a dictionary of schema version 1 (see the module's documentation).

    An imported project is exported with its origin, so it keeps where it came from.
    """
    if project.is_imported:
        origin = {
            "organisation": project.origin_organisation,
            "unit": project.origin_unit,
            "sector": project.origin_sector,
        }
        identifier, url = project.origin_id or str(project.public_id), project.origin_url or url
    else:
        assert project.enrolment is not None
        unit = project.enrolment.unit
        origin = {
            "organisation": project.organisation.name,
            "unit": unit.name,
            "sector": unit.sector.name,
        }
        identifier = str(project.public_id)
    canvas = project.canvas_versions.order_by("-number").first()
    labels = _canvas_labels(project)
    benefits = project.benefits.prefetch_related("measurements").order_by("created_at", "pk")
    return {
        "schema": SCHEMA,
        "id": identifier,
        "url": url,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "licence": project.licence,
        "origin": origin,
        "title": project.title,
        "need": project.need,
        "audience": project.audience,
        "idea": project.idea,
        "story": project.story,
        "phase": project.phase.key if project.phase else None,
        "phases": [
            {
                "key": change.phase.key,
                "name": change.phase.name,
                "entered_on": change.entered_on.isoformat(),
            }
            for change in project.phase_changes.select_related("phase").order_by(
                "entered_on", "recorded_at"
            )
        ],
        "canvas": (
            {
                "version": canvas.number,
                "fields": [
                    {"key": str(key), "label": labels.get(str(key), str(key)), "text": str(text)}
                    for key, text in (canvas.content or {}).items()
                ],
            }
            if canvas is not None
            else None
        ),
        "benefits": [
            {
                "type": benefit.type,
                "description": benefit.description,
                "indicator": benefit.indicator,
                "owner": benefit.owner,
                "unit_of_measure": benefit.unit_of_measure,
                "baseline_value": str(benefit.baseline_value),
                "baseline_on": benefit.baseline_on.isoformat(),
                "target_value": str(benefit.target_value),
                "target_on": benefit.target_on.isoformat() if benefit.target_on else None,
                "measurements": [
                    {
                        "measured_on": measurement.measured_on.isoformat(),
                        "value": str(measurement.value),
                        "note": measurement.note,
                    }
                    for measurement in benefit.measurements.all()
                ],
            }
            for benefit in benefits
        ],
    }


def export_project_json(project: InnovationProject, *, url: str = "") -> str:
    """The project as JSON text of schema version 1 (UTF-8, indented for people to read)."""
    return json.dumps(export_project(project, url=url), ensure_ascii=False, indent=2)


# Validation ---------------------------------------------------------------------------------


class _Checker:
    """Collects every problem of a document, each with its JSON path."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.reported: set[str] = set()

    def fail(self, path: str, message: str) -> None:
        if path in self.reported:  # one problem per place (a missing key is not also "not text")
            return
        self.reported.add(path)
        self.errors.append(f"{path}: {message}")

    def keys(self, value: Any, path: str, expected: set[str]) -> bool:
        if not isinstance(value, dict):
            self.fail(path, _("must be an object"))
            return False
        for missing in sorted(expected - set(value)):
            self.fail(f"{path}.{missing}", _("is missing"))
        for extra in sorted(set(value) - expected):
            self.fail(f"{path}.{extra}", _("is not part of the schema"))
        return True

    def text(
        self, value: Any, path: str, *, max_length: int | None = None, required: bool = True
    ) -> None:
        if not isinstance(value, str):
            self.fail(path, _("must be text"))
        elif required and not value.strip():
            self.fail(path, _("must not be empty"))
        elif max_length is not None and len(value) > max_length:
            self.fail(path, _("is longer than %(max)d characters") % {"max": max_length})

    def choice(self, value: Any, path: str, choices: list[str]) -> None:
        if value not in choices:
            self.fail(path, _("must be one of %(choices)s") % {"choices": ", ".join(choices)})

    def date(self, value: Any, path: str, *, nullable: bool = False) -> dt.date | None:
        if value is None and nullable:
            return None
        if isinstance(value, str) and _DATE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(path, _("must be a date written YYYY-MM-DD"))
        return None

    def decimal(self, value: Any, path: str) -> Decimal | None:
        if isinstance(value, str) and _DECIMAL.match(value):
            try:
                number = Decimal(value)
            except InvalidOperation:
                pass
            else:
                if -MEASUREMENT_LIMIT < number < MEASUREMENT_LIMIT:
                    return number
                self.fail(path, _("is out of range"))
                return None
        self.fail(path, _('must be a decimal number written as text, such as "12.50"'))
        return None

    def array(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            self.fail(path, _("must be a list"))
            return []
        if len(value) > MAX_ITEMS:
            self.fail(path, _("has more than %(max)d items") % {"max": MAX_ITEMS})
            return []
        return value


def validate_document(document: Any) -> list[str]:
    """Every way `document` differs from schema version 1; empty when it matches."""
    check = _Checker()
    if not check.keys(document, "$", _TOP_KEYS):
        return check.errors
    if document.get("schema") != SCHEMA:
        check.fail("$.schema", _('must be "%(schema)s"') % {"schema": SCHEMA})
    check.text(document.get("id"), "$.id", max_length=64)
    url = document.get("url")
    check.text(url, "$.url", max_length=200, required=False)
    if isinstance(url, str) and url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            check.fail("$.url", _("must be an http or https address, or empty"))
    exported_at = document.get("exported_at")
    try:
        dt.datetime.fromisoformat(exported_at)
    except (TypeError, ValueError):
        check.fail("$.exported_at", _("must be a date and time in ISO 8601"))
    check.choice(document.get("licence"), "$.licence", list(Licence.values))
    origin = document.get("origin")
    if check.keys(origin, "$.origin", {"organisation", "unit", "sector"}):
        check.text(origin.get("organisation"), "$.origin.organisation", max_length=200)
        check.text(origin.get("unit"), "$.origin.unit", max_length=200, required=False)
        check.text(origin.get("sector"), "$.origin.sector", max_length=200, required=False)
    check.text(document.get("title"), "$.title", max_length=200)
    check.text(document.get("need"), "$.need", max_length=20_000)
    check.text(document.get("audience"), "$.audience", max_length=300)
    check.text(document.get("idea"), "$.idea", max_length=20_000, required=False)
    check.text(document.get("story"), "$.story", max_length=50_000, required=False)
    phase = document.get("phase")
    if phase is not None and not (isinstance(phase, str) and _KEY.match(phase)):
        check.fail("$.phase", _("must be a phase key or null"))
    for index, item in enumerate(check.array(document.get("phases"), "$.phases")):
        path = f"$.phases[{index}]"
        if check.keys(item, path, {"key", "name", "entered_on"}):
            if not (isinstance(item.get("key"), str) and _KEY.match(item["key"])):
                check.fail(f"{path}.key", _("must be a key of letters, digits and hyphens"))
            check.text(item.get("name"), f"{path}.name", max_length=80)
            check.date(item.get("entered_on"), f"{path}.entered_on")
    canvas = document.get("canvas")
    if canvas is not None and check.keys(canvas, "$.canvas", {"version", "fields"}):
        version = canvas.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            check.fail("$.canvas.version", _("must be a whole number from 1"))
        seen: set[str] = set()
        for index, item in enumerate(check.array(canvas.get("fields"), "$.canvas.fields")):
            path = f"$.canvas.fields[{index}]"
            if check.keys(item, path, {"key", "label", "text"}):
                key = item.get("key")
                if not (isinstance(key, str) and _KEY.match(key)):
                    check.fail(f"{path}.key", _("must be a key of letters, digits and hyphens"))
                elif key in seen:
                    check.fail(f"{path}.key", _("appears twice"))
                else:
                    seen.add(key)
                check.text(item.get("label"), f"{path}.label", max_length=80)
                check.text(item.get("text"), f"{path}.text", max_length=10_000, required=False)
    benefit_keys = {
        "type",
        "description",
        "indicator",
        "owner",
        "unit_of_measure",
        "baseline_value",
        "baseline_on",
        "target_value",
        "target_on",
        "measurements",
    }
    for index, item in enumerate(check.array(document.get("benefits"), "$.benefits")):
        path = f"$.benefits[{index}]"
        if not check.keys(item, path, benefit_keys):
            continue
        check.choice(item.get("type"), f"{path}.type", list(BenefitType.values))
        check.text(item.get("description"), f"{path}.description", max_length=300)
        check.text(item.get("indicator"), f"{path}.indicator", max_length=200)
        check.text(item.get("owner"), f"{path}.owner", max_length=120)
        check.choice(item.get("unit_of_measure"), f"{path}.unit_of_measure", MeasureUnit.values)
        baseline = check.decimal(item.get("baseline_value"), f"{path}.baseline_value")
        check.date(item.get("baseline_on"), f"{path}.baseline_on")
        target = check.decimal(item.get("target_value"), f"{path}.target_value")
        check.date(item.get("target_on"), f"{path}.target_on", nullable=True)
        if baseline is not None and baseline == target:
            check.fail(f"{path}.target_value", _("must differ from the baseline"))
        days: set[dt.date] = set()
        for number, measurement in enumerate(
            check.array(item.get("measurements"), f"{path}.measurements")
        ):
            mpath = f"{path}.measurements[{number}]"
            if check.keys(measurement, mpath, {"measured_on", "value", "note"}):
                day = check.date(measurement.get("measured_on"), f"{mpath}.measured_on")
                if day is not None and day in days:
                    check.fail(f"{mpath}.measured_on", _("has a measurement already that day"))
                elif day is not None:
                    days.add(day)
                check.decimal(measurement.get("value"), f"{mpath}.value")
                check.text(measurement.get("note"), f"{mpath}.note", max_length=300, required=False)
    return check.errors


def parse_document(data: bytes) -> dict[str, Any]:
    """Decode and validate an uploaded file; raise `ExchangeRejected` listing every problem."""
    if len(data) > MAX_BYTES:
        raise ExchangeRejected(
            [_("The file is larger than %(limit)d MB.") % {"limit": MAX_BYTES // 1_000_000}]
        )
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ExchangeRejected([_("The file is not UTF-8 text.")]) from None
    except json.JSONDecodeError as error:
        raise ExchangeRejected(
            [
                _("The file is not valid JSON (line %(line)d, column %(column)d: %(message)s).")
                % {"line": error.lineno, "column": error.colno, "message": error.msg}
            ]
        ) from None
    errors = validate_document(document)
    if errors:
        raise ExchangeRejected(errors)
    return document


# Import -------------------------------------------------------------------------------------


def _phases_of(organisation: Organisation) -> dict[str, ProjectPhase]:
    """The importer's phases by key: its first programme's (the defaults if it has none)."""
    programme = organisation.programmes.order_by("pk").first()
    if programme is None:
        return {}
    return {phase.key: phase for phase in services.ensure_project_phases(programme=programme)}


@transaction.atomic
def import_project_json(*, data: bytes, organisation: Organisation, user: Any) -> ImportOutcome:
    """Import a project exported as schema version 1 into `organisation`, published under
    its licence and keeping its origin. Importing the same origin identifier again updates
    the earlier import. Raises `ExchangeRejected` (nothing written) for a file that does not
    match the schema, or that is one of this organisation's own projects."""
    document = parse_document(data)
    identifier = document["id"]
    if (
        _looks_like_uuid(identifier)
        and InnovationProject.objects.filter(
            public_id=identifier, organisation=organisation, enrolment__isnull=False
        ).exists()
    ):
        raise ExchangeRejected([_("This is one of your organisation's own projects.")])
    project = InnovationProject.objects.filter(
        organisation=organisation, enrolment__isnull=True, origin_id=identifier
    ).first()
    created = project is None
    now = timezone.now()
    if project is None:
        project = InnovationProject(organisation=organisation, origin_id=identifier)
    phases = _phases_of(organisation)
    origin = document["origin"]
    project.title = document["title"]
    project.need = document["need"]
    project.audience = document["audience"]
    project.idea = document["idea"]
    project.story = document["story"]
    project.licence = document["licence"]
    project.origin_organisation = origin["organisation"]
    project.origin_unit = origin["unit"]
    project.origin_sector = origin["sector"]
    project.origin_url = document["url"]
    project.phase = phases.get(document["phase"]) if document["phase"] else None
    project.published_at = project.published_at or now
    project.consent_at = now
    project.consent_by = user
    try:
        project.full_clean()
    except ValidationError as error:
        raise ExchangeRejected([f"$: {message}" for message in error.messages]) from error
    project.save()

    project.phase_changes.all().delete()
    PhaseChange.objects.bulk_create(
        PhaseChange(
            project=project,
            phase=phases[item["key"]],
            entered_on=dt.date.fromisoformat(item["entered_on"]),
            changed_by=user,
        )
        for item in document["phases"]
        if item["key"] in phases
    )
    canvas = document["canvas"]
    if canvas is not None:
        content = {field["key"]: field["text"] for field in canvas["fields"]}
        current = project.canvas_versions.order_by("-number").first()
        if current is None or current.content != content:
            CanvasVersion.objects.create(
                project=project,
                number=(current.number + 1) if current else 1,
                content=content,
                saved_by=user,
            )
    project.benefits.all().delete()
    for item in document["benefits"]:
        benefit = Benefit.objects.create(
            project=project,
            type=item["type"],
            description=item["description"],
            indicator=item["indicator"],
            owner=item["owner"],
            unit_of_measure=item["unit_of_measure"],
            baseline_value=Decimal(item["baseline_value"]),
            baseline_on=dt.date.fromisoformat(item["baseline_on"]),
            target_value=Decimal(item["target_value"]),
            target_on=dt.date.fromisoformat(item["target_on"]) if item["target_on"] else None,
        )
        BenefitMeasurement.objects.bulk_create(
            BenefitMeasurement(
                benefit=benefit,
                measured_on=dt.date.fromisoformat(measurement["measured_on"]),
                value=Decimal(measurement["value"]),
                note=measurement["note"],
                recorded_by=user,
            )
            for measurement in item["measurements"]
        )
    record_event(
        action=AuditEvent.Action.PROJECT_IMPORTED,
        actor=user,
        subject_label=project.title,
        project=str(project.public_id),
        origin=project.origin_organisation,
        created=created,
    )
    return ImportOutcome(project=project, created=created)


def _looks_like_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
