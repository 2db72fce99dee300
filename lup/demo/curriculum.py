"""The demo curriculum: LUP's modules in theory and practice, in Norwegian (demo data only)."""

from __future__ import annotations

from dataclasses import dataclass, field

COURSE_SLUG = "lup-innovasjon"
COURSE_TITLE = "LUP – innovasjon i teori og praksis"
COURSE_DESCRIPTION = (
    "Lederen og ildsjelene fra tjenestestedet lærer innovasjon sammen: seks moduler som "
    "veksler mellom teori og praksis, tre samlinger og et eget innovasjonsprosjekt."
)


@dataclass(frozen=True)
class ActivityPlan:
    key: str
    title: str
    kind: str  # a courses.Activity.Kind value
    required: bool = True
    body: str = ""
    url: str = ""
    gathering_kind: str = ""  # for attendance: the gathering (opening, session, closing)
    team: bool = False  # for assignments: one answer for the whole team
    instructions: str = ""
    h5p: str = ""  # for H5P activities: the demo package shown ("reflection": LUP.Reflection)


@dataclass(frozen=True)
class ModulePlan:
    position: int
    title: str
    kind: str  # a courses.Module.Kind value
    due_days: int
    summary: str
    activities: list[ActivityPlan] = field(default_factory=list)
    after: tuple[int, ...] = ()  # positions of prerequisite modules


