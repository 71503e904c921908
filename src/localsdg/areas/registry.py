"""Norway's municipalities and counties with every code version since 1994, their successors in
the current set, and the countries of ISO 3166.

Sources: the current municipalities from SSB's classification service KLASS (131); the historical
versions from SSB's statbank grouping "kommuner 2024-inndeling" (regtools) and the KLASS exports of
earlier years; the shares of merged and split areas from FHI's redistricting table, corrected
where it is known to be wrong (the Ålesund/Haram split of 2024).
"""

from __future__ import annotations

import gettext
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pycountry
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from localsdg.db.cache import bump_scoring_state
from localsdg.db.schema import Area, AreaChange
from localsdg.db.session import bulk_insert
from localsdg.errors import UserError
from localsdg.sources.http import fetch
from localsdg.textfiles import csv_lines

KLASS_MUNICIPALITIES = ("https://data.ssb.no/api/klass/v1/classifications/131/codesAt"
                        "?date=2026-01-01&language=nb")
FIRST_YEAR = 1994  # the code history at hand (SSB's grouping) starts here
CURRENT = 2024  # the current municipality and county set came into force on 1 January 2024
LEVELS = ("municipality", "county", "country", "city")  # city: outside Norway, added by users

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
# Ålesund (1507, 2020–2023) was split in 2024 into Ålesund (1508) and Haram (1580), whose
# borders are those of the pre-2020 municipalities below. FHI's table halves every one of them.
ALESUND_2024 = {"1504": "1508", "1523": "1508", "1529": "1508", "1546": "1508", "1534": "1580"}
ALESUND_2020 = "1507"
COUNTY_FORMED = {"50": 2018}  # Trøndelag, from Sør- and Nord-Trøndelag
REGTOOLS = "SSB grouping kommuner 1994–2024 (regtools)"
VALIDITY = re.compile(r"\s*\((\d{4})?-(\d{4})\)$")


@dataclass
class Version:
    level: str
    code: str
    name: str
    valid_from: int | None
    valid_to: int | None
    source: str
    short_name: str | None = None
    name_en: str | None = None
    parent_code: str | None = None
    notes: str | None = None

    @property
    def key(self) -> tuple[str, str, int | None]:
        return (self.level, self.code, self.valid_from)


@dataclass
class Edge:
    source: tuple[str, str, int | None]
    target: tuple[str, str, int | None]
    year: int
    weight: float | None
    origin: str
    kind: str | None = None  # merge, split, renumber, continue; None: read from the edges


@dataclass
class Loaded:
    versions: dict[tuple, Version] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, v: Version) -> None:
        self.versions.setdefault(v.key, v)


def municipality_code(raw: object) -> str:
    """'301', 301 or 'K-0301' → '0301'."""
    return _code(raw, 4)


def county_code(raw: object) -> str:
    """'3', 3 or 'F-03' → '03'."""
    return _code(raw, 2)


def strip_prefix(text: str) -> str:
    """SSB's statbank prefixes: K-0301, K.0301, K0301 (municipalities), F-03 (counties)."""
    text = text.strip()
    for prefix in ("K-", "K.", "F-", "K"):
        if text.startswith(prefix) and text[len(prefix):].isdigit():
            return text[len(prefix):]
    return text


def _code(raw: object, width: int) -> str:
    text = strip_prefix(str(raw))
    if text.endswith(".0"):
        text = text[:-2]
    return text.zfill(width) if text.isdigit() else text


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
    _store(session, loaded)
    bump_scoring_state(session)
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
        v.valid_from = _current_since(folder, v.code) or _first_own_year(table, v.code)
    loaded.versions = {v.key: v for v in loaded.versions.values()}
    grouped = _grouped(folder)
    _old_municipalities(loaded, grouped)
    _counties(loaded, folder)
    _changes(loaded, table)
    _whole_merges(loaded, grouped)


def _current_since(folder: Path, code: str) -> int | None:
    """The first year of an unbroken run of KLASS sets that hold the code; None if it reaches
    back past the oldest set at hand (the code is older than we can tell)."""
    since = CURRENT
    for year in sorted(SNAPSHOTS, reverse=True):
        if code not in _snapshot(folder, year):
            return since
        since = year
    return None


def _first_own_year(table: Table, code: str) -> int | None:
    """The first year FHI's table knows the code as itself, if later than the oldest year at
    hand: a code made by a merger before the KLASS sets at hand (1505 Kristiansund, 2008)."""
    first = min((y for y, targets in table.get(("municipality", code), {}).items()
                 if code in targets), default=None)
    return first if first is not None and first > FIRST_YEAR else None


_SNAPSHOT_CACHE: dict[tuple[Path, int], set[str]] = {}


