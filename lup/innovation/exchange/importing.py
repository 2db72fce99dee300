"""Importing a project exported by another municipality: validated as a whole first, then
written in one transaction, published under its licence and keeping its origin."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ...audit import record_event
from ...models import AuditEvent, Organisation
from ..models import (
    Benefit,
    BenefitMeasurement,
    CanvasVersion,
    InnovationProject,
    PhaseChange,
    ProjectPhase,
)
from ..services import ensure_project_phases
from .validation import ExchangeRejected, parse_document


@dataclass(frozen=True)
class ImportOutcome:
    """The imported project, and whether it is new or updates an earlier import."""

    project: InnovationProject
    created: bool


def _phases_of(organisation: Organisation) -> dict[str, ProjectPhase]:
    """The importer's phases by key: its first programme's (the defaults if it has none)."""
    programme = organisation.programmes.order_by("pk").first()
    if programme is None:
        return {}
    return {phase.key: phase for phase in ensure_project_phases(programme=programme)}


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
    """Whether the identifier could be one of our own projects' (they export their UUID)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
