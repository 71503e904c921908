"""The fixed code lists of the KS/SSB taxonomy, with Bokmål, Nynorsk and English labels.

Codes are stable English identifiers stored in the database and in files; labels are for people.
Goals are fixed here (17); the 169 targets come from the UN framework in the database, because
their titles are official text we load rather than write.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LANGUAGES = ("nb", "nn", "en")


@dataclass(frozen=True)
class Code:
    code: str
    nb: str
    nn: str
    en: str

    def label(self, lang: str) -> str:
        return getattr(self, lang if lang in LANGUAGES else "nb")


@dataclass(frozen=True)
class CodeList:
    id: str
    nb: str
    nn: str
    en: str
    codes: tuple[Code, ...]
    description_en: str = ""
    _lookup: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _lookup_codes: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._lookup_codes.update({c.code: i for i, c in enumerate(self.codes)})
        for c in self.codes:
            for key in (c.code, c.nb, c.nn, c.en):
                self._lookup.setdefault(key.casefold(), c.code)

    def label(self, lang: str) -> str:
        return getattr(self, lang if lang in LANGUAGES else "nb")

    @property
    def allowed(self) -> list[str]:
        return list(self._lookup_codes)

    def normalise(self, value: str) -> str | None:
        """Return the code for a code or any of its labels (case-insensitive), else None."""
        return self._lookup.get(str(value).strip().casefold())

    def get(self, code: str) -> Code | None:
        i = self._lookup_codes.get(code)
        return None if i is None else self.codes[i]

    def position(self, code: str) -> int | None:
        """The code's place in the list (for sorting), None when not in it."""
        return self._lookup_codes.get(code)


def _list(id_: str, nb: str, nn: str, en: str, codes: list[tuple[str, str, str, str]], desc=""):
    return CodeList(id_, nb, nn, en, tuple(Code(*c) for c in codes), desc)


GOALS = _list("goal", "Bærekraftsmål", "Berekraftsmål", "Sustainable Development Goal", [
    ("1", "Utrydde fattigdom", "Utrydde fattigdom", "No poverty"),
    ("2", "Utrydde sult", "Utrydde svolt", "Zero hunger"),
    ("3", "God helse og livskvalitet", "God helse og livskvalitet", "Good health and well-being"),
    ("4", "God utdanning", "God utdanning", "Quality education"),
    ("5", "Likestilling mellom kjønnene", "Likestilling mellom kjønna", "Gender equality"),
    ("6", "Rent vann og gode sanitærforhold", "Reint vatn og gode sanitærforhold",
     "Clean water and sanitation"),
    ("7", "Ren energi til alle", "Rein energi til alle", "Affordable and clean energy"),
    ("8", "Anstendig arbeid og økonomisk vekst", "Anstendig arbeid og økonomisk vekst",
     "Decent work and economic growth"),
    ("9", "Industri, innovasjon og infrastruktur", "Industri, innovasjon og infrastruktur",
     "Industry, innovation and infrastructure"),
    ("10", "Mindre ulikhet", "Mindre ulikskap", "Reduced inequalities"),
    ("11", "Bærekraftige byer og lokalsamfunn", "Berekraftige byar og lokalsamfunn",
     "Sustainable cities and communities"),
    ("12", "Ansvarlig forbruk og produksjon", "Ansvarleg forbruk og produksjon",
     "Responsible consumption and production"),
    ("13", "Stoppe klimaendringene", "Stoppe klimaendringane", "Climate action"),
    ("14", "Livet i havet", "Livet i havet", "Life below water"),
    ("15", "Livet på land", "Livet på land", "Life on land"),
    ("16", "Fred, rettferdighet og velfungerende institusjoner",
     "Fred, rettferd og velfungerande institusjonar", "Peace, justice and strong institutions"),
    ("17", "Samarbeid for å nå målene", "Samarbeid for å nå måla", "Partnerships for the goals"),
])

# Official goal colours (UN SDG communications guidelines), used by charts and pages.
GOAL_COLOURS = {
    1: "#E5243B", 2: "#DDA63A", 3: "#4C9F38", 4: "#C5192D", 5: "#FF3A21", 6: "#26BDE2",
    7: "#FCC30B", 8: "#A21942", 9: "#FD6925", 10: "#DD1367", 11: "#FD9D24", 12: "#BF8B2E",
    13: "#3F7E44", 14: "#0A97D9", 15: "#56C02B", 16: "#00689D", 17: "#19486A",
}

TBL = _list("tbl", "Trippel bunnlinje", "Trippel botnline", "Triple bottom line", [
    ("people", "Menneske (sosial)", "Menneske (sosial)", "People (social)"),
    ("planet", "Miljø (planet)", "Miljø (planet)", "Planet (environmental)"),
    ("prosperity", "Velstand (økonomi)", "Velstand (økonomi)", "Prosperity (economic)"),
])

