"""Municipalities, counties and countries with their code versions, on the real files.

The expected code sets are read here from SSB's own lists (the KLASS response and the KLASS
exports of earlier years) and the shares from FHI's redistricting table, with the csv and json
modules, so the tests follow the files rather than numbers printed by `sync_areas`.
"""

from __future__ import annotations

import csv
import json
from collections import Counter

import pycountry
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from localsdg.areas.codes import county_code, municipality_code
from localsdg.areas.lookup import AreaIndex, AreaRef, name_key
from localsdg.areas.store import add_area, list_areas
from localsdg.db.schema import Area, AreaChange
from localsdg.db.session import session_scope
from localsdg.errors import UserError
from localsdg.sources.area_lists import sync_areas
from tests.helpers import ENGINES, HISTORY, module_database, synced

CODES = HISTORY / "codes"
KLASS_2026 = CODES / "klass131_codesAt_2026-01-01_api_response.json"
REDISTRICTING = HISTORY / "correspondences" / "fhi_csdata_redistricting_b2024_municip_county.csv"


def _klass_current() -> dict[str, dict]:
    codes = json.loads(KLASS_2026.read_text(encoding="utf-8"))["codes"]
    return {c["code"]: c for c in codes if c["code"] != "9999"}


def _klass_export(name: str) -> dict[str, str]:
    """A KLASS export (cp1252, ';'): code → name, without the 'unknown' codes 99 and 9999."""
    with (CODES / name).open(encoding="cp1252", newline="") as f:
        return {r["code"]: r["name"] for r in csv.DictReader(f, delimiter=";")
                if r["code"] not in ("99", "9999")}


def _counties_2024() -> dict[str, str]:
    with (CODES / "fylker_2024_xdtkit.csv").open(encoding="utf-8-sig", newline="") as f:
        return {r["fylkesnummer"].zfill(2): r["fylkesnavn"]
                for r in csv.DictReader(f, delimiter=";")}


def _fhi_shares(level: str, original: str, year: int) -> dict[str, float]:
    with REDISTRICTING.open(encoding="utf-8", newline="") as f:
        return {r["code_current"]: float(r["weighting"]) for r in csv.DictReader(f)
                if r["granularity_geo"] == level and r["code_original"] == original
                and int(r["year"]) == year}


