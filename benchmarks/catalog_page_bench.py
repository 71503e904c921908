"""Catalog page under load: 20 concurrent clients against a 10,000-indicator catalog.

    uv run python benchmarks/catalog_page_bench.py [--requests 1000] [--clients 20]

Builds the synthetic catalog of catalog_bench.py in a temporary SQLite file, starts
`localsdg serve` on a free localhost port, and sends bounded requests for /katalog with random
queries and filters (full pages and htmx partials). Prints the time seen by the clients, from
sending a request to its last byte, which includes waiting behind the other 19 clients (the
figure held to the target), and the server's own time from its Server-Timing header, which
starts when the app takes the request up and so leaves that wait out: median and 95th
percentile.
"""

from __future__ import annotations

import argparse
import random
import statistics as st
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).parent))
from catalog_bench import percentile, random_selection, synthetic_csv  # noqa: E402
from serving import load, served  # noqa: E402

from localsdg.catalog import files  # noqa: E402
from localsdg.catalog.index import get_index  # noqa: E402
from localsdg.db.session import session_scope, upgrade  # noqa: E402
from localsdg.sources.un_framework import sync_framework  # noqa: E402


def build(url: str, folder: Path, rng: random.Random) -> list[str]:
    upgrade(url)
    with session_scope(url) as s:
        sync_framework(s)
        targets = sorted(get_index(s).target_goal)
    csv_path = folder / "catalog.csv"
    synthetic_csv(csv_path, targets, rng)
    with session_scope(url) as s:
        files.import_file(s, csv_path, "benchmark")
    return targets


def page_url(rng: random.Random, targets: list[str]) -> str:
    sel = random_selection(rng, targets)
    params = [("q", sel.q)] + [(f, v) for f, vs in sel.filters.items() for v in vs]
    params += [("unclassified", u) for u in sel.unclassified]
    return "/katalog?" + urlencode(params)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(2030)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.sqlite'}"
        targets = build(url, folder, rng)
        with served(url, tmp, "/katalog") as base:
            urls = [page_url(rng, targets) for _ in range(args.requests)]
            server, seen, wall = load(base, urls, args.clients, htmx_every=2)
    print(f"catalog: 10000 indicators; {len(server)} requests for /katalog (half full pages, "
          f"half htmx partials) from {args.clients} concurrent clients")
    print(f"time seen by the clients (incl. waiting behind the others): median "
          f"{st.median(seen):.1f} ms, p95 {percentile(seen, 95):.1f} ms  (target p95 < 100 ms)")
    print(f"server's own time per page (Server-Timing): median {st.median(server):.1f} ms, "
          f"p95 {percentile(server, 95):.1f} ms")
    print(f"throughput: {len(server) / wall:.0f} requests/s")


if __name__ == "__main__":
    main()
