"""What a plan means on the area's data: priorities suggested from its status, how far each
local target is and where the recent trend leads, each measure's evaluation chain with its gaps,
the budget per goal, and which targets reinforce or hold back others.

Every value carries its period, source and import batch, as the status page's values do."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from localsdg.catalog.indicators import indicator_by_ref
from localsdg.db.schema import Indicator, Target
from localsdg.db.state import remember
from localsdg.errors import NotFound
from localsdg.observations.borders import current_year
from localsdg.observations.series import get_data
from localsdg.planning.model import STEPS, LocalTarget, Measure, Plan
from localsdg.planning.store import Stored
from localsdg.scoring.area_profile import AreaProfile
from localsdg.scoring.status import area_status, find_area
from localsdg.scoring.trends import END

WINDOW = 6  # years back from the latest value that the trend line is fitted to
IMPORTANCE = {"red": 5, "orange": 4, "yellow": 3, "green": 2}


@dataclass
class Suggestion:
    """A goal the status suggests as a priority, and why."""

    goal: int
    importance: int
    score: float | None
    colour: str | None
    trend: str | None
    relative: bool = False  # green without a target behind it (labels.status)


def suggestions(profile: AreaProfile | None) -> list[Suggestion]:
    """The area's measured goals, weakest and worsening first: importance 5 for red, 4 orange,
    3 yellow, 2 green; one more when the trend is decreasing, one less when on track."""
    if profile is None:
        return []
    out = []
    for g in profile.goals:
        if g.score is None or g.colour not in IMPORTANCE:
            continue
        shift = {"decreasing": 1, "on_track": -1}.get(g.trend or "", 0)
        out.append(Suggestion(g.goal, min(5, max(1, IMPORTANCE[g.colour] + shift)), g.score,
                              g.colour, g.trend, g.relative))
    return sorted(out, key=lambda s: (-s.importance, s.score or 0, s.goal))


@dataclass
class Value:
    """An indicator's latest total for the area, with its recent straight-line trend."""

    ref: str
    name_nb: str | None
    name_en: str | None
    unit: str | None
    value: float | None = None
    year: int | None = None
    period: str | None = None
    source: str | None = None
    batches: str | None = None  # the import batches the value comes from ('29' or '29, 31')
    slope: float | None = None  # change per year of the line through the window's values
    first_year: int | None = None  # the window's first year with a value
    points: int = 0  # values the line goes through
    series: list[tuple[int, float]] = field(default_factory=list)

    def at(self, year: int) -> float | None:
        """The value in `year` if it goes on changing by the slope of the line fitted to the
        window's values, from the latest value."""
        if self.slope is None or self.value is None or self.year is None:
            return None
        return self.value + self.slope * (year - self.year)


def latest(session: Session, refs: set[str], area: dict) -> dict[str, Value]:
    """Each indicator's latest total for the area and the straight-line trend of its last
    years' values, read on today's borders as the status is (a municipality merged or
    renumbered keeps the history of the areas it came from). Kept while the data is unchanged:
    putting a series on today's borders reads every area, and a plan's page is shown again
    after each edit of the plan."""
    return {ref: remember(session, ("plan value", ref, area["level"], area["code"]),
                          lambda ref=ref: _latest(session, ref, area), "lookup")
            for ref in sorted(refs)}


def _latest(session: Session, ref: str, area: dict) -> Value:
    indicator = indicator_by_ref(session, ref)
    rows = sorted((r for r in get_data(session, indicator, areas=[area["code"]],
                                       borders=current_year())
                   if not r["dims"] and r["value"] is not None
                   and r["area_code"] == area["code"] and r["area_level"] == area["level"]),
                  key=lambda r: (r["end_year"], r["start_year"]))
    return _value(ref, indicator, rows)


def _value(ref: str, indicator: Indicator, rows: list[dict]) -> Value:
    out = Value(ref, indicator.name_nb, indicator.name_en, indicator.unit)
    if not rows:
        return out
    last = rows[-1]
    out.value, out.year, out.period = last["value"], last["end_year"], last["period"]
    out.source = last["source"]
    batch = last["batch"]  # several where areas were combined on today's borders
    out.batches = ", ".join(map(str, batch)) if isinstance(batch, list) else str(batch)
    out.series = [(r["end_year"], r["value"]) for r in rows]
    window = [(y, v) for y, v in out.series if y > out.year - WINDOW]
    if len(window) >= 2:
        years, values = np.array(window, dtype=float).T
        slope = np.polyfit(years, values, 1)[0]
        out.slope, out.first_year, out.points = float(slope), int(years[0]), len(window)
    return out


@dataclass
class TargetProgress:
    target: LocalTarget
    now: Value
    distance: float | None  # target minus the latest value
    needed: float | None  # change per year needed from the latest value to reach the target
    at_target_year: float | None  # the projection in the target's year
    in_2030: float | None
    on_track: bool | None  # the projection reaches the target by its year

    @property
    def unit_doubtful(self) -> bool:
        """The target is more than 20 times or less than a twentieth of the latest value: most
        likely written in another unit (95 for a share written 0,95)."""
        now, goal = abs(self.now.value or 0), abs(self.target.value)
        return bool(now and goal) and not now / 20 <= goal <= now * 20