@pytest.fixture(scope="module", params=ENGINES)
def areas_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Areas synced once per engine for this module; tests only read."""
    gen = module_database(request.param, tmp_path_factory)
    url = next(gen)
    summary = synced(url)
    yield url, summary
    next(gen, None)


def _codes(url: str, level: str, at: str) -> list[str]:
    with session_scope(url) as s:
        return [r["code"] for r in list_areas(s, level, at)]


def _successors(url: str, code: str, level: str = "municipality") -> dict:
    """(valid_from, valid_to) of each version of `code` → {successor code: (weight, kind, year)}."""
    src, dst = aliased(Area), aliased(Area)
    q = (select(src.valid_from, src.valid_to, dst.code, AreaChange.weight, AreaChange.kind,
                AreaChange.year)
         .join(src, src.id == AreaChange.from_id).join(dst, dst.id == AreaChange.to_id)
         .where(src.level == level, src.code == code))
    out: dict = {}
    with session_scope(url) as s:
        for start, end, to, weight, kind, year in s.execute(q):
            out.setdefault((start, end), {})[to] = (weight, kind, year)
    return out


# ---------------------------------------------------------------- the code sets


@pytest.mark.parametrize("at", ["2024-01-01", "2026-01-01"])
def test_current_sets_are_klass_357_municipalities_and_15_counties(areas_db, at):
    url, summary = areas_db
    klass = _klass_current()
    assert len(klass) == 357
    assert sorted(_codes(url, "municipality", at)) == sorted(klass)
    counties = _counties_2024()
    assert len(counties) == 15
    assert sorted(_codes(url, "county", at)) == sorted(counties)
    assert summary["current"]["municipality"] == 357 and summary["current"]["county"] == 15


def test_2020_set_is_356_municipalities_and_11_counties(areas_db):
    url, _ = areas_db
    municipalities = _klass_export("klass131_kommuner_2020_gardenberg.csv")
    counties = _klass_export("klass104_fylker_2020_barnevernmonitor.csv")
    assert (len(municipalities), len(counties)) == (356, 11)
    for at in ("2020-01-01", "2023-12-31"):
        assert sorted(_codes(url, "municipality", at)) == sorted(municipalities)
        assert sorted(_codes(url, "county", at)) == sorted(counties)


@pytest.mark.parametrize("year", [2013, 2017, 2018, 2019])
def test_older_klass_sets_match(areas_db, year):
    url, _ = areas_db
    expected = _klass_export(f"klass131_kommuner_{year}_gardenberg.csv")
    assert sorted(_codes(url, "municipality", f"{year}-07-01")) == sorted(expected)
    if year >= 2018:
        counties = _klass_export("klass104_fylker_2018-2019_barnevernmonitor.csv")
        assert sorted(_codes(url, "county", f"{year}-07-01")) == sorted(counties)


def test_no_code_is_valid_twice_in_any_year(areas_db):
    """Versions of one code never overlap (Kristiansund 1505 begins in 2008, when 1503 ends;
    Aure 1576 and Vindafjord 1160 begin in 2006)."""
    url, _ = areas_db
    for level in ("municipality", "county"):
        for year in range(1994, 2027):
            codes = Counter(_codes(url, level, f"{year}-01-01"))
            assert [c for c, n in codes.items() if n > 1] == [], (level, year)
    with session_scope(url) as s:
        rows = {(r["code"], r["valid_from"], r["valid_to"]) for r in list_areas(s, "municipality")
                if r["code"] in ("1503", "1505", "1160", "1576", "1569")}
    assert rows >= {("1505", 2008, None), ("1503", None, 2008), ("1160", 2006, None),
                    ("1576", 2006, None), ("1569", None, 2006)}
    for year in (2005, 2007):
        with session_scope(url) as s:
            names = Counter(r["name"] for r in list_areas(s, "municipality", f"{year}-01-01"))
        assert names["Kristiansund"] == 1 and names["Aure"] == 1


# ---------------------------------------------------------------- names


def test_official_names_with_sami_forms_and_short_names(areas_db):
    url, _ = areas_db
    klass = _klass_current()
    with session_scope(url) as s:
        current = {r["code"]: r for r in list_areas(s, "municipality", "2024-01-01")}
    assert {c: r["name"] for c, r in current.items()} == {c: k["name"] for c, k in klass.items()}
    oslo = current["0301"]
    assert (oslo["name"], oslo["short_name"], oslo["parent"]) == ("Oslo - Oslove", "Oslo", "03")
    assert current["5001"]["name"] == "Trondheim - Tråante"
    assert current["5610"]["name"] == "Kárášjohka - Karasjok"
    assert current["5610"]["short_name"] == "Karasjok"
    several = [k["name"] for k in klass.values() if " - " in k["name"]]
    assert len(several) >= 15
    assert sum(" - " in r["name"] for r in current.values()) == len(several)


def test_county_names_have_no_export_artefacts(areas_db):
    """The KLASS 104 export of 2020 writes '?' where the name forms are separated."""
    url, _ = areas_db
    with session_scope(url) as s:
        names = {r["code"]: r["name"] for r in list_areas(s, "county")}
    assert names["54"] == "Troms og Finnmark - Romsa ja Finnmárku - Tromssa ja Finmarkku"
    assert not [n for n in names.values() if "?" in n]
    assert {c: names[c] for c in _counties_2024()} == _counties_2024()


# ---------------------------------------------------------------- changes between versions


def test_halden_3001_is_renumbered_to_3101_with_weight_1(areas_db):
    url, _ = areas_db
    assert _successors(url, "3001") == {(2020, 2024): {"3101": (1.0, "renumber", 2024)}}


def test_snillfjord_5012_is_split_three_ways_with_fhi_shares(areas_db):
    url, _ = areas_db
    (versions, targets), = _successors(url, "5012").items()
    assert versions == (2018, 2020)
    assert set(targets) == {"5055", "5056", "5059"}
    assert {kind for _, kind, _ in targets.values()} == {"split"}
    expected = _fhi_shares("municip", "5012", 2019)
    assert {c: w for c, (w, _, _) in targets.items()} == pytest.approx(expected)
    assert sum(w for w, _, _ in targets.values()) == pytest.approx(1.0)


def test_old_haram_1534_goes_to_1580_only(areas_db):
    """FHI's table halves 1534 between 1508 and 1580; Haram went wholly to the new 1580."""
    url, _ = areas_db
    assert _fhi_shares("municip", "1534", 2019) == {"1508": 0.5, "1580": 0.5}
    (versions, targets), = _successors(url, "1534").items()
    assert versions[1] == 2020
    assert {c: w for c, (w, _, _) in targets.items()} == {"1580": 1.0}
    for old in ("1504", "1523", "1529", "1546"):
        assert [{c: w for c, (w, _, _) in t.items()} for t in _successors(url, old).values()
                ] == [{"1508": 1.0}]


def test_alesund_1507_is_split_with_unknown_shares(areas_db):
    url, summary = areas_db
    assert _successors(url, "1507") == {(2020, 2024): {"1508": (None, "split", 2024),
                                                      "1580": (None, "split", 2024)}}
    assert any("1507" in n for n in summary["notes"])


