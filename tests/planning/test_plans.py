"""Plans on the real catalog, areas and national data: the example plans load; JSON and Excel
round trips are lossless; a bad file is refused whole with every problem named by its place;
edits keep their history; local targets are projected from the area's real series; the chain
shows its gaps; the budget is split by goal; the pages, the API, the CLI and the follow-up
report work on them."""

from __future__ import annotations

import copy
import io
import json

import numpy as np
import openpyxl
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from localsdg.catalog.properties import target_codes
from localsdg.cli import app as cli
from localsdg.db.schema import Plan, PlanChange
from localsdg.db.session import session_scope
from localsdg.errors import UserError
from localsdg.planning import store
from localsdg.planning.model import Plan as PlanModel
from localsdg.planning.progress import budget, latest, overview, target_progress
from localsdg.reports import plan_report
from localsdg.scoring.status import find_area
from localsdg.sources.national import sync_national
from localsdg.sources.plan_files import (
    EXAMPLES,
    import_bytes,
    load_examples,
    read_workbook,
    write_json,
    write_workbook,
)
from tests.helpers import DATA, MIRROR, app_client, demo_database, synced

TURNOUT = "Kommunehelsa-statistikkbank/1213"
BODO = "1804"
# A plan with what people write: separators, quotes, line breaks, non-Latin letters, text
# that looks like a number, a budget line without a year, shares that are not round.
TRICKY = {
    "format": "localsdg-plan/1", "area": BODO, "name": "Plan; \"A=B\", ‘x’ / 2026–2029",
    "start": 2026, "end": 2029, "description": "Linje 1\nLinje 2; Sámi: Bådåddjo",
    "priorities": [{"goal": 11, "importance": 5, "influence": 2, "reason": "123"},
                   {"target": "11.2", "importance": 3, "influence": 4}],
    "interactions": [{"from": "11.2", "to": "13", "score": -2, "reason": "a; b = c"}],
    "targets": [{"indicator": TURNOUT, "value": 85.25, "year": 2029,
                 "baseline": {"value": 79.1, "year": 2025}, "decision": "Bystyret 1/26"}],
    "measures": [{"id": "T-1", "title": "O - Public administration; compulsory \"social\"",
                  "status": "ongoing", "kind": "procurement", "contract_value": 1234567.5,
                  "targets": ["11.2", "13.2"],
                  "indicators": [{"indicator": TURNOUT, "step": "outcome",
                                  "expected": [{"year": 2029, "value": 85.0}]},
                                 {"indicator": "un-global/13.2.2", "step": "impact"}],
                  "budget": [{"year": 2027, "amount": 300000.0, "funding": "external",
                              "funder": "Miljødirektoratet",
                              "goals": {"11": 1 / 3, "13": 2 / 3}},
                             {"amount": 1000.0}]}],
}


@pytest.fixture(scope="module")
def planning_db(tmp_path_factory: pytest.TempPathFactory):
    """The catalog, the areas, the demo and national data (Bodø's turnout series)."""
    url, _report = next(gen := demo_database(tmp_path_factory))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOCALSDG_MIRROR", str(MIRROR))
        mp.setenv("LOCALSDG_REFERENCE_DATA", str(DATA))
        mp.setenv("LOCALSDG_DATA_DIR", str(tmp_path_factory.mktemp("planning")))
        with session_scope(url) as s:
            sync_national(s, "test")
        with session_scope(url) as s:
            load_examples(s, "test")
    yield url
    next(gen, None)


@pytest.fixture
def client(planning_db, monkeypatch):
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", planning_db)
    return app_client()


def _normal(document: dict) -> dict:
    return PlanModel.model_validate(document).document()


