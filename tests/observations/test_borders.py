"""Reading a series on the borders of a chosen year, on the real demo population.

The database holds what `demo load` puts there for these series, imported with the demo's own
mappings: FHI's population 2005–2026 on 2024 borders (the population that weights rates), SSB's
JSON-stat response with 2022 on 2020 borders, and NAV's county unemployment rates. Expected
numbers are computed here from the CSV and JSON files. Where no real file exercises a rule (a
split with known shares, a missing part, a series without a measure) the test says so and uses
a few synthetic observations on real area codes.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict

import pytest

from localsdg.db.schema import Indicator
from localsdg.db.session import session_scope
from localsdg.errors import UserError
from localsdg.observations.borders import Borders, harmonise
from localsdg.observations.series import NO_FIGURES, get_data
from localsdg.observations.store import Obs, commit, read
from localsdg.sources.demo import DATASETS
from localsdg.sources.jsonstat import import_jsonstat
from localsdg.sources.tables import import_table
from tests.helpers import DATA, HISTORY, add_indicators, module_database, read_csv, synced

POPULATION_DEMO = DATASETS[0]
NAV_COUNTIES = next(d for d in DATASETS if d.mapping and d.mapping.level == "county")
JSONSTAT = HISTORY / "fixtures" / "ssb_07459_befolkning_2022_kommuner2020_jsonstat2.json"
REDISTRICTING = HISTORY / "correspondences" / "fhi_csdata_redistricting_b2024_municip_county.csv"


def _fhi() -> dict[tuple[str, str, int], float]:
    """FHI's population file: (level, code, year) → persons."""
    levels = {"municip": "municipality", "county": "county", "nation": "country"}
    return {(levels[r["level"]], r["code"] if r["level"] != "nation" else "NOR", int(r["year"])):
            float(r["pop_total"]) for r in read_csv(DATA / POPULATION_DEMO.path)}


FHI = _fhi()


def _klass(name: str) -> set[str]:
    with (HISTORY / "codes" / name).open(encoding="cp1252", newline="") as f:
        return {r["code"] for r in csv.DictReader(f, delimiter=";")} - {"99", "9999"}


def _fhi_weights(year: int, current: str) -> dict[str, float]:
    return {r["code_original"]: float(r["weighting"]) for r in read_csv(REDISTRICTING)
            if r["granularity_geo"] == "municip" and int(r["year"]) == year
            and r["code_current"] == current}


def _synthetic(ind: int, year: int, values: dict[str, float | None], measure: str | None
               ) -> list[tuple[str, Obs]]:
    return [(f"synthetic {code}", Obs(ind, "municipality", code, str(year), year, year, v,
                                      measure=measure)) for code, v in values.items()]


# Synthetic 2019 values on the codes of 2019 (no real file at hand has them)
TRONDELAG_2019 = {"1571": 1500.0, "5011": 4200.0, "5012": 1000.0, "5013": 4700.0,
                  "5016": 3900.0, "5023": 3900.0, "5024": 12000.0}
ALESUND_2019 = {"1504": 47000.0, "1523": 2300.0, "1529": 4700.0, "1546": 1300.0,
                "1534": 9000.0}
# Synthetic 2004 values: Skjerstad (1842) became part of Bodø (1804) in 2005
BODO_2004 = {"1804": 43000.0, "1842": 1000.0}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory):
    """SQLite: the harmonisation is computed in Python; both engines are read alike by the
    store tests."""
    gen = module_database("sqlite", tmp_path_factory)
    url = next(gen)
    synced(url)
    ids = add_indicators(url, "folkemengde", "folkemengde-ssb", "ledighet", "telling",
                         "andel", "uten-mål")
    with session_scope(url) as s:
        def get(code: str) -> Indicator:
            return s.get(Indicator, ids[code])

        import_table(s, DATA / POPULATION_DEMO.path, POPULATION_DEMO.mapping,
                     indicator=get("folkemengde"), by="test",
                     publisher=POPULATION_DEMO.publisher)
        import_jsonstat(s, JSONSTAT, indicator=get("folkemengde-ssb"), by="test",
                        measure="count", skip_bad=True)
        import_table(s, DATA / NAV_COUNTIES.path, NAV_COUNTIES.mapping,
                     indicator=get("ledighet"), by="test", skip_bad=True)
        commit(s, _synthetic(ids["telling"], 2019, {**TRONDELAG_2019, **ALESUND_2019}, "count")
               + _synthetic(ids["andel"], 2019, {c: v / 1e5 for c, v in ALESUND_2019.items()},
                            "rate")
               + _synthetic(ids["uten-mål"], 2019, ALESUND_2019, None)
               + _synthetic(ids["telling"], 2004, BODO_2004, "count"),
               source="synthetic", by="test", checksum=None)
    yield url, ids
    next(gen, None)


