"""An area's SDG profile: what the profile page, the report and its workbook show.

One scored run of a profile set over the area's comparison group gives the area's index and
rank (with the 5–95 % band of the uncertainty analysis), the 17 goals with score, colour and
trend, and per goal its indicators: latest value and year, score, colour, trend, the local
target (or the optimum) and the distance to it, the area's position in the group, and the source
and import batch of the value. Every number here is read from the run, so page, PDF and workbook
show the same figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from localsdg.catalog.indicators import indicator_name
from localsdg.db.schema import ProfileSet
from localsdg.db.state import remember
from localsdg.errors import UserError
from localsdg.observations.series import citations
from localsdg.scoring.engine import GOALS, colour_name, ranks
from localsdg.scoring.groups import resolve
from localsdg.scoring.profiles import get_set, profiles_of
from localsdg.scoring.run import Run, scored
from localsdg.scoring.uncertainty import Uncertainty

RUNS = 200  # Monte Carlo runs behind the band shown with every index and rank
ATTENTION = 3  # goals named as needing most attention (and as strongest)


@dataclass
class Line:
    """One indicator for the area."""

    ref: str
    name_nb: str | None
    name_en: str | None
    goal: int
    unit: str | None
    value: float | None
    year: int | None
    period: str | None
    score: float | None
    colour: str | None
    trend: str | None
    given: bool
    imputed: bool
    target: float | None
    target_year: int | None
    optimum: float | None
    change: float | None  # target (or optimum) minus value: the change still needed
    position: int | None  # the area's place among the group's areas with a score (1 = best)
    compared: int
    source: str | None
    batch: int | None
    older: bool = False  # a value before the profile's window: shown, not scored
    dataset: str | None = None  # the agency's dataset or table, where the import names it
    link: str | None = None  # where a reader learns about the figures
    basis: dict | None = None  # what the bounds and thresholds rest on (national profile)
    derived: str | None = None  # "counties": a county's figure estimated from its municipalities

    def name(self, lang: str) -> str:
        return indicator_name(self, lang)

    @property
    def relative(self) -> bool:
        """Its thresholds come from the group's distribution, with no target behind them: green
        is the best quarter, not a goal reached."""
        return bool(self.basis) and self.basis.get("kind") == "distribution"


@dataclass
class GoalStatus:
    goal: int
    score: float | None
    colour: str | None
    trend: str | None
    filled: bool  # too little data: the index uses the group's mean instead
    share: float  # share of the goal's indicator weight with data
    group_mean: float | None  # the mean goal score of the group's areas with one
    measured: bool  # the profile has indicators for the goal
    lines: list[Line] = field(default_factory=list)

    @property
    def relative(self) -> bool:
        """An indicator scored for the goal has no target behind its thresholds."""
        return any(x.relative for x in self.lines if x.score is not None)


@dataclass
class Peer:
    code: str
    name: str
    index: float | None
    rank: int | None
    goals: dict[int, float | None] = field(default_factory=dict)  # measured goals' scores
    structure: dict[str, float] = field(default_factory=dict)  # what a similar group is chosen by


@dataclass
class Coverage:
    """What the area's status rests on, and the profile's rule for an index and a rank."""

    indicators: int  # indicators of the profile with a value in the window
    total: int  # indicators of the profile
    older: int  # indicators with only a value older than the window
    goals: int  # goals with a score
    measured: int  # goals the profile has indicators for
    window: int | None  # years back from the year scored in which a value counts
    min_goals: int | None  # goals an index needs
    max_missing: float | None  # share of missing indicators above which there is no index
    missing_share: float  # the area's share of missing indicators, as the engine counts it

    @property
    def no_index(self) -> str | None:
        """Which of the profile's rules denies the area an index: too few goals scored, or
        too many indicators missing."""
        if self.min_goals is not None and self.goals < self.min_goals:
            return "min_goals"
        if self.max_missing is not None and self.missing_share > self.max_missing + 1e-12:
            return "max_missing"
        return None


@dataclass
class AreaProfile:
    level: str
    code: str
    name: str
    profile_set: str
    profile_name: str
    profile_notes: str | None
    group: str
    group_name: str
    group_method: str
    year: int
    index: float | None
    rank: int | None
    ranked: int
    index_band: tuple[float, float] | None
    rank_band: tuple[int, int] | None
    runs: int
    missing_share: float
    goals: list[GoalStatus]
    peers: list[Peer]
    coverage: Coverage
    default: bool  # the profile set is the default one for the areas it compares

    @property
    def self_first(self) -> list[Peer]:
        """The compared areas for a table: the area itself first, then by rank (`peers` keep
        rank order, for the areas around the area's place)."""
        return sorted(self.peers, key=lambda x: x.code != self.code)

    @property
    def criteria(self) -> list[str]:
        """What the comparison group was chosen by (similar municipalities), else nothing."""
        return list(self.peers[0].structure) if self.peers else []

    @property
    def scored_goals(self) -> list[GoalStatus]:
        return sorted((g for g in self.goals if g.score is not None),
                      key=lambda g: (-g.score, g.goal))

    @property
    def strongest(self) -> list[GoalStatus]:
        return self.scored_goals[:ATTENTION]

    @property
    def weakest(self) -> list[GoalStatus]:
        """The goals that need most attention: the lowest scores, worst first (a goal whose
        status is achieved, green, needs none)."""
        best = {g.goal for g in self.strongest}
        low = [g for g in reversed(self.scored_goals) if g.goal not in best
               and g.colour != "green"]
        return low[:ATTENTION]

    @property
    def compared_goals(self) -> list[int]:
        """The goals some compared area has a score for: the columns of a comparison."""
        return [g.goal for g in self.goals if g.measured and any(
            x.goals.get(g.goal) is not None for x in self.peers)]

    @property
    def sources(self) -> list[tuple[str, list[int]]]:
        """Each source of a value shown, with its import batches."""
        found: dict[str, set[int]] = {}
        for g in self.goals:
            for line in g.lines:
                if line.source:
                    name = f"{line.source}: {line.dataset}" if line.dataset else line.source
                    found.setdefault(name, set()).add(line.batch)
        return [(s, sorted(b for b in found[s] if b is not None)) for s in sorted(found)]


def profile_sets_for(session: Session, code: str) -> list[str]:
    """Profile sets whose own comparison group holds the area: a default set (the national
    profile) first, then the others, newest id first."""
    def compute() -> list[str]:
        out = []
        for ps in session.scalars(select(ProfileSet).order_by(ProfileSet.id.desc())):
            if own_group(session, ps.method, code):
                out.append(ps)
        return [ps.id for ps in sorted(out, key=lambda ps: not ps.method.get("default"))]
    return remember(session, ("profile sets for", code), compute)


def own_group(session: Session, method: dict, code: str, year: int | None = None
              ) -> str | None:
    """The profile set's own group that holds the area: its group, else the group its
    counties are compared in."""
    return next((g for g in (method.get("group"), method.get("county_group")) if g and any(
        m.code == code for m in resolve(session, g, year=year).members)), None)


def build(session: Session, code: str, profile_set: str | None = None,
          group: str | None = None, year: int | None = None, runs: int = RUNS
          ) -> AreaProfile | None:
    """The area's profile; None when no profile set compares the area (and none was named)."""
    if profile_set is None:
        found = profile_sets_for(session, code)
        if not found:
            return None
        profile_set = found[0]
    method = get_set(session, profile_set).method
    group_name = group or own_group(session, method, code, year) or method.get("group")
    if group_name and code not in {m.code for m in resolve(session, group_name, year=year)
                                   .members}:  # checked before the costly scoring
        raise UserError(f"area {code} is not in the group {group_name} of profile set "
                        f"{profile_set}; choose another group")
    r, u = scored(session, profile_set, group_name, year, runs)
    return _profile(session, r, u, [m.code for m in r.group.members].index(code))


def _num(x: float) -> float | None:
    return None if x is None or np.isnan(x) else float(x)


def _int(x: float) -> int | None:
    return None if np.isnan(x) else int(x)


def _profile(session: Session, r: Run, u: Uncertainty | None, a: int) -> AreaProfile:
    s, m = r.scores, r.group.members[a]
    ps = session.get(ProfileSet, r.profile_set)
    lines = _lines(session, r, a)
    goals = []
    for g in range(1, GOALS + 1):
        column = s.goal[:, g - 1]
        mean = float(np.mean(column[~np.isnan(column)])) if (~np.isnan(column)).any() else None
        goals.append(GoalStatus(
            g, _num(s.goal[a, g - 1]), colour_name(s.goal_colour[a, g - 1]),
            r.trend.name(r.trend.goal[a, g - 1]), bool(s.goal_filled[a, g - 1]),
            float(s.goal_share[a, g - 1]), mean, bool((r.profiles.goal == g).any()),
            [x for x in lines if x.goal == g]))
    measured = [g.goal for g in goals if g.measured]
    peers = sorted((Peer(p.code, p.name, _num(s.index[i]), _int(s.rank[i]),
                         {g: _num(s.goal[i, g - 1]) for g in measured}, p.structure)
                    for i, p in enumerate(r.group.members)),
                   key=lambda p: (p.rank is None, p.rank or 0, p.name))
    return AreaProfile(
        level=m.level, code=m.code, name=m.name, profile_set=r.profile_set,
        profile_name=ps.name, profile_notes=ps.notes, group=r.group.id,
        group_name=r.group.name, group_method=r.group.method, year=r.year,
        index=_num(s.index[a]), rank=_int(s.rank[a]),
        ranked=int(np.sum(~np.isnan(s.rank))),
        index_band=(float(u.index[a, 0]), float(u.index[a, 2]))
        if u is not None and not np.isnan(s.index[a]) and not np.isnan(u.index[a, 0]) else None,
        rank_band=(math.floor(u.rank[a, 0]), math.ceil(u.rank[a, 2]))
        if u is not None and not np.isnan(s.index[a]) and not np.isnan(u.rank[a, 0]) else None,
        runs=u.runs if u is not None else 0, missing_share=float(s.missing_share[a]),
        goals=goals, peers=peers,
        coverage=_coverage(ps, lines, goals, float(s.missing_share[a])),
        default=bool(ps.method.get("default")))


def _coverage(ps: ProfileSet, lines: list[Line], goals: list[GoalStatus],
              missing_share: float) -> Coverage:
    m = ps.method
    return Coverage(
        indicators=sum(1 for x in lines if x.value is not None and not x.older),
        total=len(lines), older=sum(1 for x in lines if x.older),
        goals=sum(1 for g in goals if g.score is not None),
        measured=sum(1 for g in goals if g.measured), window=m.get("window"),
        min_goals=m.get("min_goals"), max_missing=m.get("max_missing"),
        missing_share=missing_share)


def _lines(session: Session, r: Run, a: int) -> list[Line]:
    code = r.group.members[a].code
    ps = session.get(ProfileSet, r.profile_set)
    own = {(p.indicator_id, p.area_code): p for p in profiles_of(ps)
           if p.area_code in (None, code)}
    bases = ps.method.get("bases") or {}
    cites = citations(session, {c.batch for (k, _col), cells in r.series.items() if k == code
                                for c in cells})
    out = []
    for col, ind in enumerate(r.indicators):
        p = own.get((ind.id, code)) or own[(ind.id, None)]
        cell, older = r.cells.get((a, col)), False
        if cell is None:  # nothing in the window: the latest value before it, shown as older
            before = [c for c in r.series.get((code, col), ()) if c.year <= r.year and not c.given]
            cell, older = (before[-1], True) if before else (None, False)
        column = r.scores.indicator[:, col]
        place = ranks(column)
        upper = float(r.profiles.upper[col] if r.profiles.upper.ndim == 1
                      else r.profiles.upper[a, col])
        goal_value = p.target_value if p.target_value is not None else _num(upper)
        value = cell.value if cell is not None and not cell.given else None
        cite = cites.get(cell.batch) if cell else None
        out.append(Line(
            ref=f"{ind.set_id}/{ind.code}", name_nb=ind.name_nb, name_en=ind.name_en,
            goal=int(r.profiles.goal[col]), unit=(cell.unit if cell else None) or ind.unit,
            value=value,
            year=cell.year if cell else None, period=cell.period if cell else None,
            score=_num(r.scores.indicator[a, col]),
            colour=colour_name(r.scores.indicator_colour[a, col]),
            trend=None if older else r.trend.name(r.trend.arrow[a, col]),
            given=bool(r.scores.given[a, col]),
            imputed=bool(r.scores.imputed[a, col]), target=p.target_value,
            target_year=p.target_year, optimum=_num(upper),
            change=None if value is None or goal_value is None or older else goal_value - value,
            position=_int(place[a]), compared=int(np.sum(~np.isnan(column))),
            source=cell.source if cell else None, batch=cell.batch if cell else None,
            older=older, dataset=cite.dataset if cite else None, link=cite.page if cite else None,
            basis=bases.get(f"{ind.set_id}/{ind.code}"), derived=cite.derived if cite else None))
    return out
