"""JSON-stat 2.0 from SSB's statistics bank, on both engines: the real PxWeb v0 response for
table 07459 (population 2022 on 2020 borders, with statbank groups that are not areas) and the
real PxWeb v2 response for table 12134 (KOSTRA key figures). Expected values are read here from
the files with the json module; the few synthetic variants (a second metric, a missing value,
broken roles) are edits of the real v2 file, named as such in each test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from localsdg.areas.lookup import AreaIndex
from localsdg.db.schema import ImportBatch, Indicator, Observation
from localsdg.db.session import session_scope
from localsdg.errors import UserError
from localsdg.observations.store import Obs, Problem, batches, read
from localsdg.sources.data_import import Request, run
from localsdg.sources.jsonstat import import_jsonstat, read_dataset, roles, rows
from tests.helpers import HISTORY, add_indicators, synced

FIXTURES = HISTORY / "fixtures"
V0 = FIXTURES / "ssb_07459_befolkning_2022_kommuner2020_jsonstat2.json"
V2 = FIXTURES / "ssb_12134_kostra_nokkeltall_pxwebv2_jsonstat2_3kommuner.json"
NOT_AREAS = {"K-21-22", "K-23", "K-Rest"}


@pytest.fixture
def db(db_url: str) -> tuple[str, dict[str, int]]:
    synced(db_url)
    return db_url, add_indicators(db_url, "folkemengde", "frie-inntekter")


def _region_values(path: Path) -> dict[str, float]:
    data = json.loads(path.read_text(encoding="utf-8"))
    geo = data["role"]["geo"][0]
    index = data["dimension"][geo]["category"]["index"]
    assert data["size"][data["id"].index(geo)] == len(data["value"])  # one value per region
    return {code: data["value"][i] for code, i in index.items()}


def _import(url: str, path: Path, ind: int, **kw):
    with session_scope(url) as s:
        return import_jsonstat(s, path, indicator=s.get(Indicator, ind), by="tester", **kw)


def _stored(url: str, ind: int) -> list:
    with session_scope(url) as s:
        return read(s, [ind])


def _nothing_written(url: str) -> bool:
    with session_scope(url) as s:
        return not s.scalar(select(func.count()).select_from(ImportBatch)) and not s.scalar(
            select(func.count()).select_from(Observation))


def test_pxweb_v0_population_on_2020_borders(db):
    url, ids = db
    values = _region_values(V0)
    assert len(values) == 359 and sum(values.values()) == 5_425_270
    result = _import(url, V0, ids["folkemengde"], measure="count")  # no --skip-bad-rows
    assert (result.rows, result.written, result.skipped) == (356, 356, [])
    assert [line.split(" ")[0] for line in result.left_out] == ["K-21-22", "K-23", "K-Rest"]
    assert all("a statistics-bank group, not an area; left out" in line
               for line in result.left_out)
    stored = _stored(url, ids["folkemengde"])
    assert {f"K-{r.area_code}": r.value for r in stored} == {
        c: float(v) for c, v in values.items() if c not in NOT_AREAS}
    assert sum(r.value for r in stored) == 5_425_270
    assert {(r.area_level, r.period, r.start_year, r.end_year, r.dims, r.unit, r.measure,
             r.borders) for r in stored} == {
        ("municipality", "2022", 2022, 2022, "", "personer", "count", None)}
    halden = next(r for r in stored if r.area_code == "3001")
    assert halden.value == values["K-3001"]
    with session_scope(url) as s:
        (batch,) = batches(s)
    assert batch["format"] == "JSON-stat 2.0" and batch["publisher"] == "Statistisk sentralbyrå"
    assert batch["label"].startswith("07459: Befolkning") and batch["updated"] == (
        "2022-02-24T07:00:00Z")
    assert batch["skipped"] == [] and len(batch["left_out"]) == 3

    again = _import(url, V0, ids["folkemengde"], measure="count", skip_bad=True)
    assert (again.written, again.unchanged, again.batch_id) == (0, 356, None)


def test_the_borders_a_file_uses_are_kept(db):
    url, ids = db
    _import(url, V0, ids["folkemengde"], skip_bad=True, borders=2020)
    assert {r.borders for r in _stored(url, ids["folkemengde"])} == {2020}


def test_pxweb_v2_kostra_key_figures_with_the_unit_from_the_metric(db):
    url, ids = db
    data = json.loads(V2.read_text(encoding="utf-8"))
    assert data["id"][0] == "KOKkommuneregion0000"
    result = _import(url, V2, ids["frie-inntekter"])
    assert (result.written, result.skipped) == (3, [])
    stored = _stored(url, ids["frie-inntekter"])
    assert {r.area_code: r.value for r in stored} == {"0301": 81_240, "4601": 66_605,
                                                      "5001": 62_853}
    assert {r.area_code: r.value for r in stored} == _region_values(V2)
    assert {(r.unit, r.period, r.dims, r.flags) for r in stored} == {("kr", "2024", "", "")}


def _edited_v2(tmp_path: Path, edit) -> Path:
    data = json.loads(V2.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "12134.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_several_metrics_become_a_breakdown_each_with_its_unit(db, tmp_path):
    """Synthetic: the real v2 file with a second content code (values made up) added."""
    url, ids = db

    def second_metric(data):
        metric = data["dimension"]["ContentsCode"]["category"]
        metric["index"]["KOSX"] = 1
        metric["label"]["KOSX"] = "Netto driftsresultat i prosent"
        metric["unit"]["KOSX"] = {"base": "prosent", "decimals": 1}
        data["size"] = [3, 2, 1]
        data["value"] = [81240, 1.5, 66605, 2.5, 62853, -0.5]

    _import(url, _edited_v2(tmp_path, second_metric), ids["frie-inntekter"])
    got = {(r.area_code, r.dims): (r.value, r.unit) for r in _stored(url, ids["frie-inntekter"])}
    assert got == {("0301", "ContentsCode=KOSAG110000"): (81240, "kr"),
                   ("0301", "ContentsCode=KOSX"): (1.5, "prosent"),
                   ("4601", "ContentsCode=KOSAG110000"): (66605, "kr"),
                   ("4601", "ContentsCode=KOSX"): (2.5, "prosent"),
                   ("5001", "ContentsCode=KOSAG110000"): (62853, "kr"),
                   ("5001", "ContentsCode=KOSX"): (-0.5, "prosent")}


def test_values_ssb_leaves_out_are_missing_not_zero(db, tmp_path):
    """Synthetic: the real v2 file with Bergen's value removed and SSB's status '..'."""
    url, ids = db

    def missing(data):
        data["value"][1] = None
        data["status"] = {"1": ".."}

    _import(url, _edited_v2(tmp_path, missing), ids["frie-inntekter"])
    got = {r.area_code: (r.value, r.flags) for r in _stored(url, ids["frie-inntekter"])}
    assert got["4601"] == (None, "missing") and got["0301"] == (81240, "")


def test_a_dataset_without_version_or_with_a_category_given_by_its_label_is_read(db, tmp_path):
    """JSON-stat lets a dimension of one category leave out its index (its label names it);
    a dataset without `version` has JSON-stat 2.0's shape all the same. pyjstat failed on
    both (500 from the API)."""
    url, ids = db

    def terse(data):
        del data["version"]
        for dim in ("ContentsCode", "Tid"):
            del data["dimension"][dim]["category"]["index"]

    _import(url, _edited_v2(tmp_path, terse), ids["frie-inntekter"])
    stored = _stored(url, ids["frie-inntekter"])
    assert {r.area_code: r.value for r in stored} == _region_values(V2)
    assert {(r.unit, r.period) for r in stored} == {("kr", "2024")}


def test_files_that_are_not_datasets_are_refused(db, tmp_path):
    url, ids = db
    ind = ids["frie-inntekter"]
    query = FIXTURES / "ssb_07459_query-body.json"  # the real POST body, not a response
    with pytest.raises(UserError, match="ssb_07459_query-body.json: not a JSON-stat 2.0 dataset"):
        _import(url, query, ind)
    text = tmp_path / "half.json"
    text.write_bytes(V2.read_bytes()[:500])
    with pytest.raises(UserError, match="half.json: not JSON"):
        _import(url, text, ind)
    with pytest.raises(UserError, match="no such file"):
        _import(url, tmp_path / "none.json", ind)

    def no_geo(data):
        del data["role"]
        data["id"][0] = "Kommune"
        data["dimension"]["Kommune"] = data["dimension"].pop("KOKkommuneregion0000")

    with pytest.raises(UserError, match="12134.json: no geo dimension among Kommune, "
                                        "ContentsCode, Tid; the dataset needs a role 'geo'"):
        _import(url, _edited_v2(tmp_path, no_geo), ind)

    def bad_time(data):
        data["dimension"]["Tid"]["category"]["index"] = {"i fjor": 0}
        data["dimension"]["Tid"]["category"]["label"] = {"i fjor": "i fjor"}

    with pytest.raises(UserError) as err:
        _import(url, _edited_v2(tmp_path, bad_time), ind)
    assert "KOKkommuneregion0000=0301, Tid=i fjor): 'i fjor' is not a period" in str(err.value)
    assert _nothing_written(url)


def test_roles_are_found_by_role_or_by_ssb_dimension_names():
    data = read_dataset(V0.read_bytes(), V0.name)
    assert roles(data, V0.name).geo == "Region"
    del data["role"]
    found = roles(data, V0.name)
    assert (found.geo, found.time, found.metric, found.other) == (
        "Region", "Tid", "ContentsCode", [])


def test_rows_name_each_value_and_its_codes(db):
    url, ids = db
    data = read_dataset(V0.read_bytes(), V0.name)
    with session_scope(url) as s:
        items = rows(data, V0.name, ids["folkemengde"], AreaIndex(s), "count")
    assert len(items) == 356  # the statistics bank's three groups are left out
    where, first = items[0]
    assert where == f"{V0.name}, value 1 (Region=K-3001, Tid=2022)"
    assert isinstance(first, Obs) and first.area_code == "3001"
    assert not any(isinstance(item, Problem) for _, item in items)


def test_the_import_entry_point_dispatches_by_kind_of_file(db, tmp_path):
    url, ids = db
    with session_scope(url) as s:
        with pytest.raises(UserError, match="this import needs --indicator SET/CODE"):
            run(s, Request(path=V2), by="tester")
        result = run(s, Request(path=V2, indicator="lokal/frie-inntekter"), by="tester")
        assert result["written"] == 3 and result["skipped"] == []
        with pytest.raises(UserError, match="no such file or folder"):
            run(s, Request(path=tmp_path / "x.parquet"), by="tester")
        (tmp_path / "x.parquet").write_bytes(b"PAR1")
        with pytest.raises(UserError, match="not a folder, .json, .csv or .xlsx file"):
            run(s, Request(path=tmp_path / "x.parquet"), by="tester")
        no_areas = tmp_path / "no_areas.csv"  # nothing in it means an area: the user must say
        no_areas.write_text("farge;mengde\nrød;1\nblå;2\n", encoding="utf-8")
        with pytest.raises(UserError, match="this import needs --area COLUMN"):
            run(s, Request(path=no_areas, indicator="lokal/folkemengde"), by="tester")
