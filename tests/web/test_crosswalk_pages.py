"""The crosswalk in the browser's pages, the API and the CLI, on the real catalog, and the
curators' decisions in a database of their own."""

import json
import re

import pytest
from typer.testing import CliRunner

from localsdg.catalog.files import IndicatorRecord, SetRecord
from localsdg.catalog.store import save_set
from localsdg.cli import app
from localsdg.config import settings
from localsdg.db.session import session_scope
from tests.helpers import app_client, recorded_as

POINTS = "De-norske-målepunktene"
runner = CliRunner()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_indicator_page_shows_proposals_with_their_evidence_in_words(client):
    code = next(h["code"] for h in client.get(
        "/api/v1/indicators", params={"q": "Totalt klimagassutslipp per år", "set": POINTS}
    ).json()["hits"])
    page = _text(client.get(f"/indikator/{POINTS}/{code}?lang=nb").text)
    section = page.split("Samme eller lignende indikatorer i andre sett", 1)[1]
    assert "Totale klimagassutslipp per år" in section and "Nesten lik" in section
    assert re.search(r"Navn og definisjoner \d+ % like: klimagassutslipp", section)
    assert "Foreslått, ikke avgjort ennå" in section and "Avvis" in section


def test_published_links_are_worded_without_english_leaking_in(client):
    proposals = client.get("/api/v1/sets/UN-SDG-indicators/indicators/1959/similar").json()
    assert any(e["kind"] == "link" for p in proposals for e in p["evidence"])
    page = _text(client.get("/indikator/UN-SDG-indicators/1959?lang=nn").text)
    assert "Kopla som «Same indikator» av localsdg, ut frå FN-koden" in page
    assert "UN code in KS title" not in page and "Link kind" not in page


def test_namesakes_in_a_set_are_shown_with_what_differs(client):
    page = _text(client.get("/indikator/Areal---Rekreasjonsareal-og-nærturterreng/3929"
                            "?lang=en").text)
    assert "The same name in this set" in page
    assert "Only their classification differs (Triple bottom line)" in page


def test_overlaps_and_namesakes_through_the_api(client):
    three = client.get("/api/v1/overlaps", params=[
        ("set", "un-global"), ("set", "UN-SDG-indicators"),
        ("set", "OECD-A-Territorial-Approach-to-the-SDGs")]).json()
    assert three["shared_by_all"] >= 20 and len(three["combinations"]) == 2
    named = client.get("/api/v1/sets/Areal---Rekreasjonsareal-og-nærturterreng/namesakes")
    assert named.status_code == 200 and named.json()[0]["flag"] == "classification_only"
    assert client.get("/api/v1/sets/nope/namesakes").status_code == 404


@pytest.fixture
def local(framework_db):
    """The UN framework and a local set naming UN codes, the app and the CLI on it."""
    records = [IndicatorRecord("klima", {"name_nb": "Klimagassutslipp (jf. 13.2.2)"}),
               IndicatorRecord("luft", {"name_nb": "Svevestøv, 11.6.2"})]
    with session_scope(framework_db) as s:
        save_set(s, SetRecord(id="lokal", name_nb="Lokale indikatorer", level="local"),
                 records, changed_by="test", batch=None)
    return app_client()


def test_a_curator_decides_on_the_page_once_and_the_history_says_who(local):
    page = local.get("/indikator/lokal/klima?lang=nb")
    assert "Klimagassutslipp" in page.text and 'value="un-global/13.2.2"' in page.text
    if not settings().server:  # on a server the signed-in user is who decides
        nameless = local.post("/indikator/lokal/klima/kobling",
                              data={"other": "un-global/13.2.2", "decision": "confirmed"})
        assert nameless.status_code == 400 and "Skriv navnet ditt" in nameless.text
    done = local.post("/indikator/lokal/klima/kobling", follow_redirects=False, data={
        "other": "un-global/13.2.2", "decision": "confirmed", "kind": "exact", "by": "Kari"})
    assert done.status_code == 303
    after = _text(local.get(done.headers["location"]).text)
    assert f"Bekreftet av {recorded_as('Kari')}" in after
    assert "lagret i historikken til begge" in after
    assert "un-global/13.2.2: no link" in after  # the history's old value
    twice = local.post("/indikator/lokal/klima/kobling", data={
        "other": "un-global/13.2.2", "decision": "rejected", "by": "Ola"})
    assert twice.status_code == 400 and "Paret er allerede avgjort" in twice.text


