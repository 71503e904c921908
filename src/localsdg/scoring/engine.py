"""The scoring kernel: arrays in, arrays out, no database.

Areas are rows, indicators are columns. A missing value is NaN. Every rule a method can vary
(aggregation, minimum data per goal, filling a missing goal from the area's group, rounding,
ranking only areas with enough data) is a field of `Method`, so one kernel serves SDSN's SDG
Index, a municipality's own profile and each run of the uncertainty analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

GOALS = 17
# Dashboard colours, worst to best; -1 is "information unavailable".
COLOURS = ("red", "orange", "yellow", "green")
UNAVAILABLE = -1


def colour_name(i: int) -> str | None:
    """The dashboard colour of an engine colour index; None where there is none."""
    return COLOURS[i] if i >= 0 else None


@dataclass(frozen=True)
class Method:
    """How scores are aggregated and what happens to missing data."""

    aggregation: str = "arithmetic"  # or "geometric", for goal scores and the index
    min_share: float = 1 / 3  # a goal needs at least this share of its indicators' weight
    missing_goal: str = "exclude"  # or "group": a missing goal takes the area's group mean
    max_missing: float | None = None  # no index or rank above this share of missing indicators
    min_goals: int | None = None  # no index or rank with fewer goals scored than this
    decimals: int | None = None  # round normalised scores (as a publisher did) before averaging
    # A goal's colour needs half the indicators on the area's dashboard rated (SDSN's rule:
    # "dashboard"), or half of those counted in the goal score ("index"), so that figures
    # shown only as background do not take the colour away.
    colour_from: str = "dashboard"

    def __post_init__(self) -> None:
        if self.aggregation not in ("arithmetic", "geometric"):
            raise ValueError(f"aggregation must be arithmetic or geometric, not "
                             f"'{self.aggregation}'")
        if self.missing_goal not in ("exclude", "group"):
            raise ValueError(f"missing_goal must be exclude or group, not '{self.missing_goal}'")
        if self.colour_from not in ("dashboard", "index"):
            raise ValueError(f"colour_from must be dashboard or index, not '{self.colour_from}'")


@dataclass
class Profiles:
    """Per indicator (arrays of equal length): bounds, thresholds, weight and rules."""

    goal: np.ndarray  # 1..17
    lower: np.ndarray  # value scored 0
    upper: np.ndarray  # value scored 100 (optimum or target); upper < lower: lower is better
    green: np.ndarray  # value from which the indicator is green (NaN: no colour)
    red: np.ndarray  # value beyond which it is red
    weight: np.ndarray
    impute: np.ndarray  # bool: a missing score takes the mean score of the area's group
    in_index: np.ndarray  # bool: counts in goal scores and index (else dashboard only)
    yellow: np.ndarray | None = None  # where yellow turns orange (NaN: half way red → green)
    shown: np.ndarray | None = None  # areas × indicators bool: on the area's dashboard (all)

    @classmethod
    def of(cls, goal, lower, upper, green=None, red=None, weight=None, impute=None,
           in_index=None, yellow=None) -> Profiles:
        n = len(goal)

        def arr(v, fill, dtype=float):
            return np.full(n, fill, dtype=dtype) if v is None else np.asarray(v, dtype=dtype)
        return cls(np.asarray(goal, dtype=np.int16), arr(lower, np.nan), arr(upper, np.nan),
                   arr(green, np.nan), arr(red, np.nan), arr(weight, 1.0),
                   arr(impute, False, bool), arr(in_index, True, bool), arr(yellow, np.nan))

    def split(self) -> np.ndarray:
        """Where yellow turns orange, on the 0 (red) … 1 (green) scale of `colours`."""
        if self.yellow is None:
            return np.full(self.goal.shape, 0.5)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(np.isnan(self.yellow), 0.5,
                            (self.yellow - self.red) / (self.green - self.red))


@dataclass
class Scores:
    indicator: np.ndarray  # areas × indicators, 0–100, NaN where unavailable
    given: np.ndarray  # bool: the score was given by the source, not computed from a value
    imputed: np.ndarray  # bool: the score is the group's mean
    goal: np.ndarray  # areas × 17, NaN where the goal has too little data
    goal_share: np.ndarray  # areas × 17: share of the goal's indicator weight with data
    goal_filled: np.ndarray  # bool: the goal score is the group's mean
    index: np.ndarray  # areas; NaN where the area has too little data
    rank: np.ndarray  # areas; 1 = best, ties share the rank; NaN: not ranked
    missing_share: np.ndarray  # areas: share of index indicators without data
    indicator_colour: np.ndarray  # areas × indicators: 0 red … 3 green, -1 unavailable
    goal_colour: np.ndarray  # areas × 17
    group_goal: dict = field(default_factory=dict)  # group → its 17 mean goal scores


def normalise(values: np.ndarray, p: Profiles, decimals: int | None = None) -> np.ndarray:
    """Rescale to 0–100 between the lower bound (0) and the optimum (100), capped at both ends."""
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.clip((values - p.lower) / (p.upper - p.lower) * 100.0, 0.0, 100.0) + 0.0  # no -0
    return s if decimals is None else round_half_up(s, decimals)


def round_half_up(x: np.ndarray, decimals: int) -> np.ndarray:
    """Round halves away from zero, as statistical packages do (NumPy rounds them to even)."""
    f = 10.0 ** decimals
    return np.sign(x) * np.floor(np.abs(x) * f + 0.5) / f


def colours(values: np.ndarray, p: Profiles) -> np.ndarray:
    """Green at or beyond the green threshold, red beyond the red one; between them yellow from
    the yellow threshold (default: half way), orange before it. The direction follows the
    thresholds."""
    with np.errstate(invalid="ignore", divide="ignore"):
        pos = (values - p.red) / (p.green - p.red)  # 1 at green, 0 at red, whatever direction
    out = (pos >= 0).astype(np.int8) + (pos >= p.split()) + (pos >= 1)
    out[np.isnan(pos)] = UNAVAILABLE
    return out


def goal_matrix(p: Profiles, index_only: bool = False) -> np.ndarray:
    """Indicators × 17: 1 where the indicator belongs to the goal."""
    m = (p.goal[:, None] == np.arange(1, GOALS + 1)[None, :]).astype(float)
    return m * p.in_index[:, None] if index_only else m


def ratings(values: np.ndarray, p: Profiles) -> np.ndarray:
    """Each value on a continuous 0–4 scale: 0 at the lower bound, 1 at the red threshold, 2 at
    the yellow one, 3 at the green threshold, 4 at the optimum (NaN where there is no value)."""
    sign = np.where(p.upper < p.lower, -1.0, 1.0)
    x, low, red, green, top = values * sign, p.lower * sign, p.red * sign, p.green * sign, \
        p.upper * sign
    knots = np.broadcast_arrays(low, red, red + p.split() * (green - red), green, top)
    with np.errstate(invalid="ignore", divide="ignore"):
        parts = [k + (x - knots[k]) / (knots[k + 1] - knots[k]) for k in range(4)]
    v = np.select([x < knots[1], x < knots[2], x < knots[3]], parts[:3], default=parts[3])
    return np.where(np.isnan(x), np.nan, np.clip(v, 0.0, 4.0))


def goal_colours(values: np.ndarray, ind_colour: np.ndarray, p: Profiles,
                 shown: np.ndarray) -> np.ndarray:
    """A goal's colour from its two worst-rated indicators (SDSN's dashboard rule): the mean of
    their ratings rounded down; green only if both are green, red only if both are red; one
    rated indicator rates the goal alone; unavailable when fewer than half the goal's
    indicators shown to the area are rated."""
    v = np.where(ind_colour >= 0, ratings(values, p), np.inf)
    out = np.full((values.shape[0], GOALS), UNAVAILABLE, dtype=np.int8)
    for g in range(1, GOALS + 1):
        cols = p.goal == g
        if not cols.any():
            continue
        sub = v[:, cols]
        rated = np.isfinite(sub).sum(axis=1)
        two = np.sort(sub, axis=1)[:, :2] if sub.shape[1] > 1 else np.repeat(sub, 2, axis=1)
        two = np.where(np.isfinite(two[:, 1:]), two, two[:, :1])  # one rated: it rates alone
        with np.errstate(invalid="ignore"):
            c = np.minimum(np.floor(two.mean(axis=1)), 3)
        c = np.where((c == 3) & (two.min(axis=1) < 3), 2, c)
        c = np.where((c == 0) & (two.max(axis=1) >= 1), 1, c)
        enough = rated >= 0.5 * shown[:, cols].sum(axis=1)
        out[:, g - 1] = np.where((rated > 0) & enough, c, UNAVAILABLE)
    return out


def group_means(scores: np.ndarray, groups: np.ndarray, counted: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """(distinct groups, their column means over the counted members with a value)."""
    keys, inverse = np.unique(groups, return_inverse=True)
    member = ((inverse[None, :] == np.arange(len(keys))[:, None]) & counted[None, :]).astype(float)
    have = ~np.isnan(scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        return keys, (member @ np.where(have, scores, 0.0)) / (member @ have.astype(float))


def _fill_from_group(scores: np.ndarray, groups: np.ndarray, columns: np.ndarray,
                     counted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Missing values of the chosen columns take the mean of the counted members of their group;
    returns (filled, which)."""
    keys, means = group_means(scores, groups, counted)
    per_area = means[np.searchsorted(keys, groups)]
    filled = np.isnan(scores) & columns[None, :] & ~np.isnan(per_area)
    return np.where(filled, per_area, scores), filled


