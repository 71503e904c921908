"""Crosswalk speed and reach on the real catalog.

    uv run python benchmarks/crosswalk_bench.py [--database-url URL] [--runs N]

Loads the UN framework and KS's sets from the mirror (LOCALSDG_MIRROR) into a fresh SQLite
database (or uses URL when given, with the catalog already in it; its schema is brought up to
date first), then prints: the time to build every indicator's proposals (the text model built
once before, then the median of N builds), the pairs by kind, by confidence band and by kind of
evidence, the share of indicators and of sets with at least one proposal, the time of one
`similar()` call (median and p95 over 500 indicators, the crosswalk kept) and of the overlap
analysis. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics as st
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalog_bench import percentile  # noqa: E402
from real_catalog import real_catalog  # noqa: E402

from localsdg.catalog.analysis import overlaps  # noqa: E402
from localsdg.catalog.crosswalk import Proposal, all_proposals, build, similar  # noqa: E402
from localsdg.catalog.indicators import list_sets  # noqa: E402
from localsdg.catalog.similarity import text_model  # noqa: E402
from localsdg.db.session import session_scope  # noqa: E402

BANDS = (0.9, 0.7, 0.5, 0.3, 0.0)  # lower bounds of the confidence bands


def timed(work) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = work()
    return time.perf_counter() - t0, result


def pairs(walk: dict[tuple[str, str], list[Proposal]]) -> list[Proposal]:
    """Each pair once: the proposal seen from the end that sorts first."""
    return [p for own, found in walk.items() for p in found if own < (p.set_id, p.code)]


def band(confidence: float) -> str:
    low = next(b for b in BANDS if confidence >= b)
    return f">= {low:.1f}"


def report(url: str, runs: int) -> None:
    with session_scope(url) as s:
        model_time, _ = timed(lambda: text_model(s))
        builds = [timed(lambda: build(s))[0] for _ in range(runs)]
        walk = all_proposals(s)
        sets = {row["id"]: row["indicators"] for row in list_sets(s)}
        sample = random.Random(1).sample(list(walk), min(500, len(walk)))
        calls = [timed(lambda key=key: similar(s, *key))[0] * 1000 for key in sample]
        overlap_time, overlap = timed(lambda: overlaps(s))
    found = pairs(walk)
    print(f"catalog: {sum(sets.values())} indicators in {len(sets)} sets")
    print(f"text model built in {model_time:.2f} s; all proposals built in "
          f"{st.median(builds):.2f} s (median of {runs}, min {min(builds):.2f} s)")
    print(f"\n{len(found)} pairs proposed")
    for title, counts in (
            ("by kind", Counter(p.kind for p in found)),
            ("by confidence", Counter(band(p.confidence) for p in found)),
            ("by evidence", Counter(e["kind"] for p in found for e in p.evidence)),
            ("by status", Counter(p.status for p in found))):
        print(f"  {title}: " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))
    covered = {set_id for set_id, _ in walk}
    print(f"\ncoverage: {len(walk) / sum(sets.values()):.1%} of indicators, "
          f"{len(covered & set(sets))}/{len(sets)} sets have at least one proposal")
    print(f"similar(), {len(calls)} indicators, crosswalk kept: median {st.median(calls):.2f} ms, "
          f"p95 {percentile(calls, 95):.2f} ms")
    print(f"overlaps of all sets: {len(overlap['groups'])} groups of the same indicator, "
          f"{overlap_time * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a new SQLite file, catalog loaded")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with real_catalog(args.database_url) as url:
        report(url, args.runs)


if __name__ == "__main__":
    main()
