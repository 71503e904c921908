"""The API does what /api/v1/openapi.json says: a bounded schemathesis run with every check
(status codes, media types, response schemas and headers, valid data accepted and invalid data
refused, methods a path does not take answered 405 with the right `Allow`) on every operation,
against the app on a SQLite database with the catalog, areas and the demo data (the examples
in the document name real profile sets and areas, so scoring is exercised too). Changes are
made in the open mode, where any caller may make them. The run is deterministic: a fixed seed,
derandomised generation and no example database carried between runs."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from starlette.testclient import TestClient

from localsdg.web.app import create_app
from tests.helpers import app_client

API = "/api/v1"
# Valid requests must be accepted (2xx), save where their validity depends on what a schema
# cannot say: the content of an uploaded file (a catalog, data or plan file is checked row by
# row: 400 for a file that cannot be read, 422 for contents that fail the checks, 413 above the
# size limit), a plan document checked against the database (its area must exist in its years,
# its targets and indicators in the catalog), and priorities whose targets must be in the
# catalog (planning.selection refuses an unknown one with 400).
CONTENT_CHECKED = [
    {"include-path": f"{API}/import", "include-method": "POST"},
    {"include-path": f"{API}/data/import", "include-method": "POST"},
    {"include-path": f"{API}/plans/import", "include-method": "POST"},
    {"include-path": f"{API}/plans", "include-method": "POST"},
    {"include-path": f"{API}/choose", "include-method": "GET"},
]
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis' own list
CONFIG = {
    "seed": 15,
    "generation": {"max-examples": 40, "deterministic": True, "database": "none"},
    "operations": [{**o, "checks": {"positive_data_acceptance": {
        "expected-statuses": [*ACCEPTED, "400", "413", "422"]}}} for o in CONTENT_CHECKED],
}
schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", create_app(),
                                        config=SchemathesisConfig.from_dict(CONFIG))


@pytest.fixture
def on_demo(demo, monkeypatch):
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", demo)


@schema.parametrize()
# The fixture only points the app at the module's database, the same for every input.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_keeps_its_contract(case, on_demo):
    case.call_and_validate()


def test_errors_have_one_shape_and_say_how_to_go_on(on_demo):
    spec = create_app().openapi()
    error = {"$ref": "#/components/schemas/Error"}
    refusals = [(path, method, status, answer) for path, ops in spec["paths"].items()
                for method, op in ops.items() for status, answer in op["responses"].items()
                if status[0] == "4"]
    assert refusals and all(a["content"]["application/json"]["schema"] == error
                            for _p, _m, _s, a in refusals)
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert all("Retry-After" in a["headers"] for _p, _m, s, a in refusals if s == "429")
    client = app_client()
    unknown = client.get(f"{API}/nothing-here")
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Not Found",
                                                             "problems": []}
    invalid = client.get(f"{API}/indicators", params={"limit": "many", "offset": -1})
    assert invalid.status_code == 422 and len(invalid.json()["problems"]) == 2
    blank = client.get(f"{API}/indicators", params={"goal": ""})
    assert blank.status_code == 400 and blank.json()["detail"].startswith("goal: a blank value")
    nameless = client.post(f"{API}/data/batches/1/rollback", json={})
    assert nameless.status_code == 401 and nameless.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("DELETE", "/sets/un-global/indicators/13.2.2", "GET, PATCH"),
    ("PUT", "/plans", "POST"),
    ("GET", "/plans/import", "POST"),
    ("POST", "/score", "GET"),
])
def test_a_method_a_path_does_not_take_names_those_it_does(on_demo, method, path, allowed):
    answer = app_client().request(method, API + path)
    assert answer.status_code == 405 and answer.headers["allow"] == allowed
    assert answer.json() == {"detail": "Method Not Allowed", "problems": []}


def test_scores_are_kept_and_computing_them_afresh_is_limited_per_client(on_demo):
    app = create_app()
    client, other = TestClient(app), TestClient(app, client=("192.0.2.7", 50000))
    ask = {"profile": "telemark-demo", "areas": "county:40"}
    scored = client.get(f"{API}/score", params=ask)
    assert scored.status_code == 200
    assert client.get(f"{API}/explain", params={**ask, "area": "4003"}).status_code == 200
    banded = client.get(f"{API}/score", params={**ask, "runs": 10_000})
    for _ in range(3):  # kept: asked again, it costs nothing
        assert client.get(f"{API}/score", params={**ask, "runs": 10_000}).json() == \
            banded.json()
    assert client.get(f"{API}/score", params={**ask, "runs": 9_999}).status_code == 200
    refused = client.get(f"{API}/score", params={**ask, "runs": 9_998})
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert "at most 6 scorings and 20,000 Monte Carlo runs a minute" in refused.json()["detail"]
    assert client.get(f"{API}/score", params={**ask, "runs": 10_000}).status_code == 200
    assert other.get(f"{API}/score", params={**ask, "runs": 9_998}).status_code == 200
    for year in range(2017, 2022):  # five more scorings afresh: six in all
        assert other.get(f"{API}/score", params={**ask, "year": year}).status_code == 200
    assert other.get(f"{API}/score", params={**ask, "year": 2016}).status_code == 429
    assert other.get(f"{API}/score", params={**ask, "profile": "nope"}).status_code == 404