def _snapshot(folder: Path, year: int) -> set[str]:
    key = (folder, year)
    if key not in _SNAPSHOT_CACHE:
        _SNAPSHOT_CACHE[key] = {r[0] for r in csv_lines(folder / SNAPSHOTS[year])[1:] if r}
    return _SNAPSHOT_CACHE[key]


@dataclass(frozen=True)
class Grouped:
    """One ended municipality code in SSB's grouping: its name, years and today's group."""
    group: str  # K.3905, or K.Rest for a split
    code: str
    name: str
    valid_from: int | None
    valid_to: int


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


Table = dict[tuple[str, str], dict[int, dict[str, float]]]


def _changes(loaded: Loaded, table: Table) -> None:
    """Edges from every earlier version to its successors in the current set, with shares."""
    _split_changed_borders(loaded, table)
    by_code: dict[tuple[str, str], list[Version]] = defaultdict(list)
    for v in loaded.versions.values():
        by_code[(v.level, v.code)].append(v)
    shares: dict[tuple, dict[tuple, float | None]] = defaultdict(dict)
    for (level, original), years in table.items():
        for year, targets in years.items():
            source = _valid_in(by_code.get((level, original), []), year)
            if source is None or source.valid_to is None:
                continue
            for current, weight in targets.items():
                target = _valid_in(by_code.get((level, current), []), CURRENT)
                if target is not None:
                    shares[source.key][target.key] = weight
    _fix_alesund(shares, by_code)
    for source, targets in shares.items():
        for target, weight in targets.items():
            loaded.edges.append(Edge(source, target, loaded.versions[source].valid_to, weight,
                                     "FHI redistricting b2024" if source[1] not in ALESUND_2024
                                     and source[1] != ALESUND_2020 else "Ålesund/Haram 2024"))
    loaded.notes.append("1507 Ålesund (2020–2023) was split into 1508 Ålesund and 1580 Haram; "
                        "the shares are unknown, so its data cannot be moved to current borders")


def _whole_merges(loaded: Loaded, grouped: list[Grouped]) -> None:
    """Municipalities that ended in a merge before 2006 are not in FHI's table (0718 Ramnes,
    1842 Skjerstad, 1569 Aure and 1572 Tustna, ...): SSB's grouping puts each whole into the
    current municipality it became part of (a split goes to K.Rest instead, and is left out).
    A municipality that took one in and kept its code (1804 Bodø, 2005) gets an earlier version
    for its borders before, so that its own old figures are summed with the merged ones."""
    has_successor = {e.source for e in loaded.edges}
    into = {(g.code, g.valid_to): g.group.removeprefix("K.") for g in grouped}
    current = {v.code: v for v in loaded.versions.values()
               if v.level == "municipality" and v.valid_to is None}
    for v in list(loaded.versions.values()):
        target = current.get(into.get((v.code, v.valid_to), ""))  # K.Rest is no code of today
        if v.level != "municipality" or v.key in has_successor or target is None:
            continue
        if target.valid_from is None or target.valid_from < v.valid_to:
            _borders_changed(loaded, target, v.valid_to)
        loaded.edges.append(Edge(v.key, target.key, v.valid_to, 1.0, REGTOOLS, "merge"))


def _borders_changed(loaded: Loaded, v: Version, year: int) -> None:
    """Give the current area `v` an earlier version for its borders before `year` (every edge
    still leads to the current version, as all edges do)."""
    old_key = v.key
    earlier = Version(v.level, v.code, v.name, v.valid_from, year, f"{v.source}, earlier "
                      "borders", short_name=v.short_name, parent_code=v.parent_code)
    del loaded.versions[old_key]
    v.valid_from = year
    loaded.add(earlier)
    loaded.add(v)
    loaded.edges = [Edge(e.source, v.key, e.year, e.weight, e.origin, e.kind)
                    if e.target == old_key else e for e in loaded.edges]
    loaded.edges.append(Edge(earlier.key, v.key, year, 1.0, REGTOOLS))


def _redistricting(folder: Path) -> Table:
    """FHI's table as (level, original code) → year → {current code: share}."""
    table: Table = defaultdict(lambda: defaultdict(dict))
    for _lc, current, _lo, original, year, weight, level in csv_lines(
            folder / HISTORY_FILES["redistricting"])[1:]:
        if FIRST_YEAR <= int(year) <= CURRENT:
            lvl = "municipality" if level == "municip" else level
            table[(lvl, original)][int(year)][current] = round(float(weight), 9)
    return table


