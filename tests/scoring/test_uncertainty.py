"""The Monte Carlo kernel against engine.score and against the plain, run-by-run form."""

from __future__ import annotations

import numpy as np
import pytest

from localsdg.scoring import uncertainty as u
from localsdg.scoring.engine import GOALS, Method, Profiles, score

AREAS, INDICATORS = 40, 60


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(7)
    lower, upper = rng.normal(0, 1, INDICATORS), rng.normal(0, 1, INDICATORS)
    upper = np.where(np.abs(upper - lower) < 0.2, lower + 1, upper)
    q = rng.uniform(-0.2, 1.2, (AREAS, INDICATORS))  # some beyond both bounds
    values = lower + q * (upper - lower)
    values[rng.random(values.shape) < 0.2] = np.nan
    older = values.copy()
    older[rng.random(values.shape) < 0.1] = np.nan
    p = Profiles.of(np.arange(INDICATORS) % GOALS + 1, lower, upper,
                    weight=rng.uniform(0.5, 2, INDICATORS),
                    impute=rng.random(INDICATORS) < 0.1, in_index=rng.random(INDICATORS) > 0.1)
    groups = np.sort(rng.integers(0, 4, AREAS)).astype(str)
    return {None: values, 5: older}, p, groups


METHODS = [Method(), Method(aggregation="geometric", missing_goal="group"),
           Method(decimals=3, max_missing=0.3), Method(aggregation="geometric", decimals=2)]


@pytest.mark.parametrize("method", METHODS)
def test_the_unvaried_run_is_engine_score(problem, method):
    values, p, groups = problem
    base = score(values[None], p, method, groups)
    d = u._draw(np.random.default_rng(0), u.Spread(), p, 3, set(), method)
    index, rank = u._Kernel(values, p, base, groups, method).runs(d)
    for i in range(3):
        np.testing.assert_allclose(index[i], base.index, rtol=0, atol=1e-9, equal_nan=True)
        np.testing.assert_array_equal(rank[i], base.rank)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("vary", [set(u.CHOICES), {"lower bounds"}, {"upper bounds"},
                                  {"weights"}, {"aggregation"}, {"missing data"}])
def test_the_kernel_equals_the_plain_runs(problem, method, vary):
    values, p, groups = problem
    base = score(values[None], p, method, groups)
    d = u._draw(np.random.default_rng(1), u.Spread(), p, 80, vary, method)
    index, _ = u._Kernel(values, p, base, groups, method).runs(d)
    plain, _ = u._runs(values, p, base, groups, d)
    np.testing.assert_allclose(index, plain, rtol=0, atol=1e-9, equal_nan=True)
    assert len({r.tobytes() for r in np.round(index, 6)}) > (1 if vary & {
        "lower bounds", "upper bounds", "weights"} else 0)  # real, different runs


def test_areas_with_their_own_targets(problem):
    """Per-area bounds (a municipality's own target) in the kernel, the plain runs and analyse."""
    values, p, groups = problem
    own = Profiles(**{**p.__dict__, "lower": np.tile(p.lower, (AREAS, 1)),
                      "upper": np.tile(p.upper, (AREAS, 1))})
    own.upper[3, :5] = own.lower[3, :5] + 2 * (p.upper[:5] - p.lower[:5])
    base = score(values[None], own, Method(), groups)
    d = u._draw(np.random.default_rng(2), u.Spread(), own, 60, set(u.CHOICES), Method())
    index, _ = u._Kernel(values, own, base, groups, Method()).runs(d)
    plain, _ = u._runs(values, own, base, groups, d)
    np.testing.assert_allclose(index, plain, rtol=0, atol=1e-9, equal_nan=True)
    unvaried = u._draw(np.random.default_rng(0), u.Spread(), own, 2, set(), Method())
    same, _ = u._Kernel(values, own, base, groups, Method()).runs(unvaried)
    np.testing.assert_allclose(same[0], base.index, rtol=0, atol=1e-9, equal_nan=True)
    assert u.analyse(values, own, Method(), base, groups, u.Spread(runs=100)).runs == 100


def test_analyse_gives_bands_and_sensitivity(problem):
    values, p, groups = problem
    base = score(values[None], p, Method(), groups)
    result = u.analyse(values, p, Method(), base, groups, u.Spread(runs=200))
    ok = ~np.isnan(base.index)
    assert result.runs == 200 and set(result.sensitivity) == set(u.CHOICES)
    assert (result.index[ok, 0] <= result.index[ok, 1]).all()
    assert (result.index[ok, 1] <= result.index[ok, 2]).all()
    assert (result.rank[ok, 0] >= 1).all()
