"""The JSON API's answers are typed: every JSON endpoint has a response model in
/api/v1/openapi.json, and on real databases each answer is exactly what the domain function (or
the handler) returns: a key a model lacked would be dropped silently, a wrong type would turn
1 into 1.0 or fail."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from pydantic import TypeAdapter
from starlette.requests import Request

from localsdg.areas.store import list_areas
from localsdg.catalog import analysis, classify, files, indicators
from localsdg.catalog.goals import goals_with_targets
from localsdg.catalog.indicators import indicator_by_ref
from localsdg.catalog.search import Selection, search
from localsdg.db.session import session_scope
from localsdg.observations.borders import parse_borders
from localsdg.observations.series import get_data
from localsdg.observations.store import batches
from localsdg.observations.views import indicator_view, shown_rows
from localsdg.scoring import explain as explained
from localsdg.scoring.groups import list_groups
from localsdg.scoring.profiles import list_sets
from localsdg.scoring.run import run
from localsdg.sources import data_import as imports
from localsdg.sources.area_lists import sync_areas
from localsdg.web.api import catalog as catalog_api
from localsdg.web.api import scoring as scoring_api
from localsdg.web.app import create_app
from tests.helpers import DATA, app_client, recorded_as

API = "/api/v1"
# Routes that answer with a file only (CSV, XLSX, the catalog layout as JSON, Turtle).
FILE_ONLY = {("get", f"{API}/sets/{{set_id}}/export"), ("get", f"{API}/export")}
JSONSTAT = DATA / "norway" / "fixtures" / "ssb_07459_befolkning_2022_kommuner2020_jsonstat2.json"


def typed(x: Any) -> Any:
    """JSON with each scalar's type beside it: 1 and 1.0, or 0 and False, are not the same."""
    if isinstance(x, dict):
        return {k: typed(v) for k, v in x.items()}
    if isinstance(x, list):
        return [typed(v) for v in x]
    return (type(x).__name__, x)


def as_json(value: Any) -> Any:
    """What an endpoint without a response model sends: tuples as lists, NaN as null."""
    return json.loads(TypeAdapter(Any).dump_json(value))


def same(answer: Any, expected: Any) -> None:
    assert typed(answer) == typed(as_json(expected))


def request(**params: Any) -> Request:
    """A request with these query parameters, for calling a handler directly."""
    return Request({"type": "http", "method": "GET", "path": "/", "headers": [],
                    "query_string": urlencode(params).encode()})


def test_every_json_endpoint_declares_its_answer():
    spec = create_app().openapi()
    seen = set()
    for path, operations in spec["paths"].items():
        assert path.startswith(API)
        for method, op in operations.items():
            seen.add((method, path))
            ok = [r for code, r in op["responses"].items() if code in ("200", "201")]
            assert len(ok) == 1, f"{method} {path}: no 200 or 201 answer"
            content = ok[0].get("content", {})
            if (method, path) in FILE_ONLY:
                assert "text/csv" in content and not content["application/json"], (method, path)
                continue
            schema = content["application/json"]["schema"]
            assert "$ref" in json.dumps(schema), f"{method} {path}: the answer is not described"
    assert seen >= FILE_ONLY
    for path, formats in (("/stats", {"text/csv"}), ("/data", {"text/csv"}),
                          ("/score", {"text/csv", "application/vnd.openxmlformats-"
                                      "officedocument.spreadsheetml.sheet"})):
        assert set(spec["paths"][API + path]["get"]["responses"]["200"]["content"]) == {
            "application/json", *formats}


CATALOG = [
    ("/taxonomy", {}, lambda s: catalog_api.get_taxonomy()),
    ("/goals", {}, goals_with_targets),
    ("/sets", {}, indicators.list_sets),
    ("/indicators", {"q": "klimagass", "goal": "13", "unclassified": "quality_class"},
     lambda s: search(s, Selection("klimagass", {"goal": ["13"]}, ["quality_class"]))),
    ("/indicators", {"q": "greenhouse", "lang": "en", "facets": "false", "limit": 50},
     lambda s: search(s, Selection("greenhouse"), lang="en", facets=False, limit=50)),
    ("/indicators", {"limit": 1000, "sort": "code"},
     lambda s: search(s, Selection(), limit=1000, sort="code")),
    ("/sets/un-global/indicators/13.2.2", {"lang": "en"},
     lambda s: indicators.detail(s, "un-global", "13.2.2", "en")),
    ("/sets/De-norske-målepunktene/indicators/2263", {},
     lambda s: indicators.detail(s, "De-norske-målepunktene", "2263")),
    ("/stats", {}, lambda s: analysis.statistics(s, Selection())),
    ("/stats", {"set": "Ungdata", "lang": "nn"},
     lambda s: analysis.statistics(s, Selection("", {"set": ["Ungdata"]}), "nn")),
]