def test_stavanger_1103_has_an_earlier_version_ending_2020(areas_db):
    url, _ = areas_db
    with session_scope(url) as s:
        versions = sorted((r["valid_from"] or 0, r["valid_to"] or 9999)
                          for r in list_areas(s, "municipality") if r["code"] == "1103")
    assert versions == [(0, 2020), (2020, 9999)]
    assert _successors(url, "1103") == {(None, 2020): {"1103": (1.0, "merge", 2020)}}
    for merged in ("1141", "1142"):  # Finnøy and Rennesøy
        assert {c for t in _successors(url, merged).values() for c in t} == {"1103"}


@pytest.mark.parametrize(("old", "new"), [("30", {"31", "32", "33"}), ("38", {"39", "40"}),
                                          ("54", {"55", "56"})])
def test_county_splits_of_2024_carry_fhi_population_shares(areas_db, old, new):
    url, _ = areas_db
    (versions, targets), = _successors(url, old, "county").items()
    assert versions == (2020, 2024) and set(targets) == new
    expected = _fhi_shares("county", old, 2023)
    assert {c: w for c, (w, _, _) in targets.items()} == pytest.approx(expected)
    assert sum(w for w, _, _ in targets.values()) == pytest.approx(1.0, abs=1e-6)


def test_every_version_of_2020_and_later_has_a_successor(areas_db):
    url, _ = areas_db
    with session_scope(url) as s:
        ended = set(s.scalars(select(Area.id).where(Area.valid_to.is_not(None),
                                                    Area.valid_to >= 2020)))
        with_successor = set(s.scalars(select(AreaChange.from_id)))
        assert ended and ended <= with_successor
        current = set(s.scalars(select(Area.id).where(Area.valid_to.is_(None))))
        assert not current & with_successor


def test_merges_before_2006_go_whole_to_their_municipality_of_today(areas_db):
    url, _ = areas_db
    assert _successors(url, "1842") == {(None, 2005): {"1804": (1.0, "merge", 2005)}}
    assert _successors(url, "0718") == {(None, 2002): {"3905": (1.0, "merge", 2002)}}
    assert _successors(url, "1572") == {(None, 2006): {"1576": (1.0, "merge", 2006)}}
    with session_scope(url) as s:  # so every code since 1994 can be read on today's borders
        ended = set(s.scalars(select(Area.id).where(Area.level == "municipality",
                                                    Area.valid_to.is_not(None))))
        assert ended <= set(s.scalars(select(AreaChange.from_id)))


# ---------------------------------------------------------------- countries


def test_countries_by_iso3_with_norwegian_names(areas_db):
    url, summary = areas_db
    with session_scope(url) as s:
        countries = {r["code"]: r for r in list_areas(s, "country", "2024-01-01")}
    assert len(countries) == len(pycountry.countries) == summary["versions"]["country"]
    nor = countries["NOR"]
    assert (nor["name"], nor["name_en"], nor["short_name"]) == ("Norge", "Norway", "NO")
    assert countries["SWE"]["name"] == "Sverige"
    assert all(len(c) == 3 and c.isupper() for c in countries)


# ---------------------------------------------------------------- listing


def test_list_areas_refuses_unknown_levels_and_dates(areas_db):
    url, _ = areas_db
    with session_scope(url) as s:
        with pytest.raises(UserError, match="level 'kommune' is unknown"):
            list_areas(s, "kommune")
        with pytest.raises(UserError, match="YYYY-MM-DD"):
            list_areas(s, "county", "2024")
        everything = list_areas(s)
    assert {r["level"] for r in everything} == {"municipality", "county", "country"}


# ---------------------------------------------------------------- re-sync and user areas


def test_resync_is_idempotent_and_keeps_user_areas(db_url):
    first = synced(db_url)
    with session_scope(db_url) as s:
        add_area(s, "city", "ES-08019", "Barcelona", parent="ESP")
        areas = s.scalar(select(func.count()).select_from(Area))
        changes = s.scalar(select(func.count()).select_from(AreaChange))
    second = synced(db_url)
    assert second == first
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Area)) == areas
        assert s.scalar(select(func.count()).select_from(AreaChange)) == changes == first[
            "changes"]
        city = list_areas(s, "city")
        assert [(c["code"], c["name"], c["parent"], c["source"]) for c in city] == [
            ("ES-08019", "Barcelona", "ESP", "added by a user")]
        add_area(s, "city", "ES-08019", "Barcelona (ciutat)", parent="ESP")  # update in place
        assert list_areas(s, "city")[0]["name"] == "Barcelona (ciutat)"
        with pytest.raises(UserError, match="0301 is Oslo - Oslove from KLASS 131"):
            add_area(s, "municipality", "0301", "Mitt Oslo")
        with pytest.raises(UserError, match="level 'town' is unknown"):
            add_area(s, "town", "X", "X")


