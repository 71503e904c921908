"""The reform history of Norway's municipalities and counties: every code version since 1994
and the edges from each earlier version to its successors in the current set, with the shares
that went to each.

The graph is built from plain tables read by `sources.area_lists` (FHI's redistricting table,
SSB's grouping); here it is corrected where the sources are known to be wrong (the Ålesund/Haram
split of 2024) and completed where they are silent (merges before 2006, codes that stayed while
their borders changed).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

FIRST_YEAR = 1994  # the code history at hand (SSB's grouping) starts here
CURRENT = 2024  # the current municipality and county set came into force on 1 January 2024
# Ålesund (1507, 2020–2023) was split in 2024 into Ålesund (1508) and Haram (1580), whose
# borders are those of the pre-2020 municipalities below. FHI's table halves every one of them.
ALESUND_2024 = {"1504": "1508", "1523": "1508", "1529": "1508", "1546": "1508", "1534": "1580"}
ALESUND_2020 = "1507"
REGTOOLS = "SSB grouping kommuner 1994–2024 (regtools)"


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


@dataclass(frozen=True)
class Grouped:
    """One ended municipality code in SSB's grouping: its name, years and today's group."""
    group: str  # K.3905, or K.Rest for a split
    code: str
    name: str
    valid_from: int | None
    valid_to: int


# FHI's redistricting table: (level, original code) → year → {current code: share}
Table = dict[tuple[str, str], dict[int, dict[str, float]]]


def first_own_year(table: Table, code: str) -> int | None:
    """The first year FHI's table knows the code as itself, if later than the oldest year at
    hand: a code made by a merger before the KLASS sets at hand (1505 Kristiansund, 2008)."""
    first = min((y for y, targets in table.get(("municipality", code), {}).items()
                 if code in targets), default=None)
    return first if first is not None and first > FIRST_YEAR else None


def changes(loaded: Loaded, table: Table) -> None:
    """Edges from every earlier version to its successors in the current set, with shares."""
    _split_changed_borders(loaded, table)
    by_code: dict[tuple[str, str], list[Version]] = defaultdict(list)
    for v in loaded.versions.values():
        by_code[(v.level, v.code)].append(v)
    shares: dict[tuple, dict[tuple, float | None]] = defaultdict(dict)
    for (level, original), years in table.items():
        for year, targets in years.items():
            source = valid_in(by_code.get((level, original), []), year)
            if source is None or source.valid_to is None:
                continue
            for current, weight in targets.items():
                target = valid_in(by_code.get((level, current), []), CURRENT)
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


def whole_merges(loaded: Loaded, grouped: list[Grouped]) -> None:
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
        return valid_in(by_code[("municipality", code)], year).key

    for old, new in ALESUND_2024.items():
        shares[version(old, 2019)] = {version(new, CURRENT): 1.0}
    shares[version(ALESUND_2020, 2020)] = {version("1508", CURRENT): None,
                                           version("1580", CURRENT): None}


def in_force(version: object, year: int) -> bool:
    """Whether a code version (anything with valid_from and valid_to) was in force in `year`."""
    start, end = version.valid_from, version.valid_to  # type: ignore[attr-defined]
    return (start is None or start <= year) and (end is None or year < end)


def valid_in(versions: list[Version], year: int) -> Version | None:
    return next((v for v in versions if in_force(v, year)), None)


def change_kinds(edges: list[Edge]) -> list[str]:
    """Each edge's kind: as stated, else a split (one source, several targets), a merge
    (several sources into one target in a year), a renumbering or a plain continuation."""
    outgoing: Counter = Counter(e.source for e in edges)
    incoming: Counter = Counter((e.target, e.year) for e in edges)
    return [e.kind or ("split" if outgoing[e.source] > 1 else
                       "merge" if incoming[(e.target, e.year)] > 1 else
                       "renumber" if e.source[1] != e.target[1] else "continue")
            for e in edges]