@pytest.mark.parametrize(("path", "params", "expected"), CATALOG,
                         ids=[f"{p} {q}" for p, q, _ in CATALOG])
def test_catalog_answers_keep_every_key(client, use_catalog, path, params, expected):
    answer = client.get(API + path, params=params)
    assert answer.status_code == 200
    with session_scope(use_catalog) as s:
        same(answer.json(), expected(s))


def test_classification_and_catalog_import_answers(writable, framework_db, tmp_path):
    change = {"property": "evaluation_steps", "op": "add", "value": ["impact", "output"]}
    with session_scope(framework_db) as s:
        planned = classify.apply(s, classify.resolve(s, [("un-global", "13.2.2")], None),
                                 [classify.Change(**change)], "api-test", dry_run=True)
        goal_14 = classify.resolve(s, None, Selection("", {"goal": ["14"]}))
        dry = classify.apply(s, goal_14, [classify.Change("ess_accuracy", "set", True)], "x",
                             dry_run=True)
    answer = writable.patch(f"{API}/sets/un-global/indicators/13.2.2",
                            json={"by": "api-test", "changes": [change]}).json()
    assert planned["changes"] and answer["saved"]
    same(answer, {**planned, "saved": True})
    history = writable.get(f"{API}/sets/un-global/indicators/13.2.2/history").json()
    with session_scope(framework_db) as s:
        same(history, indicators.history(s, "un-global", "13.2.2"))
    answer = writable.post(f"{API}/classify", json={
        "by": "x", "selection": {"filters": {"goal": ["14"]}}, "dry_run": True,
        "changes": [{"property": "ess_accuracy", "value": True}]}).json()
    assert dry["changes"][0]["new"] is True
    same(answer, dry)

    table = tmp_path / "mitt.csv"
    table.write_bytes(b"set_id,code,name_nb,targets,tbl\nlokal,1,Sykkelandel,11.2,planet\n")
    with session_scope(framework_db) as s:
        stored = files.import_file(s, table, "me")
        s.expunge_all()  # nothing loaded here may stay in the process's caches
        s.rollback()  # the API stores it below
    answer = writable.post(f"{API}/import", files={"file": ("mitt.csv", table.read_bytes())},
                           data={"by": "me"}).json()
    same({**answer, "batch": 0}, {**stored, "batch": 0})  # PostgreSQL does not reuse the id


def test_data_import_batches_and_rollback_answers(writable, framework_db):
    with session_scope(framework_db) as s:
        sync_areas(s, DATA / "norway")
    options = {"indicator": "un-global/11.3.1", "measure": "count", "skip_bad": True}
    with session_scope(framework_db) as s:
        want = imports.run(s, imports.Request(JSONSTAT, options["indicator"], {"measure": "count"},
                                              skip_bad=True), "test")
        s.expunge_all()
        s.rollback()
    result = writable.post(f"{API}/data/import", data={"by": "test",
                                                       "options": json.dumps(options)},
                           files={"file": (JSONSTAT.name, JSONSTAT.read_bytes())}).json()
    assert result["written"] == 356 and len(result["left_out"]) == 3
    volatile = {"source": "", "batch_id": 0}  # a temporary file; PostgreSQL's next id
    same({**result, **volatile}, {**want, **volatile})
    with session_scope(framework_db) as s:
        same(writable.get(f"{API}/data/batches").json(), batches(s))
    answer = writable.post(f"{API}/data/batches/{result['batch_id']}/rollback",
                           json={"by": "test"}).json()
    same(answer, {"batch": result["batch_id"], "removed": 356, "by": recorded_as("test")})
    with session_scope(framework_db) as s:
        rolled_back = batches(s)
    assert rolled_back[0]["rolled_back_at"]
    same(writable.get(f"{API}/data/batches").json(), rolled_back)


@pytest.fixture
def demo_client(demo, monkeypatch):
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", demo)
    return app_client()


def _data(ref: str, areas: str | None = None, borders: str = "current", **kw: Any):
    return lambda s: get_data(s, indicator_by_ref(s, ref), areas=areas.split(",") if areas
                              else None, borders=parse_borders(borders), **kw)


def _explain(profile: str, area: str, areas: str | None = None, **kw: Any):
    return lambda s: explained.explain(run(s, profile, areas), area, **kw)


def _score(**params: Any):
    return lambda s: scoring_api.score(request(**params), s, **params)