def test_the_example_plans_load_labelled_and_lossless(planning_db):
    with session_scope(planning_db) as s:
        plans = store.listed(s)
        assert {p["area"] for p in plans} == {"1103", "1508", "34", "3407"}
        assert all(p["example"] for p in plans)
        for p in plans:
            stored = store.get(s, p["id"]).plan
            given = json.loads(next(f for f in EXAMPLES.glob("*.json")
                                    if json.loads(f.read_text())["area"] == p["area"])
                               .read_text())
            assert stored.document() == _normal(given)
            assert json.loads(write_json(stored)) == stored.document()
        mjosa = store.find(s, "34").plan
    # the seed's grant, without a year the seed does not give
    assert [(b.amount, b.year, b.funder) for m in mjosa.measures for b in m.budget] == [
        (2_100_000, None, "Miljødirektoratet")]


@pytest.mark.parametrize("document", [TRICKY, *(json.loads(f.read_text())
                                                 for f in sorted(EXAMPLES.glob("*.json")))],
                         ids=["tricky", *(f.stem for f in sorted(EXAMPLES.glob("*.json")))])
def test_json_and_excel_round_trips_are_lossless(planning_db, document):
    with session_scope(planning_db) as s:
        plan_id = store.save(s, copy.deepcopy(document), "test")
        stored = store.get(s, plan_id).plan
    assert stored.document() == _normal(document)
    again = PlanModel.model_validate(json.loads(write_json(stored)))
    assert again == stored
    workbook, _where = read_workbook(write_workbook(stored), "plan.xlsx")
    assert PlanModel.model_validate(workbook).document() == stored.document()
    with session_scope(planning_db) as s:  # importing the workbook stores the same plan
        plan_id2 = import_bytes(s, write_workbook(stored), "plan.xlsx", "test")
        assert plan_id2 == plan_id and store.get(s, plan_id).plan == stored


BAD = [  # (change to a good plan, the place and words every refusal must name)
    (lambda d: d.update(area="9999"), ["area", "no area with code 9999"]),
    (lambda d: d.update(area="0101"), ["area", "no longer exists"]),
    (lambda d: d["priorities"][0].update(target="11.99", goal=None),
     ["priorities[1].target", "11.99"]),
    (lambda d: d["priorities"][1].update(importance=6), ["priorities[2].importance"]),
    (lambda d: d["interactions"][0].update(score=4), ["interactions[1].score"]),
    (lambda d: d["interactions"][0].update(to="99.9"), ["interactions[1].to", "99.9"]),
    (lambda d: d["targets"][0].update(indicator="nope/1"), ["targets[1].indicator", "nope/1"]),
    (lambda d: d["targets"][0].update(value="many"), ["targets[1].value"]),
    (lambda d: d["measures"][0]["budget"][0].update(amount=-5),
     ["measures[1].budget[1].amount"]),
    (lambda d: d["measures"][0]["budget"][0].update(goals={"11": 0.5, "13": 0.4}),
     ["measures[1].budget[1]", "add up to 0.9"]),
    (lambda d: d["measures"][0]["indicators"][0].update(step="result"),
     ["measures[1].indicators[1].step"]),
    (lambda d: d["measures"].append(dict(d["measures"][0])), ["T-1 given more than once"]),
    (lambda d: d.update(colour="blue"), ["colour"]),
    (lambda d: d["targets"][0].update(value=float("inf")), ["targets[1].value"]),
]


@pytest.mark.parametrize(("change", "named"), BAD)
def test_a_bad_plan_is_refused_whole_with_its_place(planning_db, change, named):
    document = copy.deepcopy(TRICKY) | {"name": "refused"}
    change(document)
    with session_scope(planning_db) as s:
        before = (s.scalar(select(func.count()).select_from(Plan)),
                  s.scalar(select(func.count()).select_from(PlanChange)))
        with pytest.raises(UserError) as err:
            store.save(s, document, "test")
    text = str(err.value)
    assert "nothing was stored" in text and all(n in text for n in named), text
    with session_scope(planning_db) as s:
        assert (s.scalar(select(func.count()).select_from(Plan)),
                s.scalar(select(func.count()).select_from(PlanChange))) == before