def weighted_mean(scores: np.ndarray, weights: np.ndarray, geometric: bool) -> np.ndarray:
    """Means over the last axis's available values; NaN where there are none. `weights` is a
    vector (one mean per row) or a columns × outputs matrix (one mean per row and output;
    stacked runs × columns × outputs with scores of runs × rows × columns).

    The geometric mean is taken on the scores moved onto 1–100 and moved back, as the OECD/JRC
    handbook on composite indicators advises, so that one score of 0 does not make it 0."""
    have = ~np.isnan(scores)
    w = weights if weights.ndim >= 2 else weights[:, None]
    total = have.astype(float) @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        if geometric:
            logs = np.log(np.where(have, 1.0 + 0.99 * scores, 1.0))
            out = (np.exp((logs @ w) / total) - 1.0) / 0.99
        else:
            out = (np.where(have, scores, 0.0) @ w) / total
    return out if weights.ndim >= 2 else out[..., 0]


def goal_scores(s: np.ndarray, p: Profiles, m: Method, imputed: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """(goal scores, share of each goal's weight with data), areas × 17. Imputed scores count
    in the mean but not as data: a goal needs its minimum share of real values."""
    data = ~np.isnan(s) if imputed is None else ~np.isnan(s) & ~imputed
    w = goal_matrix(p, index_only=True) * p.weight[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (data.astype(float) @ w) / w.sum(axis=0)
    goal = weighted_mean(s, w, m.aggregation == "geometric")
    return np.where(share >= m.min_share - 1e-12, goal, np.nan), np.nan_to_num(share)


def _value_of_score(s: np.ndarray, p: Profiles) -> np.ndarray:
    """The value a score stands for (inside the bounds), to rate a score given without value."""
    return p.lower + s / 100.0 * (p.upper - p.lower)


RANK_DECIMALS = 9  # scores equal to 9 decimals are equal: sums in another order differ in the 15th


def ranks(index: np.ndarray) -> np.ndarray:
    """Competition ranks, best first: equal scores share a rank and the next rank skips."""
    out = np.full(index.shape, np.nan)
    ok = ~np.isnan(index)
    vals = np.round(index[ok], RANK_DECIMALS)
    out[ok] = np.searchsorted(np.sort(-vals), -vals, side="left") + 1.0
    return out


def score(values: np.ndarray, p: Profiles, m: Method, groups: np.ndarray | None = None,
          given: np.ndarray | None = None) -> Scores:
    """Everything for one set of areas: indicator, goal and index scores, ranks and colours.

    `values` are the raw values (areas × indicators); `given` holds scores a source published
    without the value behind them (used as given, NaN elsewhere); `groups` names each area's
    group (e.g. SDSN's regions) for the rules that fill from the group."""
    n_areas = values.shape[0]
    groups = np.zeros(n_areas, dtype=np.int64) if groups is None else np.asarray(groups)
    s = normalise(values, p, m.decimals)
    used_given = np.zeros(s.shape, dtype=bool)
    if given is not None:
        used_given = np.isnan(s) & ~np.isnan(given)
        s = np.where(used_given, given, s)
    idx_cols = p.in_index
    missing = np.isnan(s[:, idx_cols]).mean(axis=1) if idx_cols.any() else np.ones(n_areas)
    # Areas with too little data get no index and do not count in their group's means.
    counted = np.ones(n_areas, dtype=bool) if m.max_missing is None else \
        missing <= m.max_missing + 1e-12
    s, imputed = _fill_from_group(s, groups, p.impute, counted) if p.impute.any() else \
        (s, np.zeros(s.shape, dtype=bool))
    goal, share = goal_scores(s, p, m, imputed)
    keys, gmeans = group_means(goal, groups, counted)
    filled = np.zeros(goal.shape, dtype=bool)
    present = np.array([((p.goal == g) & p.in_index).any() for g in range(1, GOALS + 1)])
    full = goal
    if m.missing_goal == "group":
        full, filled = _fill_from_group(goal, groups, present, counted)
    index = weighted_mean(full[:, present], np.ones(present.sum()),
                           m.aggregation == "geometric")
    if m.min_goals is not None:
        counted &= (~np.isnan(goal)).sum(axis=1) >= m.min_goals
    index = np.where(counted, index, np.nan)
    shown = np.ones(values.shape, dtype=bool) if p.shown is None else p.shown
    rated = np.where(used_given, _value_of_score(s, p), values)  # a given score: its value
    ind_colour = np.where(shown, colours(rated, p), UNAVAILABLE).astype(np.int8)
    judged = shown & p.in_index[None, :] if m.colour_from == "index" else shown
    return Scores(indicator=s, given=used_given, imputed=imputed, goal=goal, goal_share=share,
                  goal_filled=filled, index=index, rank=ranks(index), missing_share=missing,
                  indicator_colour=ind_colour,
                  goal_colour=goal_colours(rated, np.where(judged, ind_colour, UNAVAILABLE),
                                           p, judged),
                  group_goal={k: gmeans[i] for i, k in enumerate(keys)})