DEMO = [
    ("/areas", {"level": "county"}, lambda s: list_areas(s, "county")),
    ("/areas", {"level": "municipality", "at": "2019-06-01"},
     lambda s: list_areas(s, "municipality", "2019-06-01")),
    ("/data", {"indicator": "lokal/folkemengde", "areas": "4003,3101,1508,9999"},
     _data("lokal/folkemengde", "4003,3101,1508,9999")),
    ("/data", {"indicator": "lokal/folkemengde-ssb", "areas": "3101,1508,3001"},
     _data("lokal/folkemengde-ssb", "3101,1508,3001")),
    ("/data", {"indicator": "lokal/folkemengde", "borders": "2019", "from": 2021},
     _data("lokal/folkemengde", borders="2019", start=2021)),
    ("/data", {"indicator": "lokal/stromforbruk", "borders": "none"},
     _data("lokal/stromforbruk", borders="none")),
    ("/data/batches", {}, batches),
    ("/profiles", {}, list_sets),
    ("/profiles/telemark-demo", {}, lambda s: scoring_api.profile_set(s, "telemark-demo")),
    ("/profiles/sdsn-2021", {}, lambda s: scoring_api.profile_set(s, "sdsn-2021")),
    ("/groups", {}, list_groups),
    ("/groups/county:40", {}, lambda s: scoring_api.group(s, "county:40")),
    ("/groups/sdr-2021/OECD", {}, lambda s: scoring_api.group(s, "sdr-2021/OECD")),
    ("/score", {"profile": "telemark-demo", "runs": 20}, _score(profile="telemark-demo", runs=20)),
    ("/score", {"profile": "sdsn-2021", "areas": "sdr-2021/OECD"},
     _score(profile="sdsn-2021", areas="sdr-2021/OECD")),
    ("/explain", {"profile": "telemark-demo", "area": "4003"},
     _explain("telemark-demo", "4003")),
    ("/explain", {"profile": "telemark-demo", "area": "4003", "indicator": "lokal/sysselsetting"},
     _explain("telemark-demo", "4003", indicator="lokal/sysselsetting")),
    ("/explain", {"profile": "sdsn-2021", "areas": "sdr-2021/OECD", "area": "NOR", "goal": 14},
     _explain("sdsn-2021", "NOR", "sdr-2021/OECD", goal=14)),
]


@pytest.mark.parametrize(("path", "params", "expected"), DEMO,
                         ids=[f"{p} {q}" for p, q, _ in DEMO])
def test_data_and_scoring_answers_keep_every_key(demo_client, demo, path, params, expected):
    answer = demo_client.get(API + path, params=params)
    assert answer.status_code == 200
    with session_scope(demo) as s:
        same(answer.json(), expected(s))


def test_optional_keys_stay_optional(demo_client):
    """Keys some answers have and others lack are neither added nor dropped."""
    ssb = {"indicator": "lokal/folkemengde-ssb", "areas": "3101,1508"}  # on 2020 borders
    rows = demo_client.get(f"{API}/data", params=ssb).json()
    assert [r["harmonised_from"][0]["area"] for r in rows] == ["1507", "3001"]
    plain = demo_client.get(f"{API}/data", params={**ssb, "areas": "3001,1507",
                                                   "borders": "none"}).json()
    assert plain and all("harmonised_from" not in r for r in plain)
    body = demo_client.get(f"{API}/indicators", params={"facets": "false"}).json()
    assert "facets" not in body and "goal" in demo_client.get(f"{API}/indicators").json()[
        "facets"]
    areas = demo_client.get(f"{API}/score", params={"profile": "telemark-demo"}).json()["areas"]
    assert areas and not any("index_p5" in a for a in areas)
    assert all(f"goal_{g}_trend" in a for a in areas for g in range(1, 18))
    csv = demo_client.get(f"{API}/score", params={"profile": "telemark-demo", "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("code,")
    assert demo_client.get(f"{API}/data", params={"indicator": "lokal/folkemengde",
                                                  "format": "csv"}).text.startswith("indicator,")
    stats = demo_client.get(f"{API}/stats", params={"format": "csv"})
    assert stats.text.startswith("dimension,value,label,count,share")


def test_the_data_page_view_is_in_the_api(demo_client, demo):
    """The data page and GET /indicators/{set}/{code}/view come from the same functions: the
    same rows for the areas shown (a gap as a row without a value), and the map's year across
    every municipality on the borders drawn."""
    params = {"areas": ["4003", "4001"], "borders": "2020"}
    answer = demo_client.get(f"{API}/indicators/lokal/folkemengde/view", params=params).json()
    with session_scope(demo) as s:
        view = indicator_view(s, "lokal", "folkemengde", ["4003", "4001"], None, "2020")
        same(answer["rows"], shown_rows(s, view))
    assert answer["areas"] == ["4003", "4001"] and answer["borders"] == 2020
    assert answer["map"]["boundary"] == 2020 and len(answer["map"]["table"]) == 356
    page = demo_client.get("/indikator/lokal/folkemengde/data",
                           params={"omrade": ["4003", "4001"], "grenser": "2020"}).text
    assert f"{answer['map']['year']}" in page
    default = demo_client.get(f"{API}/indicators/lokal/folkemengde/view").json()
    assert default["areas"] and set(default["areas"]) >= {r["area_code"]
                                                           for r in default["rows"]}
