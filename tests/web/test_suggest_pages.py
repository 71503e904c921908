"""Target suggestions for a pasted text: the page, the API and the CLI, on the real catalog."""

import json

from typer.testing import CliRunner

from localsdg.catalog.suggest import CONFIDENT
from localsdg.cli import app

CHILD_POVERTY = "Andel barn som bor i husholdninger med vedvarende lavinntekt"


def test_the_page_shows_confident_targets_apart_from_hints(client):
    page = client.post("/foresla", data={"text": CHILD_POVERTY})
    assert page.status_code == 200
    found, _, hints = page.text.partition("Under terskelen: bare hint")
    assert 'href="/delmal/1.2"' in found.split("Foreslåtte delmål")[1]
    assert "De-norske-målepunktene/2264" in found  # a nearest indicator as the reason
    assert hints.count('href="/delmal/') <= 2  # three in all with the confident one


def test_empty_or_huge_text_is_a_translated_error_that_keeps_the_form(client):
    empty = client.post("/foresla?lang=en", data={"text": "  "})
    assert empty.status_code == 400 and "Write or paste a text first." in empty.text
    huge = client.post("/foresla?lang=nb", data={"text": "vann " * 5000})
    assert huge.status_code == 400 and "Teksten er lengre enn 20" in huge.text
    assert "<textarea" in huge.text


def test_the_api_gives_scores_reasons_and_the_threshold(client):
    body = {"text": "greenhouse gas emissions from road traffic", "level": "goal", "limit": 3}
    found = client.post("/api/v1/suggest", json=body).json()
    assert [f["code"] for f in found][0] == "13" and len(found) == 3
    assert all(f["confident"] == (f["score"] >= CONFIDENT) for f in found)
    assert any("greenhouse" in n["shared"] for n in found[0]["neighbours"])
    bad = client.post("/api/v1/suggest", json={"text": "x", "limit": 0})
    assert bad.status_code == 422
    own = client.get("/api/v1/sets/un-global/indicators/13.2.2/suggest?limit=3").json()
    assert own[0]["code"] == "13.2"
    assert all(n["code"] != "13.2.2" or n["set_id"] != "un-global"
               for f in own for n in f["neighbours"])
    assert client.get("/api/v1/sets/un-global/indicators/99.9/suggest").status_code == 404


def test_the_cli_suggests_for_a_text_and_for_an_indicator(use_catalog):
    runner = CliRunner()
    result = runner.invoke(app, ["catalog", "suggest", CHILD_POVERTY, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["code"] == "1.2"
    goals = runner.invoke(app, ["catalog", "suggest", "--indicator", "un-global/13.2.2",
                                "--goals", "--limit", "2", "--format", "json"])
    assert [g["code"] for g in json.loads(goals.stdout)][0] == "13"
    empty = runner.invoke(app, ["catalog", "suggest", ""])
    assert empty.exit_code == 2 and "empty" in empty.output


def test_an_indicator_without_targets_shows_the_targets_its_text_suggests(client):
    unclassified = client.get("/indikator/U4SSC/2150?lang=en").text
    assert "Suggested targets" in unclassified and 'href="/delmal/9.c"' in unclassified
    assert "The indicator has no targets yet: classify it" in unclassified
    classified = client.get("/indikator/un-global/13.2.2?lang=en").text
    assert "Suggested targets" not in classified
