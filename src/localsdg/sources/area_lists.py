"""Norway's municipalities and counties with every code version since 1994, their successors in
the current set, and the countries of ISO 3166, read from their official files.

Sources: the current municipalities from SSB's classification service KLASS (131); the historical
versions from SSB's statbank grouping "kommuner 2024-inndeling" (regtools) and the KLASS exports of
earlier years; the shares of merged and split areas from FHI's redistricting table. The reform
graph itself is built in `areas.history`.
"""

from __future__ import annotations

import gettext
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pycountry
from sqlalchemy.orm import Session

from localsdg.areas.codes import county_code, municipality_code
from localsdg.areas.history import (
    CURRENT,
    FIRST_YEAR,
    REGTOOLS,
    Grouped,
    Loaded,
    Table,
    Version,
    changes,
    first_own_year,
    whole_merges,
)
from localsdg.areas.store import store
from localsdg.errors import UserError
from localsdg.sources.http import fetch
from localsdg.textfiles import csv_lines

KLASS_MUNICIPALITIES = ("https://data.ssb.no/api/klass/v1/classifications/131/codesAt"
                        "?date=2026-01-01&language=nb")

HISTORY_FILES = {
    "regtools": "correspondences/regtools_kommuner-1994-2024.csv",
    "redistricting": "correspondences/fhi_csdata_redistricting_b2024_municip_county.csv",
    "counties_2024": "codes/fylker_2024_xdtkit.csv",
    "municipalities_2024": "codes/kommuner_2024_merged.csv",
    "counties_2020": "codes/klass104_fylker_2020_barnevernmonitor.csv",
    "counties_2018": "codes/klass104_fylker_2018-2019_barnevernmonitor.csv",
    "municipalities_2020": "codes/klass131_kommuner_2020_gardenberg.csv",
}
# Earlier KLASS sets: a current code found in one of them existed (unchanged) in that year.
SNAPSHOTS = {2020: "codes/klass131_kommuner_2020_gardenberg.csv",
             2019: "codes/klass131_kommuner_2019_gardenberg.csv",
             2018: "codes/klass131_kommuner_2018_gardenberg.csv",
             2017: "codes/klass131_kommuner_2017_gardenberg.csv"}
COUNTY_FORMED = {"50": 2018}  # Trøndelag, from Sør- and Nord-Trøndelag
VALIDITY = re.compile(r"\s*\((\d{4})?-(\d{4})\)$")


def sync_areas(session: Session, history: Path | None) -> dict:
    """Replace the areas and their changes with those of the sources; report what was loaded."""
    loaded = Loaded()
    _current_municipalities(loaded)
    if history is None:
        loaded.notes.append("no history folder given: only the current municipalities and the "
                            "countries were loaded; set LOCALSDG_REFERENCE_DATA or --history")
    else:
        _check_history(history)
        _history(loaded, history)
    _countries(loaded)
    store(session, loaded)
    versions = loaded.versions.values()
    return {"versions": dict(Counter(v.level for v in versions)),
            "current": dict(Counter(v.level for v in versions if v.valid_to is None)),
            "changes": len(loaded.edges), "notes": loaded.notes}


def _check_history(folder: Path) -> None:
    missing = [p for p in [*HISTORY_FILES.values(), *SNAPSHOTS.values()]
               if not (folder / p).is_file()]
    if missing:
        raise UserError(f"{folder}: the area history needs {', '.join(missing)}; point --history "
                        "at a folder laid out like ../shared/data/norway")


def _current_municipalities(loaded: Loaded) -> None:
    fetched = fetch(KLASS_MUNICIPALITIES)
    try:
        codes = json.loads(fetched.content)["codes"]
    except (ValueError, KeyError) as exc:
        raise UserError(f"{fetched.location}: not a KLASS codesAt response ({exc})") from exc
    for c in codes:
        if c["code"] == "9999":  # "Uoppgitt": not an area
            continue
        loaded.add(Version("municipality", c["code"], c["name"], None, None, "KLASS 131",
                           short_name=c.get("shortName") or None, parent_code=c["code"][:2],
                           notes=c.get("notes") or None))


