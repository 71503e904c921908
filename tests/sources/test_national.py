"""The national status profile on the real national files: the source registry (reference
copies load; a source that cannot be reached is reported and skipped), bounds from the
distribution across all municipalities, the age window, the coverage rule, the status shared
by page, API and CLI, and the place picker."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from itertools import combinations
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest
from typer.testing import CliRunner

from localsdg.catalog.indicators import indicator_by_ref
from localsdg.cli import app as cli
from localsdg.db.session import session_scope
from localsdg.observations.store import read
from localsdg.reports import document
from localsdg.scoring.area_profile import build, profile_sets_for
from localsdg.scoring.profiles import get_set, profiles_of, save_set
from localsdg.scoring.run import run
from localsdg.scoring.status import area_status
from localsdg.sources.national import PROFILE_SET, RECIPES, sync_national
from localsdg.sources.ssb import v2_url
from tests.helpers import DATA, MIRROR, app_client, demo_database, read_csv

ELECTIONS = DATA / "norway/stats/national/valg_stortingsvalg_kommune"
ROBEK = DATA / "norway/stats/national/kdd_robek/robek_2026-04.json"
BODO, SKIEN = "1804", "4003"


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory):
    url, _report = next(gen := demo_database(tmp_path_factory))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOCALSDG_MIRROR", str(MIRROR))
        mp.setenv("LOCALSDG_REFERENCE_DATA", str(DATA))
        mp.setenv("LOCALSDG_DATA_DIR", str(tmp_path_factory.mktemp("national")))
        with session_scope(url) as s:
            report = sync_national(s, "test")
    yield url, report
    next(gen, None)


@pytest.fixture
def client(national, monkeypatch):
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", national[0])
    return app_client()


def test_reference_copies_load_and_a_live_source_offline_is_reported(national):
    _url, report = national
    loaded = {r["source"]: r for r in report["loaded"]}
    assert loaded["valgdeltakelse"]["rows"] == len(list(ELECTIONS.glob("*/kommune-*.json")))
    assert loaded["robek"]["rows"] == 357  # every municipality of 2026, listed or not
    assert loaded["bredband"]["rows"] == 356 and loaded["bredband"]["skipped_rows"] == 0
    assert loaded["mobil"]["rows"] == 356 and loaded["mobil"]["skipped_rows"] == 0
    assert loaded["areal"]["rows"] == 357  # the boundaries, downloaded from the mirror
    skipped = {r["source"]: r["why"] for r in report["skipped"]}
    assert set(skipped) == {r.key for r in RECIPES if r.table}  # SSB's live tables
    assert set(loaded) == {r.key for r in RECIPES} - set(skipped)
    assert all("not in the offline mirror" in why for why in skipped.values())
    assert report["profile"] == {"profile_set": PROFILE_SET, "indicators": 12, "goals": 7}


def test_without_a_reference_copy_each_source_says_why_it_is_skipped(national, tmp_path,
                                                                     monkeypatch):
    url, _ = national
    monkeypatch.setenv("LOCALSDG_MIRROR", str(MIRROR))
    monkeypatch.delenv("LOCALSDG_REFERENCE_DATA", raising=False)
    monkeypatch.setenv("LOCALSDG_DATA_DIR", str(tmp_path))
    with session_scope(url) as s:
        report = sync_national(s, "test", ["valgdeltakelse", "robek"])
        s.rollback()  # leave the module's database as it was
    why = {r["source"]: r["why"] for r in report["skipped"]}
    assert "no reference copy" in why["valgdeltakelse"]
    assert "raw.githubusercontent.com/vegard1104" in why["robek"]
    assert "not in the offline mirror" in why["robek"]


def test_bounds_come_from_all_municipalities_not_the_comparison_group(national):
    url, _ = national
    turnout = [json.loads(p.read_bytes())["frammote"]["prosent"]
               for p in (ELECTIONS / "2025").glob("kommune-*.json")]
    with session_scope(url) as s:
        bases = get_set(s, PROFILE_SET).method["bases"]
        p = area_status(s, SKIEN, runs=0).profile  # beside the municipalities most like Skien
    basis = bases["Kommunehelsa-statistikkbank/1213"]
    assert basis["areas"] == len(turnout) == 357 and basis["period"] == "2025"
    assert basis["lower"] == round(float(np.percentile(turnout, 2.5)), 2)
    assert basis["upper"] == round(float(np.mean(sorted(turnout)[-5:])), 2)
    assert basis["green"] == round(float(np.percentile(turnout, 75)), 2)
    assert p.group == f"similar:{SKIEN}" and len(p.peers) == 11 and p.self_first[0].code == SKIEN
    line = next(x for g in p.goals for x in g.lines if x.ref.endswith("/1213"))
    expected = 100 * (line.value - basis["lower"]) / (basis["upper"] - basis["lower"])
    assert line.score == pytest.approx(expected)  # the national bounds, in any group
    robek = bases["De-norske-målepunktene/2573"]
    assert (robek["kind"], robek["lower"], robek["upper"]) == ("fixed", 1.0, 0.0)
    listed = {k["kommunenummer"] for k in json.loads(ROBEK.read_bytes())["kommuner"]}
    with session_scope(url) as s:
        r = run(s, PROFILE_SET)
    column = r.values[:, r.refs.index("De-norske-målepunktene/2573")]
    on = {m.code for m, v in zip(r.group.members, column, strict=True) if v == 1.0}
    assert on == listed and len(on) == 27 and np.nansum(column) == 27


def _with_method(url: str, **changes):
    with session_scope(url) as s:
        ps = get_set(s, PROFILE_SET)
        original = (ps.name, dict(ps.method), profiles_of(ps), ps.source, ps.notes)
        save_set(s, PROFILE_SET, ps.name, {**ps.method, **changes},
                 [replace(p) for p in original[2]], source=ps.source, notes=ps.notes)
    return original


def _restore(url: str, original) -> None:
    name, method, items, source, notes = original
    with session_scope(url) as s:
        save_set(s, PROFILE_SET, name, method, items, source=source, notes=notes)


def test_values_older_than_the_window_are_shown_not_scored(national):
    url, _ = national
    original = _with_method(url, window=3)  # 2024–2026: the school year 2020/21 is older
    try:
        with session_scope(url) as s:
            p = build(s, BODO, runs=0)
    finally:
        _restore(url, original)
    school = next(x for g in p.goals for x in g.lines if x.ref == "lokal/grunnskolepoeng")
    assert school.older and school.value == 45.0 and school.period == "2020–2021"
    assert school.score is None and school.colour is None and school.trend is None
    # broadband, mobile coverage (2022), emissions (2021) and the six 2013–2018 figures too
    assert (p.coverage.older, p.coverage.indicators) == (10, 2)
    assert [g.goal for g in p.goals if g.score is not None] == [16]


def test_an_index_and_a_rank_only_when_the_coverage_rule_holds(national):
    url, _ = national
    with session_scope(url) as s:
        p = build(s, BODO, runs=0)
    assert p.index is None and p.rank is None and p.coverage.no_index == "min_goals"
    assert (p.coverage.goals, p.coverage.min_goals) == (4, 10)
    original = _with_method(url, min_goals=3)
    try:
        with session_scope(url) as s:
            p = build(s, BODO, runs=0)
    finally:
        _restore(url, original)
    assert p.index is not None and p.rank is not None and p.coverage.no_index is None


def test_the_national_profile_is_the_default_and_page_api_and_cli_agree(national, client,
                                                                         monkeypatch):
    url, _ = national
    with session_scope(url) as s:
        assert profile_sets_for(s, SKIEN) == [PROFILE_SET, "telemark-demo"]
        assert profile_sets_for(s, BODO) == [PROFILE_SET]
    page = client.get(f"/kommune/{BODO}")
    api = client.get(f"/api/v1/areas/{BODO}/status").json()
    assert page.status_code == 200 and "demo" not in page.text.lower()
    assert api["profile"]["id"] == PROFILE_SET and api["coverage"]["no_index"] == "min_goals"
    lines = [x for g in api["goals"] for x in g["indicators"]]
    assert {x["source"]["agency"] for x in lines} == {
        "Valgdirektoratet", "Utdanningsdirektoratet", "Kommunal- og distriktsdepartementet",
        "Nasjonal kommunikasjonsmyndighet (Nkom)", "Miljødirektoratet",
        "Folkehelseinstituttet (FHI)", "Integrerings- og mangfoldsdirektoratet (IMDi)"}
    for x in lines:  # every value on the page with its period and agency
        assert x["period"] in page.text and x["source"]["agency"] in page.text
        if x["score"] is not None:
            assert f"{x['score']:.1f}".replace(".", ",") in page.text
    assert "har skår for 4 av 17 mål" in page.text  # why there is no index, in Bokmål
    assert not {"per cent", "tonnes", "households"} & set(page.text.split())  # units in Bokmål
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", url)
    out = CliRunner().invoke(cli, ["status", BODO, "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == api
    wrong = client.get(f"/kommune/{BODO}?gruppe=size:small")  # not offered for Bodø
    assert wrong.status_code == 200 and "ikke blant dem som tilbys" in wrong.text


@pytest.mark.parametrize(("typed", "lands"), [
    ("Bodø", "/kommune/1804"), ("bodo", "/kommune/1804"), ("1804", "/kommune/1804"),
    ("Bodø (1804)", "/kommune/1804"), ("Kárášjohka", "/kommune/5610"), ("18", "/fylke/18"),
    ("Nordland", "/fylke/18"), ("Porsgrun", "/kommune/4001"), ("Skien", "/kommune/4003"),
    ("Bodø kommune", "/kommune/1804"), ("Skien Kommune", "/kommune/4003"),
    ("Nordland fylkeskommune", "/fylke/18"), ("Nordland fylke", "/fylke/18")])
def test_the_picker_lands_on_the_place(client, typed, lands):
    r = client.get("/sted", params={"q": typed}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == lands


def test_the_picker_lists_several_places_and_says_when_none(client):
    several = client.get("/sted", params={"q": "Herøy"})
    assert "/kommune/1515" in several.text and "/kommune/1818" in several.text
    none = client.get("/sted", params={"q": "Atlantis"})
    assert none.status_code == 200 and "Ingen kommune eller fylke heter «Atlantis»" in none.text
    assert len(client.get("/sted/liste").text.split("<option")) - 1 >= 357 + 15


@pytest.mark.parametrize(("query", "places"), [
    ("Bodø", ["/kommune/1804"]), ("bodø", ["/kommune/1804"]), ("Kárášjohka", ["/kommune/5610"]),
    ("Herøy", ["/kommune/1515", "/kommune/1818"]), ("Nordland", ["/fylke/18"]),
    ("klima", []), ("Bod", []), ("vann", [])])
def test_a_catalog_search_for_a_place_shows_the_place_first(client, query, places):
    """Only a whole name finds a place; the start of one or a word of the catalog does not."""
    page = client.get("/katalog", params={"q": query}).text
    box = page.split('id="places-found"', 1)[1].split("</div>", 1)[0] if places else ""
    assert ('id="places-found"' in page) == bool(places)
    assert all(f'href="{p}"' in box for p in places)


def test_every_recipe_names_its_source():
    for r in RECIPES:
        assert r.agency and r.dataset and r.page.startswith("https://") and r.licence
        assert (r.reader is not None and (r.reference or r.download)) or r.table
    for a, b in combinations(RECIPES, 2):  # a file and a live table filling one indicator
        if a.indicator == b.indicator:
            same = ("goal", "direction", "target", "fixed", "published", "ceiling")
            assert [getattr(a, f) for f in same] == [getattr(b, f) for f in same], a.key


def test_figures_all_older_than_the_window_are_shown_but_take_no_goal_score_away(national):
    url, _ = national
    with session_scope(url) as s:
        counted = {p.indicator_id: p.in_index for p in profiles_of(get_set(s, PROFILE_SET))}
        p = build(s, BODO, runs=0)
    lines = {x.ref: x for g in p.goals for x in g.lines}
    assert lines["lokal/vgs-fullfort"].older and lines["Kommunehelsa-statistikkbank/1269"].older
    assert sum(counted.values()) == 6 and len(counted) == 12  # 2013–2018 figures: shown only
    school = lines["lokal/grunnskolepoeng"]
    goal4 = next(g for g in p.goals if g.goal == 4)
    assert goal4.score == pytest.approx(school.score) and goal4.colour == school.colour


def test_similar_municipalities_by_population_density_growth_and_age(national, client):
    """The ten nearest to Bodø, recomputed here from FHI's file and the areas stored."""
    url, _ = national
    rows = read_csv(DATA / "norway/stats/fhi_csdata_b2024/"
                    "population_jan1_b2024_by_agegroup_2005-2026.csv", encoding="utf-8")
    now = {r["code"]: r for r in rows if r["level"] == "municip" and r["year"] == "2026"}
    then = {r["code"]: r for r in rows if r["level"] == "municip" and r["year"] == "2021"}
    with session_scope(url) as s:
        area = {r.area_code: r.value for r in read(s, [indicator_by_ref(s, "lokal/areal").id])}
        p = area_status(s, BODO, runs=0).profile
    # FHI's 2021 figures for 1508 Ålesund and 1580 Haram are halves of old Ålesund: no growth
    codes = sorted(c for c in now if c in then and c in area and c not in ("1508", "1580"))
    pop = np.array([float(now[c]["pop_total"]) for c in codes])
    x = np.column_stack([np.log(pop), np.log(pop / np.array([area[c] for c in codes])),
                         [round(100 * (float(now[c]["pop_total"]) /
                                       float(then[c]["pop_total"]) - 1), 2) for c in codes],
                         [round(100 * float(now[c]["pop_67_plus"]) /
                                float(now[c]["pop_total"]), 2) for c in codes]])
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    near = np.argsort(np.sqrt(((z - z[codes.index(BODO)]) ** 2).sum(axis=1)), kind="stable")
    assert p.group == f"similar:{BODO}" and p.criteria == ["population", "density", "growth",
                                                           "aged"]
    assert [x.code for x in p.self_first][0] == BODO
    assert {x.code for x in p.peers} == {codes[i] for i in near[:11]}
    bodo = p.self_first[0].structure
    assert bodo["population"] == float(now[BODO]["pop_total"])
    page = client.get(f"/kommune/{BODO}").text
    assert "Hva gruppen er valgt etter" in page
    assert "folketall, innbyggere per km², vekst siste fem år (%) og andel 67 år og eldre (%)" \
        in page
    api = client.get(f"/api/v1/areas/{BODO}/status").json()
    assert api["peers"][0]["structure"] == pytest.approx(bodo)


