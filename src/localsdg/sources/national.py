"""The national status profile: official figures for every municipality through a registry of
source recipes, and the profile set that scores them against stated references.

A recipe says where a figure comes from (agency, dataset or table, a page to read about it, the
file or query to download, licence, update cadence), which catalog indicator it fills and how
to read it. `sync_national` tries each recipe: the copy in the reference data folder
(LOCALSDG_REFERENCE_DATA, laid out like ../shared/data) where one is named, else the download
through sources.http (the offline mirror, or the network). A recipe that cannot be read is
reported and skipped, never fatal.

Then it writes the profile set `nasjonal`, the default for every municipality: per indicator,
0 and 100 and the colour thresholds come from a national target where one exists, otherwise
from the distribution across all municipalities in the latest period (0 at the 2.5th
percentile from the worst end, 100 at the mean of the best five, green from the best quarter,
red in the worst quarter), as SDSN does for countries; each basis is stored with the numbers,
so pages and reports can state it in the reader's language.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from localsdg.areas.lookup import AreaIndex
from localsdg.areas.store import list_areas
from localsdg.catalog.indicators import indicator_by_ref
from localsdg.config import settings
from localsdg.errors import UserError
from localsdg.observations.borders import borders_of, current_year
from localsdg.observations.series import citations, get_data, population_by_year
from localsdg.observations.store import ImportResult, Obs, Problem, commit, read
from localsdg.present.labels import basis_text
from localsdg.scoring import profiles
from localsdg.scoring.profiles import Profile
from localsdg.scoring.run import bound
from localsdg.sources import kartverket
from localsdg.sources import national_files as files
from localsdg.sources.http import fetch
from localsdg.sources.jsonstat import categories, read_dataset, rows
from localsdg.sources.local_indicators import save_local
from localsdg.sources.ssb import Selection, fetch_table

PROFILE_SET = "nasjonal"
# Name and notes are message ids: pages and reports show them in the reader's language.
NAME = "National status profile"
NOTES = ("Official figures for every municipality; bounds from national targets or the "
         "distribution across all municipalities.")
WINDOW = 6  # years back from the year scored in which a value still counts
MIN_GOALS = 10  # goals with a score an area needs for an index and a rank
NATIONAL_LOCAL = {
    "grunnskolepoeng": ("Grunnskolepoeng, gjennomsnitt", "Lower secondary school points, mean",
                        "grunnskolepoeng", ["4.1"]),
    "bredband-100": ("Andel husstander med tilbud om fast bredbånd på minst 100 Mbit/s",
                     "Share of households offered fixed broadband of at least 100 Mbit/s",
                     "prosent av husstandene", ["9.c"]),
    "mobil-100": ("Andel husstander med 4G- eller 5G-dekning på minst 100 Mbit/s",
                  "Share of households covered by 4G or 5G of at least 100 Mbit/s",
                  "prosent av husstandene", ["9.c"]),
    "industriutslipp": ("Klimagassutslipp fra landbasert industri per innbygger",
                        "Greenhouse gas emissions from land-based industry per inhabitant",
                        "tonn CO2-ekvivalenter per innbygger", ["13.2", "9.4"]),
    "unge-utenfor": ("Unge 16–25 år utenfor arbeid og utdanning",
                     "Young people aged 16–25 not in work or education",
                     "prosent", ["8.6"]),
    "sysselsatte": ("Sysselsatte, andel av befolkningen i arbeidsalder (IMDi)",
                    "Employed persons, share of the working-age population (IMDi)", "prosent",
                    ["8.5"]),
    "vgs-fullfort": ("Fullført og bestått videregående opplæring innen fem år",
                     "Completed upper secondary education within five years", "prosent",
                     ["4.1"]),
    "barnehagedeltakelse": ("Barn 1–5 år i barnehage", "Children aged 1–5 in kindergarten",
                            "prosent", ["4.2"]),
    "gruppestorrelse": ("Gruppestørrelse 2 (elever per lærer i ordinær undervisning)",
                        "Group size 2 (pupils per teacher in ordinary teaching)", "elever",
                        ["4.c"]),
    "unge-utenfor-15-29": ("Unge 15–29 år utenfor arbeid, utdanning og opplæring",
                           "Young people aged 15–29 not in employment, education or training",
                           "prosent", ["8.6"]),
    "barn-lavinntekt": ("Barn under 18 år i husholdninger med lavinntekt (EU-skala 60 %)",
                        "Children under 18 in low-income households (EU scale, 60 %)",
                        "prosent", ["1.2"]),
    "areal": ("Areal", "Area", "km²", []),
    "andel-67-pluss": ("Andel av befolkningen 67 år og eldre",
                       "Share of the population aged 67 or older", "prosent", []),
    "befolkningsvekst-5": ("Befolkningsvekst siste fem år", "Population growth over five years",
                           "prosent", []),
    "netto-driftsresultat": ("Netto driftsresultat i prosent av brutto driftsinntekter",
                             "Net operating result, per cent of gross operating revenue",
                             "prosent", ["16.6", "17.1"]),
}
Reader = Callable[[Path, int, AreaIndex], Iterable]


@dataclass(frozen=True)
class Target:
    value: float
    text: str  # who set it and where, in English (a message id: pages translate it)


@dataclass(frozen=True)
class Reference:
    """Bounds and thresholds another body published for the measure (or a close one)."""
    lower: float
    upper: float
    green: float
    red: float
    text: str  # whose they are and how they fit, in English (a message id)


@dataclass(frozen=True)
class Recipe:
    key: str
    indicator: str  # SET/CODE in the catalog
    goal: int | None  # None: a structural figure for choosing similar areas, not scored
    agency: str
    dataset: str
    page: str  # where a reader learns about the figures
    licence: str
    cadence: str
    direction: str  # higher or lower is better ("" for structural figures)
    reference: str | None = None  # the copy's path in a reference data folder
    download: str | None = None  # the file's address, where the agency publishes one file
    reader: Reader | None = None
    table: str | None = None  # an SSB statistics bank table read live (PxWeb v2, JSON-stat)
    query: tuple[Selection, ...] = ()
    measure: str = "rate"
    per_inhabitant: bool = False  # the file's totals divided by the population that year
    target: Target | None = None
    fixed: tuple[float, float] | None = None  # (0, 100) when the scale is fixed by nature
    published: Reference | None = None
    ceiling: float | None = None  # no bound beyond it (a share above 100 % is counted twice)
    counties: bool = True  # a county's figure may be estimated from its municipalities'
    note: str = ""

    @property
    def source(self) -> str:
        return f"{self.agency}: {self.dataset}"


IMDI = "norway/stats/national/imdi_kommunetall_2011-2014/"
IMDI_NOTE = ("IMDi's municipal figures from SSB's registers, copied in gardenberg/imdikator-munch "
             "@ d1ab9eca; older than the profile's window, so shown but not scored.")


def _imdi(key: str, indicator: str, goal: int, file: str, direction: str, dataset: str,
          keep: dict[str, str]) -> Recipe:
    return Recipe(key, indicator, goal, "Integrerings- og mangfoldsdirektoratet (IMDi)", dataset,
                  "https://www.imdi.no/tall-og-statistikk/", "NLOD", "yearly", direction,
                  reference=IMDI + file, note=IMDI_NOTE,
                  reader=lambda p, i, a: files.imdi(p, i, a, keep=keep, unit="per cent"))


RECIPES = [
    Recipe("valgdeltakelse", "Kommunehelsa-statistikkbank/1213", 16, "Valgdirektoratet",
           "Stortingsvalg, valgdeltakelse per kommune", "https://valgresultat.no",
           "NLOD", "every fourth year", "higher",
           reference="norway/stats/national/valg_stortingsvalg_kommune",
           reader=files.turnout,
           note="Copy of valgresultat.no's result files in HNygard/valgresultat.no-copy @ "
                "08c9315a (one file per municipality and election)."),
    Recipe("grunnskolepoeng", "lokal/grunnskolepoeng", 4, "Utdanningsdirektoratet",
           "Grunnskolepoeng (Skoleporten)", "https://www.udir.no/tall-og-forskning/statistikk/"
           "statistikk-grunnskole/karakterer-i-grunnskolen/", "NLOD", "yearly", "higher",
           reference="norway/stats/national/udir_grunnskolepoeng/"
                     "grunnskolepoeng_udir_2015-2021.xlsx",
           download="https://raw.githubusercontent.com/evensrii/Telemark/"
                    "2f2c2110de64611a0bab80a5f8f109183475bc50/Data/"
                    "02_Opplæring og kompetanse/Grunnskolepoeng Udir.xlsx",
           reader=files.school_points,
           note="2019/20 and 2020/21 rest on teachers' marks only (exams were cancelled)."),
    Recipe("bredband", "lokal/bredband-100", 9, "Nasjonal kommunikasjonsmyndighet (Nkom)",
           "Bredbåndsdekning per kommune", "https://nkom.no", "NLOD", "yearly", "higher",
           reference="norway/stats/nkom_bredband_fast_dekning_alle_kommuner.csv",
           reader=lambda p, i, a: files.coverage(
               p, i, a, group="Hastighet - alle teknologier på fast bredbånd", column="≥ 100",
               year=2022, borders=2020),
           target=Target(100.0, "The Government's goal: every household offered at least "
                                "100 Mbit/s by the end of 2025 (Meld. St. 28 (2020–2021))"),
           note="The year 2022 is read from the copy's publication date (December 2022)."),
    Recipe("mobil", "lokal/mobil-100", 9, "Nasjonal kommunikasjonsmyndighet (Nkom)",
           "Mobildekning (4G og 5G) per kommune", "https://nkom.no", "NLOD", "yearly", "higher",
           reference="norway/stats/nkom_bredband_mobil_dekning_alle_kommuner.csv",
           reader=lambda p, i, a: files.coverage(p, i, a, group="4G + 5G", column="≥ 100",
                                                 year=2022, borders=2020),
           note="Households covered by 4G or 5G of at least 100 Mbit/s; 2022 as the fixed "
                "broadband table beside it."),
    Recipe("industriutslipp", "lokal/industriutslipp", 13, "Miljødirektoratet",
           "Utslipp fra landbasert industri (norskeutslipp.no), CO2-ekvivalenter per anlegg",
           "https://www.norskeutslipp.no", "NLOD", "yearly", "lower",
           reference="norway/stats/national/mdir_norskeutslipp_industri/"
                     "norskeutslipp_landbasert_industri_CO2ekv_anlegg.xlsx",
           reader=lambda p, i, a: files.industry_emissions(p, i, a, borders=2020),
           per_inhabitant=True,
           published=Reference(20.0, 0.0, 2.0, 4.0, "SDSN's bounds for CO₂ emissions per "
                               "inhabitant (Sustainable Development Report 2021: optimum 0, "
                               "green up to 2 t, red beyond 4 t, 0 at 20 t), here applied to "
                               "industry's emissions alone"),
           note="Facilities' emissions to air summed per municipality and divided by the "
                "population on 1 January (FHI, from SSB table 07459); industry only, not the "
                "municipality's whole emissions."),
    Recipe("vaksinasjon", "Kommunehelsa-statistikkbank/1269", 3,
           "Folkehelseinstituttet (FHI)", "Kommunehelsa: vaksinasjonsdekning, meslinger, "
           "2-åringer (5-årige gjennomsnitt)", "https://statistikk.fhi.no/khs", "NLOD",
           "yearly", "higher",
           reference="norway/stats/national/fhi_vaccination/"
                     "kommunehelsa_vaksinasjonsdekning_5aar_2002-2018_raw.xlsx",
           reader=lambda p, i, a: files.vaccination(p, i, a, age="2 år", vaccine="Meslinger",
                                                    borders=2018),
           target=Target(95.0, "WHO's goal for measles vaccination coverage (95 %), "
                               "which the national childhood programme aims at"),
           note="Copy of FHI's export in folkehelseinstituttet/fhidata @ ea970681; "
                "places by name on 2018 borders."),
    Recipe("lavinntekt", "Kommunehelsa-statistikkbank/1122", 1,
           "Integrerings- og mangfoldsdirektoratet (IMDi)",
           "Vedvarende lavinntekt (EU60, treårsperiode), alle personer",
           "https://www.imdi.no/tall-og-statistikk/", "NLOD", "yearly", "lower",
           reference=IMDI + "vedvarende_lavinntekt.csv", note=IMDI_NOTE,
           reader=lambda p, i, a: files.imdi(p, i, a, keep={"innvkat_3": "alle",
                                                            "vreg_3": "alle"},
                                             unit="per cent")),
    _imdi("unge-utenfor", "lokal/unge-utenfor", 8, "ungdom_utenfor_opplaring.csv", "lower",
          "Ungdom 16–25 år utenfor arbeid og utdanning", {"innvkat_5": "alle", "kjonn": "alle"}),
    _imdi("sysselsatte", "lokal/sysselsatte", 8, "sysselsatte_innvkat.csv", "higher",
          "Sysselsatte etter innvandringskategori, alle", {"innvkat_3": "alle"}),
    _imdi("vgs-fullfort", "lokal/vgs-fullfort", 4, "videregaende_fullfort.csv", "higher",
          "Fullført videregående opplæring innen fem år (kull 2011–2013 samlet)",
          {"innvkat_5": "alle", "kjonn": "alle", "aar": "2011_2013"}),
    replace(_imdi("barnehage", "lokal/barnehagedeltakelse", 4, "barnehagedeltakelse.csv",
                  "higher", "Barnehagedeltakelse, barn 1–5 år",
                  {"spraak": "alle", "bhgalder": "1_5"}), ceiling=100.0),
    Recipe("robek", "De-norske-målepunktene/2573", 16,
           "Kommunal- og distriktsdepartementet", "ROBEK, register om betinget godkjenning og "
           "kontroll", "https://www.regjeringen.no/no/tema/kommuner-og-regioner/kommunedata/"
           "robek-2/id415422/", "NLOD", "when a municipality enters or leaves", "lower",
           reference="norway/stats/national/kdd_robek/robek_2026-04.json",
           download="https://raw.githubusercontent.com/vegard1104/kommunebarometer/"
                    "3aa9c7d2027ece72606bea711ba937e0de416cea/data/robek.json",
           reader=files.robek, measure="count", fixed=(1.0, 0.0), counties=False,
           target=Target(0.0, "Not on the register: a balanced budget and accounts "
                              "(Local Government Act § 28-1)")),
    Recipe("barnehage-ssb", "lokal/barnehagedeltakelse", 4, "Statistisk sentralbyrå",
           "KOSTRA tabell 13502, andel barn 1–5 år i barnehage (KOSandel150000)",
           "https://www.ssb.no/statbank/table/13502", "NLOD", "yearly (15 March, 15 June)",
           "higher", table="13502", ceiling=100.0,
           query=(Selection("KOKkommuneregion0000", ("????",)),
                  Selection("ContentsCode", ("KOSandel150000",)), Selection("Tid", ("top(5)",))),
           note="The same measure as IMDi's 2013 figures, which it supersedes when loaded."),
    Recipe("gruppestorrelse", "lokal/gruppestorrelse", 4, "Statistisk sentralbyrå",
           "KOSTRA tabell 12255, gruppestørrelse 2 (KOSgrstr20000)",
           "https://www.ssb.no/statbank/table/12255", "NLOD", "yearly (15 March, 15 June)",
           "lower", table="12255",
           query=(Selection("KOKkommuneregion0000", ("????",)),
                  Selection("ContentsCode", ("KOSgrstr20000",)), Selection("Tid", ("top(5)",)))),
    Recipe("unge-utenfor-ssb", "lokal/unge-utenfor-15-29", 8, "Statistisk sentralbyrå",
           "Tabell 13556, unge 15–29 år utenfor arbeid, utdanning og opplæring (BosatteProsent)",
           "https://www.ssb.no/statbank/table/13556", "NLOD", "yearly", "lower", table="13556",
           query=(Selection("Region", ("*",), "agg_KommGjeldende"),
                  Selection("HovArbStyrkStatus", ("NEET",), "vs_ArbStatus2018niva4"),
                  Selection("Alder", ("15-29",)), Selection("Kjonn", ("0",)),
                  Selection("ContentsCode", ("BosatteProsent",)), Selection("Tid", ("top(5)",)))),
    Recipe("barn-lavinntekt", "lokal/barn-lavinntekt", 1, "Statistisk sentralbyrå",
           "Tabell 08764, barn under 18 år i husholdninger med lavinntekt, EU-skala 60 % "
           "(EUskala60)", "https://www.ssb.no/statbank/table/08764", "NLOD", "yearly", "lower",
           table="08764",
           query=(Selection("Region", ("*",), "agg_KommGjeldende"),
                  Selection("ContentsCode", ("EUskala60",)), Selection("Tid", ("top(5)",)))),
    Recipe("netto-driftsresultat", "lokal/netto-driftsresultat", 16, "Statistisk sentralbyrå",
           "KOSTRA tabell 12134, netto driftsresultat (KOSAGD230000)",
           "https://www.ssb.no/statbank/table/12134", "NLOD", "yearly (15 March, 15 June)",
           "higher", table="12134",
           query=(Selection("KOKkommuneregion0000", ("????",)),
                  Selection("ContentsCode", ("KOSAGD230000",)), Selection("Tid", ("top(5)",))),
           target=Target(1.75, "The recommended level for municipalities from the Technical "
                               "Calculation Committee for Local Government Finances (TBU)")),
]


FHI_POPULATION = "norway/stats/fhi_csdata_b2024/population_jan1_b2024_by_agegroup_2005-2026.csv"
STRUCTURE = [  # what similar municipalities are chosen by, beside the population itself
    Recipe("areal", "lokal/areal", None, "Kartverket", "Kommunegrenser 2024 (forenklet), areal "
           "målt på ellipsoiden", "https://kartverket.no", "CC BY 4.0", "when borders change",
           "", download=kartverket.BASE + kartverket.FILES[("municipality", 2024)][0],
           reader=lambda p, i, a: files.land_area(p, i, a, year=2024), measure="count",
           note="Area of the simplified boundary (Kartverket via robhop/fylker-og-kommuner), "
                "fresh water included; used with the population for density."),
    Recipe("andel-67-pluss", "lokal/andel-67-pluss", None, "Folkehelseinstituttet (FHI)",
           "Befolkning 1. januar etter alder (fra SSB tabell 07459, 2024-inndeling)",
           "https://www.ssb.no/statbank/table/07459", "NLOD", "yearly", "",
           reference=FHI_POPULATION,
           reader=lambda p, i, a: files.population_share(p, i, a, part="pop_67_plus")),
    Recipe("befolkningsvekst", "lokal/befolkningsvekst-5", None, "Folkehelseinstituttet (FHI)",
           "Befolkning 1. januar (fra SSB tabell 07459, 2024-inndeling)",
           "https://www.ssb.no/statbank/table/07459", "NLOD", "yearly", "",
           reference=FHI_POPULATION,
           reader=lambda p, i, a: files.population_growth(p, i, a, years=5)),
]
RECIPES += STRUCTURE


def by_key(key: str) -> Recipe:
    for r in RECIPES:
        if r.key == key:
            return r
    raise UserError(f"no national source '{key}'; known: {', '.join(r.key for r in RECIPES)}")


def sync_national(session: Session, by: str, only: list[str] | None = None,
                  progress: Callable[[Recipe], None] | None = None) -> dict:
    """Load every recipe (or those named), each in its own batch, then write the profile set.
    A recipe that cannot be read is listed under 'skipped' with the reason."""
    save_local(session, NATIONAL_LOCAL, by)
    report: dict = {"loaded": [], "skipped": []}
    counties = Counties(session)
    for recipe in [by_key(k) for k in only] if only else RECIPES:
        if progress:
            progress(recipe)
        try:
            with session.begin_nested():
                result = _load(session, recipe, by)
                estimated = counties.estimate(recipe, by) \
                    if recipe.counties and recipe.goal is not None else None
        except UserError as exc:
            report["skipped"].append({"source": recipe.key, "why": exc.message})
            continue
        report["loaded"].append({"source": recipe.key, "rows": result.rows,
                                 "written": result.written, "batch": result.batch_id,
                                 "skipped_rows": len(result.skipped),
                                 "county_estimates": estimated.rows if estimated else 0})
    report["profile"] = write_profile(session)
    return report


def _load(session: Session, recipe: Recipe, by: str) -> ImportResult:
    indicator = indicator_by_ref(session, recipe.indicator)
    areas = AreaIndex(session)
    if not areas:
        raise UserError("no areas are loaded; run 'localsdg sync areas' first")
    if recipe.table:
        fetched = fetch_table(recipe.table, list(recipe.query), api="v2")
        raw, where = fetched.content, fetched.url
        dataset = read_dataset(raw, f"{recipe.table}.json")
        _answers_the_query(recipe, dataset)
        items = rows(dataset, f"{recipe.table}.json", indicator.id, areas, recipe.measure)
    else:
        path, raw, where = _file(recipe)
        items = list(recipe.reader(path, indicator.id, areas))
        if recipe.per_inhabitant:
            items = list(_per_inhabitant(session, items))
    details = {"format": recipe.key, "publisher": recipe.agency, "dataset": recipe.dataset,
               "page": recipe.page, "licence": recipe.licence, "read_from": where}
    return commit(session, items, source=recipe.source, by=by,
                  checksum=hashlib.sha256(raw).hexdigest(), skip_bad=True, details=details)


class Counties:
    """Counties' figures where the agency publishes none for a period: the mean of the county's
    municipalities weighted by their population (for a figure per inhabitant that is the
    county's total per inhabitant), on today's borders, when every municipality of the county
    has a value; flagged as estimated, in a batch of their own that names the source, with as
    many decimals as the municipalities' figures. The municipalities of each county and the
    population are read once, when first needed."""

    def __init__(self, session: Session):
        self.session, self.now = session, current_year()

    @cached_property
    def members(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for a in list_areas(self.session, "municipality", at=f"{self.now}-01-01"):
            if a["parent"] and not a["code"].endswith("99"):
                out.setdefault(a["parent"], set()).add(a["code"])
        return out

    @cached_property
    def population(self) -> dict[tuple[str, int], float]:
        return population_by_year(self.session)

    def estimate(self, recipe: Recipe, by: str) -> ImportResult | None:
        """Store the recipe's county estimates; None when none is needed."""
        indicator = indicator_by_ref(self.session, recipe.indicator)
        rows = [r for r in get_data(self.session, indicator, borders=self.now)
                if not r["dims"] and r["value"] is not None]
        items = [(f"{county} {period}", Obs(indicator.id, "county", county, period, start, end,
                                            value, "", unit, "rate", "estimated", self.now))
                 for county, period, start, end, value, unit in self._estimates(rows)]
        if not items:
            return None
        details = {"format": f"{recipe.key}-counties", "publisher": recipe.agency,
                   "dataset": recipe.dataset, "page": recipe.page, "licence": recipe.licence,
                   "derived": "counties"}
        return commit(self.session, items, source=f"{recipe.source} (counties from "
                      "municipalities)", by=by, checksum=None, details=details)

    def _estimates(self, rows: list[dict]) -> Iterable[tuple]:
        batches = {b for r in rows for b in _batches(r)}
        ours = {b for b, c in citations(self.session, batches).items() if c.derived}
        published = {(r["area_code"], r["period"]) for r in rows
                     if r["area_level"] == "county" and not ours & set(_batches(r))}
        periods: dict[tuple, dict[str, tuple[float, str | None]]] = {}
        for r in rows:
            if r["area_level"] == "municipality":
                periods.setdefault((r["period"], r["start_year"], r["end_year"]), {})[
                    r["area_code"]] = (r["value"], r["unit"])
        for (period, start, end), values in sorted(periods.items()):
            for county, codes in sorted(self.members.items()):
                weights = {c: self.population.get((c, end)) for c in codes}
                if (county, period) in published or not codes <= values.keys() or \
                        not all(weights.values()):
                    continue
                value = sum(values[c][0] * w for c, w in weights.items()) / sum(
                    weights.values())
                yield (county, period, start, end,
                       round(value, max(_decimals(values[c][0]) for c in codes)),
                       values[min(codes)][1])


def _batches(row: dict) -> list[int]:
    return row["batch"] if isinstance(row["batch"], list) else [row["batch"]]


def _decimals(value: float) -> int:
    """How many decimals a figure is given with (at most four)."""
    text = f"{value:.4f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _answers_the_query(recipe: Recipe, dataset: dict) -> None:
    """The answer holds what was asked for: each value named exactly (a content code, an age
    group) is among the dimension's categories, so that another measure is never loaded."""
    for s in recipe.query:
        named = [v for v in s.values if not any(c in v for c in "*?(")]
        got = categories(dataset, s.code)
        if missing := [v for v in named if v not in got]:
            raise UserError(f"{recipe.source}: the answer holds {s.code} "
                            f"{', '.join(map(str, got)) or 'none'}, not {', '.join(missing)} "
                            "as asked; nothing was loaded")


def _per_inhabitant(session: Session, items: list) -> Iterable:
    """Totals on their borders divided by the population of their year on today's borders (the
    population series is on today's): an area that got a new code or was merged whole is
    moved, a split one cannot be and is named; years before an area's population series
    begins are left."""
    population = population_by_year(session)
    first: dict[str, int] = {}
    for code, year in population:
        first[code] = min(year, first.get(code, year))
    places = {level: borders_of(session, level) for level in ("municipality", "county")}
    now = current_year()
    merged: dict[tuple, tuple[str, Obs, float]] = {}
    for where, item in items:
        if not isinstance(item, Obs):
            yield where, item
            continue
        placed = places[item.area_level].place(item.area_code, item.borders or item.end_year,
                                               now)
        targets = [item.area_code] if placed and placed[1] is None else (
            placed[1] if placed else [])
        if len(targets) != 1:
            yield where, Problem(where, f"{item.area_code} was split or is unknown on today's "
                                        "borders; its total cannot be given per inhabitant")
            continue
        if item.end_year < first.get(targets[0], item.end_year):
            continue
        key = (item.area_level, targets[0], item.period)
        before = merged.get(key, (where, item, 0.0))[2]
        merged[key] = (where, item, before + (item.value or 0.0))
    for (_, code, _), (where, item, total) in merged.items():
        people = population.get((code, item.end_year))
        if not people:
            yield where, Problem(where, f"no population for {code} in {item.end_year}")
            continue
        yield where, replace(item, area_code=code, value=round(total / people, 4),
                             unit=f"{item.unit} per inhabitant", measure="rate", borders=None)


def _file(recipe: Recipe) -> tuple[Path, bytes, str]:
    """The recipe's file (or folder) from the reference folder, else downloaded (mirror or
    network): its path, its bytes (a folder's files one after another) and where it was read."""
    folder = settings().reference_data
    if recipe.reference and folder and (folder / recipe.reference).exists():
        path = folder / recipe.reference
        raw = path.read_bytes() if path.is_file() else b"".join(
            p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file())
        return path, raw, str(path)
    if not recipe.download:
        raise UserError(f"{recipe.source}: no reference copy (set LOCALSDG_REFERENCE_DATA to a "
                        f"folder holding {recipe.reference}) and no single file to download")
    fetched = fetch(recipe.download)
    return fetched.path, fetched.content, fetched.location


def write_profile(session: Session) -> dict:
    """The profile set `nasjonal` over the recipes that have data, bounds from their bases. An
    indicator whose national figures all lie before the window is shown as older data but
    does not count in goal scores (it would only take a goal's share of data away)."""
    latest: dict[str, tuple[Recipe, tuple]] = {}  # per indicator: its first recipe, its data
    for recipe in RECIPES:  # recipes of one indicator (a file and a live table) score alike
        if recipe.goal is not None and recipe.indicator not in latest:
            found = _latest_period(session, indicator_by_ref(session, recipe.indicator).id)
            if found[2]:
                latest[recipe.indicator] = (recipe, found)
    newest = max((end for _, (end, _, _) in latest.values()), default=0)
    items, bases = [], {}
    for recipe, (end, period, values) in latest.values():
        basis = _basis(recipe, period, np.array(values))
        bases[recipe.indicator] = basis
        items.append(Profile(indicator_by_ref(session, recipe.indicator).id, recipe.goal,
                             lower=basis["lower"], upper=basis["upper"], green=basis["green"],
                             red=basis["red"], direction=recipe.direction,
                             in_index=end > newest - WINDOW,
                             justification=basis_text(basis, "en")))
    if not items:
        return {"profile_set": None, "why": "no national source could be read"}
    profiles.save_set(session, PROFILE_SET, NAME, {
        "aggregation": "arithmetic", "min_share": 0.5, "missing_goal": "exclude",
        "colour_from": "index",
        "min_goals": MIN_GOALS, "trend": "sdsn", "window": WINDOW, "group": "all:municipality",
        "county_group": "all:county",
        "default": True, "bases": bases}, items, source="localsdg sync national",
        notes=NOTES)
    return {"profile_set": PROFILE_SET, "indicators": len(items),
            "goals": len({p.goal for p in items})}


def _latest_period(session: Session, indicator_id: int) -> tuple[int, str, list[float]]:
    """The latest period with values for at least half as many municipalities as the period
    with the most (not one county's own newer figures): its last year, its name and the
    values."""
    found: dict[tuple[int, str], list[float]] = {}
    for r in read(session, [indicator_id]):
        if r.area_level == "municipality" and not r.dims and r.value is not None:
            found.setdefault((r.end_year, r.period), []).append(r.value)
    if not found:
        return 0, "", []
    most = max(len(v) for v in found.values())
    key = max(k for k, v in found.items() if len(v) >= most / 2)
    return key[0], key[1], found[key]


def _basis(recipe: Recipe, period: str, values: np.ndarray) -> dict:
    """0, 100, green and red for the recipe, with what they rest on: from the distribution
    (the rules the scoring applies to compared areas, here applied to all municipalities)."""
    lower_better = recipe.direction == "lower"

    def rule(text: str, worst: bool) -> float:
        return round(bound(text, None, values, lower_better, worst)[0], 2)
    basis = {"kind": "distribution", "period": period, "areas": int(values.size),
             "lower": rule("percentile:2.5", True), "upper": rule("top_mean:5", False),
             "green": rule("percentile:25", False), "red": rule("percentile:25", True),
             "target": None}
    if recipe.ceiling is not None:
        basis.update({k: min(v, recipe.ceiling) for k, v in basis.items()
                      if k in ("lower", "upper", "green", "red")})
    if recipe.published:
        r = recipe.published
        basis.update(kind="reference", lower=r.lower, upper=r.upper, green=r.green, red=r.red,
                     target=r.text)
    if recipe.fixed:
        basis.update(kind="fixed", lower=recipe.fixed[0], upper=recipe.fixed[1],
                     green=recipe.fixed[1], red=recipe.fixed[0])
    if recipe.target:
        basis.update(kind="fixed" if recipe.fixed else "target", upper=recipe.target.value,
                     green=recipe.target.value, target=recipe.target.text)
    return basis
