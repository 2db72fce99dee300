"""The demo's innovation projects: consistent with the rules, idempotent and reproducible."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count
from django.urls import reverse

from lup.demo.seed import seed_demo
from lup.innovation.models import (
    Benefit,
    BenefitClass,
    BenefitMeasurement,
    BenefitUpdate,
    CanvasVersion,
    InnovationProject,
    Nomination,
    PhaseChange,
    ProjectPhase,
    ProjectReuse,
)
from lup.innovation.services.benefits import owner_candidates
from lup.models import Participant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            InnovationProject,
            PhaseChange,
            CanvasVersion,
            Benefit,
            BenefitMeasurement,
            ProjectReuse,
            Nomination,
        )
    )


def test_projects_are_seeded_once_and_the_same_each_time():
    seed_demo(today=TODAY)
    first = counts()
    titles = sorted(InnovationProject.objects.values_list("title", "phase__key"))
    seed_demo(today=TODAY)

    assert counts() == first
    assert sorted(InnovationProject.objects.values_list("title", "phase__key")) == titles
    assert 190 <= first[0] <= 220


def test_demo_projects_keep_the_rules():
    seed_demo(today=TODAY)

    for project in InnovationProject.objects.filter(published_at__isnull=False)[:50]:
        project.full_clean()
        assert project.licence
        assert project.consent_at is not None
        assert project.is_imported or project.consent_by is not None
    for benefit in Benefit.objects.all()[:50]:
        benefit.full_clean()
    assert not BenefitMeasurement.objects.filter(measured_on__gt=TODAY).exists()
    # Measurements follow the pilot: 0–3 per benefit.
    most = Benefit.objects.annotate(n=Count("measurements")).order_by("-n").first()
    assert most is not None
    assert most.n <= 3
    for reuse in ProjectReuse.objects.select_related("source__enrolment", "project__enrolment"):
        assert reuse.source.published_at is not None
        assert reuse.source.enrolment.unit_id != reuse.unit_id
        assert reuse.project.enrolment.unit_id == reuse.unit_id
    winners = Nomination.objects.filter(is_winner=True)
    assert winners.count() == winners.values("category", "year").distinct().count() == 3
    assert not winners.filter(year=TODAY.year).exists()  # this year's jury has not decided
    sectors = set(
        InnovationProject.objects.filter(enrolment__isnull=False).values_list(
            "enrolment__unit__sector__name", flat=True
        )
    )
    assert len(sectors) == 7
    # Teams work on their projects together: each own project lists its team.
    staffed = InnovationProject.objects.filter(
        enrolment__in=Participant.objects.current().values("enrolment_id")
    )
    assert staffed.exists()
    assert not staffed.annotate(n=Count("members")).filter(n=0).exists()


def test_the_catalogue_shows_the_demo(client):
    seed_demo(today=TODAY)
    client.force_login(UserFactory())

    response = client.get(reverse("lup:catalogue"), {"sector": "Helse og omsorg", "q": "tilsyn"})

    assert response.status_code == 200
    assert response.context["page"].paginator.count >= 1
    assert response.context["result"].winners


def test_demo_benefits_have_a_plan_in_every_phase_and_updates_for_phases_passed():
    seed_demo(today=TODAY)

    team_benefits = Benefit.objects.filter(
        project__enrolment__cohort__programme__slug="lup"
    ).select_related("project__phase", "project__enrolment__unit")
    phases = set(ProjectPhase.objects.filter(programme__slug="lup").values_list("key", flat=True))
    # Projects in every phase of the roadmap have benefits with their plan.
    assert {benefit.project.phase.key for benefit in team_benefits} == phases
    updates: dict[int, list[BenefitUpdate]] = {}
    for update in BenefitUpdate.objects.select_related("phase"):
        updates.setdefault(update.benefit_id, []).append(update)
    assert updates
    for benefit in team_benefits:
        benefit.full_clean()
        assert benefit.owner_person_id is not None
        assert owner_candidates(benefit.project).filter(pk=benefit.owner_person_id).exists()
        assert benefit.benefit_class in BenefitClass.values
        assert benefit.leads_from_change
        assert benefit.effect
        assert benefit.baseline_method
        assert benefit.baseline_on <= TODAY
        # An update at the end of each phase finished since the insight phase (where the
        # benefit was mapped), recorded by its owner, between the baseline and today.
        position = benefit.project.phase.position
        mine = updates.get(benefit.pk, [])
        assert len(mine) == max(0, position - 2), benefit.project.phase.key
        assert sorted(u.phase.position for u in mine) == list(range(2, position))
        for update in mine:
            update.full_clean()
            assert benefit.baseline_on <= update.measured_on <= TODAY
            assert update.recorded_by_id == benefit.owner_person_id
    statuses = set(BenefitUpdate.objects.values_list("status", flat=True))
    assert statuses == set(BenefitUpdate.Status.values)
    # Imported projects keep their plans' class and map, but have no owner here.
    imported = Benefit.objects.filter(project__enrolment__isnull=True)
    assert imported.exists()
    assert not imported.filter(owner_person__isnull=False).exists()
    assert not imported.filter(benefit_class="").exists()
