"""The pages, rendered by the real app on the real catalog (the browser tests drive them too)."""

import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.helpers import recorded_as

PAGES = ["/", "/katalog", "/katalog?q=klimagass&goal=13", "/mal", "/mal/13", "/delmal/13.2",
         "/sett", "/sett/Ungdata", "/om", "/indikator/un-global/13.2.2",
         "/indikator/un-global/13.2.2/endre", "/analyse?set=Ungdata", "/import",
         "/katalog/endre?goal=13"]


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_every_page_type_renders_in_each_language(client, lang):
    for url in PAGES:
        r = client.get(url, params={"lang": lang})
        assert r.status_code == 200, url
        assert f'<html lang="{lang}"' in r.text, url
    assert client.cookies.get("lang") == lang


def test_language_is_remembered_and_texts_differ(client):
    assert "Søk etter indikatorer" in client.get("/").text  # Bokmål by default
    client.get("/", params={"lang": "nn"})
    assert "Søk etter indikatorar" in client.get("/").text
    client.get("/", params={"lang": "en"})
    text = client.get("/katalog", params={"q": "klimagass"}).text
    assert "Indicator catalog" in text


def test_catalog_search_filters_chips_and_partial_updates(client):
    page = client.get("/katalog", params={"q": "klimagasutslipp", "goal": "13"}).text
    assert "/indikator/un-global/13.2.2" in page
    assert 'name="goal" value="13" checked' in page
    assert re.search(r'href="/katalog\?q=klimagasutslipp"[^>]*>[^<]*13', page)  # chip removes
    partial = client.get("/katalog", params={"q": "greenhouse"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.text and "13.2.2" in partial.text
    csv_text = client.get("/katalog/eksport", params={"q": "klimagass", "format": "csv"}).text
    assert csv_text.startswith("set_id,") and "13.2.2" in csv_text


def test_targets_are_offered_under_the_chosen_goals(client):
    page = client.get("/katalog").text
    assert 'name="target"' not in page and "Velg et mål for å filtrere på delmålene" in page
    page = client.get("/katalog", params={"goal": "13", "target": "6.1"}).text
    offered = set(re.findall(r'name="target" value="([^"]+)"', page))
    assert {"13.1", "13.2", "6.1"} <= offered
    assert all(t.startswith("13.") for t in offered - {"6.1"})
    assert 'name="target" value="6.1" checked' in page  # a chosen target can be unticked


def test_english_only_names_are_marked_in_norwegian(client):
    page = client.get("/katalog", params={"set": "U4SSC", "lang": "nb"}).text
    assert 'lang="en"' in page and "bare på engelsk" in page


def test_edit_form_shows_errors_beside_fields_and_saves_nothing(writable):
    url = "/indikator/un-global/13.2.2/endre"
    form = {"name_nb": "Totale klimagassutslipp per år", "targets": "13.2|13.99",
            "evaluation_steps": ["impact"], "quality_class": "1", "by": ""}
    r = writable.post(url, data=form)
    assert r.status_code == 422
    assert 'id="targets-error"' in r.text and "13.99" in r.text
    assert ('id="by-error"' in r.text) == (recorded_as("") == "")  # a server knows who
    form.update(targets="13.2", by="Kari")
    r = writable.post(url, data=form, follow_redirects=False)
    assert r.status_code == 303
    page = writable.get(r.headers["location"]).text
    assert "Lagret" in page and recorded_as("Kari") in page
    assert "5 Samfunnseffekt (impact)" in page


def test_a_save_is_committed_before_the_answer_leaves(writable):
    """A browser follows the redirect at once: the change must be stored by then."""
    events: list[str] = []

    async def recording(scope, receive, send):
        async def send_(message):
            if message["type"] == "http.response.start":
                events.append("response")
            await send(message)
        await writable.app(scope, receive, send_)

    def committed(_session):
        events.append("commit")

    event.listen(Session, "after_commit", committed)
    try:
        r = TestClient(recording, headers=writable.headers).post(
            "/indikator/un-global/13.2.2/endre", follow_redirects=False,
            data={"name_nb": "Klimagassutslipp", "by": "Kari"})
    finally:
        event.remove(Session, "after_commit", committed)
    assert r.status_code == 303
    assert events == ["commit", "response"]


def test_bulk_edit_previews_then_saves_after_confirmation(writable):
    data = {"goal": "14", "property": "tbl", "op": "add", "value": "planet"}
    preview = writable.post("/katalog/endre", data=data)
    assert preview.status_code == 200 and "10 av 10 indikatorer blir endret" in preview.text
    assert writable.get("/katalog", params={"tbl": "planet"}).text.count("/indikator/") == 0
    done = writable.post("/katalog/endre", data={**data, "confirm": "1", "by": "Kari"},
                         follow_redirects=False)
    assert done.status_code == 303 and "endret=10" in done.headers["location"]
    assert "10 indikatorer ble endret" in writable.get(done.headers["location"]).text


def test_import_shows_the_report_before_storing(writable):
    bad = io.BytesIO(b"set_id,code,name_nb,tbl\nlokal,1,Navn,Peple\n")
    r = writable.post("/import", files={"file": ("mitt.csv", bad)})
    assert r.status_code == 422
    assert "mitt.csv, rad 2, kolonne tbl" in r.text and "Peple" in r.text
    good = io.BytesIO(b"set_id,code,name_nb,tbl\nlokal,1,Sykkelandel,planet\n")
    r = writable.post("/import", files={"file": ("mitt.csv", good)})
    assert r.status_code == 200 and 'name="token"' in r.text
    assert "/indikator/lokal/1" not in writable.get("/katalog?set=un-global").text
    token = re.search(r'name="token" value="([0-9a-f]+)"', r.text)[1]
    done = writable.post("/import/lagre", data={"token": token, "by": "Kari"})
    assert done.status_code == 200 and "1 nye" in done.text
    assert writable.get("/indikator/lokal/1").status_code == 200


def test_analysis_has_charts_tables_and_csv(client):
    page = client.get("/analyse", params={"set": "De-norske-målepunktene"}).text
    assert page.count('data-vega-spec=') == 9 and page.count("<details") == 8
    assert "3 Resultat (output)" in page
    csv_text = client.get("/analyse/csv", params={"dimension": "evaluation_step",
                                                  "set": "De-norske-målepunktene"}).text
    assert "output,3 Resultat (output),355" in csv_text
    assert client.get("/analyse/csv", params={"dimension": "colour"}).status_code == 404


def test_unknown_pages_say_what_is_missing(client):
    r = client.get("/indikator/un-global/99.9.9")
    assert r.status_code == 404 and "no indicator" in r.text and "<html" in r.text
