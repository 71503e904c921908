"""Plans: the time of the plan page, the measure page and the follow-up report (PDF, HTML,
Excel), for an example plan and for a large plan (40 measures, each with three indicators and
two budget lines, 10 local targets on series with data), the JSON and Excel round trips, and
the smallest good indicator set with all 169 targets (and the 17 goals) as priorities.

Run with LOCALSDG_MIRROR and LOCALSDG_REFERENCE_DATA set (make bench sets both); it builds a
fresh SQLite database in a temporary folder as make serve does, examples included."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))
from serving import served  # noqa: E402

from localsdg.db.schema import Target  # noqa: E402
from localsdg.db.session import session_scope, upgrade  # noqa: E402
from localsdg.observations.series import area_overview  # noqa: E402
from localsdg.planning import store  # noqa: E402
from localsdg.planning.selection import choose  # noqa: E402
from localsdg.sources.plan_files import (  # noqa: E402
    import_bytes,
    read_workbook,
    write_json,
    write_workbook,
)
from localsdg.sources.reference import ensure_reference_data  # noqa: E402

AREA = "4003"  # Skien: the demo's Telemark series give local targets a history


def main() -> None:
    folder = tempfile.mkdtemp()
    url = f"sqlite:///{folder}/bench.sqlite"
    os.environ.update(LOCALSDG_DATABASE_URL=url, LOCALSDG_DATA_DIR=folder)
    upgrade(url)
    for line in ensure_reference_data(url):
        print(f"  {line[:100]}")
    with session_scope(url) as s:
        example = store.find(s, "1103").id
        large = store.save(s, _large(s), "bench")
        plan = store.get(s, large).plan
    _round_trips(url, plan)
    _selection(url)
    with served(url, folder, "/api/v1/sets") as base, \
            httpx.Client(base_url=base, timeout=120) as client:
        for label, plan_id in (("example plan (Stavanger, 3 measures)", example),
                               ("large plan (40 measures, 10 targets)", large)):
            _time(client, f"plan page, {label}", f"/plan/{plan_id}")
            _time(client, f"measure page, {label}",
                  f"/plan/{plan_id}/tiltak/{'S1' if plan_id == example else 'M1'}")
            for fmt in ("pdf", "html", "xlsx"):
                _time(client, f"follow-up report {fmt}, {label}",
                      f"/plan/{plan_id}/rapport.{fmt}", runs=3)


def _large(session) -> dict:
    refs = [f"{r['set_id']}/{r['code']}" for r in area_overview(session, "municipality", AREA)
            if r["value"] is not None][:12]
    steps = ["input", "process", "output", "outcome", "impact"]
    return {"area": AREA, "name": "Benchmark: stor plan",
            "priorities": [{"goal": g, "importance": 1 + g % 5, "influence": 1 + (g * 3) % 5}
                           for g in range(1, 18)],
            "interactions": [{"from": str(g), "to": str(g % 17 + 1), "score": g % 7 - 3}
                             for g in range(1, 18)],
            "targets": [{"indicator": ref, "value": 100, "year": 2030} for ref in refs[:10]],
            "measures": [{"id": f"M{i}", "title": f"Tiltak {i}", "targets": ["11.2", "13.2"],
                          "indicators": [{"indicator": refs[(i + k) % len(refs)],
                                          "step": steps[(i + k) % 5]} for k in range(3)],
                          "budget": [{"year": 2026 + k, "amount": 100_000 * (i + 1),
                                      "goals": {str(1 + i % 17): 0.5,
                                                str(1 + (i + 5) % 17): 0.5}}
                                     for k in range(2)]} for i in range(1, 41)]}


def _round_trips(url: str, plan) -> None:
    t = time.perf_counter()
    raw = write_json(plan)
    json_ms = 1000 * (time.perf_counter() - t)
    t = time.perf_counter()
    book = write_workbook(plan)
    xlsx_ms = 1000 * (time.perf_counter() - t)
    t = time.perf_counter()
    read_workbook(book, "plan.xlsx")
    read_ms = 1000 * (time.perf_counter() - t)
    with session_scope(url) as s:
        t = time.perf_counter()
        import_bytes(s, raw, "plan.json", "bench")
        import_ms = 1000 * (time.perf_counter() - t)
    print(f"large plan: JSON {len(raw) // 1024} KB written in {json_ms:.0f} ms, imported "
          f"(checked whole and stored) in {import_ms:.0f} ms; workbook {len(book) // 1024} KB "
          f"written in {xlsx_ms:.0f} ms, read in {read_ms:.0f} ms")


def _selection(url: str) -> None:
    with session_scope(url) as s:
        targets = list(s.scalars(select(Target.code)))
        for label, priorities, area in (
                ("169 targets", targets, None), ("169 targets, for Skien", targets, AREA),
                ("169 targets and 17 goals", targets + [str(g) for g in range(1, 18)], None)):
            times = []
            for _ in range(5):
                found = choose(s, priorities, area)
                times.append(1000 * found.seconds)
            print(f"smallest indicator set, {label}: median {statistics.median(times):.0f} ms, "
                  f"{len(found.chosen)} indicators from {found.candidates} candidates, "
                  f"{len(found.gaps)} priorities not covered")


def _time(client: httpx.Client, label: str, path: str, runs: int = 7) -> None:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(path)
        times.append(1000 * (time.perf_counter() - t))
        assert response.status_code == 200, (path, response.status_code)
    print(f"{label}: median {statistics.median(times):.0f} ms, first {times[0]:.0f} ms, "
          f"{len(response.content) // 1024} KB")


if __name__ == "__main__":
    main()
