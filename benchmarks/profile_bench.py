"""Profile pages under load and the time to render one PDF report.

    uv run python benchmarks/profile_bench.py [--requests 1000] [--clients 20] [--data DIR]

Loads the UN framework, the KS sets and the demo data (../shared/data, or DIR) into a temporary
SQLite file, starts `localsdg serve` on a free localhost port, and asks once for every page so
that each profile set is scored (the cold time: scoring plus a 200-run uncertainty analysis),
then once for each page in each language (pages are kept rendered while the data is unchanged).
Then bounded requests for the profile pages of Telemark's 17 municipalities and Norway's
national page, in the three languages, from concurrent clients: the clients' time from sending to
the last byte, waiting behind the other clients included (the figure held to the target), and
the server's own time (its Server-Timing header, which leaves that wait out), median and 95th
percentile. Last, the PDF report of
Skien rendered in-process (content, the chart through vl-convert, Typst) in each language.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics as st
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from catalog_bench import percentile  # noqa: E402
from serving import load, served  # noqa: E402

from localsdg.db.session import session_scope, upgrade  # noqa: E402
from localsdg.reports import document  # noqa: E402
from localsdg.scoring.area_profile import build  # noqa: E402
from localsdg.sources.demo import load_demo  # noqa: E402
from localsdg.sources.ks_taxonomy import sync_ks_taxonomy  # noqa: E402
from localsdg.sources.un_framework import sync_framework  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
LANGS = ("nb", "nn", "en")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--data", type=Path, default=SHARED / "data")
    args = parser.parse_args()
    os.environ.setdefault("LOCALSDG_MIRROR", str(SHARED / "mirror"))
    rng = random.Random(2030)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        upgrade(url)
        for step in (sync_framework, sync_ks_taxonomy,
                     lambda s: load_demo(s, args.data, "benchmark")):
            with session_scope(url) as s:
                step(s)
        with session_scope(url) as s:
            codes = [p.code for p in build(s, "4003").peers]
        paths = [f"/kommune/{c}" for c in codes] + ["/land/NOR"]
        env = {"LOCALSDG_MIRROR": os.environ["LOCALSDG_MIRROR"]}
        with served(url, tmp, "/api/v1/sets", env) as base:
            cold = {}
            for path in ("/kommune/4003", "/land/NOR"):
                start = time.perf_counter()
                httpx.get(base + path, timeout=120).raise_for_status()
                cold[path] = (time.perf_counter() - start) * 1000
            for path in paths:  # the steady state: every page rendered once
                for lang in LANGS:
                    httpx.get(f"{base}{path}?lang={lang}", timeout=120).raise_for_status()
            urls = [f"{rng.choice(paths)}?lang={rng.choice(LANGS)}"
                    for _ in range(args.requests)]
            server, seen, wall = load(base, urls, args.clients)
            start = time.perf_counter()
            httpx.get(base + "/rapport/4003.pdf", timeout=60).raise_for_status()
            served_pdf = (time.perf_counter() - start) * 1000
        with session_scope(url) as s:
            profile = build(s, "4003")
        renders = []
        for _ in range(5):
            for lang in LANGS:
                start = time.perf_counter()
                document.pdf(profile, lang)
                renders.append((time.perf_counter() - start) * 1000)
    print("first request, scoring included: " + ", ".join(
        f"{p} {ms:.0f} ms" for p, ms in cold.items()))
    print(f"{len(server)} requests for {len(paths)} profile pages (Telemark's municipalities "
          f"and Norway, nb/nn/en) from {args.clients} concurrent clients")
    print(f"time seen by the clients (incl. waiting behind the others): median "
          f"{st.median(seen):.1f} ms, p95 {percentile(seen, 95):.1f} ms  (target p95 < 150 ms)")
    print(f"server's own time per page (Server-Timing): median {st.median(server):.1f} ms, "
          f"p95 {percentile(server, 95):.1f} ms")
    print(f"throughput: {len(server) / wall:.0f} requests/s")
    print(f"PDF report of Skien: median {st.median(renders):.0f} ms, slowest "
          f"{max(renders):.0f} ms over {len(renders)} renders (target < 3 s); "
          f"/rapport/4003.pdf from the server {served_pdf:.0f} ms")


if __name__ == "__main__":
    main()
