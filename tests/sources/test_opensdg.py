"""The Open SDG importer on Barcelona's real repository, and on broken copies of its files.

Expected counts are computed here from the files with the csv and yaml modules, so the tests
follow the repository rather than numbers copied from a run of the importer.
"""

import csv
import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from localsdg.catalog.indicators import detail
from localsdg.db.schema import ImportBatch, Indicator, IndicatorSet, Observation
from localsdg.db.session import session_scope
from localsdg.errors import UserError
from localsdg.observations.store import read
from localsdg.sources.opensdg import _period, _value, import_repository
from tests.helpers import SHARED

BCN = SHARED / "data" / "opensdg" / "barcelona"
AREA = ("municipality", "08019")
SET = "bcn2030"


def _import(url: str, folder: Path = BCN, set_id: str = SET, **kw) -> dict:
    with session_scope(url) as s:
        return import_repository(s, folder, set_id=set_id, area=AREA, by="test", **kw)


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [[c.strip() for c in row] for row in csv.reader(f)]


def _indicator_csvs() -> list[Path]:
    return [p for p in sorted((BCN / "data").glob("indicator_*.csv"))
            if not {"Grade", "Planet", "Fruit"} <= set(_rows(p)[0])]


def _expected_observations() -> int:
    """Non-blank data rows per file, a row repeated cell for cell counted once."""
    return sum(len({tuple(r) for r in _rows(p)[1:] if any(r)}) for p in _indicator_csvs())


def _text_only_indicators() -> int:
    """Meta files without data that report a complete, not integrated, indicator."""
    n = 0
    for md in sorted((BCN / "meta").glob("*.md")):
        if (BCN / "data" / f"indicator_{md.stem}.csv").exists():
            continue
        meta = yaml.safe_load(md.read_text(encoding="utf-8").split("\n---", 1)[0][4:])
        integrated = "custom-translations.integrated" in (meta.get("tags") or [])
        n += meta.get("reporting_status") == "complete" and not integrated
    return n


def _count(session, table, *where) -> int:
    return session.scalar(select(func.count()).select_from(table).where(*where))


def test_barcelona_is_imported_with_all_indicators_and_rows(framework_db):
    report = _import(framework_db)
    csvs, expected_rows = _indicator_csvs(), _expected_observations()
    assert len(csvs) == 222 and report["csv_files_read"] == len(csvs)
    expected_indicators = len(csvs) + _text_only_indicators()
    assert report["indicators"] == report["indicators_created"] == expected_indicators
    assert report["rows"] == report["written"] == expected_rows
    assert {"file": "data/demo_indicator.csv",
            "reason": "the Open SDG template file (columns Grade, Planet, Fruit)"
            } in report["files_skipped"]
    assert report["warnings"] == [] and report["bad_rows_skipped"] == []
    with session_scope(framework_db) as s:
        ids = list(s.scalars(select(Indicator.id).where(Indicator.set_id == SET)))
        assert len(read(s, ids)) == expected_rows
        assert s.get(IndicatorSet, SET).level == "local"


def test_a_value_from_a_csv_is_in_the_store(framework_db):
    _import(framework_db)
    row = next(r for r in _rows(BCN / "data" / "indicator_13-2-1.csv")
               if r[:2] == ["2019", "Transport"])
    with session_scope(framework_db) as s:
        ind = s.scalar(select(Indicator).where(Indicator.set_id == SET,
                                               Indicator.code == "13.2.1"))
        obs = {(o.period, o.dims): o for o in read(s, [ind.id], area_codes=["08019"])}
    got = obs[("2019", "Sector=Transport")]
    assert got.value == float(row[3]) == 949.5
    assert (got.unit, got.area_level, got.flags) == ("x1000 tons of CO2", "municipality", "")


