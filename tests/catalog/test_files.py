import json

import openpyxl
import pytest
from sqlalchemy import func, select

from localsdg.catalog import export, files
from localsdg.catalog.indicators import detail
from localsdg.db.schema import ImportBatch, Indicator, IndicatorSet
from localsdg.db.session import session_scope
from localsdg.errors import UserError

HEADER = "set_id,set_name_nb,code,name_nb,name_en,tbl,targets,evaluation_steps,quality_class\n"


def _import(db, path, by="tester"):
    with session_scope(db) as s:
        return files.import_file(s, path, by)


def _export(db, fmt, path, sets=None):
    with session_scope(db) as s:
        return export.export(s, fmt, path, sets)


def _count(db):
    with session_scope(db) as s:
        return s.scalar(select(func.count()).select_from(Indicator))


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_the_whole_real_catalog_survives_export_and_reimport(catalog_db, framework_db, tmp_path,
                                                             fmt):
    first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    n = _export(catalog_db, fmt, first)
    assert n == 2092 + 252
    summary = _import(framework_db, first)
    assert summary["indicators"] == n and summary["created"] == 2092
    _export(framework_db, fmt, second)
    if fmt == "xlsx":
        assert files.read_rows(first) == files.read_rows(second)
    else:
        assert first.read_bytes() == second.read_bytes()
    with session_scope(framework_db) as s:
        again = detail(s, "De-norske-målepunktene", "2262")
    assert again["values"]["evaluation_steps"] == ["output", "impact"]
    assert any(lk["kind"] == "close" for lk in again["links"])


def test_importing_twice_does_not_duplicate(framework_db, tmp_path):
    path = tmp_path / "set.csv"
    path.write_text(HEADER + "lokal,Lokalt sett,A1,Andel syklende,,people|planet,11.2,outcome,2\n",
                    encoding="utf-8")
    first = _import(framework_db, path)
    second = _import(framework_db, path)
    assert (first["created"], second["created"], second["unchanged"]) == (1, 0, 1)
    assert _count(framework_db) == 252 + 1


def test_csv_exports_run_no_formula_in_a_spreadsheet(framework_db, tmp_path):
    """A name such as =HYPERLINK(...) is written with Excel's text mark and read back as it
    was; a negative number stays a number."""
    path = tmp_path / "set.json"
    path.write_text(json.dumps({"format": files.FORMAT_NAME, "version": 1, "sets": [{
        "id": "lokal", "name_nb": "Lokalt sett", "level": "local", "indicators": [{
            "code": "-5", "name_nb": '=HYPERLINK("http://x.example","klikk")',
            "unit": "@prosent", "notes": "'=ikke en formel"}]}]}), encoding="utf-8")
    _import(framework_db, path)
    out = tmp_path / "ut.csv"
    with session_scope(framework_db) as s:
        export.export(s, "csv", out, ["lokal"])
    line = out.read_text(encoding="utf-8").splitlines()[1]
    assert ",-5," in line and "\"'=HYPERLINK(" in line and ",'@prosent," in line
    assert "''=ikke en formel" in line
    _, rows = files.read_rows(out)
    assert rows[0][1]["name_nb"] == '=HYPERLINK("http://x.example","klikk")'
    assert rows[0][1]["notes"] == "'=ikke en formel" and rows[0][1]["code"] == "-5"