MODULES = [
    ModulePlan(
        1,
        "Innovasjon i Bærum",
        "theory",
        21,
        "Hva innovasjon betyr i en kommune, og hvordan Bærum jobber med det.",
        [
            ActivityPlan(
                "m1-what",
                "Hva er innovasjon i offentlig sektor?",
                "page",
                body="""## Noe nytt som er nyttig

Innovasjon er **noe nytt eller vesentlig endret som tas i bruk og skaper verdi**. I en
kommune kan det være en ny tjeneste, en ny måte å organisere arbeidet på, eller en ny
måte å samarbeide med innbyggerne på.

Tre spørsmål hjelper oss å skille innovasjon fra vanlig forbedring:

1. Er det *nytt* for oss?
2. Er det *tatt i bruk*, ikke bare en idé?
3. Gir det *verdi* – for innbyggerne, de ansatte eller samfunnet?

> Innovasjon er ikke et mål i seg selv, men en måte å løse oppgaver bedre på.
""",
            ),
            ActivityPlan(
                "m1-strategy",
                "Bærums innovasjonsstrategi og rollen din som leder",
                "page",
                body="""## Strategien i praksis

Bærum kommune vil at innovasjon skal være en del av hverdagen på hvert tjenestested.
Lederen har en nøkkelrolle:

- gi teamet **tid og rom** til å prøve ut nye løsninger,
- tåle at ikke alt lykkes første gang,
- **dele** det som virker med andre tjenestesteder.

I LUP jobber du sammen med ildsjelene dine. Bruk modulene til å bli enige om *hvorfor*
dere vil endre noe før dere bestemmer *hva*.
""",
            ),
            ActivityPlan(
                "m1-opening",
                "Oppmøte: åpningssamlingen",
                "attendance",
                gathering_kind="opening",
            ),
            ActivityPlan(
                "m1-reflection",
                "Refleksjon: innovasjon i din tjeneste",
                "h5p",
                h5p="reflection",
                body="""Etter åpningssamlingen: skriv en kort refleksjon om tjenesten deres, og
svar på ett kontrollspørsmål. Svaret ditt lagres underveis, så du kan fortsette senere.
""",
            ),
        ],
    ),
    ModulePlan(
        2,
        "Tjenestedesign og brukerinnsikt",
        "theory",
        56,
        "Forstå brukernes behov før dere leter etter løsninger.",
        [
            ActivityPlan(
                "m2-steps",
                "Tjenestedesign i fem steg",
                "page",
                body="""## Fra innsikt til løsning

Tjenestedesign gir en strukturert vei fra problem til løsning:

1. **Forstå** – snakk med brukerne og observer hvordan tjenesten brukes i dag.
2. **Definer** – formuler utfordringen fra brukerens ståsted.
3. **Utforsk** – lag mange idéer sammen med brukere og kolleger.
4. **Test** – prøv idéene i liten skala med enkle prototyper.
5. **Implementer** – ta i bruk det som virker, og mål effekten.

Husk: *Det er brukerens opplevelse som avgjør om tjenesten er god.*
""",
            ),
            ActivityPlan(
                "m2-link",
                "Les mer: Veikart for tjenesteinnovasjon (DOGA)",
                "link",
                required=False,
                url="https://www.doga.no/verktoy/veikart-for-tjenesteinnovasjon/",
            ),
            ActivityPlan(
                "m2-journey",
                "Brukerreise",
                "assignment",
                team=True,
                instructions="""Lag en **brukerreise** for én bruker av tjenesten deres.

- Velg én konkret bruker (en elev, en forelder, en beboer, en pårørende).
- Beskriv stegene brukeren går gjennom, fra første kontakt til tjenesten er levert.
- Marker hvor brukeren opplever tjenesten som god, og hvor det skjærer seg.
- Bruk sitater fra minst to samtaler med brukere.

Lever som tekst eller som PDF (for eksempel et bilde av tavla).
""",
            ),
        ],
    ),
    ModulePlan(
        3,
        "Teamet og prosjektet",
        "practice",
        98,
        "Bli enige om utfordringen, målene og hvem som gjør hva.",
        [
            ActivityPlan(
                "m3-project",
                "Fra utfordring til innovasjonsprosjekt",
                "page",
                body="""## En god problemstilling

Et godt innovasjonsprosjekt starter med en *avgrenset* utfordring som teamet selv kan
gjøre noe med. Skriv den som et spørsmål:

> «Hvordan kan vi … slik at …?»

Bli enige om hva som skal være **annerledes for brukeren** når prosjektet er ferdig, og
hvordan dere vil se at dere har lykkes.
""",
            ),
            ActivityPlan(
                "m3-canvas",
                "Teamcanvas",
                "assignment",
                team=True,
                instructions="""Fyll ut **teamcanvaset** sammen:

- formålet med prosjektet og problemstillingen,
- hvem som er med og hva hver enkelt bidrar med,
- verdier og spilleregler i teamet,
- hvilke ressurser dere trenger, og hvem som må involveres.

Lever som tekst eller last opp et bilde/PDF av canvaset.
""",
            ),
        ],
    ),
    ModulePlan(
        4,
        "Idéutvikling og prototyping",
        "practice",
        126,
        "Fra mange idéer til en enkel prototyp som kan testes med brukerne.",
        [
            ActivityPlan(
                "m4-ideas",
                "Idéverksted: mange idéer før de gode",
                "page",
                body="""## Først mange, så gode

Skill mellom å **skape** idéer og å **velge** idéer. Bruk for eksempel *Crazy 8s*: åtte
idéer på åtte minutter, hver for seg, før dere deler og bygger videre på hverandres.

Velg ut to–tre idéer som både løser brukerens behov og er mulige å prøve ut.
""",
            ),
            ActivityPlan(
                "m4-session",
                "Oppmøte: samling 2 – innsikt og idéutvikling",
                "attendance",
                required=False,
                gathering_kind="session",
            ),
            ActivityPlan(
                "m4-prototype",
                "Lag en enkel prototyp og test den",
                "page",
                body="""## Test tidlig og billig

En prototyp kan være en tegning, et rollespill eller et skjema på papir. Det viktige er å
**lære raskt**:

- Hva vil vi finne ut?
- Hvem tester vi med?
- Hva gjør vi hvis det ikke virker?

Dokumenter hva dere lærte – det blir grunnlaget for prosjektpresentasjonen.
""",
            ),
        ],
        after=(3,),
    ),
    ModulePlan(
        5,
        "Gevinstrealisering",
        "theory",
        154,
        "Hvordan dere viser og henter ut nytten av endringen.",
        [
            ActivityPlan(
                "m5-benefits",
                "Gevinstkart: fra idé til målbar nytte",
                "page",
                body="""## Hva blir bedre, og for hvem?

Et **gevinstkart** kobler tiltakene til effektene dere ønsker. For hver gevinst:

| Gevinst | Måles med | Ansvarlig |
| --- | --- | --- |
| Færre henvendelser om det samme | antall henvendelser per måned | leder |
| Mer tid til brukerne | timer per uke | teamet |

Gevinster kommer sjelden av seg selv: avtal hvem som følger opp, og når.
""",
            ),
        ],
    ),
    ModulePlan(
        6,
        "Deling og spredning – stjæl og del",
        "practice",
        175,
        "Del det som virker, og ta i bruk det andre har fått til.",
        [
            ActivityPlan(
                "m6-share",
                "Stjæl og del: slik sprer vi det som virker",
                "page",
                body="""## Stjæl med stolthet, del med glede

Gode løsninger blir først verdifulle for kommunen når de **tas i bruk flere steder**.

- Presenter prosjektet på avslutningssamlingen: utfordringen, det dere prøvde og det
  dere lærte.
- Se etter løsninger fra andre tjenestesteder som dere kan «stjele».
- Avtal hvem dere skal dele med etter programmet.
""",
            ),
            ActivityPlan(
                "m6-closing",
                "Oppmøte: avslutningssamlingen med prosjektpresentasjoner",
                "attendance",
                gathering_kind="closing",
            ),
        ],
    ),
]

