"""Trends: is an area on track to reach the optimum (or its target) by 2030?

Two methods, chosen per profile set (`method["trend"]`):

- "sdsn" (SDSN's trend dashboards): the score's linear annual change between the first value
  in the trend window (from the profile's `trend_from`, else five years back) and the latest,
  against the annual change needed from that first value to reach the green threshold by 2030
  (scores here are not capped at 0). On track when the change needed is met, or when the value
  scored is green already (maintaining achievement); moderately improving at half of it or
  more; stagnating at no change or a little; decreasing when the score goes down.
- "cagr" (Statistics Canada's method, used by Open SDG 2.4): the compound annual growth rate of
  the value against the rate needed to reach the target by 2030 (ratio ≥ 0.95 on track,
  ≥ 0.6 moderately improving, ≥ 0 stagnating, else decreasing); without a target the rate
  alone in the good direction (≥ 1 % on track, ≥ 0.5 % moderately, ≥ 0 stagnating).

Every series is also projected to 2030 along the straight line fitted to the window's values.
A goal's trend is the mean of its index indicators' arrows (4 = on track … 1 = decreasing),
rounded half down. All of it runs on areas × indicators × years arrays.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from localsdg.scoring.engine import GOALS, Profiles, goal_matrix

ARROWS = ("decreasing", "stagnating", "moderately_improving", "on_track")  # codes 0..3
NONE = -1
END = 2030
PROJECTION = "the straight line through the window's values, continued to 2030"


@dataclass
class Trends:
    method: str
    arrow: np.ndarray  # areas × indicators: 0..3 (ARROWS), -1 unavailable
    start_year: np.ndarray  # the window's first and last year with a value (0: no change
    # measured, as for a value that is green already in its only year)
    end_year: np.ndarray
    start: np.ndarray  # the values in those years
    end: np.ndarray
    observed: np.ndarray  # annual change (score points; growth rate for cagr)
    needed: np.ndarray
    projection: np.ndarray  # the value in 2030 if the straight line goes on
    goal: np.ndarray  # areas × 17: 0..3, -1 unavailable

    def name(self, code: int) -> str | None:
        return ARROWS[code] if code >= 0 else None


def assess(values: np.ndarray, years: np.ndarray, p: Profiles, trend_from: np.ndarray,
           year: int, method: str, target: np.ndarray | None = None,
           green_now: np.ndarray | None = None) -> Trends:
    """`values` is areas × indicators × years (NaN: no value); `trend_from` the first year of
    each indicator's window; `target` the target values (cagr); `green_now` where the value
    scored is green already (SDSN: on track, maintaining achievement)."""
    s = _summary(values, years, trend_from)
    y0, y1, x0, x1 = s.y0, s.y1, s.x0, s.x1
    measured = (s.count >= 2) & (y1 > y0)  # a change can be measured: two years or more
    if method == "cagr":
        arrow, observed, needed = _cagr(x0, x1, y0, y1, p, target)
    else:
        arrow, observed, needed = _sdsn(x0, x1, y0, y1, p)
    ok = measured
    if green_now is not None and method != "cagr":
        arrow = np.where(green_now, 3, arrow)
        ok = ok | green_now  # maintaining achievement, with or without a measured change
    arrow = np.where(ok, arrow, NONE).astype(np.int8)
    return Trends(method, arrow, np.where(measured, y0, 0).astype(int),
                  np.where(measured, y1, 0).astype(int), np.where(measured, x0, np.nan),
                  np.where(measured, x1, np.nan), np.where(measured, observed, np.nan),
                  np.where(measured, needed, np.nan), np.where(measured, s.projection, np.nan),
                  goal_arrows(arrow, p))


def _scale(x: np.ndarray, p: Profiles) -> np.ndarray:
    """The score scale without capping: below the lower bound goes below 0, so a series that
    worsens out there still shows as decreasing."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x - p.lower) / (p.upper - p.lower) * 100.0


def _sdsn(x0, x1, y0, y1, p: Profiles):
    s0, s1 = _scale(x0, p), _scale(x1, p)
    goal = np.where(np.isnan(p.green), 100.0, _scale(np.broadcast_to(p.green, x0.shape), p))
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = (s1 - s0) / (y1 - y0)
        needed = (goal - s0) / (END - y0)
    arrow = np.select([observed >= needed, observed >= needed / 2, observed >= 0],
                      [3, 2, 1], default=0)
    return arrow, observed, needed


