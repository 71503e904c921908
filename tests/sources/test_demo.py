"""`load_demo` on the real demo folder (../shared/data) and the real catalog.

The demo writes, so it gets its own database (SQLite, one per module) with the UN framework and
the KS sets, built as the shared `catalog_db` is. Every expected count is computed here from the
files with the csv and json modules.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select

from localsdg.catalog.indicators import indicator_by_ref
from localsdg.db.schema import Area, ImportBatch, Indicator, IndicatorSet, Observation
from localsdg.db.session import session_scope
from localsdg.errors import UserError
from localsdg.observations.store import read
from localsdg.sources.demo import BARCELONA, EMISSION_SECTORS, EMISSIONS_SET, load_demo
from tests.helpers import DATA, demo_database, read_csv

TELEMARK = DATA / "norway" / "stats" / "telemark"
POPULATION = DATA / "norway" / "stats" / "fhi_csdata_b2024" / (
    "population_jan1_b2024_by_agegroup_2005-2026.csv")
JSONSTAT = DATA / "norway" / "fixtures" / "ssb_07459_befolkning_2022_kommuner2020_jsonstat2.json"
EMISSIONS = TELEMARK / "mdir_klimagassutslipp_telemark_kommuner_2009-2024.csv"
NAV = TELEMARK / "nav_arbeidsledighet_fylker_telemarkkommuner_2011-2026_monthly.csv"
BCN = DATA / "opensdg" / "barcelona"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    yield from demo_database(tmp_path_factory)


def _rows(name: str, **where: str) -> list[dict]:
    return [r for r in read_csv(TELEMARK / name) if all(r[k] == v for k, v in where.items())]


def _expected() -> list[tuple[str, int]]:
    """(file name, rows written) for each dataset, in the order of demo.DATASETS."""
    population = [r for r in read_csv(POPULATION)
                  if not (r["code"] in ("1508", "1580") and int(r["year"]) < 2024)]
    fixture = json.loads(JSONSTAT.read_text(encoding="utf-8"))
    regions = fixture["dimension"]["Region"]["category"]["index"]
    emissions = read_csv(EMISSIONS)
    by_sector = {(r["Kommune"], r["År"], r["Sektor"])
                 for r in emissions}
    totals = {(r["Kommune"], r["År"]) for r in emissions}
    nav = {level: _rows(NAV.name, Nivå=level, Arbeidsmarkedsstatus="Helt ledige")
           for level in ("Telemark kommuner", "Landet", "Fylker")}
    not_counties = {"Svalbard og øvrige områder", "Ukjent"}
    counties = [r for r in nav["Fylker"] if r["Geografisk enhet"] not in not_counties]
    return [
        (POPULATION.name, len(population)),
        (JSONSTAT.name, len([c for c in regions if c not in ("K-21-22", "K-23", "K-Rest")])),
        (EMISSIONS.name, len(by_sector)),
        (EMISSIONS.name, len(totals)),
        (NAV.name, len(nav["Telemark kommuner"])),
        (NAV.name, len(nav["Landet"])),
        (NAV.name, len(counties)),
        *[(name, len(_rows(name))) for name in (
            "fhi_forventet_levealder_7aarig.csv",)],
        ("fhi_drikkevann.csv", len(_rows("fhi_drikkevann.csv",
                                         Parameter="hygienisk kvalitet og leveringsstabilitet"))),
        *[(name, len(_rows(name))) for name in (
            "fhi_barnevaksinasjon.csv", "fhi_overvekt_fedme_17aar.csv",
            "fhi_selvmord_femaarig.csv", "fhi_trivsel_10klasse_treaarig.csv",
            "dekningsgrad_barnehage.csv", "andel_unge_utenfor_2024.csv", "bor_trangt_2024.csv",
            "inntektsulikhet_2024.csv", "luftforurensning_pm25_2024.csv",
            "valgdeltakelse_kommunevalg_2023.csv", "vedvarende_lavinntekt_0-17_2021-2023.csv",
            "sysselsetting_2025.csv", "ssb_stromforbruk_telemark.csv")],
    ]


def _count(url: str, table, *where) -> int:
    with session_scope(url) as s:
        return s.scalar(select(func.count()).select_from(table).where(*where))


def test_every_dataset_is_loaded_with_the_rows_of_its_file(demo):
    url, report = demo
    got = [(d["file"].rsplit("/", 1)[1], d["written"]) for d in report["datasets"]]
    assert got == _expected()
    assert all(d["rows"] == d["written"] and d["batch_id"] for d in report["datasets"])
    assert report["areas"]["current"]["municipality"] == 357
    assert report["areas"]["current"]["county"] == 15
    counties = report["datasets"][6]
    assert {s.split("'")[1] for s in counties["skipped"]} == {"Svalbard og øvrige områder",
                                                               "Ukjent"}
    assert all(not d["skipped"] for i, d in enumerate(report["datasets"]) if i not in (1, 6))
    # one batch per dataset, Barcelona and SDSN's SDR 2021; what each wrote is what is stored
    assert report["sdr"]["profile_set"] == "sdsn-2021"
    assert _count(url, ImportBatch, ImportBatch.kind == "data") == len(report["datasets"]) + 2
    by_indicator: Counter = Counter()
    for d in report["datasets"]:
        by_indicator[d["indicator"]] += d["written"]
    with session_scope(url) as s:
        for ref, n in by_indicator.items():
            if ref is not None:
                assert len(read(s, [indicator_by_ref(s, ref).id])) == n, ref


def test_population_matches_the_file_and_the_statbank(demo):
    url, _ = demo
    fhi = {(r["code"], int(r["year"])): float(r["pop_total"]) for r in read_csv(POPULATION)
           if r["level"] == "municip"}
    with session_scope(url) as s:
        stored = {(r.area_code, r.end_year): r.value
                  for r in read(s, [indicator_by_ref(s, "lokal/folkemengde").id])
                  if r.area_level == "municipality"}
        ssb = read(s, [indicator_by_ref(s, "lokal/folkemengde-ssb").id])
    assert stored[("0301", 2024)] == fhi[("0301", 2024)]
    assert ("1508", 2023) not in stored and stored[("1508", 2024)] == 58_509
    assert sum(v for (_, y), v in stored.items() if y == 2024) == 5_550_203
    assert sum(v for (_, y), v in fhi.items() if y == 2022) == 5_425_270
    assert sum(r.value for r in ssb) == 5_425_270


def test_emissions_are_attached_to_the_ks_set_and_to_13_2_2(demo):
    url, _ = demo
    emissions = read_csv(EMISSIONS)
    total: dict[tuple, float] = defaultdict(float)
    by_sector: dict[tuple, float] = defaultdict(float)
    for r in emissions:
        total[(r["Kommune"], int(r["År"]))] += float(r["Utslipp"])
        by_sector[(r["Kommune"], int(r["År"]), r["Sektor"])] += float(r["Utslipp"])
    codes = {r["kommunenavn_kort"]: r["kommunenummer"]
             for r in read_csv(DATA / "norway" / "codes" / "kommuner_2024_merged.csv")}
    with session_scope(url) as s:
        global_ = indicator_by_ref(s, "un-global/13.2.2")
        assert s.get(IndicatorSet, global_.set_id).id == "un-global"
        got = {(r.area_code, r.end_year): r.value for r in read(s, [global_.id])}
        assert got == pytest.approx({(codes[k], y): v for (k, y), v in total.items()})
        assert len(got) == 17 * len({y for _, y in total})
        for sector, code in EMISSION_SECTORS.items():
            ind = indicator_by_ref(s, f"{EMISSIONS_SET}/{code}")
            assert ind.set_id == EMISSIONS_SET
            sums: dict[tuple, float] = defaultdict(float)
            for r in read(s, [ind.id]):
                assert r.unit == "tonnes CO2 equivalents" and r.measure == "count"
                sums[(r.area_code, r.end_year)] += r.value or 0.0
            expected = {(codes[k], y): v for (k, y, sec), v in by_sector.items()
                        if sec == sector}
            assert sums == pytest.approx(expected), sector


def test_monthly_unemployment_keeps_january_as_a_month(demo):
    url, _ = demo
    with session_scope(url) as s:
        ind = indicator_by_ref(s, "Kommunehelsa-statistikkbank/1151")
        periods = {r.period for r in read(s, [ind.id], ["4001"], 2011, 2011)}
    assert periods == {f"2011-{m:02}" for m in range(1, 13)}


def test_barcelona_is_loaded_as_a_city(demo):
    url, report = demo
    expected, files = 0, 0
    for path in sorted((BCN / "data").glob("indicator_*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            rows = [[c.strip() for c in r] for r in csv.reader(f)]
        if {"Grade", "Planet", "Fruit"} <= set(rows[0]):  # the Open SDG template
            continue
        files += 1
        expected += len({tuple(r) for r in rows[1:] if any(r)})  # repeated rows once
    bcn = report["barcelona"]
    assert bcn["set_id"] == "barcelona" and bcn["written"] == bcn["rows"] == expected
    assert bcn["csv_files_read"] == files == 222
    with session_scope(url) as s:
        area = s.scalar(select(Area).where(Area.level == BARCELONA[0],
                                           Area.code == BARCELONA[1]))
        assert (area.name, area.parent_code) == ("Barcelona", "ESP")
        ids = list(s.scalars(select(Indicator.id).where(Indicator.set_id == "barcelona")))
        stored = read(s, ids)
    assert len(stored) == expected
    assert {(r.area_level, r.area_code) for r in stored} == {BARCELONA}


def test_a_second_run_writes_nothing(demo):
    url, _ = demo
    observations = _count(url, Observation)
    data_batches = _count(url, ImportBatch, ImportBatch.kind == "data")
    with session_scope(url) as s:
        again = load_demo(s, DATA, by="someone else")
    assert [d["written"] for d in again["datasets"]] == [0] * len(again["datasets"])
    assert all(d["batch_id"] is None for d in again["datasets"])
    assert again["barcelona"]["written"] == 0 and again["barcelona"]["batch_id"] is None
    assert _count(url, Observation) == observations
    assert _count(url, ImportBatch, ImportBatch.kind == "data") == data_batches


def test_a_folder_that_is_not_demo_data_is_refused(demo, tmp_path):
    url, _ = demo
    with session_scope(url) as s, pytest.raises(UserError, match="not a demo data folder"):
        load_demo(s, tmp_path, by="test")


def test_demo_profile_scores_telemark_from_the_files(demo):
    """The demo profile set on Telemark's municipalities of today: employment's bounds come from
    the compared municipalities (2.5th percentile → 0, mean of the best three → 100)."""
    import numpy as np

    from localsdg.scoring import explain
    from localsdg.scoring.run import run
    shares = {r["Kommune"]: float(r["Andel sysselsatte (2025)"])
              for r in read_csv(TELEMARK / "sysselsetting_2025.csv")}
    with session_scope(demo[0]) as s:
        r = run(s, "telemark-demo")
        steps = explain.explain(r, "4001", indicator="lokal/sysselsetting")["indicator"]
    names = [m.name for m in r.group.members]
    assert len(names) == 17 and set(names) == set(shares)
    lower = np.percentile(list(shares.values()), 2.5)
    upper = np.mean(sorted(shares.values())[-3:])
    expected = (shares["Porsgrunn"] - lower) / (upper - lower) * 100
    assert steps["score"] == pytest.approx(expected, abs=1e-9)
    assert steps["value"] == shares["Porsgrunn"] and steps["source"]
    table = explain.table(r)
    assert sorted(row["rank"] for row in table) == list(range(1, 18))
    assert all(0 <= row["index"] <= 100 for row in table)


def test_peer_groups_from_the_register_and_the_population(demo):
    from localsdg.scoring.groups import resolve
    rows = [r for r in read_csv(POPULATION) if r["level"] == "municip"]
    latest = max(r["year"] for r in rows)
    population = {r["code"]: int(r["pop_total"]) for r in rows if r["year"] == latest}
    with session_scope(demo[0]) as s:
        county = resolve(s, "county:40")
        by_name = resolve(s, "Telemark")  # a county's name is its municipalities
        similar = resolve(s, "similar:4001")
        small = resolve(s, "size:small")
        with pytest.raises(UserError, match="size class 'tiny'"):
            resolve(s, "size:tiny")
        with pytest.raises(UserError, match="no area group 'nope'"):
            resolve(s, "nope")
    assert {m.subgroup for m in county.members} == {"40"}
    assert by_name.members == county.members and by_name.id == "county:40"
    assert similar.members[0].code == "4001" and len(similar.members) == 11
    # the demo has population only: the structure comes with the national sources
    assert "nearest to 4001 on population (" in similar.method
    assert {m.code for m in small.members} == {c for c, p in population.items()
                                                if p < 5000 and not c.endswith("99")}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_profile_files_round_trip_and_name_a_bad_cell(demo, fmt):
    import io

    import openpyxl

    from localsdg.scoring.profiles import export_file, get_set, profiles_of, read_file
    with session_scope(demo[0]) as s:
        ps = get_set(s, "telemark-demo")
        content = export_file(s, ps, fmt)
        assert read_file(s, content, f"p.{fmt}") == profiles_of(ps)
        if fmt == "xlsx":
            book = openpyxl.load_workbook(io.BytesIO(content))
            book.active["D3"] = "upwards"  # the direction of the second profile
            buf = io.BytesIO()
            book.save(buf)
            bad = buf.getvalue()
        else:
            bad = content.decode().replace(",higher,", ",upwards,", 1).encode()
        with pytest.raises(UserError, match=r"row \d+: direction 'upwards' must be higher"):
            read_file(s, bad, f"p.{fmt}")
