"""Catalog page under load: 20 concurrent clients against a 10,000-indicator catalog.

    uv run python benchmarks/catalog_page_bench.py [--requests 1000] [--clients 20]

Builds the synthetic catalog of catalog_bench.py in a temporary SQLite file, starts
`localsdg serve` on a free localhost port, and sends bounded requests for /katalog with random
queries and filters (full pages and htmx partials). Prints the server's own time (from the
Server-Timing header) and the time seen by the clients: median and 95th percentile.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics as st
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from catalog_bench import percentile, random_selection, synthetic_csv  # noqa: E402

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


async def load(base: str, urls: list[str], clients: int) -> tuple[list[float], list[float]]:
    server, seen = [], []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for u in urls:
        queue.put_nowait(u)

    async def worker(client: httpx.AsyncClient, n: int) -> None:
        while not queue.empty():
            url = queue.get_nowait()
            headers = {"HX-Request": "true"} if n % 2 else {}
            start = time.perf_counter()
            r = await client.get(url, headers=headers)
            seen.append((time.perf_counter() - start) * 1000)
            r.raise_for_status()
            server.append(float(r.headers["Server-Timing"].split("dur=")[1]))

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await asyncio.gather(*(worker(client, n) for n in range(clients)))
    return server, seen


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
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {"LOCALSDG_DATABASE_URL": url, "LOCALSDG_DATA_DIR": tmp, "PATH": ""}
        cli = Path(sys.executable).with_name("localsdg")
        proc = subprocess.Popen([str(cli), "serve", "--port", str(port), "--no-load"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(150):
                try:
                    httpx.get(base + "/katalog", timeout=30).raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            urls = [page_url(rng, targets) for _ in range(args.requests)]
            start = time.perf_counter()
            server, seen = asyncio.run(load(base, urls, args.clients))
            wall = time.perf_counter() - start
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"catalog: 10000 indicators; {len(server)} requests for /katalog (half full pages, "
          f"half htmx partials) from {args.clients} concurrent clients")
    print(f"server time: median {st.median(server):.1f} ms, p95 {percentile(server, 95):.1f} ms"
          "  (target p95 < 100 ms)")
    print(f"client time (includes queueing behind the other clients): median "
          f"{st.median(seen):.1f} ms, p95 {percentile(seen, 95):.1f} ms")
    print(f"throughput: {len(server) / wall:.0f} requests/s")


if __name__ == "__main__":
    main()
