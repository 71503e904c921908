"""The readers behind the national profile, on the real national files and on table-driven
edge cases: Nkom's coverage blocks, IMDi's long figure files, FHI's Kommunehelsa export with
places by name, Miljødirektoratet's facility emissions, FHI's population by age and
Kartverket's boundaries."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from localsdg.areas.lookup import AreaIndex, AreaRef
from localsdg.db.session import session_scope
from localsdg.errors import UserError
from localsdg.observations.store import Obs, Problem
from localsdg.sources import national_files as files
from tests.helpers import DATA, MIRROR, module_database, read_csv, synced

NATIONAL = DATA / "norway/stats/national"
IMDI = NATIONAL / "imdi_kommunetall_2011-2014"
EMISSIONS = NATIONAL / ("mdir_norskeutslipp_industri/"
                        "norskeutslipp_landbasert_industri_CO2ekv_anlegg.xlsx")
VACCINATION = NATIONAL / "fhi_vaccination/kommunehelsa_vaksinasjonsdekning_5aar_2002-2018_raw.xlsx"
POPULATION = DATA / "norway/stats/fhi_csdata_b2024/population_jan1_b2024_by_agegroup_2005-2026.csv"
MOBILE = DATA / "norway/stats/nkom_bredband_mobil_dekning_alle_kommuner.csv"
BOUNDARIES = MIRROR / ("raw.githubusercontent.com/robhop/fylker-og-kommuner/"
                       "ae8782500090144c2b74d6bb2a89365a7ff2236d/Kommuner-S.geojson")


@pytest.fixture(scope="module")
def areas(tmp_path_factory: pytest.TempPathFactory) -> AreaIndex:
    gen = module_database("sqlite", tmp_path_factory)
    url = next(gen)
    synced(url)
    with session_scope(url) as s:
        index = AreaIndex(s)
        s.expunge_all()
    yield index
    next(gen, None)


def _split(items) -> tuple[list[Obs], list[Problem]]:
    found = [x for _, x in items]
    return [x for x in found if isinstance(x, Obs)], [x for x in found if isinstance(x, Problem)]


def test_mobile_coverage_is_read_from_the_named_block(areas):
    obs, problems = _split(files.coverage(MOBILE, 1, areas, group="4G + 5G", column="≥ 100",
                                          year=2022, borders=2020))
    assert not problems and len(obs) == 356
    arendal = next(o for o in obs if o.area_code == "4203")
    assert arendal.value == 93.1  # not 93.0 (4G alone) nor 15.1 (5G alone)
    with pytest.raises(UserError, match="no column '≥ 100' under '6G'"):
        list(files.coverage(MOBILE, 1, areas, group="6G", column="≥ 100", year=2022,
                            borders=2020))


IMDI_LINES = [
    '"aar","kommune_nr","fylke_nr","innvkat_3","kjonn","enhet","tabellvariabel"',
    '"2013","0301","NULL","alle","alle","prosent","75.9"',  # Oslo, the total
    '"2013","0301","NULL","innvandrere","alle","prosent","60.1"',  # a breakdown: left
    '"2013","0301","NULL","alle","alle","personer","326618.00"',  # another unit: left
    '"2013","1804","NULL","alle","alle","prosent","."',  # suppressed
    '"2013","0101","NULL","alle","alle","prosent","NULL"',  # suppressed
    '"2013","NULL","07","alle","alle","prosent","77.0"',  # Vestfold (2013), a county
    '"2013","NULL","00","alle","alle","prosent","77.3"',  # the nation: left
    '"2011_2013","0806","NULL","alle","alle","prosent","70.2"',  # three years together
    '"2013","NULL","NULL","alle","alle","prosent","12"',  # a district line: left
    '"NULL","NULL","NULL","NULL","NULL","Kmmunenavn","Halden"',  # a stray line: left
    '"2013","0199","NULL","alle","alle","prosent","80"',  # no such municipality
    '"2013","0104","NULL","alle","alle","prosent","abc"',  # not a number
]


def test_imdi_figures_read_the_totals_of_the_unit_asked_for(areas, tmp_path: Path):
    path = tmp_path / "figures.csv"
    path.write_text("\n".join(IMDI_LINES), encoding="utf-8")
    obs, problems = _split(files.imdi(path, 1, areas, keep={"innvkat_3": "alle",
                                                             "kjonn": "alle"},
                                      unit="per cent"))
    got = {(o.area_level, o.area_code, o.period): o.value for o in obs}
    assert got == {("municipality", "0301", "2013"): 75.9,
                   ("municipality", "1804", "2013"): None,
                   ("municipality", "0101", "2013"): None,
                   ("county", "07", "2013"): 77.0,
                   ("municipality", "0806", "2011–2013"): 70.2}
    assert all(o.borders == o.end_year for o in obs)  # codes of their year
    assert sorted(p.where for p in problems) == ["figures.csv, line 12, column kommune_nr",
                                                 "figures.csv, line 13, column tabellvariabel"]
    with pytest.raises(UserError, match="no column innvkat_5"):
        list(files.imdi(path, 1, areas, keep={"innvkat_5": "alle"}, unit="per cent"))


@pytest.mark.parametrize(("file", "keep", "municipalities"), [
    ("vedvarende_lavinntekt.csv", {"innvkat_3": "alle", "vreg_3": "alle"}, 428),
    ("ungdom_utenfor_opplaring.csv", {"innvkat_5": "alle", "kjonn": "alle"}, 428),
    ("sysselsatte_innvkat.csv", {"innvkat_3": "alle"}, 428),
    ("videregaende_fullfort.csv", {"innvkat_5": "alle", "kjonn": "alle", "aar": "2011_2013"},
     428),
    ("barnehagedeltakelse.csv", {"spraak": "alle", "bhgalder": "1_5"}, 428)])
def test_every_imdi_file_gives_one_total_per_municipality(areas, file, keep, municipalities):
    obs, problems = _split(files.imdi(IMDI / file, 1, areas, keep=keep, unit="per cent"))
    per_area = Counter((o.area_level, o.area_code) for o in obs)
    assert max(per_area.values()) == 1  # the keep picks exactly one line per area
    assert sum(1 for level, _ in per_area if level == "municipality") == municipalities
    # only Trøndelag's old counties (16, 17, before 2018) and '99' name no county we know
    assert {p.message.split("'")[1] for p in problems} <= {"16", "17", "99", "9999"}


def test_vaccination_by_name_with_counties_oslo_and_sami_names(areas):
    obs, problems = _split(files.vaccination(VACCINATION, 1, areas, age="2 år",
                                             vaccine="Meslinger", borders=2018))
    book = openpyxl.load_workbook(VACCINATION, read_only=True)
    names = [r[0] for r in book.worksheets[0].iter_rows(min_row=9, values_only=True) if r[0]]
    districts = sum(1 for n in names if "bydel" in n.lower())
    places = {(o.area_level, o.area_code) for o in obs}
    assert ("municipality", "0301") in places and ("county", "03") in places  # Oslo twice
    assert ("municipality", "2021") in places  # 'Kárásjohka Karasjok' (2018 code)
    assert ("municipality", "2025") in places  # 'Deatnu Tana'
    assert len(places) == len(names) - districts - 1 - len(problems)  # less the nation
    assert len(problems) <= 3, problems  # names the 2018 list does not hold, if any
    halden = {o.period: o.value for o in obs if o.area_code == "0101"}
    assert halden["2014–2018"] is not None and set(halden) >= {"2002–2006", "2014–2018"}


def test_industry_emissions_are_summed_per_municipality_and_partial_years_left(areas):
    obs, problems = _split(files.industry_emissions(EMISSIONS, 1, areas, borders=2020))
    sheet = openpyxl.load_workbook(EMISSIONS, read_only=True)["Utslipp"]
    bamble = sum(r[5] for r in sheet.iter_rows(min_row=4, values_only=True)
                 if r[2] == "Bamble" and r[4] == 2021 and isinstance(r[5], int | float))
    assert next(o.value for o in obs if o.area_code == "3813" and o.period == "2021") == \
        pytest.approx(bamble, abs=1e-3)
    assert next(o.value for o in obs if o.area_code == "1804" and o.period == "2021") == \
        pytest.approx(sum(r[5] for r in sheet.iter_rows(min_row=4, values_only=True)
                          if r[2] == "Bodø" and r[4] == 2021 and isinstance(r[5], int | float)),
                      abs=1e-3)
    # at least half of the 249 facilities of the fullest year (2001) report from 1997
    assert {o.period for o in obs} == {str(y) for y in range(1997, 2022)}
    partial = next(p for p in problems if "incomplete" in p.message)
    assert "1990, 1991" in partial.message and "1996, 2022" in partial.message
    zero = [o for o in obs if o.period == "2021" and o.value == 0]
    assert len(zero) > 200  # municipalities without a reporting facility emitted nothing
    assert {p.message for p in problems} - {partial.message} <= {
        "no municipality is called 'Svalbard'"}


def test_population_shares_and_growth_leave_fhis_halves_of_alesund(areas):
    rows = [r for r in read_csv(POPULATION, encoding="utf-8") if r["code"] == "1804"]
    by_year = {int(r["year"]): r for r in rows}
    obs, problems = _split(files.population_share(POPULATION, 1, areas, part="pop_67_plus"))
    assert not problems
    share = {o.period: o.value for o in obs if o.area_code == "1804"}
    r = by_year[2026]
    assert share["2026"] == round(100 * float(r["pop_67_plus"]) / float(r["pop_total"]), 2)
    assert not any(o.area_code in ("1508", "1580") and o.end_year < 2024 for o in obs)
    assert any(o.area_level == "county" for o in obs)
    growth, _ = _split(files.population_growth(POPULATION, 1, areas, years=5))
    bodo = {o.period: o.value for o in growth if o.area_code == "1804"}
    assert bodo["2021–2026"] == round(100 * (float(r["pop_total"]) /
                                             float(by_year[2021]["pop_total"]) - 1), 2)
    assert "2005–2010" in bodo and not any(p.startswith("2004") for p in bodo)


def test_land_area_on_the_ellipsoid(areas, tmp_path: Path):
    obs, problems = _split(files.land_area(BOUNDARIES, 1, areas, year=2024))
    assert not problems and len(obs) == 357
    km2 = {o.area_code: o.value for o in obs}
    # SSB's total areas (land and fresh water): Oslo 454, Bodø 1,395, Skien 779 km²;
    # the simplified boundary stays within a few per cent
    for code, official in (("0301", 454), ("1804", 1395), ("4003", 779)):
        assert km2[code] == pytest.approx(official, rel=0.05)
    broken = tmp_path / "broken.geojson"
    broken.write_text(json.dumps({"type": "FeatureCollection"}))
    with pytest.raises(UserError, match="broken.geojson: not a GeoJSON FeatureCollection"):
        list(files.land_area(broken, 1, areas, year=2024))


def test_a_place_in_an_export_is_a_county_or_a_municipality_of_it(areas):
    assert files._place(areas, "Nordland", None, 2018) == AreaRef("county", "18")
    assert files._place(areas, "Herøy", "Nordland", 2018) == AreaRef("municipality", "1818")
    assert files._place(areas, "Oslo", "Oslo", 2018) == AreaRef("municipality", "0301")
    # a name in three languages without separators, by one of its words (the county's name
    # is today's Finnmark, so Porsanger is found under today's code)
    assert files._place(areas, "Porsanger Porsángu Porsanki", "Finnmark", 2018) in (
        AreaRef("municipality", "2020"), AreaRef("municipality", "5622"))
    assert files._place(areas, "Bydel Frogner", "Oslo", 2018) is None
    assert files._place(areas, "Årstad bydel", "Hordaland", 2018) is None
    assert "Atlantis" in files._place(areas, "Atlantis", "Oslo", 2018)
