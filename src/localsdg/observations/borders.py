"""Reading a series on the borders of a chosen year.

Every area version knows its successors in the current set and the share that went to each.
Moving a value to the borders of year Y:

- counts (`measure = count`) are summed over the predecessors, each times its share;
- rates (`measure = rate`) are averaged over the predecessors weighted by their population
  (the population series `config.POPULATION`), or copied when one area simply got a new code;
- a share below 1 (a split, with FHI's population-based shares) makes the value an estimate;
- a split with unknown shares (1507 Ålesund), a merged area read on older borders, a missing
  predecessor or a missing population gives no value and says why, instead of inventing one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from localsdg.areas.history import in_force
from localsdg.config import POPULATION
from localsdg.db.schema import Area, AreaChange
from localsdg.errors import BadRequest
from localsdg.observations.store import flag_list

# How a series' values combine when areas merge: counts are summed, rates weighted by population.
MEASURES = ("count", "rate")


def current_year() -> int:
    return date.today().year


def check_measure(measure: object) -> None:
    if measure not in (None, *MEASURES):
        raise BadRequest(f"measure '{measure}' is unknown; use count (summed when areas merge) "
                         "or rate (averaged, weighted by population)")


def check_borders(borders: object) -> None:
    """The year whose areas a file's codes mean, if given: a whole year from 1994 (the oldest
    area list) to this one."""
    if borders is not None and (not isinstance(borders, int) or isinstance(borders, bool)
                                or not 1994 <= borders <= current_year()):
        raise BadRequest(f"borders '{borders}': give the year whose areas the file's codes "
                         f"mean, 1994–{current_year()}")


def parse_borders(text: str, name: str = "borders") -> int | None:
    """'current' (or empty) → this year; 'none' → as imported (None); '2020' → 2020."""
    if text == "none":
        return None
    if text in ("", "current"):
        return current_year()
    if text.isascii() and text.isdigit() and len(text) == 4:
        return int(text)
    raise BadRequest(f"{name} '{text}': write a year (e.g. 2020), current or none")


@dataclass
class Harmonised:
    area_code: str
    period: str
    start_year: int
    end_year: int
    dims: str
    value: float | None
    unit: str | None = None
    flags: tuple[str, ...] = ()
    note: str | None = None
    batches: list[int] = field(default_factory=list)
    sources: list[dict] | None = None  # the values it was made from, when it was moved


class Borders:
    """All area versions and changes of one level, loaded once (about a thousand rows)."""

    def __init__(self, session: Session, level: str):
        self.level = level
        self.areas = {a.id: a for a in session.scalars(select(Area).where(Area.level == level))}
        self.by_code: dict[str, list[Area]] = defaultdict(list)
        for a in self.areas.values():
            self.by_code[a.code].append(a)
        self.names = {code: max(versions, key=lambda a: a.valid_from or 0).name
                      for code, versions in self.by_code.items()}  # each code's newest name
        self.out: dict[int, list[tuple[int, float | None]]] = defaultdict(list)
        self.into: dict[int, list[int]] = defaultdict(list)
        for c in session.scalars(select(AreaChange)):
            if c.from_id in self.areas:
                self.out[c.from_id].append((c.to_id, c.weight))
                self.into[c.to_id].append(c.from_id)
        self._reverse: dict[tuple[int, int], dict[str, list[tuple[Area, float | None]]]] = {}
        self._placed: dict[tuple[str, int, int], tuple[int, list[str] | None] | None] = {}

    def version(self, code: str, year: int) -> Area | None:
        """The version of a code valid in the year, else the one nearest in time (data already
        put on other borders by its publisher, such as FHI's population on 2024 borders)."""
        versions = self.by_code.get(code, [])
        for a in versions:
            if in_force(a, year):
                return a
        return min(versions, key=lambda a: _distance(a, year), default=None)

    def place(self, code: str, when: int, year: int) -> tuple[int, list[str] | None] | None:
        """Where a value for `code` in `when` goes on the borders of `year`: the year whose
        areas it was measured on, and the target codes (None: the area is unchanged)."""
        key = (code, when, year)
        if key not in self._placed:
            source = self.version(code, when)
            if source is None:
                self._placed[key] = None
            else:
                seen_in = when if in_force(source, when) else (source.valid_from or when)
                same = in_force(source, year) and in_force(source, seen_in)
                self._placed[key] = (seen_in, None if same else [
                    self.areas[t].code for t in self.shares(source, year)])
        return self._placed[key]

    def related(self, codes: list[str]) -> set[str]:
        """The codes joined to these through the reform graph, back and forth and transitively
        (every area a value for one of them can come from, on any borders)."""
        seen = {a.id for c in codes for a in self.by_code.get(c, [])}
        stack = list(seen)
        while stack:
            a = self.areas[stack.pop()]
            near = [t for t, _ in self.out.get(a.id, [])] + self.into.get(a.id, []) + [
                v.id for v in self.by_code[a.code]]
            for n in near:
                if n not in seen:
                    seen.add(n)
                    stack.append(n)
        return {self.areas[i].code for i in seen}

    def valid_at(self, year: int) -> list[Area]:
        return sorted((a for a in self.areas.values() if in_force(a, year)), key=lambda a: a.code)

    def shares(self, source: Area, year: int) -> dict[int, float | None]:
        """Which areas valid in `year` the source became part of, with the share of the source
        in each (None: the share is not known)."""
        if in_force(source, year):
            return {source.id: 1.0}
        if source.valid_to is not None and source.valid_to <= year:
            out: dict[int, float | None] = {}
            for to_id, weight in self.out.get(source.id, []):
                for t, inner in self.shares(self.areas[to_id], year).items():
                    if weight is None or inner is None or (t in out and out[t] is None):
                        out[t] = None
                    else:
                        out[t] = out.get(t, 0.0) + weight * inner
            return out
        before = [p for p in self.into.get(source.id, []) if in_force(self.areas[p], year)]
        if len(before) == 1:  # the newer area lies wholly inside one older area
            return {before[0]: 1.0}
        return dict.fromkeys(before)  # a merger cannot be split back: shares unknown

    def parts(self, target_code: str, source_year: int, year: int
              ) -> list[tuple[Area, float | None]]:
        """The areas valid in `source_year` that make up the target valid in `year`."""
        key = (source_year, year)
        if key not in self._reverse:
            reverse: dict[str, list[tuple[Area, float | None]]] = defaultdict(list)
            for s in self.valid_at(source_year):
                for t, share in self.shares(s, year).items():
                    reverse[self.areas[t].code].append((s, share))
            self._reverse[key] = reverse
        return self._reverse[key].get(target_code, [])


def _distance(a: Area, year: int) -> int:
    if a.valid_from is not None and year < a.valid_from:
        return a.valid_from - year
    return year - (a.valid_to - 1) if a.valid_to is not None else 0


def harmonise(borders: Borders, rows: list, year: int, population: dict[tuple[str, int], float]
              ) -> list[Harmonised]:
    """Put observations (with area_code, period, years, dims, value, unit, measure, flags,
    borders, batch_id) on the borders valid in `year`."""
    out: list[Harmonised] = []
    groups: dict[tuple, list] = defaultdict(list)
    border_year: dict[tuple, int] = {}
    for r in rows:
        placed = borders.place(r.area_code, r.borders or r.end_year, year)
        if placed is None:
            continue
        seen_in, targets = placed
        if targets is None:  # the same area then and now: nothing to move
            out.append(Harmonised(r.area_code, r.period, r.start_year, r.end_year, r.dims,
                                  r.value, r.unit, flag_list(r.flags),
                                  batches=[r.batch_id]))
            continue
        for code in targets:
            key = (code, r.period, r.start_year, r.end_year, r.dims)
            groups[key].append(r)
            border_year[key] = seen_in
    out += [_combine(borders, key, groups[key], border_year[key], year, population)
            for key in groups]
    return sorted(out, key=lambda h: (h.area_code, h.start_year, h.end_year, h.period, h.dims))


def _combine(borders: Borders, key: tuple, rows: list, seen_in: int, year: int,
             population: dict[tuple[str, int], float]) -> Harmonised:
    code, period, start, end, dims = key
    out = Harmonised(code, period, start, end, dims, None, rows[0].unit,
                     batches=sorted({r.batch_id for r in rows}),
                     sources=[{"area": r.area_code, "period": r.period, "value": r.value,
                               "batch": r.batch_id} for r in rows])
    parts = borders.parts(code, seen_in, year)
    by_code = {r.area_code: r for r in rows}
    if not parts:
        out.value, out.flags = rows[0].value, flag_list(rows[0].flags)
        return out
    unknown = [a.code for a, w in parts if w is None]
    missing = [a.code for a, _ in parts if a.code not in by_code or by_code[a.code].value is None]
    measure = {r.measure for r in rows} - {None}
    if unknown:
        out.note = (f"{', '.join(unknown)} was split with unknown shares; the value cannot be "
                    f"put on {year} borders")
    elif missing:
        out.note = f"no value for {', '.join(missing)} in {period}, which is part of {code}"
    elif len(parts) > 1 and not measure:
        out.note = "it is not known whether the values are counts or rates; import with a measure"
    else:
        _aggregate(out, parts, by_code, measure.pop() if measure else "rate", population)
    return out


def _aggregate(out: Harmonised, parts: list, by_code: dict, measure: str,
               population: dict[tuple[str, int], float]) -> None:
    estimated = any(w < 1 for _, w in parts)
    flags = ("harmonised", "estimated") if estimated else ("harmonised",)
    values = [(by_code[a.code].value, w, a.code) for a, w in parts]
    if measure == "count":
        out.value = sum(v * w for v, w, _ in values)
    elif len(values) == 1:
        out.value = values[0][0]
    else:
        pops = [(v, w * population.get((c, out.end_year), 0.0), c) for v, w, c in values]
        lacking = [c for _, p, c in pops if not p]
        if lacking:
            out.note = (f"no population for {', '.join(lacking)} in {out.end_year} to weight "
                        f"the rate by (series {POPULATION})")
            return
        out.value = sum(v * p for v, p, _ in pops) / sum(p for _, p, _ in pops)
    out.flags = flags


_BORDERS: dict[tuple, Borders] = {}


def borders_of(session: Session, level: str) -> Borders:
    """The areas and changes of a level, loaded once per database and kept until the areas
    change (a sync or an added area gives new row ids)."""
    signature = session.execute(select(
        select(func.count(Area.id)).scalar_subquery(), select(func.max(Area.id)).scalar_subquery(),
        select(func.max(AreaChange.id)).scalar_subquery())).one()
    key = (session.get_bind().url.render_as_string(hide_password=False), level, *signature)
    if key not in _BORDERS:
        if len(_BORDERS) > 32:
            _BORDERS.clear()
        _BORDERS[key] = Borders(session, level)
    return _BORDERS[key]