def target_progress(target: LocalTarget, now: Value) -> TargetProgress:
    """How far the target is from `now`, the indicator's latest value, and where its trend
    leads."""
    if now.value is None or now.year is None:
        return TargetProgress(target, now, None, None, None, None, None)
    distance = target.value - now.value
    years = target.year - now.year
    needed = distance / years if years > 0 else None
    projected = now.at(target.year)
    on_track = None if projected is None else (
        projected >= target.value if distance >= 0 else projected <= target.value)
    return TargetProgress(target, now, distance, needed, projected, now.at(END), on_track)


@dataclass
class Link:
    step: str
    now: Value
    expected: list[tuple[int, float]]


@dataclass
class Chain:
    """A measure's indicators by step of the evaluation chain (input … impact); `gaps` are the
    steps no indicator shows."""

    measure: Measure
    steps: dict[str, list[Link]]
    gaps: list[str]


def chain(measure: Measure, values: dict[str, Value]) -> Chain:
    """The measure's chain from the latest `values` of its indicators."""
    steps: dict[str, list[Link]] = {s: [] for s in STEPS}
    for x in measure.indicators:
        steps[x.step].append(Link(x.step, values[x.indicator],
                                  [(e.year, e.value) for e in x.expected]))
    return Chain(measure, steps, [s for s in STEPS if not steps[s]])


@dataclass
class Budget:
    total: float  # NOK over every line of every measure
    tagged: float  # the part tied to goals
    by_goal: dict[int, float]  # goal → NOK (amount × share)
    by_year: dict[int | None, float]  # None: lines without a year
    external: float  # funded by others

    @property
    def share_tagged(self) -> float | None:
        return self.tagged / self.total if self.total else None


def budget(plan: Plan) -> Budget:
    by_goal: dict[int, float] = defaultdict(float)
    by_year: dict[int | None, float] = defaultdict(float)
    total = tagged = external = 0.0
    for m in plan.measures:
        for line in m.budget:
            total += line.amount
            by_year[line.year] += line.amount
            external += line.amount if line.funding == "external" else 0
            if line.goals:
                tagged += line.amount
            for goal, share in line.goals.items():
                by_goal[goal] += line.amount * share
    years = dict(sorted(by_year.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))
    return Budget(total, tagged, dict(sorted(by_goal.items())), years, external)


@dataclass
class Influence:
    """One goal or target's interactions with the others of the plan."""

    key: str
    reinforces: int  # the sum of its positive scores towards others
    holds_back: int  # the sum of its negative scores (as a positive number)


def interaction_matrix(plan: Plan) -> tuple[list[str], dict[tuple[str, str], int]]:
    """The goals and targets that take part in an interaction (in the plan's order) and the
    score of each (from, to) pair."""
    keys = list(dict.fromkeys(k for x in plan.interactions for k in (x.source, x.to)))
    return keys, {(x.source, x.to): x.score for x in plan.interactions}


def influences(plan: Plan) -> list[Influence]:
    """Goals and targets by how much they reinforce others (most first), then by how much they
    hold others back."""
    plus: dict[str, int] = defaultdict(int)
    minus: dict[str, int] = defaultdict(int)
    for x in plan.interactions:
        plus[x.source] += max(x.score, 0)
        minus[x.source] += max(-x.score, 0)
    keys = sorted(set(plus) | set(minus), key=lambda k: (-plus[k], -minus[k], k))
    return [Influence(k, plus[k], minus[k]) for k in keys]


@dataclass
class Overview:
    """Everything the plan page and the follow-up report show, computed once."""

    id: int
    plan: Plan
    area: dict
    profile: AreaProfile | None  # the area's status under its default profile
    suggestions: list[Suggestion]
    targets: list[TargetProgress]
    chains: list[Chain]
    budget: Budget
    influences: list[Influence]
    titles: dict[str, tuple[str | None, str | None]]  # target code → (nb, en) title


def overview(session: Session, stored: Stored) -> Overview:
    plan = stored.plan
    status = area_status(session, plan.area, level=stored.level, runs=0)
    codes = {p.target for p in plan.priorities if p.target} | {
        t for m in plan.measures for t in m.targets} | {
        k for x in plan.interactions for k in (x.source, x.to) if "." in k}
    titles = {t.code: (t.title_nb, t.title_en) for t in session.scalars(
        select(Target).where(Target.code.in_(codes)))}
    values = latest(session, {t.indicator for t in plan.targets} | {
        x.indicator for m in plan.measures for x in m.indicators}, status.area)
    return Overview(stored.id, plan, status.area, status.profile, suggestions(status.profile),
                    [target_progress(t, values[t.indicator]) for t in plan.targets],
                    [chain(m, values) for m in plan.measures], budget(plan),
                    influences(plan), titles)


def measure_chain(session: Session, stored: Stored, measure_id: str) -> tuple[dict, Chain]:
    """The area and one measure's chain (NotFound without such a measure)."""
    measure = stored.plan.measure(measure_id)
    if measure is None:
        raise NotFound(f"the plan has no measure '{measure_id}'")
    area = find_area(session, stored.plan.area, stored.level)
    return area, chain(measure, latest(session, {x.indicator for x in measure.indicators}, area))