DEVELOPMENT_AREAS = _list(
    "development_area", "Utviklingsområde", "Utviklingsområde", "Development area", [
        ("built_environment", "Bygde omgivelser", "Bygde omgivnader", "Built environment"),
        ("childhood_and_education", "Oppvekst og utdanning", "Oppvekst og utdanning",
         "Childhood and education"),
        ("culture", "Kultur", "Kultur", "Culture"),
        ("digitalisation", "Digitalisering", "Digitalisering", "Digitalisation"),
        ("economy", "Økonomi", "Økonomi", "Economy"),
        ("energy", "Energi", "Energi", "Energy"),
        ("governance_and_citizen_engagement", "Styring og medvirkning", "Styring og medverknad",
         "Governance and citizen engagement"),
        ("health_and_social_services_and_welfare", "Helse, sosiale tjenester og velferd",
         "Helse, sosiale tenester og velferd", "Health, social services and welfare"),
        ("industry", "Næring", "Næring", "Industry"),
        ("natural_environment", "Natur og miljø", "Natur og miljø", "Natural environment"),
        ("safety_and_preparedness", "Samfunnssikkerhet og beredskap",
         "Samfunnstryggleik og beredskap", "Safety and preparedness"),
        ("transport", "Samferdsel", "Samferdsel", "Transport"),
        ("water_and_waste", "Vann, avløp og avfall", "Vatn, avløp og avfall", "Water and waste"),
        ("work_and_employment", "Arbeid og sysselsetting", "Arbeid og sysselsetjing",
         "Work and employment"),
    ],
    "The 14 thematic areas for public services used by the Norwegian Digitalisation Agency.",
)

EVALUATION_STEPS = _list(
    "evaluation_step", "Evaluering av tiltak", "Evaluering av tiltak", "Evaluation of measures", [
        ("input", "1 Innsats (input)", "1 Innsats (input)", "1 Input"),
        ("process", "2 Prosess", "2 Prosess", "2 Process"),
        ("output", "3 Resultat (output)", "3 Resultat (output)", "3 Output"),
        ("outcome", "4 Brukereffekt (outcome)", "4 Brukareffekt (outcome)",
         "4 Outcome (effect on users)"),
        ("impact", "5 Samfunnseffekt (impact)", "5 Samfunnseffekt (impact)",
         "5 Impact (effect on society)"),
    ],
    "The five steps of the input-output model.",
)

DISTRIBUTION = _list("distribution", "Fordeling", "Fordeling", "Distribution", [
    ("time", "Over tid", "Over tid", "Over time"),
    ("region", "Mellom regioner", "Mellom regionar", "Between regions"),
    ("group", "Mellom grupper", "Mellom grupper", "Between groups"),
])

QUALITY_CLASSES = _list("quality_class", "Kvalitetsklasse", "Kvalitetsklasse", "Quality class", [
    ("1", "Klasse 1: oppfyller de fem kvalitetsprinsippene",
     "Klasse 1: oppfyller dei fem kvalitetsprinsippa",
     "Class 1: meets the five quality principles"),
    ("2", "Klasse 2: delvis", "Klasse 2: delvis", "Class 2: in between"),
    ("3", "Klasse 3: kan ikke produseres", "Klasse 3: kan ikkje produserast",
     "Class 3: cannot be produced"),
], "Class 1 meets the ESS Quality Assurance Framework v2.0 principles for statistical output.")

# The five ESS QAF v2.0 principles for statistical output checked for quality class 1.
ESS_PRINCIPLES = _list("ess_principle", "Kvalitetsprinsipp", "Kvalitetsprinsipp",
                       "Quality principle", [
    ("relevance", "Relevans", "Relevans", "Relevance"),
    ("accuracy", "Nøyaktighet og pålitelighet", "Nøyaktigheit og påliteligheit",
     "Accuracy and reliability"),
    ("timeliness", "Aktualitet og punktlighet", "Aktualitet og punktlegheit",
     "Timeliness and punctuality"),
    ("coherence", "Sammenheng og sammenlignbarhet", "Samanheng og samanliknbarheit",
     "Coherence and comparability"),
    ("accessibility", "Tilgjengelighet og klarhet", "Tilgjenge og klarleik",
     "Accessibility and clarity"),
])

GEOGRAPHY_LEVELS = _list("geography_level", "Geografisk nivå", "Geografisk nivå",
                         "Level of geography", [
    ("national", "Nasjonalt nivå", "Nasjonalt nivå", "National level"),
    ("county", "Regionalt nivå (fylke)", "Regionalt nivå (fylke)", "Regional/county level"),
    ("city", "By- og kommunenivå", "By- og kommunenivå", "City level"),
    ("district", "Bydelsnivå", "Bydelsnivå", "District level"),
])

