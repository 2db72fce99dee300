"""Reads of the catalogue ("stjæl og del"): searching published projects and one project's page.

Published projects are visible to anyone signed in (as in `lup.scoping.projects_for`), so
the catalogue starts from every published project. Both selectors run a fixed number of
queries however many projects, benefits and reuses there are: the first page of a search
is a count, the page, the page's benefit types, the filter options and the latest winners.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ..models import Sector
from .models import (
    DEFAULT_CANVAS_FIELDS,
    Benefit,
    BenefitMeasurement,
    BenefitType,
    CanvasField,
    CanvasVersion,
    InnovationProject,
    Nomination,
    PhaseChange,
    ProjectPhase,
    ProjectReuse,
)

PAGE_SIZE = 20
WINNERS_SHOWN = 6
MAX_SEARCH_WORDS = 8


def published_projects() -> QuerySet[InnovationProject]:
    """Every published project, with what a catalogue card shows."""
    return InnovationProject.objects.filter(published_at__isnull=False).select_related(
        "organisation", "phase", "enrolment__unit__sector"
    )


@dataclass(frozen=True)
class CatalogueFilters:
    """What the catalogue is searched for; empty strings mean no filter."""

    text: str = ""
    sector: str = ""
    phase: str = ""
    benefit_type: str = ""
    winners_only: bool = False

    @property
    def active(self) -> bool:
        return bool(
            self.text or self.sector or self.phase or self.benefit_type or self.winners_only
        )


@dataclass
class CataloguePage:
    page: Page[Any]
    filters: CatalogueFilters
    winners: list[Nomination] = field(default_factory=list)


def _reuse_count() -> Coalesce:
    reuses = (
        ProjectReuse.objects.filter(source=OuterRef("pk"))
        .order_by()
        .values("source")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(reuses, output_field=IntegerField()), 0)


def _won() -> Exists:
    return Exists(Nomination.objects.filter(project=OuterRef("pk"), is_winner=True))


def filter_catalogue(
    projects: QuerySet[InnovationProject], filters: CatalogueFilters
) -> QuerySet[InnovationProject]:
    """Narrow `projects` by text (every word in title, need, idea, story or who it is for),
    sector name, phase key, benefit type and prize winners."""
    words = filters.text.split()[:MAX_SEARCH_WORDS]
    for word in words:
        projects = projects.filter(
            reduce(
                operator.or_,
                (
                    Q(**{f"{name}__icontains": word})
                    for name in ("title", "need", "idea", "story", "audience")
                ),
            )
        )
    if filters.sector:
        projects = projects.filter(
            Q(enrolment__unit__sector__name=filters.sector)
            | Q(enrolment__isnull=True, origin_sector=filters.sector)
        )
    if filters.phase:
        projects = projects.filter(phase__key=filters.phase)
    if filters.benefit_type:
        projects = projects.filter(
            Exists(Benefit.objects.filter(project=OuterRef("pk"), type=filters.benefit_type))
        )
    if filters.winners_only:
        projects = projects.filter(_won())
    return projects


def sector_names() -> list[str]:
    """Sector names to filter by: the same name across organisations is one sector."""
    return list(Sector.objects.order_by("name").values_list("name", flat=True).distinct())


def phase_choices() -> list[tuple[str, str]]:
    """Phases to filter by, as (key, name), in roadmap order, each key once."""
    seen: dict[str, str] = {}
    for key, name in ProjectPhase.objects.order_by("position", "key").values_list("key", "name"):
        seen.setdefault(key, name)
    return list(seen.items())


def latest_winners(limit: int = WINNERS_SHOWN) -> list[Nomination]:
    """The newest prize winners among published projects: the latest year's first, the
    most recently nominated first within a year (in the order of `lup_nomination_winners_idx`,
    so the page reads a few rows however many municipalities hold a prize)."""
    return list(
        Nomination.objects.filter(is_winner=True, project__published_at__isnull=False)
        .select_related("category", "project__organisation")
        .order_by("-year", "-pk")[:limit]
    )


def search_catalogue(*, filters: CatalogueFilters, page_number: Any = 1) -> CataloguePage:
    """One page of published projects matching `filters`, newest first, each with its
    distinct benefit types (`benefit_type_labels`), `reuse_count` and `is_winner`.

    Runs four queries whatever the data size: count, page, benefit types and winners (the
    filter options are `sector_names` and `phase_choices`, one query each).
    """
    projects = (
        filter_catalogue(published_projects(), filters)
        .annotate(reuse_count=_reuse_count(), is_winner=_won())
        .prefetch_related(
            Prefetch(
                "benefits", queryset=Benefit.objects.only("pk", "project_id", "type").order_by()
            )
        )
        .order_by("-published_at", "-pk")
    )
    page = Paginator(projects, PAGE_SIZE).get_page(page_number)
    labels = dict(BenefitType.choices)
    for project in page.object_list:
        types = sorted({benefit.type for benefit in project.benefits.all()})
        project.benefit_type_labels = [labels.get(kind, kind) for kind in types]
    return CataloguePage(
        page=page,
        filters=filters,
        winners=latest_winners(),
    )


@dataclass
class BenefitRow:
    benefit: Benefit
    measurements: list[BenefitMeasurement]

    @property
    def latest(self) -> BenefitMeasurement | None:
        return self.measurements[-1] if self.measurements else None


@dataclass
class ProjectStory:
    """Everything the catalogue shows of one published project."""

    project: InnovationProject
    canvas: CanvasVersion | None
    canvas_rows: list[tuple[str, str]]
    benefits: list[BenefitRow]
    timeline: list[PhaseChange]
    reuses: list[ProjectReuse]
    reused_from: list[ProjectReuse]
    wins: list[Nomination]

    @property
    def unit_name(self) -> str:
        project = self.project
        return project.enrolment.unit.name if project.enrolment else project.origin_unit

    @property
    def sector_name(self) -> str:
        project = self.project
        return project.enrolment.unit.sector.name if project.enrolment else project.origin_sector

    @property
    def organisation_name(self) -> str:
        project = self.project
        return project.origin_organisation if project.is_imported else project.organisation.name


def catalogue_project_detail(*, public_id: Any) -> ProjectStory:
    """A published project's story, current canvas, benefits with their measurements, phase
    timeline, reuse in both directions and prizes won, in a fixed number of queries.

    Raises `InnovationProject.DoesNotExist` when no published project has that identifier.
    """
    project = (
        published_projects().select_related("enrolment__cohort__programme").get(public_id=public_id)
    )
    canvas = project.canvas_versions.order_by("-number").first()
    canvas_rows: list[tuple[str, str]] = []
    if canvas is not None and isinstance(canvas.content, dict):
        labels = {key: label for key, label, _help in DEFAULT_CANVAS_FIELDS}
        if project.enrolment is not None:
            labels.update(
                CanvasField.objects.filter(
                    programme_id=project.enrolment.cohort.programme_id
                ).values_list("key", "label")
            )
        canvas_rows = [
            (labels.get(str(key), str(key)), str(text))
            for key, text in canvas.content.items()
            if str(text).strip()
        ]
    benefits = [
        BenefitRow(benefit, list(benefit.measurements.all()))
        for benefit in project.benefits.order_by("created_at", "pk").prefetch_related(
            Prefetch("measurements", queryset=BenefitMeasurement.objects.order_by("measured_on"))
        )
    ]
    return ProjectStory(
        project=project,
        canvas=canvas,
        canvas_rows=canvas_rows,
        benefits=benefits,
        timeline=list(
            project.phase_changes.select_related("phase").order_by("entered_on", "recorded_at")
        ),
        reuses=list(
            project.reuses.select_related("unit__organisation", "unit__sector", "project").order_by(
                "created_at"
            )
        ),
        reused_from=list(
            project.reused_sources.select_related(
                "source__organisation", "source__enrolment__unit"
            ).order_by("created_at")
        ),
        wins=list(
            project.nominations.filter(is_winner=True).select_related("category").order_by("-year")
        ),
    )