def test_a_municipality_without_every_criterion_is_compared_within_its_county(national,
                                                                               client):
    """Haram (1580, again a municipality since 2024) has no growth over five years: its page
    offers no similar municipalities and compares it within its county instead of failing."""
    url, _ = national
    with session_scope(url) as s:
        status = area_status(s, "1580", runs=0)
    assert "similar:1580" not in status.groups and status.profile.group == "county:15"
    assert client.get("/kommune/1580").status_code == 200


def test_a_county_is_compared_with_all_counties_on_published_or_estimated_figures(national,
                                                                                   client):
    """Nordland's turnout is its municipalities' weighted by population (FHI, 2025), said to
    be an estimate; its school points are Udir's own county figure."""
    url, _ = national
    rows = read_csv(DATA / "norway/stats/fhi_csdata_b2024/"
                    "population_jan1_b2024_by_agegroup_2005-2026.csv", encoding="utf-8")
    people = {r["code"]: float(r["pop_total"]) for r in rows
              if r["level"] == "municip" and r["year"] == "2025" and r["code"][:2] == "18"}
    turnout = {json.loads(p.read_bytes())["id"]["nr"]: json.loads(p.read_bytes())["frammote"][
        "prosent"] for p in (ELECTIONS / "2025").glob("kommune-18-*.json")}
    assert set(turnout) == set(people)
    expected = sum(turnout[c] * people[c] for c in people) / sum(people.values())
    with session_scope(url) as s:
        p = area_status(s, "18", runs=0).profile
    assert p.profile_set == PROFILE_SET and p.group == "all:county" and len(p.peers) == 15
    lines = {x.ref: x for g in p.goals for x in g.lines}
    vote = lines["Kommunehelsa-statistikkbank/1213"]
    assert vote.value == round(expected, 1) and vote.derived == "counties"
    assert vote.source == "Valgdirektoratet" and vote.score is not None
    school = lines["lokal/grunnskolepoeng"]
    assert school.derived is None and school.value is not None  # Udir publishes counties
    assert lines["De-norske-målepunktene/2573"].value is None  # ROBEK: municipalities only
    page = client.get("/fylke/18").text
    assert "anslått ut fra kommunene, vektet med folketall" in page and "alle fylker" in page