def test_every_problem_is_named_at_once(planning_db):
    document = copy.deepcopy(TRICKY) | {"area": "9999"}
    document["measures"][0]["budget"][0]["goals"] = {"11": 0.5}
    document["targets"][0]["indicator"] = "nope/1"
    with session_scope(planning_db) as s, pytest.raises(UserError) as err:
        store.save(s, document, "test")
    assert len(err.value.details) == 3


def test_a_bad_workbook_is_refused_by_sheet_and_row(planning_db):
    with session_scope(planning_db) as s:
        plan_id = store.save(s, copy.deepcopy(TRICKY) | {"name": "excel"}, "test")
        content = write_workbook(store.get(s, plan_id).plan)
    book = openpyxl.load_workbook(io.BytesIO(content))
    book["budget"]["C2"] = -10  # amount of the first budget line
    book["interactions"]["C2"] = 9
    buf = io.BytesIO()
    book.save(buf)
    with session_scope(planning_db) as s, pytest.raises(UserError) as err:
        import_bytes(s, buf.getvalue(), "plan.xlsx", "test")
    text = str(err.value)
    assert "plan.xlsx, sheet budget, row 2, amount" in text
    assert "plan.xlsx, sheet interactions, row 2, score" in text
    book["interactions"]["C2"] = 1
    book["measures"].append(["T-1", "the same id again"])
    buf = io.BytesIO()
    book.save(buf)
    with session_scope(planning_db) as s, pytest.raises(UserError,
                                                        match="sheet measures, row 3: the id"):
        import_bytes(s, buf.getvalue(), "plan.xlsx", "test")
    book["measures"].delete_rows(3)
    book["budget"]["A3"] = "T-9"  # a line for a measure the workbook does not have
    buf = io.BytesIO()
    book.save(buf)
    with session_scope(planning_db) as s, pytest.raises(UserError, match="sheet budget, row 3"):
        import_bytes(s, buf.getvalue(), "plan.xlsx", "test")


def test_a_broken_file_is_named(planning_db):
    with session_scope(planning_db) as s:
        with pytest.raises(UserError, match=r"plan.json, line 1, column 10: not valid JSON"):
            import_bytes(s, b'{"area": }', "plan.json", "test")
        with pytest.raises(UserError, match="not a readable Excel file"):
            import_bytes(s, b"not a workbook", "plan.xlsx", "test")
        with pytest.raises(UserError, match="no sheet 'plan'"):
            buf = io.BytesIO()
            openpyxl.Workbook().save(buf)
            import_bytes(s, buf.getvalue(), "plan.xlsx", "test")


def test_edits_keep_their_history_and_a_bad_edit_changes_nothing(framework_db):
    """On SQLite and PostgreSQL: add, change and remove items; each change is recorded with
    who and what it was before and after."""
    url = framework_db
    synced(url)
    document = {"area": "4003", "name": "Handlingsprogram",
                "targets": [{"indicator": "un-global/13.2.2", "value": 100, "year": 2030}]}
    with session_scope(url) as s:
        plan_id = store.save(s, document, "Kari", action="create")
        store.put(s, plan_id, "priorities", {"goal": 13, "importance": 5, "influence": 3},
                  "Kari")
        store.put(s, plan_id, "priorities", {"goal": 13, "importance": 4, "influence": 3},
                  "Ola")
        store.put(s, plan_id, "measures", {"id": "M1", "title": "Ladepunkter"}, "Ola")
        store.remove(s, plan_id, "targets", "un-global/13.2.2 2030", "Kari")
    with session_scope(url) as s, pytest.raises(UserError, match="priorities"):
        store.put(s, plan_id, "priorities", {"goal": 13, "importance": 9, "influence": 3},
                  "Ola")
    with session_scope(url) as s:
        plan = store.get(s, plan_id).plan
        assert [(p.goal, p.importance) for p in plan.priorities] == [(13, 4)]
        assert plan.targets == [] and [m.id for m in plan.measures] == ["M1"]
        history = [(h.changed_by, h.action, h.part, h.old_value, h.new_value)
                   for h in reversed(store.history(s, plan_id))]
    assert [h[:3] for h in history] == [
        ("Kari", "create", "plan"), ("Kari", "add", "priorities: 13"),
        ("Ola", "add", "priorities: 13"), ("Ola", "add", "measures: M1"),
        ("Kari", "remove", "targets: un-global/13.2.2 2030")]
    assert history[2][3]["importance"] == 5 and history[2][4]["importance"] == 4
    with session_scope(url) as s, pytest.raises(UserError, match="your name"):
        store.put(s, plan_id, "measures", {"id": "M2", "title": "x"}, " ")


