"""The national profile: time of `sync national`, coverage over all municipalities, the status of
a municipality not yet scored, and a kept area page under 20 concurrent clients (autocannon).

Run with LOCALSDG_MIRROR and LOCALSDG_REFERENCE_DATA set (make bench sets both); it builds a
fresh SQLite database in a temporary folder."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from serving import served  # noqa: E402

from localsdg.db.session import session_scope, upgrade  # noqa: E402
from localsdg.scoring.run import scored  # noqa: E402
from localsdg.sources.national import PROFILE_SET, sync_national  # noqa: E402
from localsdg.sources.reference import ensure_reference_data  # noqa: E402


def main() -> None:
    folder = tempfile.mkdtemp()
    url = f"sqlite:///{folder}/bench.sqlite"
    os.environ.update(LOCALSDG_DATABASE_URL=url, LOCALSDG_DATA_DIR=folder)
    upgrade(url)
    t = time.perf_counter()
    for line in ensure_reference_data(url):  # framework, KS sets, areas, demo, national
        print(f"  {line[:100]}")
    print(f"reference data on a fresh database (make serve's first start): "
          f"{time.perf_counter() - t:.1f} s")
    with session_scope(url) as s:
        t = time.perf_counter()
        report = sync_national(s, "bench")
        print(f"sync national (again): {time.perf_counter() - t:.2f} s, "
              f"{len(report['loaded'])} loaded, {len(report['skipped'])} skipped "
              f"({', '.join(r['source'] for r in report['skipped'])})")
    for name, values in _coverage().items():
        print(f"{name} over {len(values)} municipalities: min {min(values)}, "
              f"median {statistics.median(values)}, max {max(values)}")
    with served(url, folder, "/api/v1/sets") as base:  # as make serve runs it, not loading again
        with httpx.Client(base_url=base, timeout=60) as client:
            for label, path in (("first request after start", "/kommune/1804"),
                                ("another municipality not yet scored", "/kommune/4003"),
                                ("a third", "/kommune/5001"),
                                ("a county not yet scored", "/fylke/18")):
                t = time.perf_counter()
                assert client.get(path).status_code == 200
                print(f"status page, {label}: {1000 * (time.perf_counter() - t):.0f} ms")
        _load(base + "/kommune/1804")


def _load(url: str) -> None:
    """20 clients for 10 s on a kept page, with autocannon (npm, pinned in package-lock.json):
    a load tool outside Python, so the clients do not share the measured process's time."""
    tool = Path(__file__).resolve().parents[1] / "node_modules" / ".bin" / "autocannon"
    out = subprocess.run([str(tool), "-c", "20", "-d", "10", "-j", url], capture_output=True,
                         text=True, check=True).stdout
    latency = json.loads(out)["latency"]
    print(f"kept area page from the server, 20 clients for 10 s: median {latency['p50']} ms, "
          f"p97.5 {latency['p97_5']} ms, p99 {latency['p99']} ms")


def _coverage() -> dict[str, list[int]]:
    """Indicators with a value in the window, indicators with any value (older ones shown too)
    and goals with a score, per municipality, from the comparison of all municipalities."""
    with session_scope() as s:
        r, _u = scored(s, PROFILE_SET, "all:municipality")
    shown = [sum(1 for col in range(len(r.indicators)) if r.series.get((m.code, col)))
             for m in r.group.members]
    return {"indicators with values in the window": [int(x) for x in
                                                     (~np.isnan(r.values)).sum(axis=1)],
            "indicators with any value (older shown too)": shown,
            "goals scored": [int(x) for x in (~np.isnan(r.scores.goal)).sum(axis=1)]}


if __name__ == "__main__":
    main()
