"""A fixed corpus of hostile and broken data files, sent to the import API on both engines:
each gets a 4xx answer that names the file (never a server error), and the database is left
as it was."""

from __future__ import annotations

import io
import json
import re
import zipfile

import openpyxl
import pytest

from localsdg.db.session import session_scope
from localsdg.sources.area_lists import sync_areas
from tests.helpers import HISTORY, located_refusal, row_counts, send_file

TABLE = {"indicator": "un-global/11.3.1", "area": "kommune", "period": "år", "value": "verdi"}
JSONSTAT = {"indicator": "un-global/11.3.1"}


def _dataset(**changes) -> bytes:
    data = {"class": "dataset", "id": ["Region", "Tid"], "size": [1, 1],
            "dimension": {"Region": {"category": {"index": ["0301"]}},
                          "Tid": {"category": {"index": ["2020"]}}}, "value": [1.0]}
    return json.dumps({**data, **changes}).encode()


def _workbook(*, cut: bool = False, sheets: bool = True) -> bytes:
    """A workbook of one line, written by openpyxl, with its sheet's XML cut short or its
    sheets left out of the workbook's list (openpyxl reads sheets only as rows are read)."""
    book = openpyxl.Workbook()
    book.active.append(["kommune", "år", "verdi"])
    book.active.append(["0301", "2020", 1])
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            part = source.read(name)
            if cut and name == "xl/worksheets/sheet1.xml":
                part = part[:len(part) // 2]
            if not sheets and name == "xl/workbook.xml":
                part = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", part)
            target.writestr(name, part)
    return out.getvalue()


CORPUS = [
    ("no id", "x.json", _dataset(id=None), JSONSTAT),
    ("size not matching id", "x.json", _dataset(size=[1]), JSONSTAT),
    ("too many values", "x.json", _dataset(value=[1, 2, 3]), JSONSTAT),
    ("role not an object", "x.json", _dataset(role="geo"), JSONSTAT),
    ("dimension without category", "x.json", _dataset(dimension={"Region": 1, "Tid": 2}),
     JSONSTAT),
    ("a boolean value", "x.json", _dataset(value=[True]), JSONSTAT),
    ("sparse position out of range", "x.json", _dataset(value={"7": 1}), JSONSTAT),
    ("Infinity", "x.json", _dataset().replace(b"1.0]", b"Infinity]"), JSONSTAT),
    ("NaN", "x.json", _dataset().replace(b"1.0]", b"NaN]"), JSONSTAT),
    ("nested 100,000 deep", "x.json", b"[" * 100_000 + b"]" * 100_000, JSONSTAT),
    ("not JSON", "x.json", b"{\"class\": ", JSONSTAT),
    ("bytes neither UTF-8 nor Windows-1252", "x.csv",
     "kommune;år;verdi\n".encode() + b"0301;2020;\x81\x8d\n", TABLE),
    ("1e309", "x.csv", "kommune;år;verdi\n0301;2020;1e309\n".encode(), TABLE),
    ("a truncated quoted row", "x.csv", "kommune;år;verdi\n0301;2020;\"12\n".encode(), TABLE),
    ("header only", "x.csv", "kommune;år;verdi\n".encode(), TABLE),
    ("empty", "x.csv", b"", TABLE),
    ("period 9999", "x.csv", "kommune;år;verdi\n0301;9999;1\n".encode(), TABLE),
    ("no such municipality", "x.csv", "kommune;år;verdi\n0199;2020;1\n".encode(), TABLE),
    ("not an Excel workbook", "x.xlsx", b"PK\x03\x04garbage", JSONSTAT),
    ("unknown option", "x.csv", "kommune;år;verdi\n0301;2020;1\n".encode(),
     {**TABLE, "borders": "yesterday"}),
    # found by test_hostile_fuzz.py
    ("index positions not 0 to n-1", "x.json", _dataset(dimension={
        "Region": {"category": {"index": {"0301": "0"}}},
        "Tid": {"category": {"index": ["2020"]}}}), JSONSTAT),
    ("a unit not an object", "x.json", _dataset(dimension={
        "Region": {"category": {"index": ["0301"]}},
        "Tid": {"category": {"index": ["2020"], "unit": {"2020": "kr"}}}}), JSONSTAT),
    ("an integer too large for a float", "x.json", _dataset().replace(b"1.0]", b"9" * 400 + b"]"),
     JSONSTAT),
    ("a sheet whose XML is cut short", "x.xlsx", _workbook(cut=True), TABLE),
    ("a workbook without sheets", "x.xlsx", _workbook(sheets=False), TABLE),
    ("a breakdown with a control character", "x.csv",
     "kommune;kjønn;år;verdi\n0301;kvinner\x1b;2020;1\n".encode(), {**TABLE, "dims": ["kjønn"]}),
    ("a breakdown of 100,000 characters", "x.csv",
     f"kommune;kjønn;år;verdi\n0301;{'k' * 100_000};2020;1\n".encode(),
     {**TABLE, "dims": ["kjønn"]}),
    ("an encoding named with a NUL", "x.csv", "kommune;år;verdi\n0301;2020;1\n".encode(),
     {**TABLE, "encoding": "utf\x008"}),
    ("a UTF-16 byte-order mark on other text", "x.csv", b"\xff\xfek\x00o\x00m", TABLE),
]


@pytest.fixture
def api(writable, framework_db):
    with session_scope(framework_db) as s:
        sync_areas(s, HISTORY)
    return writable, framework_db


@pytest.mark.parametrize(("case", "name", "content", "options"), CORPUS,
                         ids=[c[0] for c in CORPUS])
def test_a_hostile_file_gets_a_located_answer_and_changes_nothing(api, case, name, content,
                                                                   options):
    client, url = api
    before = row_counts(url)
    located_refusal(send_file(client, "data", name, content, options), name, "borders")
    assert row_counts(url) == before


BAD_CATALOG_ROWS = [
    ("a set id of dots", ["..", "1", "Navn"], "set_id"),
    ("a set id with a newline", ["a\nb", "1", "Navn"], "set_id"),
    ("a code of dots", ["lokal-x", "..", "Navn"], "code"),
    ("a code of 5,000 characters", ["lokal-x", "A" * 5000, "Navn"], "code"),
    ("a name of 60,000 characters", ["lokal-x", "1", "N" * 60_000], "name_nb"),
    ("a name with an escape character", ["lokal-x", "1", "N\x1b[31m"], "name_nb"),
]


@pytest.mark.parametrize(("case", "row", "column"), BAD_CATALOG_ROWS,
                         ids=[c[0] for c in BAD_CATALOG_ROWS])
def test_a_catalog_file_with_unsafe_ids_or_huge_text_is_refused_by_cell(api, case, row,
                                                                         column):
    client, url = api
    before = row_counts(url)
    text = "set_id;code;name_nb\n" + ";".join(f'"{c}"' for c in row) + "\n"
    r = send_file(client, "catalog", "sett.csv", text.encode())
    problems = located_refusal(r, "sett.csv")["problems"]
    assert r.status_code == 422, (case, r.text[:200])
    assert any(f"column {column}" in p for p in problems), problems
    assert row_counts(url) == before


CATALOG_FILES = [
    ("nested 100,000 deep", "sett.json", b"[" * 100_000 + b"]" * 100_000),
    ("a set that is no object", "sett.json", b'{"sets": [1]}'),
    ("indicators that are no list", "sett.json", b'{"sets": [{"id": "x", "indicators": 5}]}'),
    ("a thousand unknown columns", "sett.csv",
     (";".join(["set_id", "code", "name_nb", *(f"c{n}" for n in range(1000))]) + "\n"
      + "lokal-x;1;Navn\n").encode()),
]


@pytest.mark.parametrize(("case", "name", "content"), CATALOG_FILES,
                         ids=[c[0] for c in CATALOG_FILES])
def test_a_broken_catalog_file_gets_a_located_answer(api, case, name, content):
    client, url = api
    before = row_counts(url)
    located_refusal(send_file(client, "catalog", name, content), name)
    assert row_counts(url) == before