def test_city_target_targets_and_source_are_kept(framework_db):
    report = _import(framework_db)
    with session_scope(framework_db) as s:
        v = detail(s, SET, "13.2.1")["values"]
        text_only = detail(s, SET, "13.3.1")["values"]
    assert v["name_en"] == "Reduction in GHG emissions compared to 1992"
    assert v["targets"] == ["13.2"] and v["goals"] == ["13"]
    assert v["unit"] == "x1000 Mt of CO2" and v["periodicity"] == "yearly"
    assert v["source_url"].startswith("https://www.energia.barcelona/")
    assert "City target: By 2030, Barcelona will achieve the reduction in Greenhouse Gas" \
        in v["notes"]
    assert "Target values in the chart: 2367.2" in v["notes"]
    assert "Reported as text" in text_only["notes"]
    assert report["city_targets_kept"] == report["indicators"]


def test_missing_values_several_units_and_date_spans(framework_db):
    report = _import(framework_db)
    empty = sum(1 for p in _indicator_csvs() for r in _rows(p)[1:] if any(r) and not r[-1])
    assert report["missing_values"] == empty
    with session_scope(framework_db) as s:
        def series(code: str) -> dict:
            ind = s.scalar(select(Indicator.id).where(Indicator.set_id == SET,
                                                      Indicator.code == code))
            return {(o.period, o.dims): o for o in read(s, [ind])}
        stays = series("8.9.3")[("2016", "Units=Euros per night")]
        covid = series("3.3.1")[("2020-12-21/2021-09-30", "Gender=Women")]
        span = series("10.1.1")[("2016–2017", "")]
    assert (stays.value, stays.flags) == (None, "missing")
    assert (covid.start_year, covid.end_year, covid.value) == (2020, 2021, 7343)
    assert (span.start_year, span.end_year, span.value) == (2016, 2017, 6.0)


def test_reimport_writes_nothing(framework_db):
    first = _import(framework_db)
    with session_scope(framework_db) as s:
        batches = _count(s, ImportBatch)
    again = _import(framework_db)
    assert first["batch_id"] is not None
    assert again["written"] == 0 and again["batch_id"] is None
    assert again["unchanged"] == first["rows"]
    assert again["indicators_created"] == again["indicators_updated"] == 0
    with session_scope(framework_db) as s:
        assert _count(s, ImportBatch) == batches


def _broken_copy(tmp_path: Path) -> Path:
    """13.2.1 with a word for a value in row 33; 8.1.1 without its Year column."""
    (tmp_path / "data").mkdir(parents=True)
    (tmp_path / "meta").mkdir()
    for stem in ("13-2-1", "8-1-1"):
        shutil.copy(BCN / "meta" / f"{stem}.md", tmp_path / "meta")
    rows = _rows(BCN / "data" / "indicator_13-2-1.csv")
    rows[32][-1] = "n/a"
    _write(tmp_path / "data" / "indicator_13-2-1.csv", rows)
    _write(tmp_path / "data" / "indicator_8-1-1.csv",
           [r[1:] for r in _rows(BCN / "data" / "indicator_8-1-1.csv")])
    return tmp_path


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def test_broken_files_are_named_and_nothing_is_written(framework_db, tmp_path):
    folder = _broken_copy(tmp_path / "repo")
    with pytest.raises(UserError) as err:
        _import(framework_db, folder, set_id="broken")
    message = str(err.value)
    assert "2 bad rows; nothing was imported" in message
    assert "data/indicator_13-2-1.csv, row 33, column Value: 'n/a' is not a number" in message
    assert "data/indicator_8-1-1.csv, row 1, column Year: the header has no Year column" \
        in message
    with session_scope(framework_db) as s:
        assert _count(s, Observation) == 0
        assert _count(s, ImportBatch, ImportBatch.kind.in_(["data", "catalog"])) == 0
        assert s.get(IndicatorSet, "broken") is None