def _get(url: str, ids: dict, code: str, **kw) -> list[dict]:
    with session_scope(url) as s:
        return get_data(s, s.get(Indicator, ids[code]), **kw)


def _by(rows: list[dict], level: str = "municipality") -> dict[str, dict]:
    return {r["area_code"]: r for r in rows if r["area_level"] == level}


def test_the_demo_population_is_fhi_without_the_halved_alesund(demo_db):
    url, ids = demo_db
    rows = _get(url, ids, "folkemengde")
    halves = {k for k in FHI if k[0] == "municipality" and k[1] in ("1508", "1580")
              and k[2] < 2024}
    assert len(halves) == 38
    assert {(r["area_level"], r["area_code"], r["start_year"]): r["value"] for r in rows} == {
        k: v for k, v in FHI.items() if k not in halves}


def test_2024_on_2020_borders_gives_356_and_11_areas_and_the_same_total(demo_db):
    url, ids = demo_db
    rows = _get(url, ids, "folkemengde", start=2024, end=2024, borders=2020)
    municipalities, counties, nation = _by(rows), _by(rows, "county"), _by(rows, "country")
    assert set(municipalities) == _klass("klass131_kommuner_2020_gardenberg.csv")
    assert set(counties) == _klass("klass104_fylker_2020_barnevernmonitor.csv")
    assert len(municipalities) == 356 and len(counties) == 11 and list(nation) == ["NOR"]
    assert all(r["value"] is not None and r["note"] is None for r in rows)
    total = sum(v for (lvl, _, y), v in FHI.items() if lvl == "municipality" and y == 2024)
    assert total == 5_550_203 == nation["NOR"]["value"]
    assert sum(r["value"] for r in municipalities.values()) == total
    assert sum(r["value"] for r in counties.values()) == total

    def fhi(level, *codes):
        return sum(FHI[(level, c, 2024)] for c in codes)

    # counts are summed over what became of an area
    alesund = municipalities["1507"]
    assert alesund["value"] == fhi("municipality", "1508", "1580")
    assert alesund["flags"] == ("harmonised",)
    assert {s["area"] for s in alesund["harmonised_from"]} == {"1508", "1580"}
    halden = municipalities["3001"]
    assert (halden["value"], halden["flags"]) == (fhi("municipality", "3101"), ("harmonised",))
    assert halden["area_name"] == "Halden"
    for old, new in (("30", ("31", "32", "33")), ("38", ("39", "40")), ("54", ("55", "56"))):
        assert counties[old]["value"] == fhi("county", *new)
        assert counties[old]["flags"] == ("harmonised",)
    oslo = municipalities["0301"]
    assert (oslo["value"], oslo["flags"], oslo["harmonised_from"]) == (
        fhi("municipality", "0301"), (), None)
    assert oslo["source"] == POPULATION_DEMO.publisher and oslo["unit"] == "persons"


