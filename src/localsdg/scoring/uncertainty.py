"""Uncertainty: how much do an area's index and rank depend on the analyst's choices?

A Monte Carlo analysis draws, for every run, one value of each choice:

- lower bounds: each moved by the same share of its indicator's range, up to ±`bounds`;
- upper bounds: the same, drawn independently;
- weights: each indicator's weight drawn from [1 − `weights`, 1 + `weights`] × its weight;
- aggregation: arithmetic or geometric mean;
- missing data: a goal without enough data left out, or filled from its group;
- minimum share of a goal's indicators with data: one of `min_shares`;
- year window: the latest value within any year, or within one of `windows` years.

Each area's index and rank are then given as the median with a 5–95 % band. To say which
choice moves ranks most, each choice is also varied alone (the others at the profile's own
setting) and the median width of the rank bands is reported per choice.

The runs use a batched form of the kernel in `engine` that computes only goal scores, index and
rank; imputed indicator scores are taken from the profile's own run. A test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from localsdg.scoring.engine import (
    GOALS,
    RANK_DECIMALS,
    Method,
    Profiles,
    Scores,
    goal_matrix,
    weighted_mean,
)

CHUNK = 32
CHOICES = ("lower bounds", "upper bounds", "weights", "aggregation", "missing data",
           "minimum share", "year window")


@dataclass(frozen=True)
class Spread:
    runs: int = 1000
    bounds: float = 0.1
    weights: float = 0.25
    aggregations: tuple[str, ...] = ("arithmetic", "geometric")
    missing: tuple[str, ...] = ("exclude", "group")
    min_shares: tuple[float, ...] = (0.25, 1 / 3, 0.5)
    windows: tuple[int | None, ...] = (None, 5)
    seed: int = 0


@dataclass
class Uncertainty:
    index: np.ndarray  # areas × 3: 5th percentile, median, 95th percentile
    rank: np.ndarray  # areas × 3
    sensitivity: dict[str, float]  # choice → median width of the rank band when varied alone
    runs: int


def analyse(values: dict[int | None, np.ndarray], p: Profiles, base_method: Method,
            base: Scores, groups: np.ndarray, spread: Spread) -> Uncertainty:
    """`values` maps each year window (None: any year) to the areas × indicators values; `base`
    is the profile's own run (for imputed scores and the areas left out for missing data)."""
    rng = np.random.default_rng(spread.seed)
    draws = _draw(rng, spread, p, spread.runs, set(CHOICES), base_method)
    index, rank = _runs(values, p, base, groups, draws)
    sensitivity = {}
    alone_runs = max(50, spread.runs // 10)
    for choice in CHOICES:
        alone = _draw(rng, spread, p, alone_runs, {choice}, base_method)
        _, r = _runs(values, p, base, groups, alone)
        band = np.nanpercentile(r, 95, axis=0) - np.nanpercentile(r, 5, axis=0)
        sensitivity[choice] = float(np.nanmedian(band)) if np.isfinite(band).any() else 0.0
    return Uncertainty(_band(index), _band(rank), dict(sorted(
        sensitivity.items(), key=lambda kv: -kv[1])), spread.runs)


def _band(x: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.nanpercentile(x, [5, 50, 95], axis=0).T if np.isfinite(x).any() else \
            np.full((x.shape[1], 3), np.nan)


@dataclass
class _Draws:
    lower: np.ndarray  # runs × indicators
    upper: np.ndarray
    weight: np.ndarray
    method: list[Method]
    window: list[int | None]


def _draw(rng, s: Spread, p: Profiles, n: int, vary: set[str], m: Method) -> _Draws:
    span = p.upper - p.lower
    shift_lo = rng.uniform(-s.bounds, s.bounds, (n, 1)) if "lower bounds" in vary else \
        np.zeros((n, 1))
    shift_up = rng.uniform(-s.bounds, s.bounds, (n, 1)) if "upper bounds" in vary else \
        np.zeros((n, 1))
    weight = p.weight * (rng.uniform(1 - s.weights, 1 + s.weights, (n, len(p.weight)))
                         if "weights" in vary else 1.0)

    def pick(name: str, options: tuple, own):
        return list(rng.choice(np.array(options, dtype=object), n)) if name in vary else \
            [own] * n
    aggregation = pick("aggregation", s.aggregations, m.aggregation)
    missing = pick("missing data", s.missing, m.missing_goal)
    share = pick("minimum share", s.min_shares, m.min_share)
    window = pick("year window", s.windows, None)
    methods = [replace(m, aggregation=a, missing_goal=g, min_share=float(sh))
               for a, g, sh in zip(aggregation, missing, share, strict=True)]
    return _Draws(p.lower + shift_lo * span, p.upper + shift_up * span,
                  np.broadcast_to(weight, (n, len(p.weight))), methods, window)


def _runs(values: dict, p: Profiles, base: Scores, groups: np.ndarray, d: _Draws
          ) -> tuple[np.ndarray, np.ndarray]:
    n = len(d.method)
    index = np.full((n, base.index.shape[0]), np.nan)
    rank = np.full_like(index, np.nan)
    keys = [(m.aggregation, m.missing_goal, m.min_share, w) for m, w in
            zip(d.method, d.window, strict=True)]
    for key in set(keys):
        runs = np.array([i for i, k in enumerate(keys) if k == key])
        for chunk in np.array_split(runs, max(1, len(runs) // CHUNK)):
            index[chunk] = batch_index(values[key[3]], p, base, groups, d.lower[chunk],
                                       d.upper[chunk], d.weight[chunk], d.method[chunk[0]])
            rank[chunk] = batch_ranks(index[chunk])
    return index, rank


def batch_index(values: np.ndarray, p: Profiles, base: Scores, groups: np.ndarray,
                lower: np.ndarray, upper: np.ndarray, weight: np.ndarray, m: Method
                ) -> np.ndarray:
    """Index scores of several runs (runs × areas) that share a method but not bounds or
    weights; the same rules as engine.score."""
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.clip((values[None] - lower[:, None]) / (upper - lower)[:, None] * 100, 0, 100)
    if m.decimals is not None:
        s = np.sign(s) * np.floor(np.abs(s) * 10.0 ** m.decimals + 0.5) / 10.0 ** m.decimals
    s = np.where(base.given[None], base.indicator[None], s)
    s = np.where(base.imputed[None], base.indicator[None], s)
    have = ~np.isnan(s)
    data = (have & ~base.imputed[None]).astype(float)
    w = weight[:, :, None] * goal_matrix(p, index_only=True)[None]  # runs × indicators × goals
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (data @ w) / w.sum(axis=1)[:, None, :]
    goal = weighted_mean(s, w, m.aggregation == "geometric")
    goal = np.where(share >= m.min_share - 1e-12, goal, np.nan)
    counted = ~np.isnan(base.index) | (base.missing_share <= (m.max_missing or 1.0) + 1e-12)
    present = np.array([((p.goal == g) & p.in_index).any() for g in range(1, GOALS + 1)])
    if m.missing_goal == "group":
        goal = _fill(goal, groups, counted, present)
    index = weighted_mean(goal[:, :, present], np.ones((present.sum(), 1)),
                          m.aggregation == "geometric")[..., 0]
    return np.where(counted[None], index, np.nan)


def _fill(goal: np.ndarray, groups: np.ndarray, counted: np.ndarray, present: np.ndarray
          ) -> np.ndarray:
    keys, inverse = np.unique(groups, return_inverse=True)
    member = ((inverse[None, :] == np.arange(len(keys))[:, None]) & counted[None]).astype(float)
    have = ~np.isnan(goal)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (member @ np.where(have, goal, 0.0)) / (member @ have.astype(float))
    per_area = means[:, inverse]
    return np.where(~have & present[None, None] & ~np.isnan(per_area), per_area, goal)


def batch_ranks(index: np.ndarray) -> np.ndarray:
    """Competition ranks per run (runs × areas); NaN stays unranked."""
    key = np.where(np.isnan(index), np.inf, -np.round(index, RANK_DECIMALS))
    ordered = np.sort(key, axis=1)
    out = np.stack([np.searchsorted(o, k, side="left") for o, k in zip(ordered, key,
                                                                        strict=True)]) + 1.0
    return np.where(np.isnan(index), np.nan, out)