PERIODICITY = _list("periodicity", "Periodisitet", "Periodisitet", "Periodicity", [
    ("daily", "Daglig", "Dagleg", "Daily"),
    ("monthly", "Månedlig", "Månadleg", "Monthly"),
    ("quarterly", "Kvartalsvis", "Kvartalsvis", "Quarterly"),
    ("half_yearly", "Halvårlig", "Halvårleg", "Half-yearly"),
    ("yearly", "Årlig", "Årleg", "Yearly"),
    ("biennial", "Annethvert år", "Annakvart år", "Every other year"),
    ("triennial", "Hvert tredje år", "Kvart tredje år", "Every third year"),
    ("other", "Annet", "Anna", "Other"),
])

DIRECTIONS = _list("direction", "Retning", "Retning", "Direction", [
    ("higher", "Høyere er bedre", "Høgare er betre", "Higher is better"),
    ("lower", "Lavere er bedre", "Lågare er betre", "Lower is better"),
    ("neither", "Verken eller", "Verken eller", "Neither"),
])

BOOLEAN = _list("boolean", "Ja/nei", "Ja/nei", "Yes/no", [
    ("true", "ja", "ja", "yes"),
    ("false", "nei", "nei", "no"),
])

SET_LEVELS = _list("set_level", "Nivå", "Nivå", "Level", [
    ("global", "Globalt", "Globalt", "Global"),
    ("national", "Nasjonalt", "Nasjonalt", "National"),
    ("regional", "Regionalt", "Regionalt", "Regional"),
    ("local", "Lokalt", "Lokalt", "Local"),
])

LINK_KINDS = _list("link_kind", "Koblingstype", "Koplingstype", "Link kind", [
    ("exact", "Samme indikator", "Same indikator", "Exact match"),
    ("close", "Nesten lik", "Nesten lik", "Close match"),
    ("related_match", "Beslektet (annet sett)", "I slekt (anna sett)", "Related match"),
    ("related", "Beslektet", "I slekt", "Related"),
])

CODE_LISTS: dict[str, CodeList] = {
    cl.id: cl
    for cl in (GOALS, TBL, DEVELOPMENT_AREAS, EVALUATION_STEPS, DISTRIBUTION, QUALITY_CLASSES,
               ESS_PRINCIPLES, GEOGRAPHY_LEVELS, PERIODICITY, DIRECTIONS, SET_LEVELS, LINK_KINDS)
}

# Data owners ("where the indicator lives"). The property is open: other owners are kept as
# written; a known owner given by code or any label is stored as its code.
DATA_OWNERS = _list("data_owner", "Dataeier", "Dataeigar", "Data owner", [
    ("ssb", "Statistisk sentralbyrå (SSB)", "Statistisk sentralbyrå (SSB)",
     "Statistics Norway (SSB)"),
    ("fhi", "Folkehelseinstituttet (FHI)", "Folkehelseinstituttet (FHI)",
     "Norwegian Institute of Public Health (FHI)"),
    ("miljodirektoratet", "Miljødirektoratet", "Miljødirektoratet",
     "Norwegian Environment Agency"),
    ("udir", "Utdanningsdirektoratet", "Utdanningsdirektoratet",
     "Norwegian Directorate for Education and Training"),
    ("bufdir", "Barne-, ungdoms- og familiedirektoratet (Bufdir)",
     "Barne-, ungdoms- og familiedirektoratet (Bufdir)",
     "Norwegian Directorate for Children, Youth and Family Affairs (Bufdir)"),
    ("helsedirektoratet", "Helsedirektoratet", "Helsedirektoratet",
     "Norwegian Directorate of Health"),
    ("dsb", "Direktoratet for samfunnssikkerhet og beredskap (DSB)",
     "Direktoratet for samfunnstryggleik og beredskap (DSB)",
     "Norwegian Directorate for Civil Protection (DSB)"),
    ("arkivverket", "Arkivverket", "Arkivverket", "National Archives of Norway"),
    ("husbanken", "Husbanken", "Husbanken", "Norwegian State Housing Bank"),
    ("nova", "NOVA, OsloMet (Ungdata)", "NOVA, OsloMet (Ungdata)", "NOVA, OsloMet (Ungdata)"),
    ("nve", "Norges vassdrags- og energidirektorat (NVE)",
     "Noregs vassdrags- og energidirektorat (NVE)",
     "Norwegian Water Resources and Energy Directorate (NVE)"),
    ("nibio", "NIBIO", "NIBIO", "Norwegian Institute of Bioeconomy Research (NIBIO)"),
    ("vegvesen", "Statens vegvesen", "Statens vegvesen", "Norwegian Public Roads Administration"),
    ("kreftregisteret", "Kreftregisteret", "Kreftregisteret", "Cancer Registry of Norway"),
    ("norad", "Norad", "Norad", "Norad"),
    ("regjeringen", "Regjeringen", "Regjeringa", "Government of Norway"),
    ("ks", "KS", "KS", "KS (Norwegian Association of Local and Regional Authorities)"),
    ("presse", "Norsk Presseforbund", "Norsk Presseforbund", "Norwegian Press Association"),
    ("un", "FNs statistikkavdeling", "FN sin statistikkavdeling", "UN Statistics Division"),
    ("itu", "ITU", "ITU", "International Telecommunication Union (ITU)"),
    ("oecd", "OECD", "OECD", "OECD"),
    ("eurostat", "Eurostat / EU-kommisjonen", "Eurostat / EU-kommisjonen",
     "Eurostat / European Commission"),
    ("who", "Verdens helseorganisasjon (WHO)", "Verdas helseorganisasjon (WHO)",
     "World Health Organization (WHO)"),
    ("worldbank", "Verdensbanken", "Verdsbanken", "World Bank"),
])

