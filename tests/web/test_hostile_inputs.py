"""A fixed corpus of hostile and broken data files, sent to the import API on both engines:
each gets a 4xx answer that names the file (never a server error), and the database is left
as it was."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from localsdg.db.schema import ImportBatch, Observation
from localsdg.db.session import session_scope
from localsdg.sources.area_lists import sync_areas
from tests.helpers import HISTORY

TABLE = {"indicator": "un-global/11.3.1", "area": "kommune", "period": "år", "value": "verdi"}
JSONSTAT = {"indicator": "un-global/11.3.1"}


def _dataset(**changes) -> bytes:
    data = {"class": "dataset", "id": ["Region", "Tid"], "size": [1, 1],
            "dimension": {"Region": {"category": {"index": ["0301"]}},
                          "Tid": {"category": {"index": ["2020"]}}}, "value": [1.0]}
    return json.dumps({**data, **changes}).encode()


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
]


@pytest.fixture
def api(writable, framework_db):
    with session_scope(framework_db) as s:
        sync_areas(s, HISTORY)
    return writable, framework_db


def _counts(url: str) -> tuple[int, int]:
    with session_scope(url) as s:
        return (s.scalar(select(func.count()).select_from(Observation)),
                s.scalar(select(func.count()).select_from(ImportBatch)))


@pytest.mark.parametrize(("case", "name", "content", "options"), CORPUS,
                         ids=[c[0] for c in CORPUS])
def test_a_hostile_file_gets_a_located_answer_and_changes_nothing(api, case, name, content,
                                                                   options):
    client, url = api
    before = _counts(url)
    r = client.post("/api/v1/data/import", data={"by": "test", "options": json.dumps(options)},
                    files={"file": (name, content)})
    assert 400 <= r.status_code < 500, (case, r.status_code, r.text[:200])
    body = r.json()
    assert name in body["detail"] or "borders" in body["detail"], (case, body["detail"])
    assert len(json.dumps(body)) < 20_000  # bounded, however bad the file
    assert _counts(url) == before


BAD_CATALOG_ROWS = [
    ("a set id of dots", ["..", "1", "Navn"], "set_id"),
    ("a set id with a newline", ["a\nb", "1", "Navn"], "set_id"),
    ("a code of dots", ["lokal-x", "..", "Navn"], "code"),
    ("a code of 5,000 characters", ["lokal-x", "A" * 5000, "Navn"], "code"),
    ("a name of 60,000 characters", ["lokal-x", "1", "N" * 60_000], "name_nb"),
]


@pytest.mark.parametrize(("case", "row", "column"), BAD_CATALOG_ROWS,
                         ids=[c[0] for c in BAD_CATALOG_ROWS])
def test_a_catalog_file_with_unsafe_ids_or_huge_text_is_refused_by_cell(api, case, row,
                                                                         column):
    client, url = api
    before = _counts(url)
    text = "set_id;code;name_nb\n" + ";".join(f'"{c}"' for c in row) + "\n"
    r = client.post("/api/v1/import", data={"by": "test"},
                    files={"file": ("sett.csv", text.encode())})
    assert r.status_code == 422, (case, r.text[:200])
    assert any(f"column {column}" in p for p in r.json()["problems"]), r.json()["problems"]
    assert _counts(url) == before
