"""Score a group of areas with a profile set: read the data, resolve the bounds, run the kernel,
and keep every input beside every result so each number can be explained.

The value scored for an area and indicator is its latest total (no breakdown) in the year asked
for or before it (within `window` years when the method sets one). Municipal and county data are
read on the borders of the year scored, so merged and split municipalities compare honestly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from localsdg.db.schema import Indicator
from localsdg.db.state import kept, remember
from localsdg.errors import UserError
from localsdg.observations.borders import current_year
from localsdg.observations.series import get_data
from localsdg.observations.store import dims_key
from localsdg.scoring import trends
from localsdg.scoring.engine import Method, Profiles, Scores, score
from localsdg.scoring.groups import Group, resolve
from localsdg.scoring.profiles import Profile, get_set, method_of, profiles_of
from localsdg.scoring.uncertainty import Spread, Uncertainty, analyse

TREND_BASIS = "basis=trend"  # series a publisher gave for trends (SDSN's trend sheet)


@dataclass
class Cell:
    """Where one area's value for one indicator came from."""

    value: float
    year: int
    period: str
    batch: int
    source: str
    given: bool  # a published score, not a value
    unit: str | None = None


@dataclass
class Run:
    profile_set: str
    group: Group
    year: int
    method: Method
    indicators: list[Indicator]
    profiles: Profiles
    cells: dict[tuple[int, int], Cell]  # (area row, indicator column) → its value's origin
    series: dict[tuple[str, int], tuple[Cell, ...]]
    values: np.ndarray
    scores: Scores
    trend: trends.Trends
    rules: list[str]  # the bound rules resolved, in words, per indicator

    @property
    def refs(self) -> list[str]:
        """SET/CODE of each indicator column."""
        return [f"{i.set_id}/{i.code}" for i in self.indicators]


def run(session: Session, profile_set: str, group_name: str | None = None,
        year: int | None = None, method: Method | None = None) -> Run:
    """Score the group (default: the profile set's own); `method` replaces the profile set's
    rules (what-if analyses)."""
    ps = get_set(session, profile_set)
    method = method or method_of(ps)
    group_name = group_name or ps.method.get("group")
    if not group_name:
        raise UserError(f"profile set {profile_set} names no area group; give one with --areas "
                        "(e.g. county:40 or all:municipality)")
    group = resolve(session, group_name, year=year)
    shared = [p for p in profiles_of(ps) if p.area_code is None]
    if not shared:
        raise UserError(f"profile set {profile_set} has no profiles")
    indicators = _indicators(session, [p.indicator_id for p in shared])
    codes = [m.code for m in group.members]
    series = _series(session, indicators, group, year)
    year = year or max((c.year for cells in series.values() for c in cells),
                       default=current_year())
    window = ps.method.get("window")
    values, given, cells = _latest(series, codes, indicators, year, window)
    lower, upper, rules = _bounds(shared, indicators, values)
    overrides = [p for p in profiles_of(ps) if p.area_code in codes]
    lower, upper = _overrides(overrides, codes, indicators, lower, upper)
    subgroups = np.array([m.subgroup for m in group.members])
    prof = Profiles.of([p.goal for p in shared], lower, upper, [p.green for p in shared],
                       [p.red for p in shared], [p.weight for p in shared],
                       [p.impute for p in shared], [p.in_index for p in shared],
                       [p.yellow for p in shared])
    prof.shown = _shown(shared, subgroups)
    result = score(values, prof, method, subgroups, given)
    trend = _trends(series, codes, shared, prof, result, year, ps.method.get("trend", "sdsn"))
    return Run(ps.id, group, year, method, indicators, prof, cells, series, values, result,
               trend, rules)


def scored(session: Session, profile_set: str, group_name: str | None = None,
           year: int | None = None, runs: int = 0) -> tuple[Run, Uncertainty | None]:
    """The run (and with `runs` its uncertainty analysis, where any area has an index), kept
    while the data is unchanged."""
    def compute() -> tuple[Run, Uncertainty | None]:
        r = run(session, profile_set, group_name, year)
        indexed = not np.isnan(r.scores.index).all()  # no index anywhere: nothing to vary
        return r, uncertainty(r, Spread(runs=runs)) if runs and indexed else None
    return remember(session, _scored_key(profile_set, group_name, year, runs), compute, "run")