def test_the_report_states_each_basis_and_a_green_goal_needs_no_attention(national):
    url, _ = national
    with session_scope(url) as s:
        p = area_status(s, BODO, runs=0).profile
    assert all(g.colour != "green" for g in p.weakest)
    doc = document.content(p, "nb")
    assert len(doc["bases"]) == 12 and doc["bases_heading"] == "Hva 0, 100 og fargene bygger på"
    assert any("SDSNs grenser for CO₂-utslipp" in b for b in doc["bases"])
    goals = {c for c in doc["peers_columns"] if c.startswith("Mål ")}
    assert goals == {f"Mål {g}" for g in p.compared_goals} and "Mål 1" not in goals


def test_a_live_table_answering_another_measure_is_refused(national, tmp_path, monkeypatch):
    """SSB's real answer for table 12134 with content code KOSAG110000, placed where the
    registered query for KOSAGD230000 is read from: refused, nothing loaded."""
    url, _ = national
    recipe = next(r for r in RECIPES if r.key == "netto-driftsresultat")
    address = urlsplit(v2_url(recipe.table, list(recipe.query)))
    copy = tmp_path / address.netloc / (unquote(address.path.lstrip("/")) + "?"
                                        + address.query)
    copy.parent.mkdir(parents=True)
    copy.write_bytes((DATA / "norway/fixtures/"
                      "ssb_12134_kostra_nokkeltall_pxwebv2_jsonstat2_3kommuner.json").read_bytes())
    monkeypatch.setenv("LOCALSDG_MIRROR", str(tmp_path))
    monkeypatch.setenv("LOCALSDG_DATA_DIR", str(tmp_path / "data"))
    with session_scope(url) as s:
        report = sync_national(s, "test", ["netto-driftsresultat"])
        s.rollback()
    (why,) = [r["why"] for r in report["skipped"]]
    assert "the answer holds ContentsCode KOSAG110000, not KOSAGD230000" in why


