"""Demo innovation projects: every team's project, some shared, reused and awarded.

`seed_projects(programme, index=..., today=...)` gives each unit enrolment of a demo
programme (withdrawn ones too: they had started) a project in the unit's sector with a
phase that fits its cohort (finished cohorts got far, the running one is under way, the
upcoming one has just anchored its project), the phase changes that led there, one or two
canvas versions, and (once the cohort has started) one or two benefits with their plan: the
unit's manager as owner, a class, the benefit map (the change leads to an effect, which
gives the benefit), a baseline with its date and method, an update at the end of each
phase finished since, and 0–3 follow-up measurements from the pilot on. A
share of the finished, approved projects is published by the unit's manager with consent
and an open licence; some are reused by other units, linking their own projects. The
organisation has also imported projects shared by other municipalities, and its prize has
nominations and a winner per category for the last two years. The text comes from
`lup.demo.project_ideas`.

Rows are written with `bulk_create`, so scale 25 (about 5,000 projects) takes seconds.
Running it again creates nothing twice: teams with a project and imports already present
are skipped. Randomness is seeded per piece (`_rng`), so every run plans the same data.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal

from django.db.models import Q

from ..innovation.models import (
    DEFAULT_CANVAS_FIELDS,
    Benefit,
    BenefitMeasurement,
    BenefitUpdate,
    CanvasVersion,
    InnovationProject,
    Licence,
    Nomination,
    PhaseChange,
    PrizeCategory,
    ProjectPhase,
    ProjectReuse,
)
from ..innovation.prize import ensure_prize_categories
from ..innovation.services import ensure_project_phases
from ..models import Participant, Programme, UnitEnrolment
from .common import BATCH, at, rng
from .project_ideas import (
    BENEFIT_CLASSES,
    BENEFIT_MAPS,
    CANVAS_TEXTS,
    CLASS_BY_TYPE,
    DISTRICTS,
    EXTERNAL_MUNICIPALITIES,
    NOMINATION_REASONS,
    OTHER_PLANS,
    PLANS,
    REUSE_NOTES,
    ProjectPlan,
)

IMPORTS_PER_ORGANISATION = 58
PUBLISHED_SHARE = 0.45  # of the finished cohorts' approved projects

# A project as planned: the row, its idea, how many phases it reached, and its start.
PlannedProject = tuple[InnovationProject, ProjectPlan, int, dt.date]
# A benefit as planned: the row, the day the pilot started (measurements follow it), the
# phases finished since it was mapped with the day each ended, and the project's stream.
PlannedBenefit = tuple[Benefit, dt.date | None, list[tuple[int, dt.date]], random.Random]


def _rng(*key: object) -> random.Random:
    """The projects' own random streams, apart from the rest of the demo's."""
    return rng("projects", *key)


def _plan_for(sector: str, project_rng: random.Random) -> ProjectPlan:
    return project_rng.choice(PLANS.get(sector) or OTHER_PLANS)


def seed_projects(programme: Programme, *, index: int, today: dt.date) -> int:
    """Create the demo projects of `programme` (the `index`-th demo organisation's); returns
    how many projects were created. Idempotent."""
    phases = ensure_project_phases(programme=programme)
    categories = ensure_prize_categories(programme)
    enrolments = list(
        UnitEnrolment.objects.filter(cohort__programme=programme, project__isnull=True)
        .select_related("unit__sector", "cohort")
        .order_by("cohort__starts_on", "unit__code")
    )
    managers = dict(
        Participant.objects.filter(
            enrolment__cohort__programme=programme, role=Participant.Role.MANAGER
        )
        .exclude(status=Participant.Status.WITHDRAWN)
        .values_list("enrolment_id", "user_id")
    )
    planned = [
        _plan_team_project(
            enrolment,
            programme=programme,
            phases=phases,
            managers=managers,
            index=index,
            today=today,
        )
        for enrolment in enrolments
    ]
    InnovationProject.objects.bulk_create([row[0] for row in planned], batch_size=BATCH)
    # The whole team works on the project: every current participant is a member.
    project_of = {row[0].enrolment_id: row[0].pk for row in planned}
    InnovationProject.members.through.objects.bulk_create(
        [
            InnovationProject.members.through(
                innovationproject_id=project_of[enrolment_id], participant_id=participant_id
            )
            for participant_id, enrolment_id in Participant.objects.current()
            .filter(enrolment_id__in=project_of)
            .values_list("pk", "enrolment_id")
        ],
        batch_size=BATCH,
    )

    imported = _plan_imports(programme, index=index, phases=phases, today=today)
    InnovationProject.objects.bulk_create([row[0] for row in imported], batch_size=BATCH)
    everything = planned + imported
    # The unit's manager owns its benefits, even of a team that has since withdrawn.
    owners = dict(
        Participant.objects.filter(
            enrolment__cohort__programme=programme, role=Participant.Role.MANAGER
        ).values_list("enrolment_id", "user_id")
    )
    _seed_details(
        everything, phases=phases, index=index, today=today, managers=managers, owners=owners
    )
    _seed_reuse(programme, [row[0] for row in planned], index=index)
    _seed_prize(programme, categories, index=index, today=today)
    return len(everything)


def _plan_team_project(
    enrolment: UnitEnrolment,
    *,
    programme: Programme,
    phases: list[ProjectPhase],
    managers: dict[int, int],
    index: int,
    today: dt.date,
) -> PlannedProject:
    """A unit's project, as far as its cohort got; finished ones approved, and some of them
    published by the unit's manager."""
    project_rng = _rng(index, "project", enrolment.cohort.name, enrolment.unit.code)
    plan = _plan_for(enrolment.unit.sector.name, project_rng)
    state = enrolment.cohort.phase_on(today)
    if state == "future":
        reached = 1
    elif state == "current":
        reached = project_rng.choice([1, 2, 2, 3])
    elif enrolment.status == UnitEnrolment.Status.COMPLETED:
        reached = project_rng.choice([4, 4, 5, 5, 6])
    else:
        reached = project_rng.choice([2, 3])
    reached = min(reached, len(phases))
    project = InnovationProject(
        organisation_id=programme.organisation_id,
        enrolment=enrolment,
        # Units take up the same ideas ("stjæl og del"); each names its project its own way.
        title=f"{plan.title} – {enrolment.unit.name}",
        need=plan.need,
        audience=plan.audience,
        idea=plan.idea,
        story=plan.story if reached >= 3 else "",
        phase=phases[reached - 1],
    )
    if enrolment.status == UnitEnrolment.Status.COMPLETED:
        project.review_status = InnovationProject.Review.APPROVED
        project.approved_at = at(enrolment.cohort.ends_on, 10)
        manager = managers.get(enrolment.pk)
        if manager and project_rng.random() < PUBLISHED_SHARE:
            published = at(enrolment.cohort.ends_on + dt.timedelta(days=project_rng.randint(3, 40)))
            published = min(published, at(today, 8))
            project.published_at = project.consent_at = published
            project.consent_by_id = manager
            project.licence = project_rng.choice(Licence.values)
    elif state == "current" and reached >= 2 and project_rng.random() < 0.3:
        project.review_status = InnovationProject.Review.SUBMITTED
    return (project, plan, reached, enrolment.cohort.starts_on)


def _plan_imports(
    programme: Programme, *, index: int, phases: list[ProjectPhase], today: dt.date
) -> list[PlannedProject]:
    """Projects the organisation imported from other municipalities' catalogues."""
    existing = set(
        InnovationProject.objects.filter(
            organisation_id=programme.organisation_id, enrolment__isnull=True
        ).values_list("origin_id", flat=True)
    )
    sectors = list(PLANS)
    planned = []
    for number in range(IMPORTS_PER_ORGANISATION):
        origin_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"lup-demo-import-{index}-{number}"))
        if origin_id in existing:
            continue
        import_rng = _rng(index, "import", number)
        organisation, slug = import_rng.choice(EXTERNAL_MUNICIPALITIES)
        sector = import_rng.choice(sectors)
        plan = _plan_for(sector, import_rng)
        started = today - dt.timedelta(days=import_rng.randint(300, 900))
        published = at(min(today, started + dt.timedelta(days=import_rng.randint(200, 280))))
        reached = import_rng.choice([4, 5, 6])
        project = InnovationProject(
            organisation_id=programme.organisation_id,
            title=plan.title,
            need=plan.need,
            audience=plan.audience,
            idea=plan.idea,
            story=plan.story,
            phase=phases[min(reached, len(phases)) - 1],
            published_at=published,
            consent_at=published,
            licence=import_rng.choice(Licence.values),
            origin_organisation=organisation,
            origin_unit=f"{sector}, {import_rng.choice(DISTRICTS)}",
            origin_sector=sector,
            origin_id=origin_id,
            origin_url=f"https://lup.{slug}.kommune.no/catalogue/{origin_id}/",
        )
        planned.append((project, plan, reached, started))
    return planned


