"""Observation data speed: import of ~1 million rows from a tidy CSV, and reading one indicator.

    uv run python benchmarks/data_bench.py [--engine sqlite|postgresql|both] [--rows 1000000]

For each engine, in a fresh database (a temp SQLite file, or a new PostgreSQL database that is
dropped afterwards; LOCALSDG_BENCH_PG names the server, default postgres@127.0.0.1:5432/test),
loads the UN framework and the areas, then:

1. writes a tidy CSV like SSB's (';', decimal commas, '..' for a few missing values): the 357
   current municipalities from KLASS x the years 1990-2026 x 3 sexes. That block is only 39,627
   rows, so to reach --rows the file carries the block for several UN indicators, told apart
   by an `indikator` column and sent to them through the mapping's indicator column (one block:
   no such column, straight into un-global/13.2.2). Imports it with the tabular importer,
   timing it; then the same rows once more through the driver alone (the database's own
   speed, rolled back); then the file once more (nothing changes, so nothing is written);
2. imports a second, total-only CSV (357 x 2007-2026 = 7,140 rows) into un-global/3.4.2;
3. reads 2007-2026 for all municipalities of both indicators, as stored and harmonised to 2026
   borders, 30 times each in a fresh session, and prints median and p95 (target < 50 ms);
   a case that misses the target is profiled and its top 10 cumulative entries printed.

Each engine runs in its own process, so the peak memory (maxrss) printed is that engine's.
Prints figures; asserts nothing. Reads the offline mirror (LOCALSDG_MIRROR, default
../shared/mirror) and the area history in ../shared/data/norway.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import io
import json
import os
import pstats
import random
import resource
import statistics as st
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from sqlalchemy import create_engine, select, text

from localsdg.catalog.indicators import indicator_by_ref
from localsdg.catalog.store import start_batch
from localsdg.db.schema import Indicator, Observation
from localsdg.db.session import engine, insert_plain, reading, session_scope, upgrade
from localsdg.observations.series import get_data
from localsdg.observations.store import ImportResult
from localsdg.sources.area_lists import sync_areas
from localsdg.sources.tables import Mapping, import_table
from localsdg.sources.un_framework import SET_ID, indicator_sort_key, sync_framework

SHARED = Path(__file__).resolve().parents[2] / "shared"
os.environ.setdefault("LOCALSDG_MIRROR", str(SHARED / "mirror"))
KLASS = (Path(os.environ["LOCALSDG_MIRROR"]) / "data.ssb.no/api/klass/v1/classifications/131"
         / "codesAt?date=2026-01-01&language=nb")
HISTORY = SHARED / "data" / "norway"
PG_ADMIN = os.environ.get("LOCALSDG_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

BIG, SMALL = "13.2.2", "3.4.2"  # un-global codes: the 3-sex series read back, the total-only one
YEARS = range(1990, 2027)
SEXES = ("Begge kjønn", "Menn", "Kvinner")
READ_FROM, READ_TO = 2007, 2026
RUNS = 30
TARGET_MS = 50


def municipalities() -> list[str]:
    codes = json.loads(KLASS.read_text(encoding="utf-8"))["codes"]
    return [c["code"] for c in codes if c["code"] != "9999"]


def decimal(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def big_csv(path: Path, codes: list[str], indicators: list[str], rng: random.Random) -> int:
    """One block of municipality x year x sex per indicator; returns the number of rows."""
    with_column = len(indicators) > 1
    n = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["kommunenummer", "år", "verdi", "kjønn"] + (["indikator"] if with_column
                                                              else []))
        for ind in indicators:
            for code in codes:
                size = rng.lognormvariate(9, 1.2)
                for year in YEARS:
                    trend = 1 + (2010 - year) * 0.01
                    for sex in SEXES:
                        share = 1.0 if sex == SEXES[0] else rng.uniform(0.35, 0.65)
                        value = ".." if rng.random() < 0.003 else decimal(
                            size * trend * share * rng.uniform(0.95, 1.05))
                        w.writerow([code, year, value, sex] + ([ind] if with_column else []))
                        n += 1
    return n


def small_csv(path: Path, codes: list[str], rng: random.Random) -> int:
    """Totals only (a rate per 100,000), 2007-2026."""
    n = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["kommunenummer", "år", "verdi"])
        for code in codes:
            for year in range(READ_FROM, READ_TO + 1):
                w.writerow([code, year, decimal(rng.uniform(5, 25))])
                n += 1
    return n


def pick_indicators(url: str, blocks: int) -> list[str]:
    """BIG first, then other un-global indicators (never SMALL) up to `blocks` of them."""
    with session_scope(url) as s:
        codes = s.scalars(select(Indicator.code).where(Indicator.set_id == SET_ID)).all()
    others = sorted((c for c in codes if c not in (BIG, SMALL)), key=indicator_sort_key)
    if blocks - 1 > len(others):
        raise SystemExit(f"--rows too large: at most {len(others) + 1} blocks of indicators")
    return [BIG, *others[:blocks - 1]]


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed_import(url: str, path: Path, mapping: Mapping, ref: str | None
                 ) -> tuple[ImportResult, float]:
    t0 = time.perf_counter()
    with session_scope(url) as s:
        ind = indicator_by_ref(s, ref) if ref else None
        result = import_table(s, path, mapping, indicator=ind, by="bench")
    return result, time.perf_counter() - t0


def driver_ceiling(url: str) -> float:
    """Rows per second the database takes the stored observations in at, with nothing read
    or checked on the way (insert_plain of plain tuples), in a transaction rolled back."""
    with reading(url) as s:
        columns = [c.name for c in Observation.__table__.columns if c.name not in ("id",
                                                                                  "batch_id")]
        rows = s.execute(select(*[Observation.__table__.c[c] for c in columns])).all()
        batch = start_batch(s, "data", "driver ceiling", "bench", None)
        t0 = time.perf_counter()
        insert_plain(s, Observation.__table__, [*columns, "batch_id"],
                     ((*r, batch.id) for r in rows))
        return len(rows) / (time.perf_counter() - t0)


def where(filename: str) -> str:
    for marker in ("/src/", "/site-packages/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def top_cumulative(call: Callable[[], object], runs: int = 5, n: int = 10) -> str:
    prof = cProfile.Profile()
    for _ in range(runs):
        prof.enable()
        call()
        prof.disable()
    stats = pstats.Stats(prof, stream=io.StringIO())
    entries = sorted(((k, v) for k, v in stats.stats.items() if k[0] != __file__),
                     key=lambda kv: kv[1][3], reverse=True)[:n]
    lines = [f"      {'cum ms/run':>10} {'own ms/run':>10} {'calls/run':>10}  where"]
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in entries:
        lines.append(f"      {ct * 1000 / runs:10.1f} {tt * 1000 / runs:10.1f} "
                     f"{nc // runs:10d}  {where(filename)}:{line}({func})")
    return "\n".join(lines)


def read_bench(url: str, ref: str, borders: int | None) -> tuple[int, list[float]]:
    with session_scope(url) as s:
        ind = indicator_by_ref(s, ref)

    def once() -> int:
        with session_scope(url) as s:
            return len(get_data(s, ind, start=READ_FROM, end=READ_TO, borders=borders))

    rows = once()  # warm-up: connection, caches
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        once()
        times.append((time.perf_counter() - t0) * 1000)
    return rows, times


def run(url: str, folder: Path, rows: int) -> None:
    rng = random.Random(2030)
    t0 = time.perf_counter()
    upgrade(url)
    with session_scope(url) as s:
        sync_framework(s)
    with session_scope(url) as s:
        sync_areas(s, HISTORY)
    print(f"setup (migrations, UN framework, areas): {time.perf_counter() - t0:.1f} s")

    codes = municipalities()
    block = len(codes) * len(YEARS) * len(SEXES)
    indicators = pick_indicators(url, max(1, round(rows / block)))
    big, small = folder / "observations.csv", folder / "totals.csv"
    t0 = time.perf_counter()
    n_big = big_csv(big, codes, indicators, rng)
    n_small = small_csv(small, codes, rng)
    print(f"CSV written in {time.perf_counter() - t0:.1f} s: {n_big:,} rows "
          f"({len(codes)} municipalities x {len(YEARS)} years x {len(SEXES)} sexes x "
          f"{len(indicators)} indicator(s), {big.stat().st_size / 1e6:.0f} MB); "
          f"{n_small:,} total-only rows")

    mapping = Mapping(area="kommunenummer", value="verdi", period="år", dims=("kjønn",),
                      measure="count", borders=2024)
    if len(indicators) > 1:
        mapping = replace(mapping, indicator_column="indikator",
                          indicators={c: f"{SET_ID}/{c}" for c in indicators})
    ref = None if len(indicators) > 1 else f"{SET_ID}/{BIG}"
    rss0 = maxrss_mb()
    first, secs = timed_import(url, big, mapping, ref)
    rss1 = maxrss_mb()
    print(f"import 1 (new): {first.rows:,} rows read, {first.written:,} written in {secs:.1f} s "
          f"= {first.rows / secs:,.0f} rows/s; peak memory {rss1:,.0f} MB "
          f"(+{rss1 - rss0:,.0f} MB over the {rss0:,.0f} MB before)")
    print(f"  the database alone: {driver_ceiling(url):,.0f} rows/s (the same rows inserted "
          "once more through the driver under a new batch, rolled back)")
    again, secs = timed_import(url, big, mapping, ref)
    print(f"import 2 (same file again): {again.rows:,} rows read, {again.written:,} written, "
          f"{again.unchanged:,} unchanged in {secs:.1f} s = {again.rows / secs:,.0f} rows/s; "
          f"peak memory {maxrss_mb():,.0f} MB")
    totals, secs = timed_import(url, small, Mapping(area="kommunenummer", value="verdi",
                                                    period="år", measure="rate", borders=2024),
                                f"{SET_ID}/{SMALL}")
    print(f"import of the total-only file: {totals.written:,} rows in {secs * 1000:.0f} ms")

    gc.freeze()  # as `localsdg serve` does once loaded: long-lived objects skip collections
    print(f"read {READ_FROM}-{READ_TO}, all municipalities, {RUNS} runs each in a fresh "
          f"session, start-up objects frozen as in the server (target < {TARGET_MS} ms):")
    for code, what in ((BIG, "3 sexes"), (SMALL, "totals only")):
        for borders in (None, 2026):
            n, times = read_bench(url, f"{SET_ID}/{code}", borders)
            p95 = percentile(times, 95)
            print(f"  {SET_ID}/{code} ({what}), "
                  f"{'as stored' if borders is None else f'on {borders} borders':15}: "
                  f"{n:,} rows, median {st.median(times):.1f} ms, p95 {p95:.1f} ms"
                  f"{'' if p95 < TARGET_MS else '  MISSED'}")
            if p95 >= TARGET_MS:
                with session_scope(url) as s:
                    ind = indicator_by_ref(s, f"{SET_ID}/{code}")

                def once(ind: Indicator = ind, borders: int | None = borders) -> None:
                    with session_scope(url) as s:
                        get_data(s, ind, start=READ_FROM, end=READ_TO, borders=borders)

                print("    profile, top 10 by cumulative time (5 runs):")
                print(top_cumulative(once))


@contextmanager
def bench_database(kind: str) -> Iterator[tuple[str, Path]]:
    """A fresh, empty database of the engine and a temporary folder, both removed afterwards."""
    print(f"== {kind} ==", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "sqlite":
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
            try:
                yield url, Path(tmp)
            finally:
                engine(url).dispose()
            return
        name = f"localsdg_bench_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        try:
            yield url, Path(tmp)
        finally:
            engine(url).dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rows", type=int, default=1_000_000,
                        help="about how many rows the big CSV has (default 1,000,000)")
    args = parser.parse_args()
    if args.engine != "both":
        with bench_database(args.engine) as (url, folder):
            run(url, folder, args.rows)
        return
    for kind in ("sqlite", "postgresql"):  # one process each: separate peak memory
        done = subprocess.run([sys.executable, __file__, "--engine", kind, "--rows",
                               str(args.rows)], check=False)
        if done.returncode:
            print(f"{kind}: the benchmark failed (exit code {done.returncode})", flush=True)


if __name__ == "__main__":
    main()
