"""Exporting a project as a document of the exchange schema (see `schema`)."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from ..models import DEFAULT_CANVAS_FIELDS, InnovationProject
from .schema import SCHEMA


def _canvas_labels(project: InnovationProject) -> dict[str, str]:
    labels = {key: label for key, label, _help in DEFAULT_CANVAS_FIELDS}
    programme = project.programme
    if programme is not None:
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