def _seed_details(
    rows: list[PlannedProject],
    *,
    phases: list[ProjectPhase],
    index: int,
    today: dt.date,
    managers: dict[int, int],
    owners: dict[int, int],
) -> None:
    """Phase changes, canvas versions, benefit plans, their measurements and their updates
    at the end of each phase, of new projects."""
    changes: list[PhaseChange] = []
    canvases: list[CanvasVersion] = []
    benefits: list[PlannedBenefit] = []
    pilot = next((position for position, phase in enumerate(phases) if phase.starts_pilot), 3)
    for project, plan, reached, started in rows:
        project_rng = _rng(index, "details", project.pk)
        author = managers.get(project.enrolment_id) if project.enrolment_id else None
        day = min(started, today)
        entered: list[dt.date] = []  # the day the project entered each phase it reached
        for position in range(reached):
            changes.append(PhaseChange(project=project, phase=phases[position], entered_on=day))
            entered.append(day)
            day = min(today, day + dt.timedelta(days=project_rng.randint(20, 60)))
        pilot_on = entered[pilot] if pilot < reached else None
        keys = [key for key, _label, _help in DEFAULT_CANVAS_FIELDS]
        versions = 1 if reached < 3 else 2
        for number in range(1, versions + 1):
            filled = keys[: 3 + 2 * number]
            content = {key: CANVAS_TEXTS.get(key, "") for key in filled}
            canvases.append(
                CanvasVersion(project=project, number=number, content=content, saved_by_id=author)
            )
        if started > today:
            continue  # a coming cohort's team has not mapped its benefits yet
        # Benefits are mapped in the insight phase; a team still anchoring its project has
        # a first plan already.
        mapped = min(1, reached - 1)
        for plan_benefit in plan.benefits:
            effect, method = BENEFIT_MAPS[plan_benefit.description]
            # The baseline is measured in the phase the benefit is mapped in.
            baseline_on = min(
                today, entered[mapped] + dt.timedelta(days=project_rng.randint(3, 15))
            )
            if mapped + 1 < reached:
                baseline_on = min(baseline_on, entered[mapped + 1])
            benefit = Benefit(
                project=project,
                type=plan_benefit.type,
                description=plan_benefit.description,
                indicator=plan_benefit.indicator,
                unit_of_measure=plan_benefit.unit_of_measure,
                baseline_value=Decimal(plan_benefit.baseline),
                baseline_on=baseline_on,
                target_value=Decimal(plan_benefit.target),
                target_on=baseline_on + dt.timedelta(days=365),
                owner=plan_benefit.owner,
                # The unit's manager answers for it (an imported project has no one here).
                owner_person_id=owners.get(project.enrolment_id) if project.enrolment_id else None,
                benefit_class=BENEFIT_CLASSES.get(
                    plan_benefit.description, CLASS_BY_TYPE[plan_benefit.type]
                ),
                leads_from_change=plan.idea[:300],
                effect=effect,
                baseline_method=method,
            )
            # Each phase the team finished since mapping the benefit ended with its update.
            finished = (
                [(position, entered[position + 1]) for position in range(mapped, reached - 1)]
                if project.enrolment_id
                else []
            )
            benefits.append((benefit, pilot_on, finished, project_rng))
    PhaseChange.objects.bulk_create(changes, batch_size=BATCH)
    CanvasVersion.objects.bulk_create(canvases, batch_size=BATCH)
    Benefit.objects.bulk_create([row[0] for row in benefits], batch_size=BATCH)
    measurements: list[BenefitMeasurement] = []
    updates: list[BenefitUpdate] = []
    for benefit, pilot_on, finished, project_rng in benefits:
        for position, ended_on in finished:
            updates.append(
                _phase_update(benefit, phases[position], ended_on, position - pilot, project_rng)
            )
        if pilot_on is None:
            continue
        count = project_rng.choice([0, 1, 2, 2, 3])
        for step in range(1, count + 1):
            measured_on = pilot_on + dt.timedelta(days=91 * step)
            if measured_on > today:
                break
            progress = min(1.0, step / 3 + project_rng.uniform(-0.15, 0.2))
            measurements.append(
                BenefitMeasurement(
                    benefit=benefit, measured_on=measured_on, value=_value(benefit, progress)
                )
            )
    BenefitMeasurement.objects.bulk_create(measurements, batch_size=BATCH)
    BenefitUpdate.objects.bulk_create(updates, batch_size=BATCH)


