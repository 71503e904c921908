"""Server mode on the real PostgreSQL: every change needs a signed-in user whose role (and
areas) cover it, recorded under that user; the browser signs in with a session cookie that
scripts cannot read; changes from other sites are refused in every mode; security headers on
every answer; the accounts on the command line."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from localsdg.accounts.users import add_user
from localsdg.cli import app as cli
from localsdg.db.session import session_scope
from localsdg.planning import store
from localsdg.web.app import create_app
from tests.helpers import PASSWORD

PLAN = {"format": "localsdg-plan/1", "name": "Klimaplan"}
runner = CliRunner()


@pytest.fixture
def app(server, monkeypatch) -> TestClient:
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", server[0])
    return TestClient(create_app())


def _as(tokens: dict, name: str) -> dict:
    return {"Authorization": f"Bearer {tokens[name]}"}


def test_an_anonymous_change_is_refused_and_nothing_is_stored(app, server):
    url, tokens = server
    change = {"changes": [{"property": "evaluation_steps", "value": "impact"}], "by": "x"}
    refused = app.patch("/api/v1/sets/un-global/indicators/13.2.2", json=change)
    assert refused.status_code == 401 and "Sign in first" in refused.json()["detail"]
    assert refused.headers["www-authenticate"] == "Bearer"
    assert app.post("/api/v1/plans", json={**PLAN, "area": "1804"}).status_code == 401
    assert app.post("/api/v1/data/batches/1/rollback", json={"by": "x"}).status_code == 401
    page = app.post("/planer/ny", data={"area": "1804", "name": "x"}, follow_redirects=False,
                    headers={"referer": "http://testserver/kommune/1804/planer"})
    assert page.status_code == 303
    assert page.headers["location"] == "/logg-inn?neste=/kommune/1804/planer"
    with session_scope(url) as s:
        assert store.listed(s, "1804") == []
    assert app.get("/api/v1/sets/un-global/indicators/13.2.2").status_code == 200  # reading


def test_an_editor_changes_their_own_area_only_and_is_recorded(app, server):
    url, tokens = server
    mine = app.post("/api/v1/plans", json={**PLAN, "area": "1804"},
                    params={"by": "someone else"}, headers=_as(tokens, "bodo.planner"))
    assert mine.status_code == 201, mine.text
    plan_id = mine.json()["id"]
    with session_scope(url) as s:  # not the name the request gave
        assert {h.changed_by for h in store.history(s, plan_id)} == {"bodo.planner"}
    other = app.post("/api/v1/plans", json={**PLAN, "area": "4003"},
                     headers=_as(tokens, "bodo.planner"))
    assert other.status_code == 403 and "area 4003" in other.json()["detail"]
    with session_scope(url) as s:
        assert store.listed(s, "4003") == []  # refused after checking: rolled back whole
    classify = app.patch("/api/v1/sets/un-global/indicators/13.2.2",
                         headers=_as(tokens, "bodo.planner"),
                         json={"changes": [{"property": "evaluation_steps", "value": "impact"}]})
    assert classify.status_code == 403 and "(catalog)" in classify.json()["detail"]
    curated = app.patch("/api/v1/sets/un-global/indicators/13.2.2",
                        headers=_as(tokens, "curator"),
                        json={"changes": [{"property": "evaluation_steps", "value": "impact"}]})
    assert curated.status_code == 200
    who = app.get("/api/v1/sets/un-global/indicators/13.2.2/history").json()[0]["by"]
    assert who == "curator"


def test_the_browser_signs_in_with_a_cookie_scripts_cannot_read(app, server):
    wrong = app.post("/logg-inn", data={"name": "bodo.planner", "password": "nope",
                                        "neste": "/kommune/1804"})
    assert wrong.status_code == 401 and "Feil navn eller passord" in wrong.text
    right = app.post("/logg-inn", follow_redirects=False, data={
        "name": "bodo.planner", "password": PASSWORD, "neste": "/kommune/1804"})
    assert right.status_code == 303 and right.headers["location"] == "/kommune/1804"
    cookie = right.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "Logget inn som bodo.planner" in app.get("/kommune/1804").text
    page = app.get("/kommune/1804/planer").text
    token = re.search(r'name="csrf" value="(\w+)"', page)[1]  # in every form that changes
    forged = app.post("/planer/ny", data={"area": "1804", "name": "Uten nøkkel"},
                      follow_redirects=False)
    assert forged.status_code == 403 and "ikke fra dette nettstedet" in forged.text
    made = app.post("/planer/ny", data={"area": "1804", "name": "Fra nettleseren",
                                        "csrf": token}, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"].startswith("/plan/")
    skien = app.post("/planer/ny", data={"area": "4003", "name": "Ikke min", "csrf": token})
    assert skien.status_code == 403 and "Rollen eller områdene dine" in skien.text
    api = app.post("/api/v1/plans", json={**PLAN, "area": "1804", "name": "Skript"})
    assert api.status_code == 403  # the session cookie without the X-CSRF-Token header
    assert app.post("/api/v1/plans", json={**PLAN, "area": "1804", "name": "Skript"},
                    headers={"x-csrf-token": token}).status_code == 201
    app.post("/logg-ut")
    assert "Logg inn" in app.get("/").text
    away = app.post("/logg-inn", follow_redirects=False, data={
        "name": "bodo.planner", "password": PASSWORD, "neste": "//evil.example/"})
    assert away.headers["location"] == "/"  # only this site's pages


def test_sign_in_pauses_after_five_failures(app, server):
    url, _ = server
    with session_scope(url) as s:
        add_user(s, "guessed", "curator", [], by="test", password=PASSWORD)
    for _ in range(5):
        assert app.post("/logg-inn", data={"name": "guessed", "password": "x"}
                        ).status_code == 401
    paused = app.post("/logg-inn", data={"name": "guessed", "password": PASSWORD})
    assert paused.status_code == 429


def test_a_change_from_another_site_is_refused_in_every_mode(framework_db):
    client = TestClient(create_app())  # no token: the check comes before any sign-in
    forged = client.post("/indikator/un-global/13.2.2/endre", data={"name_nb": ""},
                         headers={"origin": "https://evil.example"})
    assert forged.status_code == 403 and "kom fra et annet nettsted" in forged.text
    assert "content-security-policy" in forged.headers
    also = client.post("/indikator/un-global/13.2.2/endre", data={"name_nb": ""},
                       headers={"referer": "https://evil.example/page"})
    assert also.status_code == 403
    name = client.get("/api/v1/sets/un-global/indicators/13.2.2").json()["values"]["name_nb"]
    assert name == "Totale klimagassutslipp per år"  # unchanged


def test_every_answer_carries_the_security_headers(app):
    page = app.get("/")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    refused = app.post("/api/v1/classify", json={})
    assert refused.status_code == 401 and "content-security-policy" in refused.headers


def test_users_on_the_command_line(server, monkeypatch):
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", server[0])
    monkeypatch.setenv("LOCALSDG_PASSWORD", PASSWORD)
    added = runner.invoke(cli, ["users", "add", "skien.editor", "--role", "editor",
                                "--area", "4003"])
    assert added.exit_code == 0, added.output
    token = runner.invoke(cli, ["users", "token", "skien.editor"])
    assert token.exit_code == 0 and token.stdout.strip().splitlines()[-1].startswith("lsdg_")
    listed = runner.invoke(cli, ["users", "list", "--format", "json"])
    assert '"skien.editor"' in listed.stdout and '"4003"' in listed.stdout
    no_area = runner.invoke(cli, ["users", "add", "x", "--role", "editor", "--no-password"])
    assert no_area.exit_code == 2 and "needs one or more areas" in no_area.output
    short = runner.invoke(cli, ["users", "add", "y", "--role", "admin"],
                          env={"LOCALSDG_PASSWORD": "short"})
    assert short.exit_code == 2 and "at least 12 characters" in short.output
    assert runner.invoke(cli, ["users", "remove", "skien.editor"]).exit_code == 0


def test_an_open_server_listens_on_this_machine_only(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", f"sqlite:///{tmp_path / 'open.sqlite'}")
    refused = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--no-load"])
    assert refused.exit_code == 2 and "--server" in refused.output


def test_an_editor_imports_figures_for_their_own_area_only(app, server):
    """Figures for Skien from Bodø's editor are refused whole; Bodø's own are stored under
    the editor."""
    url, tokens = server
    options = {"create": "lokal/egne", "area": "kommune", "period": "år", "value": "verdi"}
    theirs = "kommune;år;verdi\n1804;2024;12\n4003;2024;13\n"
    refused = app.post("/api/v1/data/import", headers=_as(tokens, "bodo.planner"),
                       data={"options": json.dumps(options)},
                       files={"file": ("egne.csv", theirs.encode())})
    assert refused.status_code == 403 and "figures for 4003" in refused.json()["detail"]
    mine = app.post("/api/v1/data/import", headers=_as(tokens, "bodo.planner"),
                    data={"options": json.dumps(options)},
                    files={"file": ("egne.csv", b"kommune;\xc3\xa5r;verdi\n1804;2024;12\n")})
    assert mine.status_code == 200, mine.text
    batch = mine.json()["batch_id"]
    listed = app.get("/api/v1/data/batches").json()
    assert next(b for b in listed if b["id"] == batch)["by"] == "bodo.planner"
    assert app.post(f"/api/v1/data/batches/{batch}/rollback", json={},
                    headers=_as(tokens, "bodo.planner")).status_code == 403  # admins only


def test_an_unused_parameter_cannot_make_an_area_page_render_anew(app):
    """`/kommune/1804?x=N` once made a new page (and a new scoring) for every N."""
    r = app.get("/kommune/1804", params={"x": "1", "lang": "en"}, follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/kommune/1804?lang=en"
    assert app.get("/kommune/1804", params={"x": "2"}, follow_redirects=False
                   ).headers["location"] == "/kommune/1804"