def test_green_without_a_target_reads_among_the_best_not_achieved(national, client):
    """Green from the best quarter of all municipalities (no national target) is 'among the
    best'; 'goal achieved' is kept for green that a target or published bound stands behind."""
    url, _ = national
    with session_scope(url) as s:
        p = area_status(s, BODO, runs=0).profile
    lines = [x for g in p.goals for x in g.lines if x.colour == "green"]
    relative = [x for x in lines if x.basis and x.basis["kind"] == "distribution"]
    assert relative and all(x.relative for x in relative)
    assert not any(x.relative for x in lines if x not in relative)
    goal = next(g for g in p.goals if g.colour == "green" and g.relative)
    page = client.get(f"/kommune/{BODO}").text
    heading = page.split(f'id="mal-{goal.goal}"', 1)[1].split("</h3>", 1)[0]
    assert "Blant de beste" in heading and "Målet er nådd" not in heading
    doc = document.content(p, "nb")
    assert "Blant de beste" in doc["legend"]
    assert all(t["status"] != "Målet er nådd" for t in doc["tiles"]
               if t["goal"] == goal.goal)


def test_the_compare_page_names_profile_sets_in_the_readers_language(client):
    page = client.get("/sammenlign", params={"gruppe": "Telemark"}).text
    options = page.split('id="profil"', 1)[1].split("</select>", 1)[0]
    assert "Telemark: et eksempel" in options and "a worked example" not in options
    named = re.search(r"Profilsett (.+?), sammenlignet innenfor", page)[1]
    assert named in {"Nasjonal statusprofil", "Telemark: et eksempel"}  # not its id


def test_the_explanation_names_the_profile_set_and_the_group_in_the_readers_language(client):
    page = client.get("/forklaring", params={"profil": PROFILE_SET, "omrade": BODO}).text
    intro = page.split("<h1", 1)[1].split("</p>", 1)[0]
    assert "Nasjonal statusprofil" in intro and "similar:" not in intro
    assert f"Profilsett {PROFILE_SET}," not in intro
