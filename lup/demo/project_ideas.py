"""Demo innovation projects as text: ideas by sector with their benefits and benefit maps,
the canvas text, and the municipalities other organisations import projects from (demo
data only, bokmål).

`lup.demo.projects` turns these into every team's project.
"""

from __future__ import annotations

from dataclasses import dataclass

# Municipalities whose shared projects each demo organisation has imported: (name, slug).
EXTERNAL_MUNICIPALITIES = [
    ("Trondheim kommune", "trondheim"),
    ("Stavanger kommune", "stavanger"),
    ("Kristiansand kommune", "kristiansand"),
    ("Tromsø kommune", "tromso"),
    ("Bodø kommune", "bodo"),
    ("Ålesund kommune", "alesund"),
]
# An imported project's unit is named "<sector>, <district>".
DISTRICTS = ["nord", "sør", "øst", "vest", "sentrum"]
# What a unit wrote when it marked another's solution as reused, and why a project was
# nominated: several, so the demo never shows one sentence over and over.
REUSE_NOTES = (
    "Vi prøver det samme hos oss.",
    "Vi tok med oss sjekklisten og tilpasset den til våre brukere.",
    "Vi brukte intervjuguiden deres og fikk svar vi ikke hadde fått ellers.",
    "Piloten deres sparte oss for tre måneders arbeid: vi startet rett på testingen.",
    "Vi lånte prototypen og testet den på to avdelinger.",
    "Vi gjenbruker skjemaet, men har forenklet språket.",
)
NOMINATION_REASONS = (
    "Tydelig gevinst for brukerne, godt dokumentert og lett å ta i bruk for andre.",
    "Ventetiden er halvert, og brukerne var med fra første skisse til ferdig løsning.",
    "Tre andre enheter har allerede tatt løsningen i bruk.",
    "Modig idé som ble prøvd ut i liten skala før den ble innført.",
    "De ansatte eier endringen selv, og gevinsten måles hver måned.",
    "Et enkelt grep som frigjør tid til det viktigste: tid med brukerne.",
    "Godt samarbeid på tvers av sektorer, med pårørende som medskapere.",
)


@dataclass(frozen=True)
class BenefitPlan:
    """A benefit a project maps, with its baseline and target (`Benefit` fields)."""

    type: str
    description: str
    indicator: str
    unit_of_measure: str
    baseline: int
    target: int
    owner: str = "Enhetsleder"


@dataclass(frozen=True)
class ProjectPlan:
    """A project idea: what a team's project says, and the benefits it maps."""

    title: str
    need: str
    audience: str
    idea: str
    story: str
    benefits: tuple[BenefitPlan, ...]