def is_scored(session: Session, profile_set: str, group_name: str | None = None,
              year: int | None = None, runs: int = 0) -> bool:
    """Whether `scored` has this result kept, and so answers without computing."""
    return kept(session, _scored_key(profile_set, group_name, year, runs), "run") is not None


def _scored_key(profile_set: str, group_name: str | None, year: int | None, runs: int) -> tuple:
    return ("scored", profile_set, group_name, year, runs)


def uncertainty(r: Run, spread: Spread | None = None) -> Uncertainty:
    """The Monte Carlo analysis of a run's choices (see scoring.uncertainty)."""
    spread = spread or Spread()
    codes = [m.code for m in r.group.members]
    values = {w: _latest(r.series, codes, r.indicators, r.year, w)[0] for w in spread.windows}
    values[None] = r.values
    return analyse(values, r.profiles, r.method, r.scores,
                   np.array([m.subgroup for m in r.group.members]), spread)


def _shown(shared: list[Profile], subgroups: np.ndarray) -> np.ndarray:
    """Areas × indicators: whether the indicator is on the area's dashboard."""
    shown = np.ones((len(subgroups), len(shared)), dtype=bool)
    for col, p in enumerate(shared):
        if p.only_in:
            shown[:, col] &= np.isin(subgroups, [g.strip() for g in p.only_in.split(",")])
        if p.not_in:
            shown[:, col] &= ~np.isin(subgroups, [g.strip() for g in p.not_in.split(",")])
    return shown


def _trends(series: dict, codes: list[str], shared: list[Profile], prof: Profiles,
            result: Scores, year: int, method: str) -> trends.Trends:
    """Each area's series as one areas × indicators × years array (a publisher's trend series
    where there is one, else the values scored), then the trend rules on it."""
    years = sorted({c.year for cells in series.values() for c in cells}) or [year]
    at = {y: t for t, y in enumerate(years)}
    cube = np.full((len(codes), len(shared), len(years)), np.nan)
    for a, code in enumerate(codes):
        for col in range(len(shared)):
            for c in series.get((code, -col - 1)) or series.get((code, col)) or ():
                if not c.given:
                    cube[a, col, at[c.year]] = c.value
    start = np.array([p.trend_from if p.trend_from is not None else year - 5 for p in shared])
    target = np.array([np.nan if p.target_value is None else p.target_value for p in shared])
    return trends.assess(cube, np.array(years), prof, start, year, method, target,
                         green_now=result.indicator_colour == 3)


def _indicators(session: Session, ids: list[int]) -> list[Indicator]:
    found = {i.id: i for i in session.scalars(select(Indicator).where(Indicator.id.in_(ids)))}
    return [found[i] for i in ids]


def _series(session: Session, indicators: list[Indicator], group: Group, year: int | None
            ) -> dict[tuple[str, int], tuple[Cell, ...]]:
    """(area code, indicator column) → its totals up to `year`, oldest first; a trend basis
    series, where a publisher gave one, under the negative column."""
    levels = {m.level for m in group.members}
    borders = (year or current_year()) if levels & {"municipality", "county"} else None
    codes = {m.code for m in group.members}
    out: dict[tuple[str, int], tuple[Cell, ...]] = {}
    for col, ind in enumerate(indicators):
        for (code, basis), cells in _cells(session, ind, year, borders).items():
            if code in codes:
                out[(code, -col - 1 if basis else col)] = cells
    return out


def _cells(session: Session, indicator: Indicator, year: int | None, borders: int | None
           ) -> dict[tuple[str, bool], tuple[Cell, ...]]:
    """(area code, trend basis or not) → the indicator's totals up to `year` for every area,
    oldest first: read and put on `borders` once, for every group scored while the data is
    unchanged (each municipality's page scores a group of its own); tuples, as they are shared."""
    def read() -> dict[tuple[str, bool], tuple[Cell, ...]]:
        out: dict[tuple[str, bool], list[Cell]] = {}
        for r in get_data(session, indicator, end=year, borders=borders):
            dims = dims_key(r["dims"])
            if r["value"] is None or dims not in ("", TREND_BASIS):
                continue
            batch = r["batch"] if isinstance(r["batch"], int) else r["batch"][0]
            out.setdefault((r["area_code"], dims != ""), []).append(Cell(
                r["value"], r["end_year"], r["period"], batch, r["source"],
                "score" in r["flags"], r["unit"]))
        return {k: tuple(sorted(cells, key=lambda c: c.year)) for k, cells in out.items()}
    return remember(session, ("scoring cells", indicator.id, year, borders), read, "cells")