APPROVED_FEEDBACK = {
    "m2-journey": "Godt arbeid – brukerreisen viser tydelig hvor tjenesten skjærer seg.",
    "m3-canvas": "Et gjennomarbeidet canvas. Fint at dere har avklart rollene så tidlig.",
}
RETURNED_FEEDBACK = (
    "Brukerreisen mangler brukerens egne ord. Snakk med minst to brukere og legg inn "
    "sitater fra dem før dere leverer på nytt."
)
# Each team's answers are its own: put together from its users, what hurts and what it
# heard, so no two teams of a cohort hand in the same text (`answer_for`).
JOURNEY_USERS = (
    "en forelder som søker barnehageplass",
    "en eldre som får hjemmetjenester for første gang",
    "en ungdom som leter etter et fritidstilbud",
    "en pårørende som skal avtale avlastning",
    "en innbygger som søker byggetillatelse",
    "en nyansatt lærer på sin første uke",
    "en beboer som flytter inn på sykehjem",
)
JOURNEY_PAINS = (
    "ventetiden oppleves uforutsigbar, og informasjonen kommer fra tre ulike kanaler",
    "de må fortelle den samme historien til fire ulike ansatte",
    "skjemaet bruker ord ingen forstår, og mange gir opp halvveis",
    "svaret kommer i et brev som er vanskelig å finne igjen",
    "ingen vet hvem som har ansvaret når noe går galt",
    "det er lange perioder uten kontakt, og de ringer for å høre om noe skjer",
)
JOURNEY_QUOTES = (
    "«Jeg visste aldri hvem jeg skulle ringe.»",
    "«Det føltes som å starte på nytt hver gang.»",
    "«Jeg trodde søknaden var sendt, men den lå bare der.»",
    "«Det tok to uker før noen svarte, og da var det feil svar.»",
    "«Jeg vil bare vite hva som skjer videre.»",
)
CANVAS_AIMS = (
    "kortere vei fra henvendelse til svar",
    "færre avbrudd i hverdagen for brukerne",
    "én fast kontaktperson for hver bruker",
    "mer tid til brukerne og mindre tid til dobbeltregistrering",
    "at brukerne forstår vedtaket første gang de leser det",
)
CANVAS_QUESTIONS = (
    "Hvordan kan vi samle informasjonen ett sted, slik at brukerne slipper å ringe rundt?",
    "Hvordan kan brukerne følge saken sin selv?",
    "Hvordan kan vi la brukerne velge tidspunkt selv?",
    "Hvordan kan vi skrive så alle forstår?",
    "Hvordan kan vi fordele oppgavene så ingen faller mellom to stoler?",
)
CANVAS_ROLES = (
    "leder eier prosjektet, to ildsjeler intervjuer brukere, én tester prototypen.",
    "leder rydder tid, ildsjelene deler på intervjuer og testing hver fredag.",
    "én ildsjel leder arbeidet i det daglige, lederen tar kontakten med andre enheter.",
    "hele teamet tester sammen med tre brukere, lederen følger opp gevinstene.",
)


def answer_for(key: str, team_key: int) -> str:
    """The answer team `team_key` hands in to the assignment `key` (always the same for the
    same team, different between teams)."""
    if key == "m2-journey":
        users, pain, quote = _combination(team_key, JOURNEY_USERS, JOURNEY_PAINS, JOURNEY_QUOTES)
        return (
            f"Brukerreise for {users}: fra første henvendelse til svar. Vi fant at {pain}. {quote}"
        )
    if key == "m3-canvas":
        aim, question, roles = _combination(team_key, CANVAS_AIMS, CANVAS_QUESTIONS, CANVAS_ROLES)
        return f"Formål: {aim}. Problemstilling: {question} Roller: {roles}"
    return ANSWERS[key]


def _combination(number: int, *parts: tuple[str, ...]) -> list[str]:
    """The `number`-th combination of one item from each of `parts` (as digits of a number
    whose bases are the parts' sizes): consecutive numbers never repeat a combination."""
    chosen = []
    for options in parts:
        number, digit = divmod(number, len(options))
        chosen.append(options[digit])
    return chosen


ANSWERS = {
    "m2-journey": (
        "Brukerreise for en forelder som søker om plass: fra første henvendelse til "
        "oppstart. Brukeren opplever ventetiden som uforutsigbar; informasjonen kommer "
        "fra tre ulike kanaler. «Jeg visste aldri hvem jeg skulle ringe.»"
    ),
    "m3-canvas": (
        "Formål: kortere vei fra henvendelse til svar. Problemstilling: Hvordan kan vi "
        "samle informasjonen ett sted, slik at brukerne slipper å ringe rundt? Roller: "
        "leder eier prosjektet, to ildsjeler intervjuer brukere, én tester prototypen."
    ),
}
