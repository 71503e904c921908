"""Search quality and speed on the real catalog, over the judged query set.

    uv run python benchmarks/search_bench.py [--database-url URL] [--worst N]

Loads the UN framework and KS's sets from the mirror (LOCALSDG_MIRROR) and the areas from
../shared/data into a fresh SQLite database (or uses URL, with them in it already), runs every
query of tests/catalog/search_judgements.json, and prints nDCG@10 and recall@20 in all, by
language and by kind of query, the share of named sets and places shown, the worst queries,
and the time of each search (median and p95 of ten rounds). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics as st
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalog_bench import percentile  # noqa: E402
from real_catalog import real_catalog  # noqa: E402

from localsdg.catalog.index import get_index  # noqa: E402
from localsdg.catalog.search import Selection, search  # noqa: E402
from localsdg.db.session import session_scope  # noqa: E402
from tests.catalog.judgements import judged_queries, measure, summary  # noqa: E402


def report(url: str, worst: int) -> None:
    queries = judged_queries()
    with session_scope(url) as s:
        get_index(s)
        results = [measure(s, j) for j in queries]
        times = []
        for _ in range(10):
            for j in queries:
                t0 = time.perf_counter()
                search(s, Selection(j.q), limit=20)
                times.append((time.perf_counter() - t0) * 1000)
    print(f"{len(queries)} judged queries")
    for by in ("lang", "kind"):
        print(f"\nby {by}:   queries  nDCG@10  recall@20  sets shown  place first")
        for name, row in summary(results, by).items():
            print(f"  {name:<12} {row['queries']:>5}  " + "  ".join(
                f"{row[f]:>8.3f}" if f in row else f"{'–':>8}"
                for f in ("ndcg10", "recall20", "sets_found", "place_first")))
    print(f"\nthe {worst} weakest queries by nDCG@10:")
    scored = sorted((r for r in results if r.ndcg10 is not None), key=lambda r: r.ndcg10)
    for r in scored[:worst]:
        print(f"  {r.ndcg10:.3f}  {r.judged.q!r} ({r.judged.kind}, {r.judged.lang})")
    print(f"\nsearch with facet counts, {len(times)} runs: median {st.median(times):.1f} ms, "
          f"p95 {percentile(times, 95):.1f} ms, max {max(times):.1f} ms  (target p95 < 20 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a new SQLite file, catalog loaded")
    parser.add_argument("--worst", type=int, default=10)
    args = parser.parse_args()
    with real_catalog(args.database_url, areas=True) as url:
        report(url, args.worst)


if __name__ == "__main__":
    main()