def _value(benefit: Benefit, progress: float) -> Decimal:
    """The indicator's value `progress` of the way from the baseline to the target."""
    gap = benefit.target_value - benefit.baseline_value
    value = benefit.baseline_value + gap * Decimal(str(round(progress, 2)))
    return value.quantize(Decimal("1"))


def _phase_update(
    benefit: Benefit,
    phase: ProjectPhase,
    ended_on: dt.date,
    after_pilot: int,
    project_rng: random.Random,
) -> BenefitUpdate:
    """The benefit's update at the end of `phase` (`after_pilot` phases after the pilot's,
    negative before it), recorded by its owner: planned until the pilot, then on track or
    at risk, realised once most of the gain is in."""
    status = BenefitUpdate.Status.PLANNED
    progress = 0.0
    note = "Ingen endring ennå: endringen prøves ut i piloten."
    if after_pilot >= 0:
        at_risk = project_rng.random() < 0.2
        if at_risk:
            progress = project_rng.uniform(0.0, 0.25)
            status = BenefitUpdate.Status.AT_RISK
            note = "Gevinsten kommer saktere enn planlagt: vi justerer tiltaket."
        else:
            progress = min(1.0, 0.45 + 0.4 * after_pilot + project_rng.uniform(-0.1, 0.2))
            status = BenefitUpdate.Status.ON_TRACK
            note = "Gevinsten er på vei, målt på samme måte som nullpunktet."
            if progress >= 0.9:
                status = BenefitUpdate.Status.REALISED
                note = "Gevinsten er tatt ut og er en del av den nye praksisen."
    return BenefitUpdate(
        benefit=benefit,
        phase=phase,
        value=_value(benefit, progress),
        measured_on=max(ended_on, benefit.baseline_on),
        status=status,
        note=note,
        recorded_by_id=benefit.owner_person_id,
    )