def test_skip_bad_rows_imports_the_rest(framework_db, tmp_path):
    folder = _broken_copy(tmp_path / "repo")
    report = _import(framework_db, folder, set_id="broken", skip_bad=True)
    good = len([r for r in _rows(BCN / "data" / "indicator_13-2-1.csv")[1:] if any(r)]) - 1
    assert report["written"] == good and len(report["bad_rows_skipped"]) == 2


def test_status_column_translation_keys_and_a_template_named_as_an_indicator(
        framework_db, tmp_path):
    tmp_path = tmp_path / "repo"  # tmp_path/data is the test's LOCALSDG_DATA_DIR
    (tmp_path / "data").mkdir(parents=True)
    (tmp_path / "meta").mkdir()
    _write(tmp_path / "data" / "indicator_1-1-1.csv", [
        ["Year", "Sex", "Observation status", "Units", "Value"],
        ["2022", "", "A", "Percent", "1.5"], ["2023", "", "P", "Percent", "1.7"],
        ["2023", "female", "E", "Percent", "1.9"]])
    _write(tmp_path / "data" / "indicator_1-2-1.csv",
           [["Year", "Grade", "Planet", "Fruit", "Value"], ["2010", "", "", "", "15.1"]])
    (tmp_path / "meta" / "1-1-1.md").write_text(
        "---\nindicator_name: global_indicators.1-1-1-title\nreporting_status: complete\n---\n",
        encoding="utf-8")
    report = _import(framework_db, tmp_path, set_id="tiny")
    assert report["files_skipped"][0]["file"] == "data/indicator_1-2-1.csv"
    with session_scope(framework_db) as s:
        values = detail(s, "tiny", "1.1.1")["values"]
        un_name = detail(s, "un-global", "1.1.1")["values"]["name_en"]
        ind = s.scalar(select(Indicator.id).where(Indicator.set_id == "tiny"))
        got = {(o.period, o.dims): (o.flags, o.unit) for o in read(s, [ind])}
    assert values["name_en"] == un_name and un_name.startswith("Proportion of the population")
    assert got == {("2022", ""): ("", "Percent"), ("2023", ""): ("provisional", "Percent"),
                   ("2023", "Sex=female"): ("estimated", "Percent")}


def test_periods_and_values_are_read_or_explained():
    assert _period("26/02/2020-12/10/2020").label == "2020-02-26/2020-10-12"
    assert _period("2021-2022").end_year == 2022
    assert "is not a period" in _period("spring 2020") and "2019 to 2021" in _period("spring")
    assert _period("2007/08 to 2008/09").label == "2007–2009"
    assert _value("") is None and _value(" 3.5") == 3.5
    assert "not a number" in _value("1,5 %") and "finite" in _value("nan")


def test_placeholder_rows_and_periods_as_statisticians_write_them(framework_db, tmp_path):
    """A national repository's forms: school-year ranges, quarters, spans with 'to'; a file
    whose Year column holds a sentence has no data, said in the report, not refused."""
    tmp_path = tmp_path / "repo"
    (tmp_path / "data").mkdir(parents=True)
    (tmp_path / "meta").mkdir()
    _write(tmp_path / "data" / "indicator_4-1-1.csv", [
        ["Year", "Value"], ["2007/08 to 2008/09", "71.5"], ["2019 to 2021", "73"],
        ["Q1 2020", "74.2"], ["2020-21", "75"]])
    _write(tmp_path / "data" / "indicator_4-2-1.csv", [
        ["Year", "Value"], ["There is no data for this indicator yet", ""]])
    report = _import(framework_db, tmp_path, set_id="national")
    assert report["written"] == 4 and report["bad_rows_skipped"] == []
    assert report["no_data"] == ["data/indicator_4-2-1.csv: There is no data for this "
                                 "indicator yet"]
    with session_scope(framework_db) as s:
        ind = s.scalar(select(Indicator.id).where(Indicator.set_id == "national",
                                                  Indicator.code == "4.1.1"))
        periods = {o.period for o in read(s, [ind])}
    assert periods == {"2007–2009", "2019–2021", "2020Q1", "2020–2021"}