def test_the_api_and_the_cli_decide_and_show_the_crosswalk(local):
    body = {"first": "lokal/luft", "second": "un-global/11.6.2", "decision": "rejected",
            "reason": "PM10, not PM2.5", "by": "Kari"}
    walk = local.post("/api/v1/links/decisions", json=body)
    assert walk.status_code == 200
    rejected = next(p for p in walk.json() if p["code"] == "11.6.2")
    assert rejected["status"] == "rejected"
    assert rejected["decision"]["reason"] == "PM10, not PM2.5"
    again = local.post("/api/v1/links/decisions", json=body)
    assert again.status_code == 400
    nameless = local.post("/api/v1/links/decisions", json={**body, "by": ""})
    assert nameless.status_code == (400 if settings().server else 401)  # decided already
    shown = runner.invoke(app, ["catalog", "similar", "lokal/klima", "--format", "json"])
    assert shown.exit_code == 0 and json.loads(shown.stdout)[0]["code"] == "13.2.2"
    confirmed = runner.invoke(app, ["catalog", "link", "confirm", "lokal/klima",
                                    "un-global/13.2.2", "--by", "Ola"])
    assert confirmed.exit_code == 0, confirmed.output
    table = runner.invoke(app, ["catalog", "similar", "lokal/klima"])
    assert "confirmed" in table.stdout
    unknown = runner.invoke(app, ["catalog", "link", "reject", "lokal/nope", "un-global/1.1.1"])
    assert unknown.exit_code == 2 and "no indicator" in unknown.output


def test_the_analysis_page_says_how_often_the_chosen_sets_measure_the_same(client):
    three = "set=un-global&set=UN-SDG-indicators&set=OECD-A-Territorial-Approach-to-the-SDGs"
    page = _text(client.get(f"/analyse?{three}&lang=nb").text)
    times = int(re.search(r"Disse 3 settene måler det samme (\d+) ganger", page)[1])
    api = client.get(f"/api/v1/overlaps?{three}").json()
    assert times == api["shared_by_all"] >= 20
    everything = _text(client.get("/analyse?lang=en").text)
    assert "measure the same thing" not in everything  # a sentence only for chosen sets
    assert "UN SDG indicators · UN global SDG indicators 219" in everything


def test_a_decision_is_taken_back_and_the_pair_is_a_proposal_again(local):
    decided = {"other": "un-global/13.2.2", "decision": "confirmed", "kind": "exact",
               "by": "Kari"}
    local.post("/indikator/lokal/klima/kobling", data=decided)
    back = local.post("/indikator/lokal/klima/kobling", follow_redirects=False, data={
        "other": "un-global/13.2.2", "decision": "reopened", "by": "Ola"})
    assert back.status_code == 303
    proposal = next(p for p in local.get("/api/v1/sets/lokal/indicators/klima/similar").json()
                    if p["code"] == "13.2.2")
    assert proposal["status"] == "open" and proposal["confidence"] < 1
    history = local.get("/api/v1/sets/lokal/indicators/klima/history").json()
    assert any(h["new"] == "un-global/13.2.2: reopened: a proposal again"
               and h["by"] == recorded_as("Ola") for h in history)
    again = local.post("/api/v1/links/decisions", json={
        "first": "lokal/klima", "second": "un-global/13.2.2", "decision": "rejected",
        "by": "Ola"})
    assert again.status_code == 200
    nothing = runner.invoke(app, ["catalog", "link", "reopen", "lokal/luft", "un-global/11.6.2"])
    assert nothing.exit_code == 2 and "no decision to take back" in nothing.output