def test_2022_on_2020_borders_read_on_current_borders(demo_db):
    url, ids = demo_db
    fixture = json.loads(JSONSTAT.read_text(encoding="utf-8"))
    index = fixture["dimension"]["Region"]["category"]["index"]
    ssb = {code.removeprefix("K-"): fixture["value"][i] for code, i in index.items()}
    assert sum(ssb.values()) == 5_425_270

    as_imported = _by(_get(url, ids, "folkemengde-ssb"))
    assert set(as_imported) == _klass("klass131_kommuner_2020_gardenberg.csv")
    rows = _by(_get(url, ids, "folkemengde-ssb", borders=2024))
    assert len(rows) == 357

    halden = rows["3101"]
    assert (halden["value"], halden["flags"]) == (ssb["3001"], ("harmonised",))
    assert halden["harmonised_from"] == [{"area": "3001", "period": "2022",
                                          "value": ssb["3001"], "batch": halden["batch"]}]
    for code in ("1508", "1580"):
        assert rows[code]["value"] is None and "harmonised" not in rows[code]["flags"]
        assert rows[code]["note"] == ("1507 was split with unknown shares; the value cannot be "
                                      "put on 2024 borders")
        assert rows[code]["harmonised_from"][0]["value"] == ssb["1507"]

    fhi_2022 = {c: v for (lvl, c, y), v in FHI.items() if lvl == "municipality" and y == 2022}
    assert sum(fhi_2022.values()) == 5_425_270  # with FHI's halves of old Ålesund
    comparable = {c: r["value"] for c, r in rows.items() if r["value"] is not None}
    assert set(comparable) == set(fhi_2022) - {"1508", "1580"}
    assert comparable == {c: fhi_2022[c] for c in comparable}
    assert sum(comparable.values()) == 5_425_270 - fhi_2022["1508"] - fhi_2022["1580"]
    assert sum(comparable.values()) == 5_425_270 - ssb["1507"]


def test_rates_on_a_merge_are_weighted_by_population(demo_db):
    url, ids = demo_db
    nav = read_csv(DATA / NAV_COUNTIES.path)
    # the file's shares (0–1) are stored as per cent
    rate = {r["Geografisk enhet"].strip(): 100 * float(r["Andel av arbeidsstyrken"])
            for r in nav if r["Nivå"] == "Fylker" and r["Arbeidsmarkedsstatus"] == "Helt ledige"
            and r["Kjønn"] == "Begge kjønn" and r["Dato"] == "2024-01-01"}
    names = {r["fylkesnummer"].zfill(2): r["fylkesnavn"]
             for r in read_csv(HISTORY / "codes" / "fylker_2024_xdtkit.csv", delimiter=";")}
    rows = [r for r in _get(url, ids, "ledighet", start=2024, end=2024, borders=2020)
            if r["period"] == "2024-01" and r["dims"] == {"Kjønn": "Begge kjønn"}]
    counties = _by(rows, "county")
    assert len(counties) == 11
    for old, new in (("30", ("31", "32", "33")), ("38", ("39", "40")), ("54", ("55", "56"))):
        pops = {c: FHI[("county", c, 2024)] for c in new}
        expected = sum(rate[names[c]] * p for c, p in pops.items()) / sum(pops.values())
        assert counties[old]["value"] == pytest.approx(expected, rel=1e-12)
        assert counties[old]["flags"] == ("harmonised",)
        assert min(rate[names[c]] for c in new) <= expected <= max(rate[names[c]] for c in new)
    assert counties["03"]["value"] == rate["Oslo"] and counties["03"]["flags"] == ()


def test_a_rate_on_a_merge_without_population_says_so(demo_db):
    """The real NAV county rates, harmonised with an empty population table."""
    url, ids = demo_db
    with session_scope(url) as s:
        stored = [r for r in read(s, [ids["ledighet"]], start=2024, end=2024)
                  if r.period == "2024-01"]
        out = {h.area_code: h for h in harmonise(Borders(s, "county"), stored, 2020, {})
               if h.dims == "Kjønn=Begge kjønn"}
    assert out["38"].value is None and out["38"].flags == ()
    assert out["38"].note == ("no population for 39, 40 in 2024 to weight the rate by (series "
                              "lokal/folkemengde)")
    assert out["03"].value is not None and out["03"].note is None


def test_a_split_with_known_shares_is_an_estimate(demo_db):
    """Synthetic 2019 counts for Snillfjord (5012, split in 2020) and its neighbours, read on
    current borders with FHI's shares."""
    url, ids = demo_db
    rows = _by(_get(url, ids, "telling", borders=2024))
    for current in ("5055", "5056", "5059"):
        weights = _fhi_weights(2019, current)
        assert "5012" in weights
        expected = sum(TRONDELAG_2019[c] * w for c, w in weights.items())
        assert rows[current]["value"] == pytest.approx(expected)
        assert rows[current]["flags"] == ("harmonised", "estimated")
    shares = sum(_fhi_weights(2019, c)["5012"] for c in ("5055", "5056", "5059"))
    assert shares == pytest.approx(1.0)