def test_a_local_target_is_projected_from_the_areas_own_series(planning_db):
    """Bodø's turnout: the straight line through the last six years' values, from the latest
    value, against the target; checked against NumPy's own fit of the stored values."""
    target = PlanModel.model_validate(TRICKY).targets[0]
    with session_scope(planning_db) as s:
        t = target_progress(target, latest(s, {TURNOUT}, find_area(s, BODO))[TURNOUT])
    series = dict(t.now.series)
    assert t.now.year == max(series) and t.now.value == series[max(series)]
    window = [(y, v) for y, v in series.items() if y > t.now.year - 6]
    assert len(window) >= 2 and t.now.points == len(window)
    slope = np.polyfit(*np.array(window, dtype=float).T, 1)[0]
    assert t.now.slope == pytest.approx(slope)
    assert t.distance == pytest.approx(85.25 - t.now.value)
    assert t.needed == pytest.approx((85.25 - t.now.value) / (2029 - t.now.year))
    assert t.at_target_year == pytest.approx(t.now.value + slope * (2029 - t.now.year))
    assert t.on_track == (t.at_target_year >= 85.25)
    assert t.now.source and t.now.batches  # traced to its import


def test_no_series_no_projection(planning_db):
    document = copy.deepcopy(TRICKY)
    document["targets"][0]["indicator"] = "un-global/13.2.2"  # no value for Bodø
    target = PlanModel.model_validate(document).targets[0]
    with session_scope(planning_db) as s:
        t = target_progress(target, latest(s, {target.indicator},
                                           find_area(s, BODO))[target.indicator])
    assert t.now.value is None and t.on_track is None and t.at_target_year is None
    assert "no value" in plan_report.value_text(t.now, "en")


def test_budget_per_goal_and_chain_gaps(planning_db):
    plan = PlanModel.model_validate(TRICKY)
    b = budget(plan)
    assert b.total == 301_000 and b.tagged == 300_000 and b.external == 300_000
    assert b.by_goal == {11: pytest.approx(100_000), 13: pytest.approx(200_000)}
    assert b.by_year == {2027: 300_000, None: 1000}
    with session_scope(planning_db) as s:
        plan_id = store.save(s, copy.deepcopy(TRICKY) | {"name": "chain"}, "test")
        o = overview(s, store.get(s, plan_id))
    chain = o.chains[0]
    assert chain.gaps == ["input", "process", "output"]
    assert [x.now.ref for x in chain.steps["outcome"]] == [TURNOUT]
    assert o.suggestions and o.suggestions == sorted(
        o.suggestions, key=lambda x: (-x.importance, x.score or 0, x.goal))