def _idea(title: str) -> str:
    """The idea a unit's project title is built on (before " – <unit>")."""
    return title.split(" – ", 1)[0]


def _seed_reuse(programme: Programme, new: list[InnovationProject], *, index: int) -> None:
    """Units of later cohorts reuse some published projects, linking their own."""
    published = [project for project in new if project.published_at is not None]
    if not published:
        return
    takers = list(
        InnovationProject.objects.filter(
            enrolment__cohort__programme=programme, published_at__isnull=True
        )
        .exclude(enrolment__status=UnitEnrolment.Status.WITHDRAWN)
        .values_list("pk", "enrolment__unit_id", "title")
    )
    reuses: list[ProjectReuse] = []
    for source in published:
        reuse_rng = _rng(index, "reuse", source.pk)
        if reuse_rng.random() > 0.35:
            continue
        source_unit = source.enrolment.unit_id if source.enrolment else None
        idea = _idea(source.title)
        candidates = [t for t in takers if t[1] != source_unit and _idea(t[2]) == idea]
        candidates = candidates or [t for t in takers if t[1] != source_unit]
        seen: set[int] = set()
        for project_id, unit_id, _title in reuse_rng.sample(
            candidates, min(len(candidates), reuse_rng.randint(1, 4))
        ):
            if unit_id in seen:
                continue
            seen.add(unit_id)
            reuses.append(
                ProjectReuse(
                    source=source,
                    unit_id=unit_id,
                    project_id=project_id,
                    note=REUSE_NOTES[len(reuses) % len(REUSE_NOTES)],
                )
            )
    ProjectReuse.objects.bulk_create(reuses, batch_size=BATCH, ignore_conflicts=True)


def _seed_prize(
    programme: Programme, categories: list[PrizeCategory], *, index: int, today: dt.date
) -> None:
    """Three nominations per category for the last two years, and a winner each."""
    if Nomination.objects.filter(category__programme=programme).exists():
        return
    candidates = list(
        InnovationProject.objects.filter(
            Q(enrolment__cohort__programme=programme) & Q(published_at__isnull=False)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    nominations: list[Nomination] = []
    for year in (today.year - 1, today.year):
        for category in categories:
            prize_rng = _rng(index, "prize", year, category.key)
            chosen = prize_rng.sample(candidates, min(3, len(candidates)))
            for position, project_id in enumerate(chosen):
                nominations.append(
                    Nomination(
                        category=category,
                        project_id=project_id,
                        year=year,
                        reason=NOMINATION_REASONS[len(nominations) % len(NOMINATION_REASONS)],
                        is_winner=position == 0 and year < today.year,
                    )
                )
    Nomination.objects.bulk_create(nominations, batch_size=BATCH)
