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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from localsdg.areas.lookup import AreaIndex
from localsdg.catalog.indicators import indicator_by_ref
from localsdg.config import settings
from localsdg.errors import UserError
from localsdg.observations.store import ImportResult, commit, read
from localsdg.present.labels import basis_text
from localsdg.scoring import profiles
from localsdg.scoring.profiles import Profile
from localsdg.scoring.run import bound
from localsdg.sources import national_files as files
from localsdg.sources.http import fetch
from localsdg.sources.jsonstat import read_dataset, rows
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
class Recipe:
    key: str
    indicator: str  # SET/CODE in the catalog
    goal: int
    agency: str
    dataset: str
    page: str  # where a reader learns about the figures
    licence: str
    cadence: str
    direction: str  # higher or lower is better
    reference: str | None = None  # the copy's path in a reference data folder
    download: str | None = None  # the file's address, where the agency publishes one file
    reader: Reader | None = None
    table: str | None = None  # an SSB statistics bank table read live (PxWeb v2, JSON-stat)
    query: tuple[Selection, ...] = ()
    measure: str = "rate"
    target: Target | None = None
    fixed: tuple[float, float] | None = None  # (0, 100) when the scale is fixed by nature
    note: str = ""

    @property
    def source(self) -> str:
        return f"{self.agency}: {self.dataset}"


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
           reader=lambda p, i, a: files.broadband(p, i, a, year=2022, borders=2020),
           target=Target(100.0, "The Government's goal: every household offered at least "
                                "100 Mbit/s by the end of 2025 (Meld. St. 28 (2020–2021))"),
           note="The year 2022 is read from the copy's publication date (December 2022)."),
    Recipe("robek", "De-norske-målepunktene/2573", 16,
           "Kommunal- og distriktsdepartementet", "ROBEK, register om betinget godkjenning og "
           "kontroll", "https://www.regjeringen.no/no/tema/kommuner-og-regioner/kommunedata/"
           "robek-2/id415422/", "NLOD", "when a municipality enters or leaves", "lower",
           reference="norway/stats/national/kdd_robek/robek_2026-04.json",
           download="https://raw.githubusercontent.com/vegard1104/kommunebarometer/"
                    "3aa9c7d2027ece72606bea711ba937e0de416cea/data/robek.json",
           reader=files.robek, measure="count", fixed=(1.0, 0.0),
           target=Target(0.0, "Not on the register: a balanced budget and accounts "
                              "(Local Government Act § 28-1)")),
    Recipe("netto-driftsresultat", "lokal/netto-driftsresultat", 16, "Statistisk sentralbyrå",
           "KOSTRA tabell 12134, netto driftsresultat (KOSAGD230000)",
           "https://www.ssb.no/statbank/table/12134", "NLOD", "yearly (15 March, 15 June)",
           "higher", table="12134",
           query=(Selection("KOKkommuneregion0000", ("????",)),
                  Selection("ContentsCode", ("KOSAGD230000",)), Selection("Tid", ("top(5)",))),
           target=Target(1.75, "The recommended level for municipalities from the Technical "
                               "Calculation Committee for Local Government Finances (TBU)")),
]


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
    for recipe in [by_key(k) for k in only] if only else RECIPES:
        if progress:
            progress(recipe)
        try:
            with session.begin_nested():
                result = _load(session, recipe, by)
        except UserError as exc:
            report["skipped"].append({"source": recipe.key, "why": exc.message})
            continue
        report["loaded"].append({"source": recipe.key, "rows": result.rows,
                                 "written": result.written, "batch": result.batch_id,
                                 "skipped_rows": len(result.skipped)})
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
        items = rows(read_dataset(raw, f"{recipe.table}.json"), f"{recipe.table}.json",
                     indicator.id, areas, recipe.measure)
    else:
        path, raw, where = _file(recipe)
        items = list(recipe.reader(path, indicator.id, areas))
    details = {"format": recipe.key, "publisher": recipe.agency, "dataset": recipe.dataset,
               "page": recipe.page, "licence": recipe.licence, "read_from": where}
    return commit(session, items, source=recipe.source, by=by,
                  checksum=hashlib.sha256(raw).hexdigest(), skip_bad=True, details=details)


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
    """The profile set `nasjonal` over the recipes that have data, bounds from their bases."""
    items, bases = [], {}
    for recipe in RECIPES:
        indicator = indicator_by_ref(session, recipe.indicator)
        period, values = _latest_period(session, indicator.id)
        if not values:
            continue
        basis = _basis(recipe, period, np.array(values))
        bases[recipe.indicator] = basis
        items.append(Profile(indicator.id, recipe.goal, lower=basis["lower"],
                             upper=basis["upper"], green=basis["green"], red=basis["red"],
                             direction=recipe.direction, justification=basis_text(basis, "en")))
    if not items:
        return {"profile_set": None, "why": "no national source could be read"}
    profiles.save_set(session, PROFILE_SET, NAME, {
        "aggregation": "arithmetic", "min_share": 0.5, "missing_goal": "exclude",
        "min_goals": MIN_GOALS, "trend": "sdsn", "window": WINDOW, "group": "all:municipality",
        "default": True, "bases": bases}, items, source="localsdg sync national",
        notes=NOTES)
    return {"profile_set": PROFILE_SET, "indicators": len(items),
            "goals": len({p.goal for p in items})}


def _latest_period(session: Session, indicator_id: int) -> tuple[str, list[float]]:
    """The latest period with values for municipalities, and those values."""
    found: dict[tuple[int, str], list[float]] = {}
    for r in read(session, [indicator_id]):
        if r.area_level == "municipality" and not r.dims and r.value is not None:
            found.setdefault((r.end_year, r.period), []).append(r.value)
    if not found:
        return "", []
    key = max(found)
    return key[1], found[key]


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
    if recipe.fixed:
        basis.update(kind="fixed", lower=recipe.fixed[0], upper=recipe.fixed[1],
                     green=recipe.fixed[1], red=recipe.fixed[0])
    if recipe.target:
        basis.update(kind="fixed" if recipe.fixed else "target", upper=recipe.target.value,
                     green=recipe.target.value, target=recipe.target.text)
    return basis
