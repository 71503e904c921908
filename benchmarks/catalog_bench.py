"""Catalog speed: import of a 10,000-indicator catalog, 200 mixed faceted searches, statistics.

    uv run python benchmarks/catalog_bench.py [--database-url URL]

Builds a synthetic catalog of 10 sets x 1,000 indicators (Norwegian/English names, every
taxonomy property filled at random) in a fresh database (SQLite by default), imports it through
the normal CSV import, then times searches and the full statistics. Prints figures; asserts
nothing. Needs the UN framework (LOCALSDG_MIRROR for offline machines).
"""

from __future__ import annotations

import argparse
import random
import statistics as st
import tempfile
import time
from pathlib import Path

from localsdg import taxonomy as tx
from localsdg.catalog import export, files
from localsdg.catalog.analysis import statistics
from localsdg.catalog.index import get_index
from localsdg.catalog.search import Selection, search
from localsdg.db.session import session_scope, upgrade
from localsdg.sources.un_framework import sync_framework

WORDS = ("andel antall barn barnehage befolkning bolig bostedsløse drikkevann elever energi "
         "fattigdom folkehelse fornybar gjenvinning husholdninger innbyggere inntekt klima "
         "klimagassutslipp kollektivtransport kommune kvinner landbruk luftkvalitet menn "
         "natur nærturterreng ressurser skole sykkel sysselsetting tilgang trafikk ungdom "
         "utdanning utslipp vann vannforsyning avløp avfall arbeidsledighet helse levealder "
         "greenhouse emissions proportion population women children water waste energy "
         "income poverty education health transport housing safety share rate per year").split()
QUERIES = ["klimagass", "utslipp", "klimagasutslipp", "barnehage", "drikkevann", "fattigdom",
           "greenhouse", "women", "kollektivtransport", "levealder", "andel barn", "avfal",
           "husholdningene", "energi fornybar", "water", ""]


def synthetic_csv(path: Path, targets: list[str], rng: random.Random) -> int:
    rows = []
    for s in range(10):
        for i in range(1000):
            ts = rng.sample(targets, rng.randint(0, 3))
            rows.append({
                "set_id": f"syntetisk-{s}", "set_name_nb": f"Syntetisk sett {s}",
                "code": f"{s}-{i}", "name_nb": " ".join(rng.sample(WORDS, rng.randint(3, 7))),
                "name_en": " ".join(rng.sample(WORDS, 4)) if rng.random() < 0.5 else None,
                "targets": ts, "goals": sorted({t.split(".")[0] for t in ts}),
                "tbl": rng.sample(tx.TBL.allowed, rng.randint(0, 2)),
                "development_areas": rng.sample(tx.DEVELOPMENT_AREAS.allowed, rng.randint(0, 3)),
                "evaluation_steps": rng.sample(tx.EVALUATION_STEPS.allowed, rng.randint(0, 2)),
                "quality_class": rng.choice([None, *tx.QUALITY_CLASSES.allowed]),
                "geography_level": rng.choice([None, *tx.GEOGRAPHY_LEVELS.allowed]),
                "data_owner": rng.choice([None, "ssb", "fhi", "miljodirektoratet", "Kommunen"]),
                "periodicity": rng.choice([None, "yearly", "monthly"]),
            })
    export.write_rows(rows, "csv", path)
    return len(rows)


def random_selection(rng: random.Random, targets: list[str]) -> Selection:
    filters: dict[str, list[str]] = {}
    for facet, values in (("goal", tx.GOALS.allowed), ("tbl", tx.TBL.allowed),
                          ("evaluation_step", tx.EVALUATION_STEPS.allowed),
                          ("quality_class", tx.QUALITY_CLASSES.allowed),
                          ("development_area", tx.DEVELOPMENT_AREAS.allowed),
                          ("target", targets), ("set", [f"syntetisk-{i}" for i in range(10)])):
        if rng.random() < 0.25:
            filters[facet] = rng.sample(values, rng.randint(1, 2))
    unclassified = ["evaluation_step"] if rng.random() < 0.1 else []
    return Selection(rng.choice(QUERIES), filters, unclassified)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a new SQLite file in a temp folder")
    args = parser.parse_args()
    rng = random.Random(2030)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        upgrade(url)
        with session_scope(url) as s:
            sync_framework(s)
            targets = sorted(get_index(s).target_goal)
        csv_path = Path(tmp) / "catalog.csv"
        n = synthetic_csv(csv_path, targets, rng)

        t0 = time.perf_counter()
        with session_scope(url) as s:
            files.import_file(s, csv_path, "benchmark")
        import_s = time.perf_counter() - t0

        with session_scope(url) as s:
            t0 = time.perf_counter()
            get_index(s)
            index_s = time.perf_counter() - t0
            times = []
            for _ in range(200):
                sel = random_selection(rng, targets)
                t0 = time.perf_counter()
                search(s, sel, limit=20)
                times.append((time.perf_counter() - t0) * 1000)
            stat_times = []
            for _ in range(5):
                t0 = time.perf_counter()
                statistics(s, Selection())
                stat_times.append((time.perf_counter() - t0) * 1000)

    print(f"database: {url.split(':')[0]}")
    print(f"catalog: {n} indicators in 10 sets")
    print(f"import (CSV, checked and stored): {import_s:.2f} s  (target < 5 s)")
    print(f"search index build after the import: {index_s * 1000:.0f} ms")
    print(f"200 mixed faceted searches (with facet counts): median {st.median(times):.1f} ms, "
          f"p95 {percentile(times, 95):.1f} ms, max {max(times):.1f} ms  (target p95 < 20 ms)")
    print(f"full statistics: median {st.median(stat_times):.1f} ms of 5 runs  (target < 100 ms)")


if __name__ == "__main__":
    main()
