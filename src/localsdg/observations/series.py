"""An indicator's data for areas and periods, as stored or on the borders of a chosen year,
each value with where it came from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from localsdg.areas.history import in_force
from localsdg.catalog.indicators import indicator_by_ref
from localsdg.config import POPULATION
from localsdg.db.schema import ImportBatch, Indicator, Observation
from localsdg.db.state import remember
from localsdg.errors import UserError
from localsdg.observations.borders import (
    Borders,
    Harmonised,
    borders_of,
    current_year,
    harmonise,
)
from localsdg.observations.store import Stored, dims_dict, dims_key, flag_list, read

# The note of a row without a figure (the data page shows it translated: messages.po)
NO_FIGURES = "no figures for this area and period"
COLUMNS = ["indicator", "area_level", "area_code", "area_name", "period", "start_year",
           "end_year", "dims", "value", "unit", "flags", "note", "source", "batch"]


def get_data(session: Session, indicator: Indicator, *, areas: list[str] | None = None,
             start: int | None = None, end: int | None = None, borders: int | None = None
             ) -> list[dict]:
    """Rows for the indicator; on `borders` (a year) when given, else as imported."""
    if start is not None and end is not None and start > end:
        raise UserError(f"--from {start} is after --to {end}")
    rows = read(session, [indicator.id], _read_codes(session, areas, borders), start, end)
    by_level: dict[str, list[Stored]] = defaultdict(list)
    for r in rows:
        by_level[r.area_level].append(r)
    sources = _Sources(session, {r.batch_id for r in rows})
    ref = f"{indicator.set_id}/{indicator.code}"
    out = []
    for level, level_rows in sorted(by_level.items()):
        places = borders_of(session, level)
        if borders is None:
            found = [_plain(ref, r, places.names, sources) for r in level_rows]
        else:
            rates = any(r.measure == "rate" for r in level_rows)
            population = population_by_year(session) if rates else {}
            wanted = _on_borders(places, areas, borders) if areas else None
            found = [_harmonised(ref, level, h, places.names, sources)
                     for h in harmonise(places, level_rows, borders, population)
                     if wanted is None or h.area_code in wanted]
        out += found
    return out + missing_rows(session, indicator, out, areas, start, end, borders) if areas \
        else out


def _read_codes(session: Session, areas: list[str] | None, borders: int | None
                ) -> list[str] | None:
    """The area codes whose rows can give the areas asked for: on other borders every code
    joined to them by a reform (a merged area's parts), else just these (None: all)."""
    if not areas or borders is None:
        return areas or None
    return sorted(set(areas).union(*(borders_of(session, level).related(areas)
                                     for level in ("municipality", "county"))))


def missing_rows(session: Session, indicator: Indicator, found: list[dict], areas: list[str],
                 start: int | None = None, end: int | None = None, borders: int | None = None
                 ) -> list[dict]:
    """A row without a value for each area asked for and each period (and breakdown) the
    indicator has figures for where `found` has none: missing data shown as missing, not left
    out. An area that did not exist then (or on the borders read) gets no such row."""
    ref = f"{indicator.set_id}/{indicator.code}"
    out = []
    for level, periods in sorted(_periods(session, indicator.id, start, end).items()):
        out += _missing(ref, level, borders_of(session, level), found, areas, borders, periods)
    return out


def _periods(session: Session, indicator_id: int, start: int | None, end: int | None
             ) -> dict[str, list[tuple]]:
    """Each level's (period, start year, end year, breakdown) the indicator has figures for."""
    o = Observation
    q = (select(o.area_level, o.period, o.start_year, o.end_year, o.dims).distinct()
         .join(ImportBatch, ImportBatch.id == o.batch_id)
         .where(o.indicator_id == indicator_id, ImportBatch.rolled_back_at.is_(None)))
    if start is not None:
        q = q.where(o.end_year >= start)
    if end is not None:
        q = q.where(o.end_year <= end)
    out: dict[str, list[tuple]] = defaultdict(list)
    for level, *period in session.execute(q):
        out[level].append(tuple(period))
    return out


def _missing(ref: str, level: str, places: Borders, found: list[dict], areas: list[str],
             borders: int | None, periods: list[tuple]) -> list[dict]:
    have = {(r["area_code"], r["period"], r["start_year"], r["end_year"], _key(r["dims"]))
            for r in found if r["area_level"] == level}
    rows = []
    for code in dict.fromkeys(areas):
        versions = places.by_code.get(code, [])
        for period, first, last, dims in periods:
            exists = any(in_force(a, borders if borders is not None else last) for a in versions)
            if exists and (code, period, first, last, _key(dims_dict(dims))) not in have:
                rows.append({"indicator": ref, "area_level": level, "area_code": code,
                             "area_name": places.names.get(code), "period": period,
                             "start_year": first, "end_year": last, "dims": dims_dict(dims),
                             "value": None, "unit": None, "flags": (), "note": NO_FIGURES,
                             "source": None, "batch": None})
    return sorted(rows, key=lambda r: (r["area_code"], r["start_year"], r["end_year"],
                                       r["period"]))


def _key(dims: dict) -> tuple:
    return tuple(sorted(dims.items()))


def flat_row(row: dict) -> dict:
    """A data row with its breakdown, flags and batches as text, for CSV."""
    batch = row["batch"]
    return {**row, "dims": dims_key(row["dims"]),
            "flags": ",".join(row["flags"]),
            "batch": ",".join(map(str, batch)) if isinstance(batch, list) else batch}


TOTAL_WORDS = ("alle", "samlet", "begge", "i alt", "total", "all ")


@cache
def headline_rank(dims: str) -> tuple:
    """Sorts the breakdown that best stands for the whole first: the total (''), then the one
    whose values say 'all' ('Kjønn samlet', 'alle aldre', 'Begge kjønn') most often."""
    values = [v.casefold() + " " for v in dims_dict(dims).values()]
    return (-sum(any(w in v for w in TOTAL_WORDS) for v in values) + len(values), dims)


def headline(keys: list[str]) -> str:
    return min(keys, key=headline_rank, default="")


def _on_borders(places: Borders, areas: list[str], year: int) -> set[str]:
    """The codes asked for, and those their areas of today belong to on `year`'s borders
    (3101 Halden asked for on 2020 borders is 3001)."""
    today = current_year()
    return set(areas) | {code for a in areas
                         for code in ((places.place(a, today, year) or (0, None))[1] or [])}


def _plain(ref: str, r: Stored, names: dict, sources: _Sources) -> dict:
    return {"indicator": ref, "area_level": r.area_level, "area_code": r.area_code,
            "area_name": names.get(r.area_code), "period": r.period,
            "start_year": r.start_year, "end_year": r.end_year, "dims": dims_dict(r.dims),
            "value": r.value, "unit": r.unit, "flags": flag_list(r.flags),
            "note": None, "source": sources.of((r.batch_id,)), "batch": r.batch_id}


def _harmonised(ref: str, level: str, h: Harmonised, names: dict, sources: _Sources) -> dict:
    return {"indicator": ref, "area_level": level, "area_code": h.area_code,
            "area_name": names.get(h.area_code), "period": h.period,
            "start_year": h.start_year, "end_year": h.end_year, "dims": dims_dict(h.dims),
            "value": h.value, "unit": h.unit, "flags": h.flags, "note": h.note,
            "source": sources.of(tuple(h.batches)),
            "batch": h.batches[0] if len(h.batches) == 1 else h.batches,
            "harmonised_from": h.sources}


class _Sources:
    """Who published the data of each batch, and the text naming several batches' sources."""

    def __init__(self, session: Session, batch_ids: set[int]):
        self.by_batch = _sources(session, batch_ids)
        self.texts: dict[tuple[int, ...], str] = {}

    def of(self, batches: tuple[int, ...]) -> str:
        if batches not in self.texts:
            self.texts[batches] = "; ".join(sorted({self.by_batch[b] for b in batches}))
        return self.texts[batches]


@dataclass(frozen=True)
class Citation:
    """Where an import batch's figures come from, as the import recorded it."""

    publisher: str  # the agency, else the file or address imported
    dataset: str | None  # the agency's dataset or table
    page: str | None  # where a reader learns about the figures
    derived: str | None = None  # "counties": estimated from the municipalities' figures


def citations(session: Session, batch_ids: set[int]) -> dict[int, Citation]:
    if not batch_ids:
        return {}
    q = select(ImportBatch.id, ImportBatch.source, ImportBatch.summary).where(
        ImportBatch.id.in_(batch_ids))
    return {i: Citation((summary or {}).get("publisher") or source,
                        (summary or {}).get("dataset"), (summary or {}).get("page"),
                        (summary or {}).get("derived"))
            for i, source, summary in session.execute(q)}


def _sources(session: Session, batch_ids: set[int]) -> dict[int, str]:
    return {i: c.publisher for i, c in citations(session, batch_ids).items()}


def population_by_year(session: Session) -> dict[tuple[str, int], float]:
    """(area code, year) → population 1 January, as imported (FHI's series is on today's
    borders); kept while the data is unchanged (do not change the answer)."""
    return remember(session, ("population by year",), lambda: _population_by_year(session),
                    "lookup")


def _population_by_year(session: Session) -> dict[tuple[str, int], float]:
    try:
        pop = indicator_by_ref(session, POPULATION)
    except UserError:
        return {}
    return {(r.area_code, r.end_year): r.value for r in read(session, [pop.id])
            if not r.dims and r.value is not None}


def area_overview(session: Session, level: str, code: str) -> list[dict]:
    """Every indicator with data for the area, with its latest value (the total where there is
    one, else the first breakdown) as imported; a figure before a newer year the publisher gave
    as missing."""
    ids = list(session.scalars(select(Observation.indicator_id).distinct().where(
        Observation.area_level == level, Observation.area_code == code)))
    latest: dict[int, Stored] = {}
    for r in read(session, ids, [code]):
        if r.area_level != level:
            continue
        best = latest.get(r.indicator_id)
        if best is None or (r.value is None, headline_rank(r.dims), -r.end_year) < (
                best.value is None, headline_rank(best.dims), -best.end_year):
            latest[r.indicator_id] = r
    indicators = {i.id: i for i in session.scalars(select(Indicator).where(
        Indicator.id.in_(list(latest))))}
    sources = _sources(session, {r.batch_id for r in latest.values()})
    out = [{"set_id": indicators[i].set_id, "code": indicators[i].code,
            "name_nb": indicators[i].name_nb, "name_en": indicators[i].name_en,
            "period": r.period, "value": r.value, "unit": r.unit, "dims": dims_dict(r.dims),
            "flags": flag_list(r.flags), "source": sources.get(r.batch_id),
            "batch": r.batch_id} for i, r in latest.items()]
    return sorted(out, key=lambda o: (o["set_id"], o["name_nb"] or o["name_en"] or ""))


def summary(session: Session, indicator_id: int) -> dict | None:
    """How much data an indicator has: observations, areas and the years they span."""
    q = select(func.count(), func.count(func.distinct(Observation.area_code)),
               func.min(Observation.start_year), func.max(Observation.end_year)).join(
        ImportBatch, ImportBatch.id == Observation.batch_id).where(
        Observation.indicator_id == indicator_id, ImportBatch.rolled_back_at.is_(None))
    count, areas, first, last = session.execute(q).one()
    return {"observations": count, "areas": areas, "first": first, "last": last} if count \
        else None


def latest_values(session: Session, ref: str, year: int | None = None) -> dict[str, float]:
    """Area code → the indicator's latest total up to `year`, as imported ({} without data);
    kept while the data is unchanged (do not change the answer)."""
    return remember(session, ("latest values", ref, year), lambda: _latest_values(
        session, ref, year), "lookup")


def _latest_values(session: Session, ref: str, year: int | None) -> dict[str, float]:
    try:
        indicator = indicator_by_ref(session, ref)
    except UserError:
        return {}
    out: dict[str, tuple[int, float]] = {}
    for r in read(session, [indicator.id], end=year):
        if not r.dims and r.value is not None and r.end_year >= out.get(r.area_code, (0,))[0]:
            out[r.area_code] = (r.end_year, r.value)
    return {c: v for c, (_, v) in out.items()}