# A benefit of each type, in the unit of measure that type is counted in.
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
# Each benefit's map and plan (by its description): the effect the project's change leads to
# on the way to the benefit, and how its baseline was measured. Where the benefit lands
# (`BenefitClass`) follows from its type, except where `BENEFIT_CLASSES` says otherwise.
BENEFIT_MAPS: dict[str, tuple[str, str]] = {
    "Færre unødvendige tilsynsrunder": (
        "Nattevakten går inn bare når sensoren varsler",
        "Runder registrert i turnusplanen i fire uker før oppstart, regnet om til et år",
    ),
    "Bedre søvn": (
        "Beboerne blir ikke vekket av tilsynet",
        "Nattevaktens søvnregistrering for alle beboere i fire uker",
    ),
    "Færre beboere med vekttap": (
        "Beboerne spiser mer, og oftere sammen med andre",
        "Månedlig veiing av alle beboere det siste halvåret",
    ),
    "Mindre kastet mat": (
        "Maten lages i riktig mengde på avdelingen",
        "Matsvinn veid i to uker, ganget med innkjøpsprisen og regnet om til et år",
    ),
    "Færre medisinbesøk": (
        "Dispenseren tar over besøkene som bare gjaldt medisiner",
        "Kjørelister og besøkstid fra fagsystemet de siste tre månedene, regnet om til et år",
    ),
    "Mer tid til samtale": (
        "Besøkene som er igjen, handler om brukeren",
        "Spørreundersøkelse blant de ansatte før oppstart (skala 1–5)",
    ),
    "Mer fysisk aktivitet": (
        "Barna er ute store deler av dagen hele året",
        "Utetid registrert på avdelingstavla i fire uker før oppstart",
    ),
    "Lavere sykefravær": (
        "Mindre smitte og et bedre arbeidsmiljø",
        "Sykefravær fra personalsystemet de siste tolv månedene",
    ),
    "Flere foreldre til samtale": (
        "Foreldrene møter når det passer dem, med tolk på skjermen",
        "Oppmøte ved foreldresamtalene forrige barnehageår",
    ),
    "Mindre tid til planlegging": (
        "Færre flyttede avtaler og tolkebestillinger",
        "Tidsbruk logget av de pedagogiske lederne i fire uker, regnet om til et år",
    ),
    "Bedre norskspråk": (
        "Barna bruker mer språk i leken hver dag",
        "Språkkartlegging av alle femåringene før oppstart",
    ),
    "Mer lesing": (
        "Elevene leser sammen to ganger i uka",
        "Spørreundersøkelse om lesevaner på begge trinn før oppstart",
    ),
    "Alle har noen å være med": (
        "Faste leker og aktivitetsledere i hvert friminutt",
        "Trivselsspørsmålene i elevundersøkelsen forrige skoleår",
    ),
    "Mindre tid til konflikter": (
        "Færre konflikter tas med inn i timene",
        "Lærernes logg over oppfølging av konflikter i seks uker, regnet om til et år",
    ),
    "Spart rettetid": (
        "Prøvene samles og vurderes i læringsplattformen",
        "Lærernes timeføring for retting forrige termin, regnet om til et år",
    ),
    "Flere besøk": (
        "Biblioteket er åpent om kvelden og i helgene",
        "Besøkstelleren i inngangen, snitt for det siste halvåret",
    ),
    "Flere unge med et tilbud": (
        "Ungdommene lager tilbudet de selv vil gå på",
        "Deltakerlistene fra forrige sommerferie",
    ),
    "Mindre kjøring": (
        "Rutene kjøres etter fyllingsgrad, ikke etter faste dager",
        "Drivstoff- og kjøretøykostnader fra regnskapet for forrige år",
    ),
    "Færre tømminger": (
        "Dunkene tømmes bare når de er fulle",
        "Tømminger registrert i renovasjonssystemet forrige år",
    ),
    "Raskere oppfølging": (
        "Avvik meldes med bilde og tas opp på tavlemøtet hver morgen",
        "Tid fra melding til tiltak for alle avvik de siste tre månedene",
    ),
    "Flere i aktivitet": (
        "Brukeren har én plan og én veileder å forholde seg til",
        "Status for alle brukerne i målgruppen ved oppstart",
    ),
    "Lavere utbetaling av stønad": (
        "Flere kommer i arbeid eller utdanning",
        "Utbetalt stønad til målgruppen forrige år, fra regnskapet",
    ),
    "Mindre venting i mottaket": (
        "Innbyggerne kommer til en avtalt tid",
        "Bemanningsplanen for mottaket og telling av køen i fire uker",
    ),
    "Spart tid i kontroll": (
        "Roboten kontrollerer de faste fakturaene",
        "Timeføringen i økonomiavdelingen for forrige år",
    ),
    "Brev folk forstår": (
        "Vedtakene er skrevet i klarspråk",
        "Spørreundersøkelse blant mottakere av vedtak før omskrivingen",
    ),
    "Færre telefoner": (
        "Færre ringer for å få brevet forklart",
        "Telefonlogg i fire uker, regnet om til et år",
    ),
}
# Benefit classes (`BenefitClass` values) by type, and the benefits that land elsewhere.
CLASS_BY_TYPE = {
    "time": "capacity",
    "costs": "budget",
    "quality": "non_priced",
    "satisfaction": "non_priced",
}
BENEFIT_CLASSES = {
    "Lavere sykefravær": "capacity",  # fewer days a substitute is needed
    "Flere i aktivitet": "public",  # the state's benefits, paid by NAV, fall
}

# Every idea, for a unit in a sector without ideas of its own.
OTHER_PLANS = [plan for plans in PLANS.values() for plan in plans]

# What teams write in the team canvas, by canvas field key (DEFAULT_CANVAS_FIELDS).
CANVAS_TEXTS = {
    "purpose": "Vi vil gjøre hverdagen bedre for dem vi er til for.",
    "goals": "Prøve ut løsningen i tre måneder og måle effekten.",
    "roles": "Lederen eier prosjektet, ildsjelene driver utprøvingen.",
    "values": "Brukerne først, åpenhet og lov å feile.",
    "needs": "Tid i turnus og støtte fra ledelsen.",
    "rules": "Vi bestemmer sammen og tar uenighet åpent på teammøtet.",
    "strengths": "Vi kjenner brukerne godt, men trenger hjelp med måling.",
}