def _cagr(x0, x1, y0, y1, p: Profiles, target):
    up = ~(p.upper < p.lower)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = (x1 / x0) ** (1 / (y1 - y0)) - 1
        goal = p.upper if target is None else np.where(np.isnan(target), p.upper, target)
        needed = (goal / x0) ** (1 / (END - y0)) - 1
        ratio = observed / needed
    good = np.where(up, observed, -observed)
    with_target = np.select([ratio >= 0.95, ratio >= 0.6, ratio >= 0], [3, 2, 1], default=0)
    without = np.select([good >= 0.01, good >= 0.005, good >= 0], [3, 2, 1], default=0)
    has_target = np.isfinite(needed) & (needed != 0)
    arrow = np.where(has_target, with_target, without)
    arrow = np.where((x0 > 0) & (x1 > 0), arrow, NONE)
    return arrow, observed, np.where(has_target, needed, np.nan)


@dataclass
class _Series:
    """What the trend rules need of each series (areas × indicators)."""

    count: np.ndarray  # values in the window
    y0: np.ndarray  # the first and last year with a value (argmax's answer where none)
    y1: np.ndarray
    x0: np.ndarray  # the values in those years
    x1: np.ndarray
    projection: np.ndarray  # the least-squares line's value in 2030


PATTERN_YEARS = 16  # up to this many years a series' years with a value are read as one number


def _summary(values: np.ndarray, years: np.ndarray, trend_from: np.ndarray) -> _Series:
    """One pass over the cube. The series' pattern of years with a value (a bit per year) gives
    the count, the first and last year and the sums of the years (x) and their squares for the
    least-squares line from a table of all patterns; only the sums of the values (y) and of x·y
    are taken from the cube. The sums are taken in the same order as numpy's along the year
    axis, so the line is the same to the last bit."""
    t = values.shape[2]
    valid = ~np.isnan(values)
    valid &= (years[None, :] >= trend_from[:, None])[None]
    if t <= PATTERN_YEARS:
        code = valid.reshape(-1, t).astype(float) @ 2.0 ** np.arange(t)  # exact below 2**53
        code = code.astype(np.intp).reshape(valid.shape[:2])
        count, first, last, sx, sxx = (table[code] for table in _patterns(
            tuple(int(y) for y in years)))
    else:
        count = valid.sum(axis=2)
        first = np.argmax(valid, axis=2)
        last = t - 1 - np.argmax(valid[:, :, ::-1], axis=2)
        x = np.where(valid, years[None, None, :] - END, 0.0)
        sx, sxx = x.sum(axis=2), (x * x).sum(axis=2)
    y = np.where(valid, values, 0.0)
    sy = y.sum(axis=2)
    y *= years - END  # x·y (0 where there is no value)
    sxy = y.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = (count * sxy - sx * sy) / (count * sxx - sx * sx)
        projection = (sy - slope * sx) / count  # the intercept: the line's value at 2030
    x0 = np.take_along_axis(values, first[..., None], axis=2)[..., 0]
    x1 = np.take_along_axis(values, last[..., None], axis=2)[..., 0]
    return _Series(count, years[first].astype(float), years[last].astype(float), x0, x1,
                   projection)


@functools.lru_cache(maxsize=16)
def _patterns(years: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """For every pattern of years with a value (bit k: years[k]): count, first and last year's
    position (as argmax gives them: 0 and the last position when there is none), Σx and Σx²
    with x = year − 2030 (integers, so exact whatever the order)."""
    t = len(years)
    bits = (np.arange(2 ** t)[:, None] >> np.arange(t)[None, :]) & 1 == 1
    x = np.where(bits, np.array(years, dtype=float) - END, 0.0)
    return (bits.sum(axis=1), np.argmax(bits, axis=1), t - 1 - np.argmax(bits[:, ::-1], axis=1),
            x.sum(axis=1), (x * x).sum(axis=1))


def goal_arrows(arrow: np.ndarray, p: Profiles) -> np.ndarray:
    """The mean of each goal's index indicators' arrows (1..4), rounded half down."""
    g = goal_matrix(p, index_only=True)
    have = (arrow >= 0).astype(float)
    total = have @ g
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (np.where(arrow >= 0, arrow + 1.0, 0.0) @ g) / total
    out = np.ceil(mean - 0.5) - 1
    return np.where(total > 0, out, NONE).astype(np.int8).reshape(-1, GOALS)
