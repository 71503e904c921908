"""Scoring speed: 357 municipalities x 500 indicators x 15 years, and a 10,000-run uncertainty run.

    uv run python benchmarks/scoring_bench.py [--runs 10000] [--repeat 20]

A synthetic, seeded problem, no database: 357 areas in 15 counties (the subgroups), 500
indicators over goals 1..17 (half lower-is-better, a few imputed or dashboard-only), 2010-2024
values, ~15 % missing. Times (1) engine.score on the latest values plus trends.assess on the
cube, 2.7 million values (target < 100 ms; memory-bandwidth limit about 10 ms); (2)
uncertainty.analyse with Spread(runs=--runs) over {any year, last 5 years}, which also runs each
of the 7 choices alone, max(50, runs/10) runs each (target < 5 s); (3) peak memory: the kernel's
allocations traced by tracemalloc (NumPy reports its buffers to it) in an untimed pass, and the
growth of the process's peak resident size (getrusage maxrss) during the uncertainty analysis
(a traced second pass would take minutes). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics as st
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from localsdg.scoring import trends, uncertainty
from localsdg.scoring.engine import GOALS, Method, Profiles, score

AREAS, INDICATORS, COUNTIES = 357, 500, 15
YEARS = np.arange(2010, 2025)
YEAR = int(YEARS[-1])
MISSING = 0.15


def problem(rng: np.random.Generator) -> tuple[np.ndarray, Profiles, np.ndarray, np.ndarray]:
    """(cube areas x indicators x years, profiles, county of each area, trend window starts)."""
    centre = rng.lognormal(3, 1, INDICATORS)
    width = centre * rng.uniform(0.3, 0.8, INDICATORS) * rng.choice([-1, 1], INDICATORS)

    def value(q):  # quality 0 (worst) .. 1 (optimum) to the indicator's own unit
        return centre + (q - 0.5) * width
    base = rng.uniform(0.1, 0.9, (AREAS, 1, INDICATORS)) + rng.normal(0, 0.1, (AREAS, 1, 1))
    slope = rng.normal(0.01, 0.015, (AREAS, 1, INDICATORS))
    drift = slope * (YEARS - YEARS[0])[None, :, None] + rng.normal(0, 0.03, (AREAS, len(YEARS), 1))
    cube = np.ascontiguousarray(value(base + drift).transpose(0, 2, 1))  # areas x ind. x years
    cube[rng.random(cube.shape) < MISSING] = np.nan
    profiles = Profiles.of(np.arange(INDICATORS) % GOALS + 1, value(0.0), value(1.0),
                           green=value(0.8), red=value(0.4),
                           impute=rng.random(INDICATORS) < 0.05,
                           in_index=rng.random(INDICATORS) > 0.05)
    counties = np.sort(rng.integers(0, COUNTIES, AREAS)).astype(str)
    return cube, profiles, counties, rng.choice([YEAR - 5, 2015], INDICATORS)


def latest(cube: np.ndarray, window: int | None = None) -> np.ndarray:
    """Each series' latest value (within `window` years of YEAR when given)."""
    out = np.full(cube.shape[:2], np.nan)
    for k in range(len(YEARS) - 1, -1, -1):
        if window is not None and YEARS[k] <= YEAR - window:
            break
        out = np.where(np.isnan(out), cube[..., k], out)
    return out


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    call()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return times


def peak_mb(call: Callable[[], object]) -> float:
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def bench_kernel(cube, values, p, counties, trend_from, repeat: int) -> float:
    """Prints the kernel's timings; returns the peak it allocates (MB)."""
    def scores():
        return score(values[None], p, Method(), counties)

    base = scores()

    def assess(r=base):
        return trends.assess(cube, YEARS, p, trend_from, YEAR, "sdsn",
                             green_now=r.indicator_colour == 3)
    print(f"1. kernel, {repeat} timings after a warm-up (target < 100 ms):")
    for what, call in (("score (latest values)", scores), ("trends (the cube)", assess),
                       ("total", lambda: assess(scores()))):
        times = timed(call, repeat)
        print(f"  {what:22}: median {st.median(times) * 1000:6.1f} ms, "
              f"best {min(times) * 1000:6.1f} ms")
    return peak_mb(lambda: assess(scores()))


def bench_uncertainty(values, p, counties, runs: int) -> None:
    base = score(values[None], p, Method(), counties)
    alone = max(50, runs // 10) * len(uncertainty.CHOICES)
    t0 = time.perf_counter()
    uncertainty.analyse(values, p, Method(), base, counties, uncertainty.Spread(runs=runs))
    secs = time.perf_counter() - t0
    print(f"2. uncertainty, {runs:,} runs + {alone:,} one-choice runs (target < 5 s):")
    print(f"  total {secs:.2f} s; {secs / runs * 1000:.2f} ms per main run, "
          f"{secs / (runs + alone) * 1000:.2f} ms per run done, "
          f"{(runs + alone) / secs:,.0f} runs/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000, help="Monte Carlo runs (10,000)")
    parser.add_argument("--repeat", type=int, default=20, help="timings of the kernel (20)")
    args = parser.parse_args()
    print(f"Scoring kernel and uncertainty analysis on in-memory arrays; {os.cpu_count()} CPUs, "
          f"NumPy {np.__version__}, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}")
    cube, p, counties, trend_from = problem(np.random.default_rng(2030))
    values = {None: latest(cube), 5: latest(cube, 5)}
    print(f"{AREAS} areas x {INDICATORS} indicators x {len(YEARS)} years = {cube.size:,} values "
          f"({np.isnan(cube).mean():.0%} missing, {cube.nbytes / 2**20:.0f} MB), "
          f"{COUNTIES} counties")
    kernel_mb = bench_kernel(cube, values, p, counties, trend_from, args.repeat)
    rss0 = maxrss_mb()
    bench_uncertainty(values, p, counties, args.runs)
    rss1 = maxrss_mb()
    print(f"3. peak memory: kernel {kernel_mb:,.0f} MB allocated at most (tracemalloc)")
    print(f"  uncertainty: peak resident size (maxrss) {rss0:,.0f} -> {rss1:,.0f} MB "
          f"(+{rss1 - rss0:,.0f} MB)")


if __name__ == "__main__":
    main()
