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
and the runs sharing a year window and an aggregation are computed together in batches of close
bounds shifts, the bounds shift and the weights varying within the batch: a cell's terms are
made once per batch and each run's weighted sums are matrix products (the geometric mean's log
as a power series in the run's shift, to 1e-16). Every run is still its own draw of every
choice, as before; the draws are the same as the plain form's (`_runs`, every run through
`batch_index`), and the results equal it to rounding (1e-12). Imputed and given indicator
scores are taken from the profile's own run. Tests keep the kernel equal to `engine.score` for
the unvaried run and to `batch_index` for varied ones.
"""

from __future__ import annotations

import warnings
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

CHUNK = 96  # arithmetic runs per batch (close bounds shifts: few cells near a cut)
GEOMETRIC_CHUNK = 48  # geometric runs per batch
GEOMETRIC_STRIPS = 4  # geometric batches: strips of close upper-bound shift, each by c
ROUNDED_CHUNK = 32  # runs per batch with rounded scores (cell by cell per bounds shift)
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
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns stay NaN
                out[:, ~full] = np.nanpercentile(x[:, ~full], q, axis=0)
        return out


@dataclass
class _Draws:
    p: Profiles
    weight: np.ndarray  # runs × indicators
    method: list[Method]
    window: list[int | None]
    shift_lo: np.ndarray  # runs: the share of each indicator's range the bounds moved by
    shift_up: np.ndarray

    @property
    def lower(self) -> np.ndarray:
        """Runs × the profile's bounds (indicators, or areas × indicators where an area has its
        own target); made when asked: the kernel needs the shifts only."""
        return self.p.lower + self._moved(self.shift_lo)

    @property
    def upper(self) -> np.ndarray:
        return self.p.upper + self._moved(self.shift_up)

    def _moved(self, shift: np.ndarray) -> np.ndarray:
        return shift.reshape((-1,) + (1,) * self.p.lower.ndim) * (self.p.upper - self.p.lower)


def _draw(rng, s: Spread, p: Profiles, n: int, vary: set[str], m: Method) -> _Draws:
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
    return _Draws(p, np.broadcast_to(weight, (n, len(p.weight))), methods, window,
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
        for chunk in np.array_split(runs, max(1, len(runs) // ROUNDED_CHUNK)):
            index[chunk] = batch_index(values[key[3]], p, base, groups, d.lower[chunk],
                                       d.upper[chunk], d.weight[chunk], d.method[chunk[0]])
    return index, batch_ranks(index)


class _Kernel:
    """Index scores of many runs, each with its own bounds shift, weights and method, computed
    once per distinct run.

    What a run's goal scores need is split by what it depends on:

    - the year window's missing-data pattern, the scores given by a source or imputed (fixed in
      every run) and the unclipped score z = (x − lower) / (upper − lower) × 100: once per window,
      with the index indicators ordered by goal;
    - the run's bounds shift (lower by a, upper by b, shares of the range): the score is
      clip((z − 100a) / (1 + b − a), 0, 100), the same thing as normalising with the moved
      bounds. The runs of a window and aggregation are ordered by their shift and taken in
      batches of close shifts. A cell whose z lies beyond every run's cut of the batch is
      constant, one between the cuts linear in z (arithmetic mean) or, for the geometric mean,
      log(0.99 z + c) with c = 1 + b − 100a, which is a power series in the run's distance from
      the batch's middle c (terms below 1e-16 left out); so a batch's weighted sums of these
      cells are matrix products of a few cell terms with the runs' weights (indicators × runs),
      together with the weights of the cells with data (for the goal's weight and data share).
      Only the few cells near a cut of the batch (and, geometric, near the lower cut) are
      computed run by run. With rounding of scores each distinct bounds shift's cells are
      computed as they are;
    - the run's minimum share, missing-goal rule and aggregation of the goals: on the
      areas × 17 goal scores.

    Runs that are equal in every choice (as when one discrete choice is varied alone) are
    computed once."""

    TERMS = 14  # powers of the geometric series: what is left out is below RATIO ** 15 / 15
    RATIO = 0.1  # a cell takes the series where the batch's half range of c ≤ RATIO × 0.99 z + c

    def __init__(self, values: dict, p: Profiles, base: Scores, groups: np.ndarray, m: Method):
        self.p, self.base, self.groups, self.method = p, base, np.asarray(groups), m
        self.fixed = base.given | base.imputed  # scores taken from the profile's own run
        self.fixed_score = np.where(self.fixed, base.indicator, 0.0)
        self.gm = goal_matrix(p, index_only=True)  # indicators × 17
        self.cols = [np.flatnonzero(self.gm[:, g]) for g in range(GOALS)]
        self.present = self.gm.any(axis=0)
        self.counted = ~np.isnan(base.index) | (
            base.missing_share <= (m.max_missing or 1.0) + 1e-12)
        # the index indicators goal by goal, each goal padded to the widest (with an empty
        # column, number `len(p.goal)`): cells are 17 × areas × width, contiguous by goal
        width = max(len(c) for c in self.cols)
        self.padded = np.full((GOALS, width), len(p.goal))
        for g, cols in enumerate(self.cols):
            self.padded[g, :len(cols)] = cols
        self.values = values
        self._windows: dict = {}
        self._ordered: dict = {}
        self._scratch: dict = {}

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

    def _by_goal(self, window):
        """The window's z; whether a cell has data (for the goal's weight: a value or a fixed
        score; for the data share: not imputed), stacked; the fixed scores and their logs:
        17 × width × areas, the index indicators goal by goal (padding: no value, no weight)."""
        if window not in self._ordered:
            z, have, data, _ = self._window(window)

            def by_goal(x, pad):
                x = np.concatenate([x, np.full((x.shape[0], 1), pad)], axis=1)
                return np.ascontiguousarray(x[:, self.padded].transpose(1, 2, 0))
            score = by_goal(self.fixed_score, 0.0)
            self._ordered[window] = (by_goal(z, np.nan),
                                     np.concatenate([by_goal(have, 0.0), by_goal(data, 0.0)],
                                                    axis=2),  # 17 × width × (2 × areas)
                                     score,
                                     np.where(by_goal(self.fixed, False), np.log1p(0.99 * score),
                                              0.0))
        return self._ordered[window]

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
        work = []
        for (aggregation, window), us in by_kernel.items():
            us = np.array(us)
            geometric = aggregation == "geometric"
            a, b = d.shift_lo[unique[us]], d.shift_up[unique[us]]
            if self.method.decimals is not None:
                batches = np.array_split(us, -(-len(us) // ROUNDED_CHUNK))
            else:
                batches = [us[k] for k in _batches(a, b, geometric)]
            work += [(window, geometric, chunk) for chunk in batches]

        for window, geometric, chunk in work:
            runs = unique[chunk]
            index[chunk] = self._index(window, geometric, d.shift_lo[runs], d.shift_up[runs],
                                       np.asarray(d.weight[runs]), [d.method[i] for i in runs])
        rank = batch_ranks(index)
        return index[inverse], rank[inverse]

    def _index(self, window, geometric: bool, a: np.ndarray, b: np.ndarray, w: np.ndarray,
               methods: list[Method]) -> np.ndarray:
        if self.method.decimals is None:
            numer, total, share = self._sums(window, geometric, a, b, w)
        else:
            numer, total, share = self._rounded(window, geometric, a, b, w)
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

    def _sums(self, window, geometric: bool, a, b, w):
        """(numerators, weights with data, data shares), runs × areas × 17, of a batch of
        close bounds shifts. Each run's numerator is a sum over a few cell terms of the term
        times a coefficient of the run (1/scale, −low/scale, …) times the run's weights; the
        coefficients are put into the weights, so that it is one matrix product per goal,
        runs × (terms × indicators) by (terms × indicators) × areas. The cells near a cut are
        computed run by run."""
        z, have_data, score, flog = self._by_goal(window)
        goals, width, areas = z.shape
        runs = len(a)
        low, up, scale = 100.0 * a, 100.0 * (1.0 + b), 1.0 + b - a
        with np.errstate(invalid="ignore"):
            below = z <= low.min()  # 0 in every run
            above = z >= up.max()  # 100 in every run
            linear = (z >= low.max()) & (z <= up.min()) & ~below & ~above
        count = 3 + self.TERMS if geometric else 3
        cells = self._buffer("cells", (goals, count, width, areas))
        if geometric:
            c = scale - 0.99 * low
            c0, h = 0.5 * (c.max() + c.min()), 0.5 * (c.max() - c.min())
            v = 0.99 * z + c0
            with np.errstate(invalid="ignore"):
                linear &= v * self.RATIO >= h
            lin = cells[:, 1]
            lin[...] = linear
            np.copyto(v, 1.0, where=~linear)
            np.log(v, out=cells[:, 0])
            cells[:, 0] *= lin
            np.multiply(above, np.log(100.0), out=cells[:, 2])
            cells[:, 2] += flog
            np.divide(lin, v, out=cells[:, 3])
            for k in range(1, self.TERMS):
                np.multiply(cells[:, 2 + k], cells[:, 3], out=cells[:, 3 + k])
            d = c - c0
            coef = np.concatenate([np.ones((1, runs)), -np.log(scale)[None], np.ones((1, runs)),
                                   [(-1.0) ** k * d ** (k + 1) / (k + 1)
                                    for k in range(self.TERMS)]])
        else:
            lin = cells[:, 1]
            lin[...] = linear
            np.multiply(np.where(linear, z, 0.0), 1.0, out=cells[:, 0])
            np.multiply(above, 100.0, out=cells[:, 2])
            cells[:, 2] += score
            coef = np.stack([1.0 / scale, -low / scale, np.ones(runs)])
        wt = np.concatenate([w, np.zeros((runs, 1))], axis=1)[:, self.padded.reshape(-1)]
        wt = wt.reshape(runs, goals, width).transpose(1, 0, 2)  # 17 × runs × width
        weights = self._buffer("weights", (goals, runs, count, width))
        np.multiply(wt[:, :, None], coef.T[None, :, :, None], out=weights)
        numer = np.matmul(weights.reshape(goals, runs, -1), cells.reshape(goals, -1, areas))
        sums = np.matmul(wt, have_data)  # 17 × runs × (2 × areas)
        total, share = sums[:, :, :areas], sums[:, :, areas:]
        wsum = wt.sum(axis=2)
        wsum[wsum == 0] = 1.0  # a goal without index indicators
        share /= wsum[:, :, None]
        with np.errstate(invalid="ignore"):
            near = ~np.isnan(z) & ~below & ~above & ~linear
        if near.any():
            goal, col, area = np.nonzero(near)
            order = np.lexsort((area, goal))  # by goal and area
            goal, col, area = goal[order], col[order], area[order]
            new = np.r_[True, (goal[1:] != goal[:-1]) | (area[1:] != area[:-1])]
            segment = np.cumsum(new) - 1
            zn = z[goal, col, area][:, None]
            if geometric:
                t = np.clip(0.99 * zn + c, scale, 100.0 * scale)
                np.log(t, out=t)
                t -= np.log(scale)
            else:
                t = zn - low
                t /= scale
                np.clip(t, 0.0, 100.0, out=t)
            t *= wt[goal, :, col]
            key = (segment[:, None] * runs + np.arange(runs)).reshape(-1)
            sums = np.bincount(key, weights=t.reshape(-1), minlength=(segment[-1] + 1) * runs)
            numer[goal[new], :, area[new]] += sums.reshape(-1, runs)
        return numer.transpose(1, 2, 0), total.transpose(1, 2, 0), share.transpose(1, 2, 0)

    def _buffer(self, name: str, shape: tuple) -> np.ndarray:
        """Scratch space kept between batches (fresh memory is slow to touch)."""
        buf = self._scratch.get(name)
        if buf is None or buf.shape != shape:
            buf = self._scratch[name] = np.empty(shape)
        return buf

    def _rounded(self, window, geometric: bool, a, b, w):
        """With rounding of scores: each distinct bounds shift's scores cell by cell; the
        weighted sums of all its runs as one matrix product."""
        z, have, data, zu = self._window(window)
        numer = np.zeros((len(a), z.shape[0], GOALS))
        total, share = np.zeros_like(numer), np.zeros_like(numer)
        for g, cols in enumerate(self.cols):
            if len(cols):
                wt = w[:, cols].T  # indicators × runs
                total[:, :, g] = (have[:, cols] @ wt).T
                share[:, :, g] = (data[:, cols] @ wt).T / wt.sum(axis=0)[:, None]
        shifts, which = np.unique(np.stack([a, b], axis=1), axis=0, return_inverse=True)
        which = which.reshape(-1)
        decimals = self.method.decimals
        for k, (lo, hi) in enumerate(shifts):
            runs = np.flatnonzero(which == k)
            low, scale = 100.0 * lo, 1.0 + hi - lo
            wg = (w[runs][:, :, None] * self.gm[None]).transpose(1, 0, 2).reshape(
                len(self.gm), -1)  # indicators × (runs × 17)
            with np.errstate(invalid="ignore"):
                s = np.clip((z - low) / scale, 0.0, 100.0)
            s = round_half_up(s, decimals)
            s = np.where(self.fixed, self.fixed_score, s)
            have_s = ~np.isnan(s)
            if geometric:
                sums = np.log(np.where(have_s, 1.0 + 0.99 * s, 1.0)) @ wg
            else:
                sums = np.where(have_s, s, 0.0) @ wg
            numer[runs] = sums.reshape(z.shape[0], len(runs), GOALS).transpose(1, 0, 2)
        return numer, total, share


def _batches(a: np.ndarray, b: np.ndarray, geometric: bool) -> list[np.ndarray]:
    """The runs in batches of about CHUNK (GEOMETRIC_CHUNK) with close bounds shifts: geometric, by
    c = 1 + b − 100a (the series' variable) in strips of close b; arithmetic, in strips of
    close a, each by b."""
    n = len(a)
    count = -(-n // (GEOMETRIC_CHUNK if geometric else CHUNK))
    if geometric:  # strips of close b (the upper cut), each by c
        strips = max(1, min(GEOMETRIC_STRIPS, count))
        first, key = b, 1.0 + b - 100.0 * a
    else:
        strips = max(1, round(np.sqrt(count)))
        first, key = a, b
    out = []
    for strip in np.array_split(np.argsort(first, kind="stable"), strips):
        strip = strip[np.argsort(key[strip], kind="stable")]
        out += np.array_split(strip, max(1, round(count / strips)))
    return [x for x in out if len(x)]


def batch_index(values: np.ndarray, p: Profiles, base: Scores, groups: np.ndarray,
                lower: np.ndarray, upper: np.ndarray, weight: np.ndarray, m: Method
                ) -> np.ndarray:
    """Index scores of several runs (runs × areas) that share a method but not bounds or
    weights; the same rules as engine.score. Bounds are runs × indicators, or runs × areas ×
    indicators where areas have their own targets."""
    if lower.ndim == 2:
        lower, upper = lower[:, None], upper[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.clip((values[None] - lower) / (upper - lower) * 100, 0, 100)
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
