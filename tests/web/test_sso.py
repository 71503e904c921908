"""Single sign-on against a real OpenID Connect provider running in this process
(oidc-provider-mock, on Authlib and Flask, on a free localhost port) and the app in server mode
on PostgreSQL: the whole authorization-code flow over HTTP, its refusals as clear pages."""

from __future__ import annotations

import base64
import hashlib
import re
import socket
import warnings
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from localsdg.db.session import session_scope
from localsdg.planning import store
from localsdg.web.app import create_app

with warnings.catch_warnings():  # the mock imports Authlib's deprecated authlib.jose
    warnings.simplefilter("ignore", DeprecationWarning)
    import oidc_provider_mock

PROVIDER = "Testinnlogging"
# The mock provider calls Authlib's server side in a way Authlib deprecates; nothing of ours.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The provider's issuer URL; it knows whoever signs in on its form."""
    with oidc_provider_mock.run_server_in_thread() as running:
        yield f"http://localhost:{running.server_port}"


def _configure(monkeypatch: pytest.MonkeyPatch, url: str, issuer: str) -> TestClient:
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", url)
    monkeypatch.setenv("LOCALSDG_OIDC_ISSUER", issuer)
    monkeypatch.setenv("LOCALSDG_OIDC_CLIENT_ID", "localsdg-test")
    monkeypatch.setenv("LOCALSDG_OIDC_CLIENT_SECRET", "not-a-real-secret")
    monkeypatch.setenv("LOCALSDG_OIDC_NAME", PROVIDER)
    return TestClient(create_app())


@pytest.fixture
def app(server, provider, monkeypatch) -> TestClient:
    return _configure(monkeypatch, server[0], provider)


def _person(provider: str, sub: str, username: str) -> None:
    """The provider's record of someone: the claims its ID tokens carry for them."""
    answer = httpx.put(f"{provider}/users/{sub}", json={"preferred_username": username})
    assert answer.status_code == 204


def _answer(app: TestClient, sub: str | None, back: str = "/") -> str:
    """Start a sign-in, then sign in on the provider's form as `sub` (None: decline); the
    address the provider sends the browser back to."""
    started = app.get("/logg-inn/sso", params={"neste": back}, follow_redirects=False)
    assert started.status_code == 303, started.text
    form = {"sub": sub} if sub else {"action": "deny"}
    consent = httpx.post(started.headers["location"], data=form, follow_redirects=False)
    assert consent.status_code == 302, consent.text
    return consent.headers["location"]


def _refusal(response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    assert all(w in response.text for w in words), response.text
    assert "Traceback" not in response.text and "localsdg_session" not in str(
        response.headers.get("set-cookie"))


def test_a_known_user_signs_in_and_their_change_is_recorded(app, server, provider):
    page = app.get("/logg-inn", params={"neste": "/kommune/1804/planer"}).text
    assert f"Logg inn med {PROVIDER}" in page
    assert 'href="/logg-inn/sso?neste=/kommune/1804/planer"' in page
    _person(provider, "sub-bodo", "Bodo.Planner")  # names are kept in lower case
    started = app.get("/logg-inn/sso", follow_redirects=False)
    kept = started.headers["set-cookie"].lower()
    assert all(f in kept for f in ("httponly", "samesite=lax", "path=/logg-inn/sso"))
    sent = parse_qs(urlsplit(started.headers["location"]).query)
    assert started.headers["location"].startswith(f"{provider}/")
    assert sent["redirect_uri"] == ["http://testserver/logg-inn/sso/svar"]
    assert sent["code_challenge_method"] == ["S256"] and sent["nonce"] and sent["state"]
    verifier = app.cookies["localsdg_sso"].split(".")[2]
    assert sent["code_challenge"] == [base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")]
    back = app.get(_answer(app, "sub-bodo", "/kommune/1804/planer"), follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == "/kommune/1804/planer"
    assert "httponly" in back.headers["set-cookie"].lower()
    plans = app.get("/kommune/1804/planer").text
    assert "Logget inn som bodo.planner" in plans
    token = plans.split('name="csrf" value="')[1].split('"')[0]
    made = app.post("/planer/ny", data={"area": "1804", "name": "Innlogget med SSO",
                                        "csrf": token}, follow_redirects=False)
    assert made.status_code == 303, made.text
    with session_scope(server[0]) as s:
        history = store.history(s, int(made.headers["location"].split("/")[2]))
        assert {h.changed_by for h in history} == {"bodo.planner"}
    assert f"Sign in with {PROVIDER}" in app.get("/logg-inn", params={"lang": "en"}).text


def test_an_unknown_user_is_refused_and_told_to_ask_an_administrator(app, provider):
    _person(provider, "sub-stranger", "ukjent.person")
    refused = app.get(_answer(app, "sub-stranger"))
    _refusal(refused, 403, "ingen bruker med det navnet", "ukjent.person", "Be en administrator")
    anonymous = app.post("/planer/ny", data={"area": "1804", "name": "x"},
                         follow_redirects=False)
    assert anonymous.headers["location"].startswith("/logg-inn")  # still nobody


def test_a_wrong_or_replayed_state_is_refused(app, provider):
    _person(provider, "sub-bodo", "bodo.planner")
    answer = _answer(app, "sub-bodo")
    state = parse_qs(urlsplit(answer).query)["state"][0]
    _refusal(app.get(answer.replace(state, "forged")), 400, "hører ikke til en innlogging")
    answer = _answer(app, "sub-bodo")
    assert app.get(answer, follow_redirects=False).status_code == 303
    _refusal(app.get(answer), 400, "Start på nytt")  # the state was answered once


def test_a_token_for_another_nonce_is_refused(app, provider):
    _person(provider, "sub-bodo", "bodo.planner")
    answer = _answer(app, "sub-bodo")
    state, _nonce, rest = app.cookies["localsdg_sso"].split(".", 2)
    app.cookies.set("localsdg_sso", f"{state}.another-nonce.{rest}", path="/logg-inn/sso")
    _refusal(app.get(answer), 401, "kunne ikke bekreftes")


def test_the_providers_refusal_is_shown_clearly(app):
    declined = app.get(_answer(app, None) + "&lang=nn")
    _refusal(declined, 401, f"{PROVIDER} logga deg ikkje inn (access_denied)")


def test_an_error_answer_shows_no_words_of_its_own(app):
    """Only the error codes of the standard are shown: nobody can put their text on this
    site's page with a link."""
    planted = app.get("/logg-inn/sso/svar?error=Ring+oss+p%C3%A5+12345678")
    _refusal(planted, 401, f"{PROVIDER} logget deg ikke inn (other)")
    assert "12345678" not in re.sub(r"<[^>]*>", " ", planted.text)  # (links keep the query)


def test_a_provider_out_of_reach_is_a_clear_page(server, monkeypatch):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{free.getsockname()[1]}"
    app = _configure(monkeypatch, server[0], closed)
    _refusal(app.get("/logg-inn/sso"), 502, f"Fikk ikke kontakt med {PROVIDER}")


def test_a_provider_naming_another_issuer_is_not_trusted(server, provider, monkeypatch):
    app = _configure(monkeypatch, server[0], f"{provider}/")  # it names itself without '/'
    _refusal(app.get("/logg-inn/sso"), 401, "kunne ikke bekreftes")


def test_without_settings_there_is_no_single_sign_on(server, monkeypatch):
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", server[0])
    app = TestClient(create_app())
    assert "/logg-inn/sso" not in app.get("/logg-inn").text
    assert app.get("/logg-inn/sso").status_code == 404
