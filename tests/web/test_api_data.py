"""The data API on both engines: areas, import by upload, reading on chosen borders, batches
and rollback, and the data pages, on SSB's real JSON-stat response."""

import io
import json

import openpyxl
import pytest

from localsdg.db.session import session_scope
from localsdg.sources.area_lists import sync_areas
from localsdg.web.auth import MAX_BODY
from tests.helpers import SHARED

FIXTURE = (SHARED / "data" / "norway" / "fixtures"
           / "ssb_07459_befolkning_2022_kommuner2020_jsonstat2.json")
INDICATOR = "un-global/11.3.1"


@pytest.fixture
def api(writable, framework_db):
    with session_scope(framework_db) as s:
        sync_areas(s, SHARED / "data" / "norway")
    return writable


def _upload(api, options: dict):
    with FIXTURE.open("rb") as fh:
        return api.post("/api/v1/data/import", data={"by": "test", "options": json.dumps(options)},
                        files={"file": (FIXTURE.name, fh, "application/json")})


def _fixture_total() -> float:
    data = json.loads(FIXTURE.read_text())
    codes = list(data["dimension"]["Region"]["category"]["index"])
    return sum(v for code, v in zip(codes, data["value"], strict=True)
               if code not in ("K-21-22", "K-23", "K-Rest"))


def test_areas_of_2024_and_of_2020(api):
    def count(level, at):
        return len(api.get("/api/v1/areas", params={"level": level, "at": at}).json())
    assert (count("municipality", "2024-01-01"), count("county", "2024-01-01")) == (357, 15)
    assert (count("municipality", "2020-01-01"), count("county", "2020-01-01")) == (356, 11)
    assert api.get("/api/v1/areas", params={"at": "1.1.2020"}).status_code == 422


def test_import_read_on_current_borders_and_roll_back(api):
    bad = _upload(api, {"indicator": INDICATOR, "measure": "sum"})
    assert bad.status_code == 400 and "measure 'sum' is unknown" in bad.json()["detail"]
    late = _upload(api, {"indicator": INDICATOR, "measure": "count", "borders": 9999})
    assert late.status_code == 400 and "borders '9999'" in late.json()["detail"]
    assert api.get("/api/v1/data/batches").json() == []

    result = _upload(api, {"indicator": INDICATOR, "measure": "count"}).json()
    assert (result["written"], result["skipped"]) == (356, [])
    assert [line.split(" ")[0] for line in result["left_out"]] == ["K-21-22", "K-23", "K-Rest"]
    assert api.get("/api/v1/data/batches").json()[0]["left_out"] == result["left_out"]
    assert api.get("/api/v1/data/batches").json()[0]["source"] == FIXTURE.name  # not the
    # server's temporary folder
    assert _upload(api, {"indicator": INDICATOR, "measure": "count"}).json()["written"] == 0

    raw = api.get("/api/v1/data", params={"indicator": INDICATOR, "borders": "none"}).json()
    assert sum(r["value"] for r in raw) == _fixture_total()
    rows = {r["area_code"]: r for r in api.get(
        "/api/v1/data", params={"indicator": INDICATOR, "areas": "3101,1508,1580"}).json()}
    raw_halden = next(r["value"] for r in raw if r["area_code"] == "3001")
    assert rows["3101"]["value"] == raw_halden and rows["3101"]["flags"] == ["harmonised"]
    assert rows["1508"]["value"] is None and "unknown shares" in rows["1508"]["note"]
    csv = api.get("/api/v1/data", params={"indicator": INDICATOR, "areas": "3101",
                                          "format": "csv"})
    assert csv.text.splitlines()[1].startswith(f"{INDICATOR},municipality,3101,Halden,2022")

    batch = result["batch_id"]
    assert api.post(f"/api/v1/data/batches/{batch}/rollback", json={"by": "test"}
                    ).json()["removed"] == 356
    assert api.get("/api/v1/data", params={"indicator": INDICATOR}).json() == []
    assert api.post(f"/api/v1/data/batches/{batch}/rollback", json={"by": "test"}
                    ).status_code == 422
    assert api.get("/api/v1/data/batches").json()[0]["rolled_back_at"] is not None


def test_bad_requests_say_what_is_wrong(api):
    assert "unknown colour" in _upload(api, {"colour": "red"}).json()["detail"]
    assert api.get("/api/v1/data", params={"indicator": "nope/1"}).status_code == 404
    assert api.get("/api/v1/data", params={"indicator": INDICATOR, "borders": "soon"}
                   ).status_code == 400
    assert api.get("/api/v1/data", params={"indicator": INDICATOR, "area": "1"}
                   ).status_code == 400


