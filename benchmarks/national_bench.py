"""The national profile: time of `sync national`, coverage over all municipalities, the status of
a municipality not yet scored, and kept area pages under 20 concurrent clients.

Run with LOCALSDG_MIRROR and LOCALSDG_REFERENCE_DATA set (make bench sets both); it builds a
fresh SQLite database in a temporary folder."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from fastapi.testclient import TestClient

from localsdg.db.session import session_scope, upgrade
from localsdg.scoring.run import scored
from localsdg.sources.national import PROFILE_SET, sync_national
from localsdg.sources.reference import ensure_reference_data


def main() -> None:
    folder = tempfile.mkdtemp()
    url = f"sqlite:///{folder}/bench.sqlite"
    os.environ.update(LOCALSDG_DATABASE_URL=url, LOCALSDG_DATA_DIR=folder)
    upgrade(url)
    ensure_reference_data(url)  # framework, KS sets, areas, demo and national data
    with session_scope(url) as s:
        t = time.perf_counter()
        report = sync_national(s, "bench")
        print(f"sync national (again): {time.perf_counter() - t:.2f} s, "
              f"{len(report['loaded'])} loaded, {len(report['skipped'])} skipped "
              f"({', '.join(r['source'] for r in report['skipped'])})")
    for name, values in _coverage().items():
        print(f"{name} over {len(values)} municipalities: min {min(values)}, "
              f"median {statistics.median(values)}, max {max(values)}")
    from localsdg.web.app import create_app  # noqa: PLC0415 - after the environment is set
    client = TestClient(create_app())
    t = time.perf_counter()
    assert client.get("/kommune/1804").status_code == 200
    ms = 1000 * (time.perf_counter() - t)
    print(f"status page of a municipality not yet scored: {ms:.0f} ms")
    codes = ["1804", "4003", "0301", "4601", "5001"]
    for c in codes:
        client.get(f"/kommune/{c}")

    def one(i: int) -> float:
        t0 = time.perf_counter()
        client.get(f"/kommune/{codes[i % len(codes)]}")
        return 1000 * (time.perf_counter() - t0)
    with ThreadPoolExecutor(20) as pool:
        times = sorted(pool.map(one, range(2000)))
    print(f"kept area pages, 20 clients, 2000 requests: median {times[len(times) // 2]:.1f} ms, "
          f"p95 {times[int(len(times) * 0.95)]:.1f} ms")


def _coverage() -> dict[str, list[int]]:
    """Indicators with a value in the window and goals with a score, per municipality, from
    the comparison of all municipalities."""
    with session_scope() as s:
        r, _u = scored(s, PROFILE_SET, "all:municipality")
    return {"indicators with values": [int(x) for x in (~np.isnan(r.values)).sum(axis=1)],
            "goals covered": [int(x) for x in (~np.isnan(r.scores.goal)).sum(axis=1)]}


if __name__ == "__main__":
    main()