def test_sync_without_history_loads_the_current_set_and_says_so(db_url):
    with session_scope(db_url) as s:
        summary = sync_areas(s, None)
    assert summary["current"] == {"municipality": 357, "country": len(pycountry.countries)}
    assert summary["changes"] == 0
    assert any("no history folder" in n for n in summary["notes"])


def test_history_folder_without_the_files_is_refused(db_url, tmp_path):
    (tmp_path / "codes").mkdir()
    with session_scope(db_url) as s, pytest.raises(UserError) as err:
        sync_areas(s, tmp_path)
    assert "regtools_kommuner-1994-2024.csv" in err.value.message
    assert "klass131_kommuner_2019_gardenberg.csv" in err.value.message
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Area)) == 0


# ---------------------------------------------------------------- finding areas in files


@pytest.mark.parametrize(("raw", "level", "code"), [
    (301, "municipality", "0301"), ("301", "municipality", "0301"),
    ("0301", "municipality", "0301"), ("K-0301", "municipality", "0301"),
    ("301.0", "municipality", "0301"), ("K-3001", "municipality", "3001"),
    (3, "county", "03"), ("3.0", "county", "03"), ("F-03", "county", "03"),
    ("NOR", "country", "NOR"), ("nor", "country", "NOR"), ("0", "country", "NOR"),
])
def test_codes_however_written(areas_db, raw, level, code):
    url, _ = areas_db
    with session_scope(url) as s:
        assert AreaIndex(s).by_code(raw) == AreaRef(level, code)


@pytest.mark.parametrize("raw", ["9999", "K-Rest", "K-21-22", "XYZ", "99"])
def test_codes_that_are_not_areas(areas_db, raw):
    url, _ = areas_db
    with session_scope(url) as s:
        assert AreaIndex(s).by_code(raw) is None


def test_names_with_year_county_and_level(areas_db):
    url, _ = areas_db
    with session_scope(url) as s:
        idx = AreaIndex(s)
    oslo = idx.by_name("Oslo")
    assert isinstance(oslo, str) and "03 (county)" in oslo and "0301 (municipality)" in oslo
    assert idx.by_name("Oslo", level="municipality") == AreaRef("municipality", "0301")
    assert idx.by_name("OSLO", level="county") == AreaRef("county", "03")
    assert idx.by_name("Oslove") == AreaRef("municipality", "0301")
    assert idx.by_name("Ås", year=2010) == AreaRef("municipality", "0214")
    assert idx.by_name("ÅS", year=2022) == AreaRef("municipality", "3021")
    assert idx.by_name("Ås", year=2024) == AreaRef("municipality", "3218")
    assert "several areas" in idx.by_name("Ås")
    assert idx.by_name("Herøy", county="Nordland", year=2022) == AreaRef("municipality", "1818")
    assert idx.by_name("HERØY", county="MØRE OG ROMSDAL", year=2022) == AreaRef(
        "municipality", "1515")
    assert idx.by_name("Våler", county="Innlandet") == AreaRef("municipality", "3419")
    assert idx.by_name("OS (INNLANDET)", year=2022) == AreaRef("municipality", "3430")
    assert idx.by_name("Våler i Innlandet", year=2022) == AreaRef("municipality", "3419")
    assert idx.by_name("Harstad – Hárstták", year=2022) == AreaRef("municipality", "5402")
    assert idx.by_name("Karasjok", year=2022) == AreaRef("municipality", "5437")
    assert idx.by_name("Kárášjohka - Karasjok", year=2024) == AreaRef("municipality", "5610")
    assert idx.by_name("Moss (t.o.m. 2019)", year=2019) == AreaRef("municipality", "0104")
    assert idx.by_name("TROMS OG FINNMARK", level="county") == AreaRef("county", "54")
    assert idx.by_name("Hele landet") == AreaRef("country", "NOR")
    assert idx.by_name("Atlantis") == "no municipality or county is called 'Atlantis'"


def test_code_and_name_helpers():
    assert [municipality_code(x) for x in (301, "301", "K-0301", "K.0301", "301.0", " 0301 ")
            ] == ["0301"] * 6
    assert [county_code(x) for x in (3, "3", "F-03", "03")] == ["03"] * 4
    assert municipality_code("K-Rest") == "K-Rest"  # a statbank group, not a code
    assert name_key("Oslo - Oslove") == "oslo"
    assert name_key("  ÅS ") == name_key("Ås") == "ås"
    assert name_key("Moss (t.o.m. 2019)") == "moss"
    assert name_key("Halden (2020-2023)") == "halden"