def test_every_error_is_named_and_nothing_is_written(framework_db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER
                    + "lokal,Lokalt,A1,Andel syklende,,Peple,11.2,outcome,2\n"
                    + "lokal,Lokalt,A2,Gode,,planet,11.99,effekt,4\n"
                    + "lokal,Lokalt,A3,,,planet,11.2,output,1\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        _import(framework_db, path)
    text = str(caught.value)
    assert "nothing was imported" in text
    assert ("bad.csv, row 2, column tbl: 'Peple' is not an allowed value; "
            "allowed: people, planet, prosperity") in text
    assert "bad.csv, row 3, column targets: '11.99' is not an allowed value" in text
    assert "bad.csv, row 3, column evaluation_steps: 'effekt'" in text
    assert "bad.csv, row 3, column quality_class: '4' is not an allowed value; allowed: 1, 2, 3" \
        in text
    assert "bad.csv, row 4, column name_nb: a name is needed" in text
    assert _count(framework_db) == 252
    with session_scope(framework_db) as s:
        assert s.scalar(select(func.count()).select_from(ImportBatch)
                        .where(ImportBatch.kind == "catalog")) == 0
        assert s.get(IndicatorSet, "lokal") is None


def test_unknown_columns_duplicates_and_broken_links_are_errors(framework_db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("set_id,code,name_nb,colour\nx,1,a,red\n", encoding="utf-8")
    with pytest.raises(UserError, match="header, column colour: unknown column"):
        _import(framework_db, path)
    path.write_text("set_id,code,name_nb,links\nx,1,a,\nx,1,b,\nx,2,c,exact=nowhere/9\n",
                    encoding="utf-8")
    with pytest.raises(UserError) as caught:
        _import(framework_db, path)
    assert "row 3, column code: '1' appears twice in set 'x' (also row 2)" in str(caught.value)
    assert "nowhere/9 is neither in the file nor the catalog" in str(caught.value)


def test_windows_1252_semicolon_files_and_labels_instead_of_codes(framework_db, tmp_path):
    path = tmp_path / "excel-export.csv"
    path.write_bytes("set_id;code;name_nb;tbl;evaluation_steps;development_areas\n"
                     "kommune;Å1;Årlig søppel;Miljø (planet);3 Output;Vatn, avløp og avfall\n"
                     .encode("cp1252"))
    _import(framework_db, path)
    with session_scope(framework_db) as s:
        v = detail(s, "kommune", "Å1")["values"]
    assert v["name_nb"] == "Årlig søppel" and v["tbl"] == ["planet"]
    assert v["evaluation_steps"] == ["output"] and v["development_areas"] == ["water_and_waste"]


def test_template_lists_the_allowed_values(tmp_path, framework_db):
    path = tmp_path / "template.xlsx"
    export.write_rows([], "xlsx", path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["indicators", "code_lists"]
    header = [c.value for c in book["indicators"][1]]
    assert header == files.COLUMNS
    lists = {(r[0].value, r[1].value) for r in book["code_lists"].iter_rows(min_row=2)}
    assert ("evaluation_steps", "impact") in lists and ("quality_class", "3") in lists
    rules = book["indicators"].data_validations.dataValidation
    assert any(r.type == "list" for r in rules)
    with pytest.raises(UserError, match="no indicator rows"):
        _import(framework_db, path)


def test_json_layout_is_documented_and_nested(catalog_db, tmp_path):
    path = tmp_path / "ungdata.json"
    _export(catalog_db, "json", path, ["Ungdata"])
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "localsdg-catalog" and data["sets"][0]["id"] == "Ungdata"
    first = data["sets"][0]["indicators"][0]
    assert set(files.INDICATOR_COLUMNS) == set(first)
    with pytest.raises(UserError, match="unknown set"):
        _export(catalog_db, "csv", tmp_path / "x.csv", ["Nope"])


def test_export_of_an_unknown_format_is_refused(catalog_db, tmp_path):
    with pytest.raises(UserError, match="unknown format"):
        _export(catalog_db, "pdf", tmp_path / "x.pdf")


def test_formulas_nul_characters_and_broken_quotes_are_errors(framework_db, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "indicators"
    sheet.append(["set_id", "code", "name_nb", "quality_class"])
    sheet.append(["lokal", "A1", "Navn", "=1+1"])
    path = tmp_path / "formler.xlsx"
    book.save(path)
    with pytest.raises(UserError, match=r"row 2, column quality_class: '=1\+1' is a formula"):
        _import(framework_db, path)
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"set_id,code,name_nb\nlokal,A1,a\x00b\n")
    with pytest.raises(UserError, match="row 2, column name_nb: contains a NUL character"):
        _import(framework_db, nul)
    broken = tmp_path / "broken.csv"
    broken.write_text('set_id,code,name_nb\nlokal,A1,"unterminated\n', encoding="utf-8")
    with pytest.raises(UserError, match="broken.csv, line .*: not valid CSV"):
        _import(framework_db, broken)
    assert _count(framework_db) == 252
