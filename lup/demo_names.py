"""Names used by the demo data: places in Bærum, Norwegian first and last names."""

PLACES = [
    "Bekkestua", "Eiksmarka", "Haslum", "Hosle", "Levre", "Lommedalen", "Rykkinn", "Sandvika",
    "Stabekk", "Høvik", "Fornebu", "Snarøya", "Jar", "Lysaker", "Østerås", "Gjettum", "Tanum",
    "Bryn", "Grav", "Hauger", "Ramstad", "Evje", "Bærums Verk", "Vøyenenga", "Dønski", "Kolsås",
    "Blommenholm", "Slependen", "Rud", "Eikeli", "Jong", "Hundsund", "Lesterud", "Mølladammen",
    "Oksenøya", "Skui", "Ballerud", "Berger", "Bjørnegård", "Bærumsmarka", "Eineåsen", "Gommerud",
    "Hammerbakken", "Hauketo", "Helset", "Hvalstad", "Jordbærbakken", "Kirkerud", "Kjaglidalen",
    "Lindelia", "Løkeberg", "Nadderud", "Nordby", "Ringstabekk", "Rønningen", "Sætre", "Tjernsmyr",
    "Toppenhaug", "Ullern", "Valler", "Vestre Haslum", "Vøien", "Øvrevoll", "Åsløkka",
]

# Sector name, number of units, code prefix, and the kinds of unit in it.
SECTORS = [
    ("Barnehage", 60, "31", ["barnehage", "naturbarnehage", "familiebarnehage"]),
    ("Skole", 35, "21", ["skole", "ungdomsskole", "barneskole"]),
    ("Helse og omsorg", 45, "41", ["bo- og behandlingssenter", "hjemmetjeneste", "bofellesskap",
                                   "dagsenter", "helsestasjon"]),
    ("Kultur og fritid", 15, "51", ["bibliotek", "fritidsklubb", "kulturhus"]),
    ("Teknisk og miljø", 15, "61", ["driftsstasjon", "renovasjon", "vann og avløp"]),
    ("Sosial og NAV", 15, "71", ["NAV-kontor", "flyktningtjeneste", "boligkontor"]),
    ("Administrasjon og fellestjenester", 15, "11", ["servicetorg", "innkjøp", "IKT-drift"]),
]

FIRST_NAMES = [
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg",
    "Hilde", "Nina", "Ragnhild", "Solveig", "Silje", "Ida", "Nora", "Emma", "Sara", "Thea",
    "Ane", "Camilla", "Marte", "Tone", "Heidi", "Åse", "Randi", "Sigrid", "Maja", "Linn",
    "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein", "Hans",
    "Geir", "Thomas", "Morten", "Jon", "Tor", "Erik", "Anders", "Håkon", "Øyvind", "Magnus",
    "Jonas", "Henrik", "Sindre", "Espen", "Trond", "Amir", "Fatima", "Ali", "Mohammed", "Aisha",
]

LAST_NAMES = [
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen",
    "Lund", "Sørensen", "Jakobsen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg",
    "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen", "Bakken", "Kristoffersen", "Mathisen",
    "Lie", "Rasmussen", "Amundsen", "Lunde", "Kristensen", "Bakke", "Berge", "Moe", "Nygård",
    "Fredriksen", "Solheim", "Holm", "Lien", "Andresen", "Hussain", "Ahmed", "Nguyen",
]

ORGANISATIONS = [
    ("Bærum kommune", "baerum", "974547283"),
    ("Asker kommune", "asker", "920590335"),
    ("Drammen kommune", "drammen", "921234554"),
    ("Lillestrøm kommune", "lillestrom", "920623557"),
    ("Sandnes kommune", "sandnes", "964965226"),
    ("Tromsø kommune", "tromso", "940101808"),
    ("Bodø kommune", "bodo", "972418013"),
    ("Fredrikstad kommune", "fredrikstad", "940039541"),
    ("Kristiansand kommune", "kristiansand", "963296746"),
    ("Ålesund kommune", "alesund", "942953133"),
]

GUEST_ORGANISATION = ("Hole kommune", "hole", "940382637")
GUEST_UNITS = [
    ("H-301", "Vik skole", "Skole"),
    ("H-302", "Røyse barnehage", "Barnehage"),
    ("H-303", "Hole sykehjem", "Helse og omsorg"),
    ("H-304", "Sundvollen barnehage", "Barnehage"),
]
