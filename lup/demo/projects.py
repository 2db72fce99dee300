"""Demo innovation projects: every team's project, some shared, reused and awarded.

`seed_projects(programme, index=..., today=...)` gives each unit enrolment of a demo
programme (withdrawn ones too: they had started) a project in the unit's sector with a
phase that fits its cohort (finished cohorts got far, the running one is under way, the
upcoming one has just anchored its project), the phase changes that led there, one or two
canvas versions, one or two benefits with a baseline and 0–3 follow-up measurements. A
share of the finished, approved projects is published by the unit's manager with consent
and an open licence; some are reused by other units, linking their own projects. The
organisation has also imported projects shared by other municipalities, and its prize has
nominations and a winner per category for the last two years.

Rows are written with `bulk_create`, so scale 25 (about 5,000 projects) takes seconds.
Running it again creates nothing twice: teams with a project and imports already present
are skipped. Randomness is seeded per piece (`_rng`), so every run plans the same data.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q

from ..innovation.models import (
    DEFAULT_CANVAS_FIELDS,
    Benefit,
    BenefitMeasurement,
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

OSLO = ZoneInfo("Europe/Oslo")
BATCH = 500
IMPORTS_PER_ORGANISATION = 58
PUBLISHED_SHARE = 0.45  # of the finished cohorts' approved projects
EXTERNAL_MUNICIPALITIES = [
    ("Trondheim kommune", "trondheim"),
    ("Stavanger kommune", "stavanger"),
    ("Kristiansand kommune", "kristiansand"),
    ("Tromsø kommune", "tromso"),
    ("Bodø kommune", "bodo"),
    ("Ålesund kommune", "alesund"),
]


@dataclass(frozen=True)
class BenefitPlan:
    type: str
    description: str
    indicator: str
    unit_of_measure: str
    baseline: int
    target: int
    owner: str = "Enhetsleder"


@dataclass(frozen=True)
class ProjectPlan:
    title: str
    need: str
    audience: str
    idea: str
    story: str
    benefits: tuple[BenefitPlan, ...]


def _hours(description: str, indicator: str, baseline: int, target: int) -> BenefitPlan:
    return BenefitPlan("time", description, indicator, "hours_year", baseline, target)


def _kroner(description: str, indicator: str, baseline: int, target: int) -> BenefitPlan:
    return BenefitPlan("costs", description, indicator, "nok_year", baseline, target)


def _quality(description: str, indicator: str, baseline: int, target: int) -> BenefitPlan:
    return BenefitPlan("quality", description, indicator, "percent", baseline, target)


def _staff(description: str, indicator: str, baseline: int, target: int) -> BenefitPlan:
    return BenefitPlan("satisfaction", description, indicator, "score", baseline, target)


# Project ideas by sector name (lup.demo.names.SECTORS), in bokmål.
PLANS: dict[str, list[ProjectPlan]] = {
    "Helse og omsorg": [
        ProjectPlan(
            "Digitalt tilsyn på natt",
            "Beboerne våkner når nattevakten åpner døra for å se til dem, og mange sover dårlig.",
            "Beboere med demens og nattevaktene",
            "Sensorer og kamera med samtykke varsler når noen trenger hjelp, i stedet for faste "
            "runder.",
            "Vi startet med fire rom og pårørendemøter. Etter tre måneder sov beboerne bedre, og "
            "nattevaktene brukte tiden der det trengtes. Spør om samtykke tidlig!",
            (
                _hours(
                    "Færre unødvendige tilsynsrunder", "Timer brukt på runder per år", 1400, 600
                ),
                _quality("Bedre søvn", "Andel netter uten oppvåkning", 55, 80),
            ),
        ),
        ProjectPlan(
            "Felles matglede",
            "Beboerne spiser lite og alene, og vekttap er vanlig.",
            "Beboere og ansatte på avdelingen",
            "Vi lager maten sammen med beboerne og spiser ved samme bord som dem.",
            "Kjøkkenet flyttet inn på avdelingen to dager i uka. Appetitten kom tilbake, og "
            "ansatte opplever måltidet som en god stund i stedet for en oppgave.",
            (
                _quality("Færre beboere med vekttap", "Andel beboere med stabil vekt", 62, 85),
                _kroner(
                    "Mindre kastet mat", "Kroner brukt på mat som kastes per år", 180000, 90000
                ),
            ),
        ),
        ProjectPlan(
            "Medisinrobot i hjemmetjenesten",
            "Mange besøk handler bare om å levere medisiner, og tiden hos brukeren blir kort.",
            "Hjemmeboende brukere med faste medisiner",
            "En medisindispenser gir riktig dose og varsler hvis den ikke blir tatt.",
            "Tretti brukere fikk dispenser. Besøkene som ble igjen, ble lengre og bedre.",
            (
                _hours("Færre medisinbesøk", "Timer kjøring og besøk per år", 5200, 3000),
                _staff("Mer tid til samtale", "Ansattes vurdering 1–5", 3, 4),
            ),
        ),
    ],
    "Barnehage": [
        ProjectPlan(
            "Ute hele året",
            "Barna er mye inne om vinteren, og sykefraværet blant ansatte øker.",
            "Barn 3–6 år og de ansatte",
            "Faste utedager med gapahuk, bål og varm mat, også i januar.",
            "Foreldrene var skeptiske først. Etter en vinter var sykefraværet lavere og barna "
            "roligere. Skaff gode klær til alle – også til de som ikke har.",
            (
                _quality("Mer fysisk aktivitet", "Andel dager med over to timer ute", 40, 75),
                _staff("Lavere sykefravær", "Sykefravær i prosent", 9, 6),
            ),
        ),
        ProjectPlan(
            "Digital foreldresamtale",
            "Mange foreldre rekker ikke samtaler i arbeidstiden, og tolk må bestilles lang tid "
            "i forveien.",
            "Foreldre, særlig de som trenger tolk",
            "Foreldresamtaler på video med skjermtolk og fleksible tider.",
            "Oppmøtet økte, og tolken kunne delta fra kontoret. Noen samtaler bør fortsatt være "
            "ansikt til ansikt.",
            (
                _quality("Flere foreldre til samtale", "Andel foreldre som møter", 70, 95),
                _hours("Mindre tid til planlegging", "Timer brukt på avtaler per år", 300, 150),
            ),
        ),
        ProjectPlan(
            "Språkløft i lek",
            "Mange barn har lite norsk når de begynner på skolen.",
            "Flerspråklige barn og pedagogene",
            "Korte språkleker i små grupper hver dag, med foreldrenes morsmål i bruk.",
            "Vi kartla språket før og etter. Lekene tok ti minutter og ble barnas favoritt.",
            (_quality("Bedre norskspråk", "Andel barn på forventet nivå", 60, 80),),
        ),
    ],
    "Skole": [
        ProjectPlan(
            "Lesevenner på tvers av trinn",
            "Mange elever på mellomtrinnet leser lite og sjelden for glede.",
            "Elever på 2. og 6. trinn",
            "Eldre elever leser med yngre to ganger i uka.",
            "Begge gruppene leste mer. De eldste fikk ansvar og ble stolte.",
            (_quality("Mer lesing", "Andel elever som leser hjemme", 45, 70),),
        ),
        ProjectPlan(
            "Ingen elev alene i friminuttet",
            "Noen elever går alene i hvert friminutt, og mobbesaker starter ofte der.",
            "Elever på 1.–7. trinn",
            "Aktivitetsledere blant elevene og faste leker på en egen sone.",
            "Elevrådet eide prosjektet. Færre saker kom til rektor etter friminuttene.",
            (
                _quality("Alle har noen å være med", "Andel elever som trives ute", 78, 95),
                _hours("Mindre tid til konflikter", "Lærertimer til oppfølging per år", 600, 300),
            ),
        ),
        ProjectPlan(
            "Digital vurdering uten papir",
            "Lærerne bruker mye tid på å samle og skanne prøver.",
            "Lærere på ungdomstrinnet",
            "Vurdering i læringsplattformen med faste kriterier og raske tilbakemeldinger.",
            "Elevene fikk svar på dager i stedet for uker. Lærerne sparte tid etter en "
            "innkjøringsperiode.",
            (_hours("Spart rettetid", "Lærertimer per år", 2100, 1500),),
        ),
    ],
    "Kultur og fritid": [
        ProjectPlan(
            "Meråpent bibliotek",
            "Biblioteket er stengt når mange har tid: kvelder og helger.",
            "Innbyggere i bydelen, særlig unge voksne",
            "Selvbetjent bibliotek med adgangskort utenom bemannet tid.",
            "Utlånet økte mest på søndager. Trygghet var viktig: vi hadde vakt de første ukene.",
            (_quality("Flere besøk", "Besøk per uke i hundre", 12, 20),),
        ),
        ProjectPlan(
            "Fritidsklubb i ferien",
            "Ungdom har lite å gjøre i sommerferien, og noen havner i trøbbel.",
            "Ungdom 13–18 år",
            "Ungdommene planlegger ferieaktiviteter selv, med budsjett.",
            "Flere kom enn vi trodde. Ungdommene tok ansvar for både penger og regler.",
            (_quality("Flere unge med et tilbud", "Deltakere per uke", 30, 60),),
        ),
    ],
    "Teknisk og miljø": [
        ProjectPlan(
            "Sensorer i søppeldunkene",
            "Bilene tømmer halvtomme dunker, mens andre renner over.",
            "Innbyggere og renovatørene",
            "Fyllingssensorer styrer rutene etter behov.",
            "Kjøringen gikk ned, og klagene på fulle dunker nesten forsvant.",
            (
                _kroner(
                    "Mindre kjøring", "Kroner til drivstoff og kjøretøy per år", 900000, 600000
                ),
                _hours(
                    "Færre tømminger",
                    "Timer per år",
                    3000,
                    2000,
                ),
            ),
        ),
        ProjectPlan(
            "Digital avviksmelding",
            "Avvik meldes på papir og blir liggende.",
            "Driftsoperatører",
            "Avvik meldes med mobil og bilde, og følges opp på tavla hver morgen.",
            "Flere avvik ble meldt, og de ble lukket raskere.",
            (_hours("Raskere oppfølging", "Timer fra melding til tiltak i snitt", 120, 24),),
        ),
    ],
    "Sosial og NAV": [
        ProjectPlan(
            "Én veileder, én plan",
            "Brukere med mange tjenester må fortelle historien sin på nytt hver gang.",
            "Unge brukere med sammensatte behov",
            "Én fast veileder og én felles plan for alle tjenestene.",
            "Brukerne fikk en person å ringe. Samarbeidet mellom tjenestene ble bedre.",
            (
                _quality("Flere i aktivitet", "Andel i arbeid eller utdanning", 30, 50),
                _kroner("Lavere utbetaling av stønad", "Kroner per år", 2400000, 1800000),
            ),
        ),
        ProjectPlan(
            "Timebestilling på nett",
            "Køen i mottaket er lang, og mange venter på noe som kunne vært avtalt.",
            "Innbyggere som trenger veiledning",
            "Timebestilling på nett og SMS-varsel før timen.",
            "Køene forsvant nesten. Noen trenger fortsatt å komme uten avtale.",
            (_hours("Mindre venting i mottaket", "Timer bemanning i mottak per år", 2000, 1200),),
        ),
    ],
    "Administrasjon og fellestjenester": [
        ProjectPlan(
            "Robot for fakturakontroll",
            "Faktura kontrolleres for hånd, og mye er likt hver måned.",
            "Ansatte i økonomiavdelingen",
            "En programvarerobot kontrollerer faste faktura og sender avvik til en person.",
            "Roboten tok de kjedelige oppgavene. Vi brukte tiden på veiledning av enhetene.",
            (_hours("Spart tid i kontroll", "Timer per år", 1800, 600),),
        ),
        ProjectPlan(
            "Klarspråk i vedtak",
            "Innbyggere ringer fordi de ikke forstår brevene de får.",
            "Innbyggere som får vedtak",
            "Vi skrev om de ti vanligste brevene sammen med innbyggere.",
            "Antallet oppfølgingssamtaler gikk ned. Saksbehandlerne likte de nye malene.",
            (
                _quality("Brev folk forstår", "Andel som forstår vedtaket", 55, 85),
                _hours("Færre telefoner", "Timer i telefon per år", 900, 500),
            ),
        ),
    ],
}
OTHER_PLANS = [plan for plans in PLANS.values() for plan in plans]

CANVAS_TEXTS = {
    "purpose": "Vi vil gjøre hverdagen bedre for dem vi er til for.",
    "goals": "Prøve ut løsningen i tre måneder og måle effekten.",
    "roles": "Lederen eier prosjektet, ildsjelene driver utprøvingen.",
    "values": "Brukerne først, åpenhet og lov å feile.",
    "needs": "Tid i turnus og støtte fra ledelsen.",
    "rules": "Vi bestemmer sammen og tar uenighet åpent på teammøtet.",
    "strengths": "Vi kjenner brukerne godt, men trenger hjelp med måling.",
}


def _rng(*key: object) -> random.Random:
    """A reproducible random stream for one piece of the demo (not for security)."""
    return random.Random("lup-demo-projects-" + "-".join(str(part) for part in key))


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=OSLO)


def _plan_for(sector: str, rng: random.Random) -> ProjectPlan:
    return rng.choice(PLANS.get(sector) or OTHER_PLANS)


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
    planned: list[tuple[InnovationProject, ProjectPlan, int, dt.date]] = []
    for enrolment in enrolments:
        rng = _rng(index, "project", enrolment.cohort.name, enrolment.unit.code)
        plan = _plan_for(enrolment.unit.sector.name, rng)
        state = enrolment.cohort.phase_on(today)
        if state == "future":
            reached = 1
        elif state == "current":
            reached = rng.choice([1, 2, 2, 3])
        elif enrolment.status == UnitEnrolment.Status.COMPLETED:
            reached = rng.choice([4, 4, 5, 5, 6])
        else:
            reached = rng.choice([2, 3])
        reached = min(reached, len(phases))
        project = InnovationProject(
            organisation_id=programme.organisation_id,
            enrolment=enrolment,
            title=plan.title,
            need=plan.need,
            audience=plan.audience,
            idea=plan.idea,
            story=plan.story if reached >= 3 else "",
            phase=phases[reached - 1],
        )
        if enrolment.status == UnitEnrolment.Status.COMPLETED:
            project.review_status = InnovationProject.Review.APPROVED
            project.approved_at = _at(enrolment.cohort.ends_on, 10)
            manager = managers.get(enrolment.pk)
            if manager and rng.random() < PUBLISHED_SHARE:
                published = _at(enrolment.cohort.ends_on + dt.timedelta(days=rng.randint(3, 40)))
                published = min(published, _at(today, 8))
                project.published_at = project.consent_at = published
                project.consent_by_id = manager
                project.licence = rng.choice(Licence.values)
        elif state == "current" and reached >= 2 and rng.random() < 0.3:
            project.review_status = InnovationProject.Review.SUBMITTED
        planned.append((project, plan, reached, enrolment.cohort.starts_on))
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
    _seed_details(everything, phases=phases, index=index, today=today, managers=managers)
    _seed_reuse(programme, [row[0] for row in planned], index=index)
    _seed_prize(programme, categories, index=index, today=today)
    return len(everything)


def _plan_imports(
    programme: Programme, *, index: int, phases: list[ProjectPhase], today: dt.date
) -> list[tuple[InnovationProject, ProjectPlan, int, dt.date]]:
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
        rng = _rng(index, "import", number)
        organisation, slug = rng.choice(EXTERNAL_MUNICIPALITIES)
        sector = rng.choice(sectors)
        plan = _plan_for(sector, rng)
        started = today - dt.timedelta(days=rng.randint(300, 900))
        published = _at(min(today, started + dt.timedelta(days=rng.randint(200, 280))))
        reached = rng.choice([4, 5, 6])
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
            licence=rng.choice(Licence.values),
            origin_organisation=organisation,
            origin_unit=f"{sector}, {rng.choice(['nord', 'sør', 'øst', 'vest', 'sentrum'])}",
            origin_sector=sector,
            origin_id=origin_id,
            origin_url=f"https://lup.{slug}.kommune.no/catalogue/{origin_id}/",
        )
        planned.append((project, plan, reached, started))
    return planned


def _seed_details(
    rows: list[tuple[InnovationProject, ProjectPlan, int, dt.date]],
    *,
    phases: list[ProjectPhase],
    index: int,
    today: dt.date,
    managers: dict[int, int],
) -> None:
    """Phase changes, canvas versions, benefits and measurements of new projects."""
    changes: list[PhaseChange] = []
    canvases: list[CanvasVersion] = []
    benefits: list[tuple[Benefit, dt.date | None, random.Random]] = []
    pilot = next((position for position, phase in enumerate(phases) if phase.starts_pilot), 3)
    for project, plan, reached, started in rows:
        rng = _rng(index, "details", project.pk)
        author = managers.get(project.enrolment_id) if project.enrolment_id else None
        day = min(started, today)
        pilot_on: dt.date | None = None
        for position in range(reached):
            changes.append(PhaseChange(project=project, phase=phases[position], entered_on=day))
            if position == pilot:
                pilot_on = day
            day = min(today, day + dt.timedelta(days=rng.randint(20, 60)))
        keys = [key for key, _label, _help in DEFAULT_CANVAS_FIELDS]
        versions = 1 if reached < 3 else 2
        for number in range(1, versions + 1):
            filled = keys[: 3 + 2 * number]
            content = {key: CANVAS_TEXTS.get(key, "") for key in filled}
            canvases.append(
                CanvasVersion(project=project, number=number, content=content, saved_by_id=author)
            )
        if reached < 2:
            continue  # benefits are mapped in the insight phase
        for plan_benefit in plan.benefits:
            baseline_on = min(today, started + dt.timedelta(days=rng.randint(25, 50)))
            benefits.append(
                (
                    Benefit(
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
                    ),
                    pilot_on,
                    rng,
                )
            )
    PhaseChange.objects.bulk_create(changes, batch_size=BATCH)
    CanvasVersion.objects.bulk_create(canvases, batch_size=BATCH)
    Benefit.objects.bulk_create([row[0] for row in benefits], batch_size=BATCH)
    measurements: list[BenefitMeasurement] = []
    for benefit, pilot_on, rng in benefits:
        if pilot_on is None:
            continue
        count = rng.choice([0, 1, 2, 2, 3])
        for step in range(1, count + 1):
            measured_on = pilot_on + dt.timedelta(days=91 * step)
            if measured_on > today:
                break
            progress = min(1.0, step / 3 + rng.uniform(-0.15, 0.2))
            gap = benefit.target_value - benefit.baseline_value
            value = benefit.baseline_value + gap * Decimal(str(round(progress, 2)))
            measurements.append(
                BenefitMeasurement(
                    benefit=benefit, measured_on=measured_on, value=value.quantize(Decimal("1"))
                )
            )
    BenefitMeasurement.objects.bulk_create(measurements, batch_size=BATCH)


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
        rng = _rng(index, "reuse", source.pk)
        if rng.random() > 0.35:
            continue
        source_unit = source.enrolment.unit_id if source.enrolment else None
        candidates = [t for t in takers if t[1] != source_unit and t[2] == source.title]
        candidates = candidates or [t for t in takers if t[1] != source_unit]
        seen: set[int] = set()
        for project_id, unit_id, _title in rng.sample(
            candidates, min(len(candidates), rng.randint(1, 4))
        ):
            if unit_id in seen:
                continue
            seen.add(unit_id)
            reuses.append(
                ProjectReuse(
                    source=source,
                    unit_id=unit_id,
                    project_id=project_id,
                    note="Vi prøver det samme hos oss.",
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
            rng = _rng(index, "prize", year, category.key)
            chosen = rng.sample(candidates, min(3, len(candidates)))
            for position, project_id in enumerate(chosen):
                nominations.append(
                    Nomination(
                        category=category,
                        project_id=project_id,
                        year=year,
                        reason="Tydelig gevinst for brukerne, godt dokumentert og lett å ta i "
                        "bruk for andre.",
                        is_winner=position == 0 and year < today.year,
                    )
                )
    Nomination.objects.bulk_create(nominations, batch_size=BATCH)
