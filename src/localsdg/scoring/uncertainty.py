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

The runs are computed by `_Kernel` (see there): runs equal in every choice are computed once
(varying one discrete choice alone gives only 2 or 3 distinct runs, each counted as often as it
was drawn), the missing-data pattern and the unclipped scores are made once per year window,
and the runs sharing a year window and an aggregation are computed together, the bounds shift
and the weights varying within the batch. Every run is still its own draw of every choice, as
before; the draws are the same as the plain form's (`_runs`, every run through `batch_index`),
and the results equal it to rounding (1e-12). Imputed and given indicator scores are taken from
the profile's own run. Tests keep the kernel equal to `engine.score` for the unvaried run and to
`batch_index` for varied ones.
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
    round_half_up,
    weighted_mean,
)

CHUNK = 32  # runs per batch: the batch's areas × 17 arrays stay in the cache
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
    kernel = _Kernel(values, p, base, groups, base_method)
    draws = _draw(rng, spread, p, spread.runs, set(CHOICES), base_method)
    index, rank = kernel.runs(draws)
    sensitivity = {}
    alone_runs = max(50, spread.runs // 10)
    for choice in CHOICES:
        alone = _draw(rng, spread, p, alone_runs, {choice}, base_method)
        _, r = kernel.runs(alone)
        band = _percentiles(r, [5, 95])
        band = band[1] - band[0]
        sensitivity[choice] = float(np.nanmedian(band)) if np.isfinite(band).any() else 0.0
    return Uncertainty(_band(index), _band(rank), dict(sorted(
        sensitivity.items(), key=lambda kv: -kv[1])), spread.runs)


def _band(x: np.ndarray) -> np.ndarray:
    return _percentiles(x, [5, 50, 95]).T if np.isfinite(x).any() else \
        np.full((x.shape[1], 3), np.nan)


def _percentiles(x: np.ndarray, q: list[float]) -> np.ndarray:
    """np.nanpercentile over the runs (axis 0), without its slow path for columns that have
    no NaN at all."""
    with np.errstate(invalid="ignore"):
        out = np.full((len(q), x.shape[1]), np.nan)
        full = ~np.isnan(x).any(axis=0)
        if full.any():
            out[:, full] = np.percentile(x[:, full], q, axis=0)
        if (~full).any():
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns stay NaN
                out[:, ~full] = np.nanpercentile(x[:, ~full], q, axis=0)
        return out


@dataclass
class _Draws:
    lower: np.ndarray  # runs × indicators
    upper: np.ndarray
    weight: np.ndarray
    method: list[Method]
    window: list[int | None]
    shift_lo: np.ndarray  # runs: the share of each indicator's range the bounds moved by
    shift_up: np.ndarray


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
                  np.broadcast_to(weight, (n, len(p.weight))), methods, window,
                  shift_lo[:, 0], shift_up[:, 0])