def test_a_merge_before_2006_is_summed_into_the_municipality_of_today(demo_db):
    url, ids = demo_db
    today = _by(_get(url, ids, "telling", borders=2024, start=2004, end=2004))
    assert today["1804"]["value"] == 44000.0 and "1842" not in today
    assert today["1804"]["flags"] == ("harmonised",)
    then = _by(_get(url, ids, "telling", borders=2004, start=2004, end=2004))
    assert then["1804"]["value"] == 43000.0 and then["1842"]["value"] == 1000.0


def test_old_alesund_and_haram_on_current_and_2020_borders(demo_db):
    """Synthetic 2019 counts for the five municipalities that made 1507 Ålesund (2020–2023):
    1534 Haram went wholly to the new 1580 Haram, the other four to 1508 Ålesund."""
    url, ids = demo_db
    now = _by(_get(url, ids, "telling", borders=2024))
    assert now["1580"]["value"] == ALESUND_2019["1534"]
    assert now["1508"]["value"] == sum(v for c, v in ALESUND_2019.items() if c != "1534")
    assert now["1508"]["flags"] == now["1580"]["flags"] == ("harmonised",)
    then = _by(_get(url, ids, "telling", borders=2020))
    assert then["1507"]["value"] == sum(ALESUND_2019.values())
    assert _by(_get(url, ids, "telling", borders=2019))["1534"]["flags"] == ()


def test_a_rate_with_population_weights_and_one_without(demo_db):
    """Synthetic 2019 rates on the Ålesund codes: FHI's population is on 2024 borders, so
    there is no 2019 population for the old codes and the merged rate is refused; with a
    (synthetic) population for them, the rate is their weighted mean."""
    url, ids = demo_db
    rows = _by(_get(url, ids, "andel", borders=2024))
    assert rows["1508"]["value"] is None
    assert rows["1508"]["note"].startswith("no population for 1504, 1523, 1529, 1546 in 2019")
    assert rows["1580"]["value"] == ALESUND_2019["1534"] / 1e5  # one part: copied
    with session_scope(url) as s:
        stored = read(s, [ids["andel"]])
        population = {(c, 2019): v for c, v in ALESUND_2019.items()}
        out = {h.area_code: h for h in harmonise(Borders(s, "municipality"), stored, 2024,
                                                 population)}
    parts = [c for c in ALESUND_2019 if c != "1534"]
    expected = (sum(ALESUND_2019[c] / 1e5 * ALESUND_2019[c] for c in parts)
                / sum(ALESUND_2019[c] for c in parts))
    assert out["1508"].value == pytest.approx(expected) and out["1508"].flags == ("harmonised",)


def test_what_cannot_be_harmonised_honestly_says_why(demo_db):
    url, ids = demo_db
    # a merged area read on the borders before the merger (real: FHI's 2024 population)
    older = _by(_get(url, ids, "folkemengde", start=2024, end=2024, borders=2019))
    for code in ("1103", "1141", "1142"):
        assert older[code]["value"] is None and "unknown shares" in older[code]["note"]
    assert older["0301"]["value"] == FHI[("municipality", "0301", 2024)]
    # no measure: counts or rates? (synthetic)
    unknown = _by(_get(url, ids, "uten-mål", borders=2024))
    assert unknown["1508"]["value"] is None
    assert unknown["1508"]["note"].startswith("it is not known whether the values are counts")
    assert unknown["1580"]["value"] == ALESUND_2019["1534"]  # a renumbering needs no measure


def test_a_missing_part_gives_no_value(demo_db):
    """Synthetic: 2019 counts without Snillfjord, whose shares belong in three areas."""
    url, ids = demo_db
    with session_scope(url) as s:
        stored = [r for r in read(s, [ids["telling"]]) if r.area_code != "5012"]
        out = {h.area_code: h for h in harmonise(Borders(s, "municipality"), stored, 2024, {})}
    for code in ("5055", "5056", "5059"):
        assert out[code].value is None
        assert out[code].note == f"no value for 5012 in 2019, which is part of {code}"