# Web hosts of known data owners, used to fill the owner from an indicator's source URL.
DATA_OWNER_HOSTS = {
    "ssb.no": "ssb", "fhi.no": "fhi", "khs.fhi.no": "fhi", "miljodirektoratet.no":
    "miljodirektoratet", "miljostatus.miljodirektoratet.no": "miljodirektoratet",
    "luftkvalitet.miljostatus.no": "miljodirektoratet", "norskeutslipp.no": "miljodirektoratet",
    "udir.no": "udir", "bufdir.no": "bufdir", "helsedirektoratet.no": "helsedirektoratet",
    "dsb.no": "dsb", "arkivverket.no": "arkivverket", "boligsosial-monitor.husbanken.no":
    "husbanken", "ungdata.no": "nova", "nve.no": "nve", "publikasjoner.nve.no": "nve",
    "skogbruk.nibio.no": "nibio", "vegvesen.no": "vegvesen", "kreftregisteret.no":
    "kreftregisteret", "norad.no": "norad", "resultater.norad.no": "norad",
    "regjeringen.no": "regjeringen", "ks.no": "ks", "presse.no": "presse",
    "unstats.un.org": "un", "itu.int": "itu", "oecd.org": "oecd", "stats.oecd.org": "oecd",
    "data.oecd.org": "oecd", "oecd-ilibrary.org": "oecd", "ec.europa.eu": "eurostat",
    "who.int": "who", "data.worldbank.org": "worldbank",
}

CODE_LISTS[DATA_OWNERS.id] = DATA_OWNERS

# Planning: the words of a plan's measures and of the interactions between targets.
MEASURE_STATUS = _list("measure_status", "Status", "Status", "Status", [
    ("planned", "Planlagt", "Planlagt", "Planned"),
    ("ongoing", "Pågår", "Pågår", "Ongoing"),
    ("done", "Gjennomført", "Gjennomført", "Done"),
    ("stopped", "Stanset", "Stansa", "Stopped"),
])

MEASURE_KINDS = _list("measure_kind", "Type tiltak", "Type tiltak", "Kind of measure", [
    ("service", "Tjeneste", "Teneste", "Service"),
    ("investment", "Investering", "Investering", "Investment"),
    ("procurement", "Innkjøp", "Innkjøp", "Procurement"),
    ("regulation", "Regulering", "Regulering", "Regulation"),
    ("partnership", "Partnerskap", "Partnarskap", "Partnership"),
])

FUNDING = _list("funding", "Finansiering", "Finansiering", "Funding", [
    ("own", "Egne midler", "Eigne midlar", "Own funds"),
    ("external", "Eksterne midler", "Eksterne midlar", "External funds"),
])

# The seven-point scale of SDG interactions (Nilsson, Griggs and Visbeck 2016; ICSU 2017).
INTERACTIONS = _list("interaction", "Samspill", "Samspel", "Interaction", [
    ("3", "+3 Udelelig", "+3 Udeleleg", "+3 Indivisible"),
    ("2", "+2 Forsterker", "+2 Forsterkar", "+2 Reinforcing"),
    ("1", "+1 Muliggjør", "+1 Gjer mogleg", "+1 Enabling"),
    ("0", "0 Nøytral", "0 Nøytral", "0 Consistent"),
    ("-1", "−1 Begrenser", "−1 Avgrensar", "−1 Constraining"),
    ("-2", "−2 Motvirker", "−2 Motverkar", "−2 Counteracting"),
    ("-3", "−3 Opphever", "−3 Opphevar", "−3 Cancelling"),
], "The seven-point scale of interactions between SDG targets, from +3 to −3.")
