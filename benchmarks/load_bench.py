"""The server under load, as a municipality's shared server would meet it.

    uv run python benchmarks/load_bench.py [--seconds 60] [--clients 20] [--data DIR]
                                           [--engine sqlite|postgresql]

Loads what `make serve` loads (the UN framework, the KS sets, areas and demo data from
../shared/data or DIR, the national sources and profile, the example plans) into a temporary
SQLite file (or a new PostgreSQL database, dropped afterwards: server mode; LOCALSDG_BENCH_PG
names the server) and starts `localsdg serve` on a free localhost port. After one profile page
and the catalog page have been asked for once (the process's caches built), two measurements:

1. A burst: `--clients` clients at once, each asking for the status page of a different
   municipality that no one has asked for yet (each is scored and rendered anew, ~0.1 s of
   work), while two other clients ask for unrelated things (the front page, the catalog page,
   the list of sets, an API search) one after another for the burst's length. Time seen by the
   clients, from sending to the last byte. Targets: every burst page answered, p95 < 2 s;
   unrelated requests meanwhile p95 < 200 ms.
2. Runs of `--seconds` each at `--clients` clients on the catalog page, the profile pages
   (90 municipalities' pages over and over, so kept and not yet kept ones) and the API search:
   requests answered, answers other than 200 (target 0), median and p95.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics as st
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from catalog_bench import percentile  # noqa: E402
from data_bench import bench_database  # noqa: E402
from serving import load, loading, served  # noqa: E402

from localsdg.areas.store import list_areas  # noqa: E402
from localsdg.db.session import reading, upgrade  # noqa: E402
from localsdg.sources.reference import ensure_reference_data  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
UNRELATED = ["/", "/katalog", "/api/v1/sets", "/api/v1/indicators?q=klimagass"]
WORDS = ["klimagass", "fattigdom", "utdanning", "vann", "helse", "energi", "likestilling",
         "skog", "avfall", "sysselsetting", "bolig", "kollektivtransport"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--data", type=Path, default=SHARED / "data")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    os.environ.setdefault("LOCALSDG_MIRROR", str(SHARED / "mirror"))
    os.environ["LOCALSDG_REFERENCE_DATA"] = str(args.data)
    with bench_database(args.engine) as (url, folder):
        tmp = str(folder)
        os.environ["LOCALSDG_DATA_DIR"] = tmp
        start = time.perf_counter()
        upgrade(url)
        done = ensure_reference_data(url)
        print(f"reference data loaded in {time.perf_counter() - start:.0f} s: "
              + "; ".join(line[:60] for line in done))
        with reading(url) as s:  # today's municipalities, in a fixed shuffled order
            codes = sorted((a["code"] for a in list_areas(s, "municipality", "2024-01-01")),
                           key=lambda c: c[::-1])
        env = {k: os.environ[k] for k in ("LOCALSDG_MIRROR", "LOCALSDG_REFERENCE_DATA")}
        with served(url, tmp, "/api/v1/sets", env) as base:
            for path in (f"/kommune/{codes[0]}", "/katalog"):
                httpx.get(base + path, timeout=120).raise_for_status()
            burst(base, [f"/kommune/{c}" for c in codes[1:1 + args.clients]])
            pages = [f"/kommune/{c}" for c in codes[1 + args.clients:91 + args.clients]]
            for name, urls in (("catalog page", ["/katalog"]), ("profile pages", pages),
                               ("API search", [f"/api/v1/indicators?q={w}" for w in WORDS])):
                run(base, name, urls, args.clients, args.seconds)


def burst(base: str, pages: list[str]) -> None:
    errors: list[str] = []

    async def both():
        return await asyncio.gather(loading(base, pages, len(pages), errors=errors),
                                    loading(base, UNRELATED, 2, seconds=2.5, errors=errors))
    (_s, cold), (_u, other) = asyncio.run(both())
    print(f"burst: {len(cold)} clients at once, each a different municipality's page not yet "
          f"asked for: {len(cold)} answered; median {st.median(cold):.0f} ms, p95 "
          f"{percentile(cold, 95):.0f} ms, slowest {max(cold):.0f} ms (target p95 < 2000 ms)")
    print(f"  meanwhile {len(other)} unrelated requests: median {st.median(other):.0f} ms, "
          f"p95 {percentile(other, 95):.0f} ms (target p95 < 200 ms); answers other than 200: "
          f"{len(errors)} {errors[:3]}")


def run(base: str, name: str, urls: list[str], clients: int, seconds: float) -> None:
    errors: list[str] = []
    server, seen, wall = load(base, urls, clients, seconds=seconds, errors=errors)
    print(f"{name}: {len(seen)} requests in {wall:.0f} s from {clients} clients "
          f"({len(seen) / wall:.0f}/s); answers other than 200: {len(errors)} {errors[:3]}; "
          f"client median {st.median(seen):.0f} ms, p95 {percentile(seen, 95):.0f} ms; "
          f"server p95 {percentile(server, 95):.0f} ms")


if __name__ == "__main__":
    main()
