"""The smallest good indicator set for a list of priorities (goals or targets), chosen exactly.

Every priority needs at least one indicator at the outcome or impact step of the evaluation
chain, of quality class 1 (class 2 where the catalog has no class 1 for it). Among the sets of
the smallest size, the one preferred has indicators with data for the area, available for each
municipality (not only nationally), and of class 1; and it never holds two indicators the
crosswalk calls the same (exact or close match: confirmed, published by KS, or proposed with
high confidence; never a pair a curator rejected).

It is a set-cover problem solved as an integer programme in two steps with HiGHS, through
SciPy's `milp` (maintained, bundled with SciPy, no licence or server): first the smallest
number of indicators, then, at that number, the least penalty. Priorities no indicator can
cover are gaps, reported rather than hidden.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from sqlalchemy import select
from sqlalchemy.orm import Session

from localsdg.catalog.crosswalk import called_same
from localsdg.catalog.indicators import split_ref
from localsdg.db.schema import Indicator, IndicatorValue, Observation, Target
from localsdg.errors import BadRequest
from localsdg.scoring.profiles import Profile, save_set
from localsdg.scoring.status import find_area

STEPS = ("outcome", "impact")
SAME = ("exact", "close")  # link kinds that make two indicators the same
# What makes a candidate less good (added up): no data for the area, only national figures
# (or the level not stated), quality class 2.
PENALTY = {"no_data": 4, "national": 2, "level_unknown": 1, "class_2": 1}


@dataclass
class Candidate:
    id: int
    ref: str
    name_nb: str | None
    name_en: str | None
    quality_class: str
    geography_level: str | None
    steps: list[str]
    covers: list[str]  # the priorities it may cover
    has_data: bool | None  # None: no area asked for

    @property
    def penalty(self) -> int:
        return (PENALTY["no_data"] * (self.has_data is False)
                + PENALTY["national"] * (self.geography_level == "national")
                + PENALTY["level_unknown"] * (self.geography_level is None)
                + PENALTY["class_2"] * (self.quality_class == "2"))


@dataclass
class Choice:
    priorities: list[str]
    area: str | None
    chosen: list[Candidate]
    gaps: list[str]  # priorities no outcome or impact indicator of class 1 or 2 covers
    candidates: int
    seconds: float


def parse_priorities(session: Session, text: list[str]) -> list[str]:
    """'11.2', '13' (a goal) → the priorities; an unknown one is refused with its name."""
    targets = set(session.scalars(select(Target.code)))
    out = []
    for raw in (p.strip() for item in text for p in item.split(",")):
        if not raw:
            continue
        if raw not in targets and not (raw.isdigit() and 1 <= int(raw) <= 17):
            raise BadRequest(f"'{raw}' is neither a goal (1–17) nor an SDG target (e.g. 11.2)")
        out.append(raw)
    if not out:
        raise BadRequest("name at least one goal or target, e.g. 11.2,13")
    return list(dict.fromkeys(out))


def choose(session: Session, priorities: list[str], area: str | None = None) -> Choice:
    start = time.perf_counter()
    code = find_area(session, area)["code"] if area else None
    candidates = _candidates(session, priorities, code)
    covered = {p for c in candidates for p in c.covers}
    gaps = [p for p in priorities if p not in covered]
    wanted = [p for p in priorities if p in covered]
    picked = _solve(wanted, candidates, _same_pairs(session, candidates)) if wanted else []
    chosen = sorted((candidates[i] for i in picked), key=lambda c: (
        min(priorities.index(p) for p in c.covers), c.ref))
    return Choice(priorities, code, chosen, gaps, len(candidates), time.perf_counter() - start)


def _candidates(session: Session, priorities: list[str], area: str | None) -> list[Candidate]:
    """Indicators at the outcome or impact step classified to a priority, class 1 for it, or
    class 2 where it has no class 1."""
    values: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for ind_id, prop, value in session.execute(
            select(IndicatorValue.indicator_id, IndicatorValue.property, IndicatorValue.value)
            .where(IndicatorValue.property.in_(("goals", "targets", "evaluation_steps")))):
        values[ind_id][prop].add(value)
    stepped = [i for i, v in values.items() if v["evaluation_steps"] & set(STEPS)]
    indicators = {i.id: i for i in session.scalars(select(Indicator).where(
        Indicator.id.in_(stepped), Indicator.quality_class.in_(("1", "2"))))}
    by_class: dict[str, dict[str, set[int]]] = {"1": defaultdict(set), "2": defaultdict(set)}
    for i, ind in indicators.items():
        for p in priorities:
            if p in values[i]["targets"] or ("." not in p and p in values[i]["goals"]):
                by_class[ind.quality_class][p].add(i)
    covers: dict[int, list[str]] = defaultdict(list)
    for p in priorities:
        for i in by_class["1"][p] or by_class["2"][p]:
            covers[i].append(p)
    with_data = set(session.scalars(select(Observation.indicator_id).distinct().where(
        Observation.area_code == area, Observation.indicator_id.in_(list(covers))))) \
        if area else None
    return [Candidate(i, f"{indicators[i].set_id}/{indicators[i].code}", indicators[i].name_nb,
                      indicators[i].name_en, indicators[i].quality_class,
                      indicators[i].geography_level,
                      sorted(values[i]["evaluation_steps"] & set(STEPS)), covers[i],
                      None if with_data is None else i in with_data)
            for i in sorted(covers)]


def _same_pairs(session: Session, candidates: list[Candidate]) -> list[tuple[int, int]]:
    at = {tuple(split_ref(c.ref)): n for n, c in enumerate(candidates)}
    return sorted({tuple(sorted(at[key] for key in pair))
                   for pair in called_same(session, SAME) if pair <= at.keys()})


def _solve(priorities: list[str], candidates: list[Candidate],
           same: list[tuple[int, int]]) -> list[int]:
    """The chosen candidates' positions: fewest first, then least penalty at that size."""
    n = len(candidates)
    cover = np.zeros((len(priorities), n))
    row = {p: r for r, p in enumerate(priorities)}
    for j, c in enumerate(candidates):
        for p in c.covers:
            cover[row[p], j] = 1
    constraints = [LinearConstraint(cover, lb=1)]
    if same:
        pair = np.zeros((len(same), n))
        for r, (a, b) in enumerate(same):
            pair[r, a] = pair[r, b] = 1
        constraints.append(LinearConstraint(pair, ub=1))
    integral, bounds = np.ones(n), Bounds(0, 1)
    size = milp(np.ones(n), constraints=constraints, integrality=integral, bounds=bounds)
    if not size.success:  # only the 'same' pairs can make covering impossible
        raise BadRequest("no set covers every priority without two indicators the catalog "
                         "calls the same; " + size.message)
    k = round(size.fun)
    penalty = np.array([c.penalty for c in candidates], dtype=float)
    best = milp(penalty, integrality=integral, bounds=bounds,
                constraints=[*constraints, LinearConstraint(np.ones((1, n)), lb=k, ub=k)])
    x = best.x if best.success else size.x
    return [j for j in range(n) if x[j] > 0.5]


