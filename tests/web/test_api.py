import io

from tests.helpers import recorded_as


def test_openapi_and_reference_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/indicators" in spec["paths"]
    goals = client.get("/api/v1/goals").json()
    assert len(goals) == 17 and len(goals[10]["targets"]) == 10
    assert goals[12]["colour"] == "#3F7E44"
    taxonomy = client.get("/api/v1/taxonomy").json()
    assert taxonomy["evaluation_step"]["codes"][4]["nn"].startswith("5 Samfunnseffekt")
    sets = client.get("/api/v1/sets").json()
    assert len(sets) == 34


def test_search_with_filters_and_facets(client):
    body = client.get("/api/v1/indicators", params={"q": "klimagass", "goal": "13",
                                                    "limit": 5}).json()
    assert body["total"] > 0 and all("13" in h["goals"] for h in body["hits"])
    assert {f["value"] for f in body["facets"]["goal"]} >= {"13"}
    english = client.get("/api/v1/indicators", params={"q": "greenhouse", "lang": "en"}).json()
    hit = next(h for h in english["hits"] if h["set_id"] == "un-global")
    assert hit["name"] == "Total greenhouse gas emissions per year"


def test_bad_requests_get_4xx_with_the_same_messages(client):
    r = client.get("/api/v1/indicators", params={"tbl": "Peple"})
    assert r.status_code == 400 and "allowed: people, planet, prosperity" in r.json()["detail"]
    r = client.get("/api/v1/sets/un-global/indicators/99.9.9")
    assert r.status_code == 404 and "no indicator '99.9.9'" in r.json()["detail"]
    assert client.get("/api/v1/indicators", params={"limit": 5000}).status_code == 422


def test_indicator_detail_stats_and_exports(client):
    ind = client.get("/api/v1/sets/De-norske-målepunktene/indicators/2262").json()
    assert ind["labels"]["evaluation_steps"] == ["3 Resultat (output)",
                                                 "5 Samfunnseffekt (impact)"]
    stats = client.get("/api/v1/stats", params={"set": "De-norske-målepunktene"}).json()
    assert stats["total"] == 459
    csv_text = client.get("/api/v1/stats", params={"set": "Ungdata", "format": "csv"}).text
    assert csv_text.startswith("dimension,value,label,count,share")
    ttl = client.get("/api/v1/sets/Ungdata/export", params={"format": "ttl"})
    assert ttl.status_code == 200 and "sdgo:Indicator" in ttl.text
    selection = client.get("/api/v1/export", params={"q": "klimagass", "format": "csv"})
    assert selection.status_code == 200 and "13.2.2" in selection.text


def test_classify_and_upload(writable):
    r = writable.patch("/api/v1/sets/un-global/indicators/13.2.2", json={
        "by": "api-test", "changes": [{"property": "evaluation_steps", "value": "impact"}]})
    assert r.status_code == 200 and r.json()["changed_indicators"] == 1
    history = writable.get("/api/v1/sets/un-global/indicators/13.2.2/history").json()
    assert history[0]["by"] == recorded_as("api-test") and history[0]["new"] == "impact"
    r = writable.post("/api/v1/classify", json={
        "by": "api-test", "selection": {"filters": {"goal": ["14"]}},
        "changes": [{"property": "tbl", "op": "add", "value": "planet"}], "dry_run": True})
    assert r.json()["changed_indicators"] == 10 and r.json()["saved"] is False
    r = writable.patch("/api/v1/sets/un-global/indicators/13.2.2", json={
        "by": "api-test", "changes": [{"property": "quality_class", "value": "5"}]})
    assert r.status_code == 422 and "allowed: 1, 2, 3" in r.json()["problems"][0]

    bad = io.BytesIO(b"set_id,code,name_nb,targets\nlokal,1,Navn,11.99\n")
    r = writable.post("/api/v1/import", files={"file": ("mitt.csv", bad)}, data={"by": "me"})
    assert r.status_code == 422
    assert "mitt.csv, row 2, column targets: '11.99'" in r.json()["problems"][0]
    good = io.BytesIO(b"set_id,code,name_nb,targets\nlokal,1,Sykkelandel,11.2\n")
    r = writable.post("/api/v1/import", files={"file": ("mitt.csv", good)}, data={"by": "me"})
    assert r.status_code == 200 and r.json()["created"] == 1


def test_unknown_parameters_and_invalid_values_are_named(client):
    r = client.get("/api/v1/indicators", params={"gaol": "13"})
    assert r.status_code == 400 and "unknown query parameter(s): gaol" in r.json()["detail"]
    r = client.get("/api/v1/indicators", params={"limit": "-1"})
    assert r.status_code == 422 and r.json()["problems"][0].startswith("query limit:")


def test_bulk_change_needs_a_real_selection_and_numbers_are_values(writable):
    r = writable.post("/api/v1/classify", json={
        "by": "x", "selection": {}, "changes": [{"property": "tbl", "value": "planet"}]})
    assert r.status_code == 400 and "whole catalog" in r.json()["detail"]
    r = writable.patch("/api/v1/sets/un-global/indicators/13.2.2", json={
        "by": "x", "changes": [{"property": "quality_class", "value": 1}]})
    assert r.status_code == 200 and r.json()["changes"][0]["new"] == "1"
    r = writable.patch("/api/v1/sets/un-global/indicators/13.2.2", json={
        "by": "x", "changes": [{"property": "tbl", "valeu": "planet"}]})
    assert r.status_code == 422 and "valeu" in r.json()["detail"]