def _history(loaded: Loaded, folder: Path) -> None:
    short = {municipality_code(r[0]): r[2] for r in csv_lines(folder / HISTORY_FILES[
        "municipalities_2024"])[1:]}
    table = _redistricting(folder)
    for v in loaded.versions.values():
        v.short_name = short.get(v.code, v.short_name)
        v.valid_from = _current_since(folder, v.code) or first_own_year(table, v.code)
    loaded.versions = {v.key: v for v in loaded.versions.values()}
    grouped = _grouped(folder)
    _old_municipalities(loaded, grouped)
    _counties(loaded, folder)
    changes(loaded, table)
    whole_merges(loaded, grouped)


def _current_since(folder: Path, code: str) -> int | None:
    """The first year of an unbroken run of KLASS sets that hold the code; None if it reaches
    back past the oldest set at hand (the code is older than we can tell)."""
    since = CURRENT
    for year in sorted(SNAPSHOTS, reverse=True):
        if code not in _snapshot(folder, year):
            return since
        since = year
    return None


_SNAPSHOT_CACHE: dict[tuple[Path, int], set[str]] = {}


def _snapshot(folder: Path, year: int) -> set[str]:
    key = (folder, year)
    if key not in _SNAPSHOT_CACHE:
        _SNAPSHOT_CACHE[key] = {r[0] for r in csv_lines(folder / SNAPSHOTS[year])[1:] if r}
    return _SNAPSHOT_CACHE[key]


def _grouped(folder: Path) -> list[Grouped]:
    """The ended codes of SSB's grouping "kommuner 2024-inndeling" (codes still in force and
    Svalbard, which is not a municipality, are left out)."""
    out = []
    for group, _name, raw_code, label in csv_lines(folder / HISTORY_FILES["regtools"])[1:]:
        m = VALIDITY.search(label)
        if m and raw_code.isdigit() and group != "K.21-22":
            out.append(Grouped(group, municipality_code(raw_code), label[:m.start()],
                               int(m.group(1)) if m.group(1) else None, int(m.group(2)) + 1))
    return out


def _old_municipalities(loaded: Loaded, grouped: list[Grouped]) -> None:
    for g in grouped:
        loaded.add(Version("municipality", g.code, g.name, g.valid_from, g.valid_to, REGTOOLS,
                           parent_code=g.code[:2]))


def _counties(loaded: Loaded, folder: Path) -> None:
    """The 2024 counties, and the 2020–2023 and 2018–2019 ones that are not among them."""
    # The cp1252 exports wrote '?' for the dash between the name forms ("Troms og Finnmark ?
    # Romsa ja Finnmárku ? Tromssa ja Finmarkku").
    sets = {start: {r[0]: r[3].replace(" ? ", " - ") for r in csv_lines(
                    folder / HISTORY_FILES[key])[1:] if r and r[0] != "99"}
            for key, start in (("counties_2020", 2020), ("counties_2018", 2018))}
    current = {county_code(raw): name
               for raw, name in csv_lines(folder / HISTORY_FILES["counties_2024"])[1:]}
    for code, name in current.items():
        since = CURRENT if code not in sets[2020] else 2020 if code not in sets[2018] else None
        loaded.add(Version("county", code, name, COUNTY_FORMED.get(code, since), None,
                           "KLASS 104 (2024 set)"))
    for start, end in ((2020, CURRENT), (2018, 2020)):
        for code, name in sets[start].items():
            if code not in current and not (start == 2018 and code in sets[2020]):
                loaded.add(Version("county", code, name, COUNTY_FORMED.get(code, start if
                                   start == 2020 else None), end, f"KLASS 104 ({start} set)"))


def _redistricting(folder: Path) -> Table:
    """FHI's table as (level, original code) → year → {current code: share}."""
    table: Table = defaultdict(lambda: defaultdict(dict))
    for _lc, current, _lo, original, year, weight, level in csv_lines(
            folder / HISTORY_FILES["redistricting"])[1:]:
        if FIRST_YEAR <= int(year) <= CURRENT:
            lvl = "municipality" if level == "municip" else level
            table[(lvl, original)][int(year)][current] = round(float(weight), 9)
    return table


def _countries(loaded: Loaded) -> None:
    nb = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nb"])
    for c in pycountry.countries:
        loaded.add(Version("country", c.alpha_3, nb.gettext(c.name), None, None, "ISO 3166-1",
                           name_en=c.name, short_name=c.alpha_2))