def test_data_page_and_municipality_page(api):
    _upload(api, {"indicator": INDICATOR, "measure": "count", "skip_bad": True})
    page = api.get("/indikator/un-global/11.3.1/data", params={"omrade": ["3101", "1508"]})
    assert page.status_code == 200
    assert "flyttet til dagens grenser" in page.text and "unknown shares" in page.text
    assert api.get("/kommune/3101").status_code == 200
    assert api.get("/kommune/9998").status_code == 404
    assert api.get("/kart/municipality-2024.json").json()["features"][0]["properties"]["code"]


def test_an_infinite_value_is_refused_by_line_and_long_reports_are_capped(api):
    """1e309 reads as infinity: refused with its line, nothing stored. 300 bad lines are
    answered with the first 100 and how many more, not all of them."""
    options = {"indicator": INDICATOR, "area": "kommune", "period": "år", "value": "verdi"}
    huge = "kommune;år;verdi\n0301;2024;12\n4003;2024;1e309\n"
    r = api.post("/api/v1/data/import", data={"by": "test", "options": json.dumps(options)},
                 files={"file": ("egne.csv", huge.encode())})
    assert r.status_code == 422
    assert "egne.csv, line 3" in r.json()["detail"] and "not a finite number" in r.json()["detail"]
    assert api.get("/api/v1/data", params={"indicator": INDICATOR}).json() == []
    many = "kommune;år;verdi\n" + "".join(f"9{i:03};2024;1\n" for i in range(300))
    r = api.post("/api/v1/data/import", data={"by": "test", "options": json.dumps(options)},
                 files={"file": ("mange.csv", many.encode())})
    problems = r.json()["problems"]
    assert r.status_code == 422 and len(problems) == 101 and problems[-1] == "… and 200 more"


def test_a_body_over_the_limit_is_refused_before_it_is_read(writable):
    """413 with the limit named, for a declared length and for a body sent in chunks."""
    too_big = b"x" * (MAX_BODY + 1)
    declared = writable.post("/api/v1/data/import", content=too_big,
                             headers={"content-type": "application/octet-stream"})
    assert declared.status_code == 413 and "20 MB" in declared.json()["detail"]
    page = writable.post("/import/data/sjekk", content=too_big,
                         headers={"content-type": "application/octet-stream"})
    assert page.status_code == 413 and "20 MB" in page.text

    def chunks():
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"a=" + b"x" * 65534
    chunked = writable.post("/plan/1/prioritet", content=chunks(),
                            headers={"content-type": "application/x-www-form-urlencoded"})
    assert chunked.status_code == 413
    upload = writable.post("/api/v1/data/import", content=chunks(),  # read by FastAPI itself
                           headers={"content-type": "multipart/form-data; boundary=x"})
    assert upload.status_code == 413 and "20 MB" in upload.json()["detail"]


def test_codes_outside_their_years_are_read_on_the_nearest_borders_and_said(api):
    """Publishers give back series on today's borders: Skien's 4003 (since 2024) for 1995 is
    read as on 2024's borders, and the report says so, naming examples and --borders."""
    table = "kommune;år;verdi\n4003;1995;10\n4003;2024;12\n1507;2024;7\n3001;2022;5\n"
    answer = api.post("/api/v1/data/import", data={"by": "test", "options": json.dumps(
        {"indicator": INDICATOR})}, files={"file": ("tall.csv", table.encode(), "text/csv")})
    assert answer.status_code == 200, answer.text
    said = answer.json()["read_as"]
    assert len(said) == 1 and said[0].startswith("2 code-year pairs")
    assert "4003 (1995)" in said[0] and "1507 (2024)" in said[0] and "--borders" in said[0]
    assert "3001" not in said[0] and "4003 in 2024" not in said[0]


def test_a_formula_without_a_stored_result_is_refused_by_cell(api):
    """A workbook written by a program that does not calculate (openpyxl here) holds formulas
    without results: their values are unknown, not missing."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["kommune", "år", "verdi"], ["4003", 2024, 10], ["1804", 2024, "=B3/200"]):
        sheet.append(row)
    content = io.BytesIO()
    book.save(content)
    answer = api.post("/api/v1/data/import", data={"by": "test", "options": json.dumps(
        {"indicator": INDICATOR})}, files={"file": ("tall.xlsx", content.getvalue())})
    assert answer.status_code == 422, answer.text
    assert "tall.xlsx: 1 cell holds a formula without a stored result (C3)" in answer.json()[
        "detail"]
    assert api.get("/api/v1/data/batches").json() == []