def save(session: Session, choice: Choice, set_id: str, name: str, by: str) -> int:
    """Store the chosen indicators as a profile set the status pages can use: bounds by SDSN's
    rules across all municipalities (2.5th percentile from the worst end, mean of the best
    five), each profile saying which priorities it covers; the number of profiles."""
    if not choice.chosen:
        raise BadRequest("no indicator was chosen, so there is nothing to save")
    items = [Profile(c.id, goal=int(c.covers[0].split(".")[0]), lower_rule="percentile:2.5",
                     upper_rule="top_mean:5", justification="covers " + ", ".join(c.covers))
             for c in choice.chosen]
    save_set(session, set_id, name, {"window": 6, "group": "all:municipality"}, items,
             source=f"chosen by localsdg for {', '.join(choice.priorities)} ({by})",
             notes=("gaps: " + ", ".join(choice.gaps)) if choice.gaps else None)
    return len(items)


def as_data(choice: Choice) -> dict:
    """The choice as plain data: each indicator with what it covers and why it was preferred."""
    return {"priorities": choice.priorities, "area": choice.area,
            "chosen": [{"indicator": c.ref, "name_nb": c.name_nb, "name_en": c.name_en,
                        "covers": c.covers, "steps": c.steps, "quality_class": c.quality_class,
                        "geography_level": c.geography_level, "has_data": c.has_data,
                        "penalty": c.penalty} for c in choice.chosen],
            "gaps": choice.gaps, "candidates": choice.candidates,
            "seconds": round(choice.seconds, 3)}
