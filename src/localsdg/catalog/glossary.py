"""Equivalent words for search: Nynorsk and English word roots with their Bokmål root, and
Bokmål synonyms.

The catalog's Norwegian is mostly Bokmål, and most KS sets have no English names, so a query in
Nynorsk or English also looks for the Bokmål words. Nynorsk roots are replaced inside words too
(`klimagassutslepp` → `klimagassutslipp`, `ferskvatn` → `ferskvann`); English words only whole.
The lists hold the vocabulary of municipal statistics, not a dictionary; a word missing here
is still found through the UN set's English names and, for Nynorsk, by its near spelling.
"""

from __future__ import annotations

NYNORSK = {
    "utslepp": "utslipp", "vatn": "vann", "born": "barn", "barnehagar": "barnehager",
    "låginntekt": "lavinntekt", "låg": "lav", "einsemd": "ensomhet", "einslege": "enslige",
    "arbeidsløyse": "arbeidsledighet", "arbeidslause": "arbeidsledige", "busetjing": "bosetting",
    "busett": "bosatt", "fråfall": "frafall", "heile": "hele", "ikkje": "ikke",
    "familiar": "familier",
    "menneske": "mennesker", "helsetenester": "helsetjenester", "teneste": "tjeneste",
    "tenester": "tjenester", "sjukdom": "sykdom", "sjuke": "syke", "sjukeheim": "sykehjem",
    "heim": "hjem", "skule": "skole", "elevar": "elever", "lærarar": "lærere",
    "fylkeskommunar": "fylkeskommuner", "kommunar": "kommuner", "innbyggjarar": "innbyggere",
    "innbyggjar": "innbygger", "einebustad": "enebolig", "bustad": "bolig", "bustader": "boliger",
    "bygningar": "bygninger", "avfallsmengd": "avfallsmengde", "mengd": "mengde",
    "straum": "strøm", "vegtrafikk": "veitrafikk", "veg": "vei", "reisande": "reisende",
    "syklande": "syklende", "gåande": "gående", "vald": "vold", "tryggleik": "trygghet",
    "kjensle": "følelse", "ungdomar": "ungdommer", "folketal": "folketall",
    "folkemengd": "folkemengde", "fødde": "fødte", "strandsona": "strandsonen",
    "tilsette": "ansatte", "tilsett": "ansatt", "hushald": "husholdning",
    "hushalda": "husholdningene", "hushaldningar": "husholdninger", "attvinning": "gjenvinning",
    "avlaup": "avløp", "reinsing": "rensing", "reinse": "rense", "drikkevatn": "drikkevann",
    "vasskvalitet": "vannkvalitet", "vassforsyning": "vannforsyning", "vass": "vann",
    "vidaregåande": "videregående", "grunnskule": "grunnskole", "sysselsetjing": "sysselsetting",
    "sysselsette": "sysselsatte", "innvandrarar": "innvandrere", "flyktningar": "flyktninger",
    "val": "valg", "valdeltaking": "valgdeltakelse", "deltaking": "deltakelse",
    "røysting": "stemmegivning", "openheit": "åpenhet", "nærleik": "nærhet",
    "tilgjenge": "tilgjengelighet",
}

ENGLISH = {
    "greenhouse": "klimagass", "gas": "gass",
    "emission": "utslipp", "emissions": "utslipp", "climate": "klima",
    "child": "barn", "children": "barn", "childhood": "barn", "poverty": "fattigdom",
    "poor": "fattig", "low": "lav", "income": "inntekt", "household": "husholdning",
    "households": "husholdninger", "drinking": "drikkevann", "water": "vann",
    "wastewater": "avløp", "sewage": "avløp", "sanitation": "avløp", "waste": "avfall",
    "recycling": "gjenvinning", "recycled": "gjenvunnet", "kindergarten": "barnehage",
    "kindergartens": "barnehager", "preschool": "barnehage", "school": "skole",
    "pupils": "elever", "students": "elever", "teachers": "lærere", "dropout": "frafall",
    "completion": "gjennomføring", "upper": "videregående", "education": "utdanning",
    "unemployment": "arbeidsledighet", "unemployed": "arbeidsledige",
    "employment": "sysselsetting", "employed": "sysselsatte", "women": "kvinner", "men": "menn",
    "gender": "kjønn", "equality": "likestilling", "housing": "bolig", "homeless": "bostedsløse",
    "homelessness": "bostedsløse", "health": "helse", "mental": "psykisk", "obesity": "overvekt",
    "overweight": "overvekt", "smoking": "røyking", "life": "leve", "expectancy": "levealder",
    "mortality": "dødelighet", "deaths": "døde", "vaccination": "vaksinasjon",
    "loneliness": "ensomhet", "lonely": "ensomme", "bullying": "mobbing", "violence": "vold",
    "crime": "kriminalitet", "safety": "trygghet", "public": "offentlig", "bicycle": "sykkel",
    "cycling": "sykkel", "walking": "gange", "traffic": "trafikk", "road": "vei",
    "energy": "energi", "electricity": "strøm", "renewable": "fornybar", "land": "areal",
    "area": "areal", "recreation": "rekreasjon", "recreational": "rekreasjonsareal",
    "shoreline": "strandsonen", "coastal": "strandsonen", "cabins": "fritidsboliger",
    "holiday": "fritidsbolig", "population": "befolkning", "inhabitants": "innbyggere",
    "immigrants": "innvandrere", "refugees": "flyktninger", "elderly": "eldre", "youth": "ungdom",
    "young": "unge", "broadband": "bredbånd", "turnout": "valgdeltakelse", "election": "valg",
    "voting": "valgdeltakelse", "transparency": "åpenhet", "corruption": "korrupsjon",
    "archives": "arkiv", "welfare": "barnevern", "budget": "budsjett", "debt": "gjeld",
    "tax": "skatt", "agriculture": "landbruk", "forest": "skog", "biodiversity": "naturmangfold",
    "nature": "natur", "pollution": "forurensning", "air": "luft", "noise": "støy",
    "flood": "flom", "share": "andel", "proportion": "andel", "number": "antall", "rate": "andel",
}

# Bokmål words and the words official statistics measure them by: poverty as low income,
# dropout as completion, and everyday words for the statistical ones.
SYNONYMS = {
    "fattigdom": "lavinntekt", "frafall": "gjennomføring", "søppel": "avfall",
    "kriminalitet": "lovbrudd", "strøm": "elektrisk", "utenforskap": "utenfor",
    "innsyn": "åpenhet", "ledighet": "ledige", "eldreomsorg": "omsorgstjenester",
}


def equivalents(term: str) -> set[str]:
    """Bokmål forms of a query word written in Nynorsk or English, and its synonyms.

    Nynorsk roots are replaced longest first, all in one word (`låginntektsfamiliar` →
    `lavinntektsfamilier`): one of five letters or more wherever it stands, a shorter one only
    as the word's end, so that `val` (election) does not touch `kvalitet`.
    """
    out = {ENGLISH[term]} if term in ENGLISH else set()
    bokmal = term
    for nn in _LONGEST_FIRST:
        if len(nn) >= 5 and nn in bokmal:
            bokmal = bokmal.replace(nn, NYNORSK[nn])
        elif bokmal.endswith(nn):
            bokmal = bokmal[: -len(nn)] + NYNORSK[nn]
    out |= {bokmal.replace(word, other) for word, other in SYNONYMS.items() if word in bokmal}
    return (out | {bokmal}) - {term}


_LONGEST_FIRST = sorted(NYNORSK, key=len, reverse=True)