def test_pages_make_a_plan_without_javascript(client, planning_db):
    r = client.get(f"/kommune/{BODO}")
    assert f"/kommune/{BODO}/planer" in r.text
    r = client.post("/planer/ny", data={"area": BODO, "name": "Handlingsprogram 2026–2029",
                                         "start": "2026", "end": "2029", "by": "Kari"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/plan/")
    plan_url = r.headers["location"]
    assert "Bodø (1804)</a>" in client.get("/planer").text  # the list names the area
    client.cookies.set("localsdg_name", "Kari")
    r = client.post(plan_url + "/prioritet", data={"key": "11.2", "importance": "4",
                                                    "influence": "5"})
    assert r.status_code == 200 and "11.2" in r.text
    r = client.post(plan_url + "/mal", data={"indicator": TURNOUT, "value": "85,5",
                                             "year": "2029"})
    assert "85,5 (2029)" in r.text
    r = client.post(plan_url + "/mal", data={"indicator": TURNOUT, "value": "mange",
                                             "year": "2029"})
    assert r.status_code == 422 and "Skriv et tall" in r.text and "mange" in r.text
    r = client.post(plan_url + "/tiltak", data={"id": "T1", "title": "Sykkelveier",
                                                "status": "ongoing", "kind": "investment",
                                                "targets": "11.2"})
    assert r.status_code == 200
    r = client.post(plan_url + "/tiltak/T1/budsjett", data={
        "year": "2027", "amount": "1 500 000", "funding": "own", "goal_1": "11",
        "share_1": "70", "goal_2": "3", "share_2": "20"})
    assert r.status_code == 422 and "100 %" in r.text
    r = client.post(plan_url + "/tiltak/T1/budsjett", data={
        "year": "2027", "amount": "1 500 000", "funding": "own", "goal_1": "11",
        "share_1": "70", "goal_2": "3", "share_2": "30"})
    assert r.status_code == 200 and "1 500 000" in _spaced(r.text)  # the measure's page
    assert "Ingen indikator viser dette trinnet." in r.text
    assert "1 050 000" in _spaced(client.get(plan_url).text)  # goal 11's part
    plan_id = int(plan_url.rsplit("/", 1)[1])
    with session_scope(planning_db) as s:
        assert {h.changed_by for h in store.history(s, plan_id)} == {"Kari"}
    for fmt, kind in (("pdf", "application/pdf"), ("html", "text/html"),
                      ("xlsx", "application/vnd.openxml")):
        r = client.get(f"{plan_url}/rapport.{fmt}?lang=nn")
        assert r.status_code == 200 and r.headers["content-type"].startswith(kind)
    assert "Oppfølging: Handlingsprogram" in client.get(plan_url + "/rapport.html").text


def _spaced(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_a_form_without_a_name_saves_nothing(client, planning_db):
    with session_scope(planning_db) as s:
        plan_id = store.find(s, "3407").id
    r = client.post(f"/plan/{plan_id}/prioritet", data={"key": "6", "importance": "3",
                                                         "influence": "3"})
    assert r.status_code == 422 and "Skriv navnet ditt" in r.text


def test_api_lists_gives_and_refuses_plans(client):
    plans = client.get("/api/v1/areas/34/plans").json()
    assert [p["name"] for p in plans] == ["Eksempel: Utslippsfri hurtigbåt på Mjøsa"]
    document = client.get(f"/api/v1/plans/{plans[0]['id']}").json()
    assert document["measures"][0]["budget"][0]["goals"] == {"13": 0.5, "9": 0.5}
    bad = copy.deepcopy(TRICKY) | {"name": "api"}
    bad["interactions"][0]["score"] = 5
    r = client.post("/api/v1/plans", params={"by": "api"}, json=bad)
    assert r.status_code == 422 and r.json()["problems"] == [
        "interactions[1].score: Input should be less than or equal to 3"]
    r = client.post("/api/v1/plans", params={"by": "api"}, json=TRICKY | {"name": "api"})
    assert r.status_code == 201 and client.get(r.json()["url"]).status_code == 200


def test_cli_template_import_export_and_list(planning_db, monkeypatch, tmp_path):
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", planning_db)
    runner = CliRunner()
    r = runner.invoke(cli, ["plan", "template", "-o", str(tmp_path / "t.xlsx")])
    assert r.exit_code == 0
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == ["help", "plan", "priorities", "interactions", "targets",
                               "measures", "indicators", "effects", "budget"]
    (tmp_path / "p.json").write_text(json.dumps(TRICKY | {"name": "cli"}), encoding="utf-8")
    r = runner.invoke(cli, ["plan", "import", str(tmp_path / "p.json"), "--by", "cli"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["plan", "export", BODO, "--plan", "cli"])
    assert r.exit_code == 0 and json.loads(r.stdout) == _normal(TRICKY | {"name": "cli"})
    r = runner.invoke(cli, ["plan", "export", BODO, "--plan", "cli", "-f", "xlsx", "-o",
                            str(tmp_path / "p.xlsx")])
    assert r.exit_code == 0
    r = runner.invoke(cli, ["plan", "import", str(tmp_path / "p.xlsx"), "--by", "cli"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["plan", "list", "--area", BODO, "-f", "json"])
    assert "cli" in [p["name"] for p in json.loads(r.stdout)]
    (tmp_path / "bad.json").write_text('{"area": "1804", "name": ""}', encoding="utf-8")
    r = runner.invoke(cli, ["plan", "import", str(tmp_path / "bad.json")])
    assert r.exit_code == 2 and "name" in r.output


def test_form_mistakes_are_told_in_the_readers_language_beside_their_field(client,
                                                                           planning_db):
    r = client.post("/planer/ny", data={"area": BODO, "name": "Feil år", "start": "2037",
                                         "end": "2025", "by": "Kari"})
    assert r.status_code == 422 and "Sluttåret er før startåret." in r.text
    with session_scope(planning_db) as s:
        plan_id = store.find(s, "3407").id
    client.cookies.set("localsdg_name", "Kari")
    r = client.post(f"/plan/{plan_id}/samspill", data={"from": "6.4", "to": "6.4",
                                                        "score": "2"})
    assert r.status_code == 422 and "Velg to ulike mål eller delmål." in r.text
    r = client.post(f"/plan/{plan_id}/tiltak", data={"id": "G9", "title": "x" * 301,
                                                      "status": "planned", "kind": "service"})
    assert r.status_code == 422 and "Skriv høyst 300 tegn (her er det 301)." in r.text
    r = client.post(f"/plan/{plan_id}/tiltak", data={"id": "G9", "title": "Lesing",
                                                      "status": "planned", "kind": "service",
                                                      "targets": "4.1, 4,6, 4.99"})
    assert r.status_code == 422 and "Ikke delmål: 4.99. Skriv delmål som 11.2" in r.text
    r = client.post(f"/plan/{plan_id}/tiltak", data={"id": "G9", "title": "Lesing",
                                                      "status": "planned", "kind": "service",
                                                      "targets": "4.1, 4,6;4.A"})
    assert r.status_code == 200  # a decimal comma and a capital letter read as targets
    with session_scope(planning_db) as s:
        assert store.get(s, plan_id).plan.measure("G9").targets == ["4.1", "4.6", "4.a"]
    r = client.post(f"/plan/{plan_id}/mal", data={"indicator": TURNOUT, "value": "80",
                                                   "year": "tjuetretti"}, params={"lang": "en"})
    assert r.status_code == 422 and "Write a whole number, for example 2030." in r.text
    assert "Skriv" not in r.text.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize(("written", "codes"), [
    ("4.1, 4,6", ["4.1", "4.6"]), ("11.a;11.B", ["11.a", "11.b"]), ("13.2,13.3", ["13.2", "13.3"]),
    ("4 , 6", ["4", "6"]), ("", []), (None, []), ("4.99 mål", ["4.99", "mål"])])
def test_targets_are_read_as_a_person_writes_them(written, codes):
    """A decimal comma is a target's point; what is no target is kept for the checks to name."""
    assert target_codes(written) == codes