def _latest(series: dict, codes: list[str], indicators: list[Indicator], year: int,
            window: int | None) -> tuple[np.ndarray, np.ndarray, dict]:
    shape = (len(codes), len(indicators))
    values, given = np.full(shape, np.nan), np.full(shape, np.nan)
    cells: dict[tuple[int, int], Cell] = {}
    for a, code in enumerate(codes):
        for col in range(len(indicators)):
            found = [c for c in series.get((code, col), ())
                     if c.year <= year and (window is None or c.year > year - window)]
            if not found:
                continue
            cell = found[-1]
            cells[(a, col)] = cell
            (given if cell.given else values)[a, col] = cell.value
    return values, given, cells


def _bounds(shared: list[Profile], indicators: list[Indicator], values: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Lower and upper bound per indicator: fixed, a local target, or from the compared areas'
    values (percentile:P from the worst end, top_mean:N of the best)."""
    lower = np.full(len(shared), np.nan)
    upper = np.full(len(shared), np.nan)
    rules = []
    for col, (p, ind) in enumerate(zip(shared, indicators, strict=True)):
        column = values[:, col][~np.isnan(values[:, col])]
        lower_is_better = _lower_is_better(p, ind)
        lower[col], lo_text = bound(p.lower_rule, p.lower, column, lower_is_better, worst=True)
        fixed_upper = p.upper if p.target_value is None else p.target_value
        upper[col], up_text = bound(p.upper_rule, fixed_upper, column, lower_is_better,
                                     worst=False)
        rules.append(f"0 at {lo_text}; 100 at {up_text}"
                     + (f" (target for {p.target_year})" if p.target_value is not None else ""))
    return lower, upper, rules


def _lower_is_better(p: Profile, ind: Indicator) -> bool:
    """The profile's direction, else the fixed bounds', else the catalog's."""
    if p.direction is not None:
        return p.direction == "lower"
    if p.lower is not None and p.upper is not None:
        return p.upper < p.lower
    return ind.direction == "lower"


def bound(rule: str, fixed: float | None, column: np.ndarray, lower_is_better: bool,
          worst: bool) -> tuple[float, str]:
    """A bound by its rule, with the rule in words: fixed, percentile:P counted from the worst
    end (`worst`, the lower bound) or the best end, or top_mean:N (the mean of the best N)."""
    kind, _, arg = rule.partition(":")
    if kind == "fixed" or len(column) == 0:
        return (np.nan if fixed is None else fixed), f"{fixed:g}" if fixed is not None else "?"
    if kind == "percentile":
        q = float(arg) if worst != lower_is_better else 100 - float(arg)
        v = float(np.percentile(column, q))
        return v, f"{v:g} (the {arg}th percentile from the {'worst' if worst else 'best'} end)"
    n = int(arg)
    best = np.sort(column)[:n] if lower_is_better else np.sort(column)[::-1][:n]
    v = float(best.mean())
    return v, f"{v:g} (mean of the best {len(best)} areas)"


def _overrides(overrides: list[Profile], codes: list[str], indicators: list[Indicator],
               lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An area's own target replaces the shared upper bound for that area only."""
    if not overrides:
        return lower, upper
    cols = {ind.id: c for c, ind in enumerate(indicators)}
    lo = np.tile(lower, (len(codes), 1))
    up = np.tile(upper, (len(codes), 1))
    for p in overrides:
        if p.indicator_id in cols:
            a, c = codes.index(p.area_code), cols[p.indicator_id]
            if p.lower is not None:
                lo[a, c] = p.lower
            target = p.target_value if p.target_value is not None else p.upper
            if target is not None:
                up[a, c] = target
    return lo, up

