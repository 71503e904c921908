"""Open SDG import speed: a national-size repository built from Barcelona's real files.

    uv run python benchmarks/opensdg_bench.py [--engine sqlite|postgresql|both] [--files 264]
                                              [--rows 160000]

Builds a repository of about --rows observations in --files indicator files from
../shared/data/opensdg/barcelona: its 222 data files with their meta files, then copies of them
under other indicator codes (goal-target-9N…) until there are --files; every file's rows are
repeated with one more breakdown column, `Copy` (1, 2, …), as many times as make --rows in all,
so each row is a distinct observation as in a national repository with many breakdowns. Imports
it into a fresh database (SQLite, or a new PostgreSQL database dropped afterwards;
LOCALSDG_BENCH_PG names the server) with the UN framework loaded, timing the import and, once
more, the unchanged re-import, and prints rows per second and the peak memory of the process.
Each engine runs in its own process. For comparison, the issue measured the reference builder
(sdg-build 2.3.0) at 57 s on a repository of this size. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import time
from pathlib import Path

from data_bench import bench_database, maxrss_mb

from localsdg.db.session import session_scope, upgrade
from localsdg.sources.opensdg import import_repository
from localsdg.sources.un_framework import sync_framework

BARCELONA = Path(__file__).resolve().parents[2] / "shared" / "data" / "opensdg" / "barcelona"


def build(folder: Path, files: int, rows: int) -> int:
    """The repository in `folder`; the number of observations it holds."""
    (folder / "data").mkdir(parents=True)
    (folder / "meta").mkdir()
    sources = sorted(p for p in (BARCELONA / "data").glob("indicator_*.csv")
                     if "Grade" not in p.read_text(encoding="utf-8").splitlines()[0])
    plan = [(p, p.stem.removeprefix("indicator_")) for p in sources]
    n = 0
    while len(plan) < files:
        p = sources[n % len(sources)]
        goal, target, *_ = p.stem.removeprefix("indicator_").split("-")
        plan.append((p, f"{goal}-{target}-{90 + n}"))
        n += 1
    base = sum(len(_rows(p)) - 1 for p, _ in plan[:files])
    copies = max(1, round(rows / base))
    total = 0
    for path, code in plan[:files]:
        header, *body = _rows(path)
        with (folder / "data" / f"indicator_{code}.csv").open("w", encoding="utf-8",
                                                              newline="") as f:
            out = csv.writer(f)
            out.writerow([*header[:-1], "Copy", header[-1]])
            for k in range(1, copies + 1):
                out.writerows([*r[:-1], str(k), r[-1]] for r in body if any(r))
                total += sum(1 for r in body if any(r))
        meta = BARCELONA / "meta" / f"{path.stem.removeprefix('indicator_')}.md"
        if meta.exists():
            shutil.copy(meta, folder / "meta" / f"{code}.md")
    return total


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def run(url: str, folder: Path, files: int, rows: int) -> None:
    upgrade(url)
    with session_scope(url) as s:
        sync_framework(s)
    t0 = time.perf_counter()
    total = build(folder / "repo", files, rows)
    print(f"repository: {files} indicator files, {total:,} rows, built in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    for label in ("import", "unchanged re-import"):
        t0 = time.perf_counter()
        with session_scope(url) as s:
            report = import_repository(s, folder / "repo", set_id="nasjonal",
                                       area=("country", "NOR"), by="bench")
        seconds = time.perf_counter() - t0
        print(f"{label}: {seconds:.2f} s, {report['rows'] / seconds:,.0f} rows/s, "
              f"{report['written']:,} written; peak memory {maxrss_mb():,.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--files", type=int, default=264)
    parser.add_argument("--rows", type=int, default=160_000)
    args = parser.parse_args()
    if args.engine != "both":
        with bench_database(args.engine) as (url, folder):
            run(url, folder, args.files, args.rows)
        return
    for kind in ("sqlite", "postgresql"):  # one process each: separate peak memory
        done = subprocess.run([sys.executable, __file__, "--engine", kind, "--files",
                               str(args.files), "--rows", str(args.rows)], check=False)
        if done.returncode:
            print(f"{kind}: the benchmark failed (exit code {done.returncode})", flush=True)


if __name__ == "__main__":
    main()