def _split_changed_borders(loaded: Loaded, table: Table) -> None:
    """A current area whose code stayed while its borders changed (Stavanger took in Finnøy and
    Rennesøy in 2020 and kept 1103) gets an earlier version for each border change."""
    parts: dict[tuple[str, str], dict[int, set]] = defaultdict(lambda: defaultdict(set))
    for (level, original), years in table.items():
        for year, targets in years.items():
            for current, weight in targets.items():
                parts[(level, current)][year].add((original, weight))
    for v in [v for v in loaded.versions.values() if v.valid_to is None]:
        history = parts.get((v.level, v.code), {})
        changes = [y for y in range(FIRST_YEAR + 1, CURRENT + 1)
                   if y - 1 in history and history.get(y) != history[y - 1]
                   and (v.valid_from is None or y > v.valid_from)]
        if not changes:
            continue
        del loaded.versions[v.key]
        start = v.valid_from
        for year in changes:
            loaded.add(Version(v.level, v.code, v.name, start, year, f"{v.source}, earlier "
                               "borders", short_name=v.short_name, parent_code=v.parent_code))
            start = year
        v.valid_from = start
        loaded.add(v)


def _fix_alesund(shares: dict, by_code: dict) -> None:
    def version(code: str, year: int) -> tuple:
        return _valid_in(by_code[("municipality", code)], year).key

    for old, new in ALESUND_2024.items():
        shares[version(old, 2019)] = {version(new, CURRENT): 1.0}
    shares[version(ALESUND_2020, 2020)] = {version("1508", CURRENT): None,
                                           version("1580", CURRENT): None}


def _valid_in(versions: list[Version], year: int) -> Version | None:
    for v in versions:
        if (v.valid_from is None or v.valid_from <= year) and (v.valid_to is None
                                                               or year < v.valid_to):
            return v
    return None


def _countries(loaded: Loaded) -> None:
    nb = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nb"])
    for c in pycountry.countries:
        loaded.add(Version("country", c.alpha_3, nb.gettext(c.name), None, None, "ISO 3166-1",
                           name_en=c.name, short_name=c.alpha_2))


USER = "added by a user"


def add_area(session: Session, level: str, code: str, name: str, parent: str | None = None
             ) -> Area:
    """An area outside Norway's code lists (a foreign city, a district); kept on re-sync."""
    if level not in LEVELS:
        raise UserError(f"level '{level}' is unknown; use {', '.join(LEVELS)}")
    existing = session.scalar(select(Area).where(Area.level == level, Area.code == code))
    if existing is not None:
        if existing.source != USER:
            raise UserError(f"{level} {code} is {existing.name} from {existing.source}; "
                            "choose another code")
        existing.name, existing.parent_code = name, parent
        bump_scoring_state(session)
        return existing
    area = Area(level=level, code=code, name=name, parent_code=parent, source=USER)
    session.add(area)
    session.flush()
    bump_scoring_state(session)
    return area


def list_areas(session: Session, level: str | None = None, at: str | None = None,
               code: str | None = None) -> list[dict]:
    """Areas as plain rows; `at` (YYYY-MM-DD) keeps those valid on that day, `code` the
    versions of one code."""
    if level is not None and level not in LEVELS:
        raise UserError(f"--level '{level}' is unknown; use {', '.join(LEVELS)}")
    year = None
    if at is not None:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", at):
            raise UserError(f"--at '{at}': write a date as YYYY-MM-DD")
        year = int(at[:4])
    q = select(Area).order_by(Area.level, Area.code, Area.valid_from.nulls_first())
    if level:
        q = q.where(Area.level == level)
    if code:
        q = q.where(Area.code == code)
    return [{"level": a.level, "code": a.code, "name": a.name, "short_name": a.short_name,
             "name_en": a.name_en, "parent": a.parent_code, "valid_from": a.valid_from,
             "valid_to": a.valid_to, "source": a.source}
            for a in session.scalars(q) if year is None or _valid_in([a], year)]


def _store(session: Session, loaded: Loaded) -> None:
    session.execute(delete(AreaChange))
    session.execute(delete(Area).where(Area.source != USER))
    session.flush()
    bulk_insert(session, Area.__table__, [
        {"level": v.level, "code": v.code, "name": v.name, "short_name": v.short_name,
         "name_en": v.name_en, "parent_code": v.parent_code, "valid_from": v.valid_from,
         "valid_to": v.valid_to, "notes": v.notes, "source": v.source}
        for v in loaded.versions.values()])
    ids = {(a.level, a.code, a.valid_from): a.id for a in session.scalars(select(Area))}
    outgoing = defaultdict(int)
    incoming = defaultdict(int)
    for e in loaded.edges:
        outgoing[e.source] += 1
        incoming[(e.target, e.year)] += 1
    bulk_insert(session, AreaChange.__table__, [
        {"from_id": ids[e.source], "to_id": ids[e.target], "year": e.year, "weight": e.weight,
         "kind": _kind(e, outgoing, incoming), "source": e.origin} for e in loaded.edges])


def _kind(e: Edge, outgoing: dict, incoming: dict) -> str:
    if e.kind:
        return e.kind
    if outgoing[e.source] > 1:
        return "split"
    if incoming[(e.target, e.year)] > 1:
        return "merge"
    return "renumber" if e.source[1] != e.target[1] else "continue"