def _runs(values: dict, p: Profiles, base: Scores, groups: np.ndarray, d: _Draws
          ) -> tuple[np.ndarray, np.ndarray]:
    """The plain form of `_Kernel.runs`: every run through `batch_index` (for tests)."""
    n = len(d.method)
    index = np.full((n, base.index.shape[0]), np.nan)
    keys = [(m.aggregation, m.missing_goal, m.min_share, w) for m, w in
            zip(d.method, d.window, strict=True)]
    for key in set(keys):
        runs = np.array([i for i, k in enumerate(keys) if k == key])
        for chunk in np.array_split(runs, max(1, len(runs) // CHUNK)):
            index[chunk] = batch_index(values[key[3]], p, base, groups, d.lower[chunk],
                                       d.upper[chunk], d.weight[chunk], d.method[chunk[0]])
    return index, batch_ranks(index)


class _Kernel:
    """Index scores of many runs, each with its own bounds shift, weights and method, computed
    once per distinct run.

    What a run's goal scores need is split by what it depends on:

    - the year window's missing-data pattern, the scores given by a source or imputed (fixed in
      every run) and the unclipped score z = (x − lower) / (upper − lower) × 100: once per window;
    - the run's bounds shift (lower by a, upper by b, shares of the range): the score is
      clip((z − 100a) / (1 + b − a), 0, 100), the same thing as normalising with the moved
      bounds. For the arithmetic mean the cells whose z lies between every run's two cuts
      are linear in z and those beyond them constant, so their weighted sums for a whole batch
      of runs are matrix products (indicators × runs weights); only the cells near a bound
      (between the runs' smallest and largest cut) are computed run by run. The geometric mean
      (and rounding of scores) takes the cells run by run, once per distinct bounds shift;
    - the run's minimum share, missing-goal rule and aggregation of the goals: on the
      areas × 17 goal scores.

    Runs that are equal in every choice (as when one discrete choice is varied alone) are
    computed once."""

    def __init__(self, values: dict, p: Profiles, base: Scores, groups: np.ndarray, m: Method):
        self.p, self.base, self.groups, self.method = p, base, np.asarray(groups), m
        self.fixed = base.given | base.imputed  # scores taken from the profile's own run
        self.fixed_score = np.where(self.fixed, base.indicator, 0.0)
        self.gm = goal_matrix(p, index_only=True)  # indicators × 17
        self.cols = [np.flatnonzero(self.gm[:, g]) for g in range(GOALS)]
        self.present = self.gm.any(axis=0)
        self.counted = ~np.isnan(base.index) | (
            base.missing_share <= (m.max_missing or 1.0) + 1e-12)
        self.values = values
        self._windows: dict = {}

    def _window(self, window):
        if window not in self._windows:
            with np.errstate(invalid="ignore", divide="ignore"):
                z = (self.values[window] - self.p.lower) / (self.p.upper - self.p.lower) * 100.0
            z = np.where(self.fixed, np.nan, z)  # a fixed cell is not scored from its value
            have = ~np.isnan(z) | self.fixed
            data = have & ~self.base.imputed
            zu = np.where(np.isnan(z), -np.inf, 0.99 * z)  # no value: clipped to the bottom
            self._windows[window] = (z, have.astype(float), data.astype(float), zu)
        return self._windows[window]

    def runs(self, d: _Draws) -> tuple[np.ndarray, np.ndarray]:
        """(index, rank), runs × areas."""
        n, areas = len(d.method), self.base.index.shape[0]
        keys: dict = {}
        inverse = np.empty(n, dtype=np.intp)
        for i, (m, w) in enumerate(zip(d.method, d.window, strict=True)):
            k = (m.aggregation, m.missing_goal, m.min_share, w, float(d.shift_lo[i]),
                 float(d.shift_up[i]), d.weight[i].tobytes())
            inverse[i] = keys.setdefault(k, len(keys))
        unique = np.unique(inverse, return_index=True)[1]  # each distinct run's first draw
        index = np.full((len(unique), areas), np.nan)
        by_kernel: dict = {}
        for u, i in enumerate(unique):
            by_kernel.setdefault((d.method[i].aggregation, d.window[i]), []).append(u)
        for (aggregation, window), us in by_kernel.items():
            us = np.array(us)
            geometric = aggregation == "geometric"
            cells = None if geometric or self.method.decimals is not None else \
                self._classes(window, d.shift_lo[unique[us]], d.shift_up[unique[us]])
            for chunk in np.array_split(us, -(-len(us) // CHUNK)):
                runs = unique[chunk]
                index[chunk] = self._index(window, geometric, d.shift_lo[runs],
                                           d.shift_up[runs], np.asarray(d.weight[runs]),
                                           [d.method[i] for i in runs], cells)
        rank = batch_ranks(index)
        return index[inverse], rank[inverse]

    def _index(self, window, geometric: bool, a: np.ndarray, b: np.ndarray, w: np.ndarray,
               methods: list[Method], cells=None) -> np.ndarray:
        z, have, data, zu = self._window(window)
        numer = np.zeros((len(a), z.shape[0], GOALS))
        total, share = np.zeros_like(numer), np.zeros_like(numer)
        for g, cols in enumerate(self.cols):
            if len(cols):
                wt = w[:, cols].T  # indicators × runs
                total[:, :, g] = (have[:, cols] @ wt).T
                share[:, :, g] = (data[:, cols] @ wt).T / wt.sum(axis=0)[:, None]
        if cells is None:
            self._cellwise(z, zu, geometric, a, b, w, numer)
        else:
            self._linear(cells, a, b, w, numer)
        with np.errstate(invalid="ignore", divide="ignore"):
            goal = numer / total
            if geometric:
                goal = (np.exp(goal) - 1.0) / 0.99
        min_share = np.array([m.min_share for m in methods])[:, None, None]
        goal = np.where(share >= min_share - 1e-12, goal, np.nan)
        fill = np.array([m.missing_goal == "group" for m in methods])
        if fill.any():
            goal[fill] = _fill(goal[fill], self.groups, self.counted, self.present)
        index = weighted_mean(goal[:, :, self.present], np.ones((self.present.sum(), 1)),
                              geometric)[..., 0]
        return np.where(self.counted[None], index, np.nan)

    def _classes(self, window, a: np.ndarray, b: np.ndarray):
        """The cells every run of `a`, `b` scores as 0, as 100 or linearly, as matrices; and
        the cells between the runs' smallest and largest cut, by (goal, area)."""
        z = self._window(window)[0]
        low, up = 100.0 * a, 100.0 * (1.0 + b)
        with np.errstate(invalid="ignore"):
            below = z <= low.min()  # 0 in every run
            above = z >= up.max()  # 100 in every run
            linear = (z >= low.max()) & (z <= up.min()) & ~below & ~above
        near = ~np.isnan(z) & ~below & ~above & ~linear & self.p.in_index[None, :]
        stacked = np.stack([np.where(linear, z, 0.0), linear.astype(float),
                            np.where(above, 100.0, 0.0) + self.fixed_score])
        areas = z.shape[0]
        blocks = [np.ascontiguousarray(stacked[:, :, cols]).reshape(3 * areas, len(cols))
                  for cols in self.cols]
        area, col = np.nonzero(near)
        key = self.p.goal[col].astype(np.int64) * areas + area
        order = np.argsort(key, kind="stable")
        area, col, key = area[order], col[order], key[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else \
            np.zeros(0, dtype=np.intp)
        return blocks, z[area, col][:, None], col, starts, area[starts], \
            self.p.goal[col[starts]] - 1

    def _linear(self, cells, a, b, w, numer) -> None:
        """Arithmetic weighted sums of the scores: matrix products for the cells that every run
        scores linearly or as a constant, run by run for the cells near a bound."""
        blocks, zn, col, starts, seg_area, seg_goal = cells
        low, scale = 100.0 * a, 1.0 + b - a
        areas = numer.shape[1]
        for g, cols in enumerate(self.cols):
            if len(cols):
                prod = (blocks[g] @ w[:, cols].T).reshape(3, areas, -1)  # 3 × areas × runs
                numer[:, :, g] = ((prod[0] - low * prod[1]) / scale + prod[2]).T
        if len(starts):
            s = zn - low
            s /= scale
            np.clip(s, 0.0, 100.0, out=s)
            s *= w[:, col].T
            numer[:, seg_area, seg_goal] += np.add.reduceat(s, starts, axis=0).T


    def _cellwise(self, z, zu, geometric: bool, a, b, w, numer) -> None:
        """Each distinct bounds shift's scores cell by cell; the weighted sums of all its runs
        as one matrix product."""
        shifts, which = np.unique(np.stack([a, b], axis=1), axis=0, return_inverse=True)
        which = which.reshape(-1)
        decimals = self.method.decimals
        fixed = np.flatnonzero(self.fixed)
        fixed_arg = 1.0 + 0.99 * self.fixed_score.reshape(-1)[fixed]
        t = np.empty_like(z)
        for k, (lo, hi) in enumerate(shifts):
            runs = np.flatnonzero(which == k)
            low, scale = 100.0 * lo, 1.0 + hi - lo
            wg = (w[runs][:, :, None] * self.gm[None]).transpose(1, 0, 2).reshape(
                len(self.gm), -1)  # indicators × (runs × 17)
            if geometric and decimals is None:
                # log(1 + 0.99 s) = log(clip(0.99 z + scale − 0.99 low, scale, 100 scale))
                # − log(scale); a cell without value gives log(scale), so 0
                np.add(zu, scale - 0.99 * low, out=t)
                np.clip(t, scale, 100.0 * scale, out=t)
                t.reshape(-1)[fixed] = fixed_arg if scale == 1.0 else scale * fixed_arg
                np.log(t, out=t)
                sums = t @ wg
                if scale != 1.0:
                    sums -= np.log(scale) * wg.sum(axis=0)
            else:
                with np.errstate(invalid="ignore"):
                    s = np.clip((z - low) / scale, 0.0, 100.0)
                if decimals is not None:
                    s = round_half_up(s, decimals)
                s = np.where(self.fixed, self.fixed_score, s)
                have = ~np.isnan(s)
                if geometric:
                    sums = np.log(np.where(have, 1.0 + 0.99 * s, 1.0)) @ wg
                else:
                    sums = np.where(have, s, 0.0) @ wg
            numer[runs] = sums.reshape(z.shape[0], len(runs), GOALS).transpose(1, 0, 2)


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