def test_areas_and_years_are_selected_after_harmonising(demo_db):
    url, ids = demo_db
    rows = _get(url, ids, "folkemengde-ssb", areas=["3101", "0301"], borders=2024)
    assert sorted(r["area_code"] for r in rows) == ["0301", "3101"]
    assert _get(url, ids, "folkemengde", areas=["3101"], start=2010, end=2012) == [
        r for r in _get(url, ids, "folkemengde", start=2010, end=2012)
        if r["area_code"] == "3101"]
    with pytest.raises(UserError, match="--from 2024 is after --to 2020"):
        _get(url, ids, "folkemengde", start=2024, end=2020)
    by_year = defaultdict(float)
    for r in _get(url, ids, "folkemengde", start=2020, end=2020, borders=2024):
        if r["area_level"] == "municipality" and r["value"] is not None:
            by_year[r["end_year"]] += r["value"]
    assert by_year[2020] == sum(v for (lvl, c, y), v in FHI.items()
                                if lvl == "municipality" and y == 2020
                                and c not in ("1508", "1580"))


def test_borders_know_versions_and_shares(demo_db):
    url, _ = demo_db
    with session_scope(url) as s:
        b = Borders(s, "municipality")
        halden = b.version("3001", 2022)
        assert (halden.valid_from, halden.valid_to) == (2020, 2024)
        assert b.version("3001", 2030) is halden  # the nearest version in time
        assert b.version("9999", 2022) is None
        assert {b.areas[i].code: w for i, w in b.shares(halden, 2024).items()} == {"3101": 1.0}
        alesund = b.version("1507", 2022)
        assert {b.areas[i].code: w for i, w in b.shares(alesund, 2024).items()} == {
            "1508": None, "1580": None}
        snillfjord = b.version("5012", 2019)
        assert {b.areas[i].code: w for i, w in b.shares(snillfjord, 2024).items()} == (
            pytest.approx({"5055": 0.35, "5056": 0.35, "5059": 0.3}))
        assert len(b.valid_at(2024)) == 357 and len(b.valid_at(2020)) == 356


def test_an_area_asked_for_without_figures_is_shown_missing(demo_db):
    """FHI's halves of old Ålesund are left out of the demo population, so 1507 Ålesund has no
    figures for 2020-2023 on 2020 borders: each year is a row saying so, not a gap."""
    url, ids = demo_db
    rows = _get(url, ids, "folkemengde", areas=["1507", "1505"], borders=2020, start=2020,
                end=2025)
    alesund = {r["period"]: r for r in rows if r["area_code"] == "1507"}
    assert sorted(alesund) == [str(y) for y in range(2020, 2026)]
    for year in ("2020", "2021", "2022", "2023"):
        assert alesund[year]["value"] is None and alesund[year]["batch"] is None
        assert alesund[year]["note"] == "no figures for this area and period"
    assert all(r["value"] is not None for r in rows if r["area_code"] == "1505")
    halden = _get(url, ids, "folkemengde", areas=["3101"], borders=2020, start=2020, end=2020)
    assert [r["area_code"] for r in halden] == ["3001"]  # no row for 3101, unknown in 2020


@pytest.mark.parametrize(("code", "level", "borders"), [
    ("4003", "municipality", 2026), ("1508", "municipality", 2026), ("1507", "municipality", 2020),
    ("3101", "municipality", 2020), ("5001", "municipality", 2026), ("1804", "municipality", 2004),
    ("40", "county", 2026), ("15", "county", 2020), ("0301", "municipality", 2026)])
def test_a_few_areas_on_other_borders_read_as_all_areas_do(demo_db, code, level, borders):
    """Asking for one area reads only the codes a reform joins to it: the answer is the same
    as reading every area and keeping it (or the area it lay in on those borders: 3101 Halden
    on 2020 borders is 3001), for every series of the demo."""
    url, ids = demo_db
    for series in ids:
        alone = [r for r in _get(url, ids, series, areas=[code], borders=borders)
                 if r["area_level"] == level and r["note"] != NO_FIGURES]  # asked-for gaps
        shown = {code} | {r["area_code"] for r in alone}
        every = [r for r in _get(url, ids, series, borders=borders)
                 if r["area_code"] in shown and r["area_level"] == level]
        assert alone == every, series
    assert _get(url, ids, "folkemengde", areas=[code], borders=borders)
