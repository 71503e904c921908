"""Helpers shared by the tests (no test module imports another): where the real files are,
databases on both engines, the areas synced, local indicators to import into, the demo data,
files sent to the import APIs and what a refusal must look like, and axe-core for the browser
tests."""

from __future__ import annotations

import csv
import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import create_engine, delete, func, select, text

from localsdg.accounts.users import add_user, list_users, new_token
from localsdg.catalog.indicators import indicator_by_ref
from localsdg.catalog.store import IndicatorRecord, SetRecord, save_set
from localsdg.config import settings
from localsdg.db.schema import ImportBatch, Indicator, IndicatorSet, Observation
from localsdg.db.session import engine, session_scope, upgrade
from localsdg.sources.area_lists import sync_areas
from localsdg.sources.demo import load_demo
from localsdg.sources.ks_taxonomy import sync_ks_taxonomy
from localsdg.sources.un_framework import sync_framework
from localsdg.web.app import create_app

SHARED = Path(__file__).resolve().parents[2] / "shared"
MIRROR = SHARED / "mirror"
DATA = SHARED / "data"
HISTORY = DATA / "norway"
KS_DIR = Path("esg.arkitektum.no/vocabulary/esg-indicator")  # KS's files inside the mirror
PG_ADMIN = os.environ.get("LOCALSDG_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ENGINES = ["sqlite", "postgresql"]
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
MAX_ANSWER = 20_000  # characters an error answer may take, however bad the file
IMPORT_ROUTES = {"data": "/api/v1/data/import", "catalog": "/api/v1/import"}
PASSWORD = "correct horse battery"  # the users of the server-mode tests


def new_database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'catalog.sqlite'}"
        upgrade(url)
        yield url
        engine(url).dispose()
        return
    name = f"localsdg_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def synced(url: str) -> dict:
    """Sync the areas from the mirror (KLASS) and the real history folder."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOCALSDG_MIRROR", str(MIRROR))
        with session_scope(url) as s:
            return sync_areas(s, HISTORY)


def add_indicators(url: str, *codes: str, set_id: str = "lokal") -> dict[str, int]:
    """Indicators SET/CODE in a local set (created if needed); their ids by code."""
    record = SetRecord(id=set_id, name_nb="Lokale indikatorer", name_en="Local indicators",
                       publisher="test", level="local")
    with session_scope(url) as s:
        save_set(s, record, [IndicatorRecord(c, {"name_nb": c, "name_en": c}) for c in codes],
                 changed_by="test", batch=None)
    with session_scope(url) as s:
        return {c: indicator_by_ref(s, f"{set_id}/{c}").id for c in codes}


def module_database(kind: str, factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty migrated database that lives as long as a module-scoped fixture."""
    yield from new_database(kind, factory.mktemp(f"db-{kind}"))


def demo_database(factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    """A SQLite database with the UN framework, the KS sets and the demo data (its report), for
    a module-scoped fixture: the demo writes, so it does not share the read-only catalog."""
    gen = module_database("sqlite", factory)
    url = next(gen)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOCALSDG_MIRROR", str(MIRROR))
        with session_scope(url) as s:
            sync_framework(s)
        with session_scope(url) as s:
            sync_ks_taxonomy(s)
        with session_scope(url) as s:
            report = load_demo(s, DATA, by="test")
    yield url, report
    next(gen, None)


def read_csv(path: Path, encoding: str = "utf-8-sig", delimiter: str = ",") -> list[dict]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def reset_catalog(url: str) -> None:
    """Remove every set but the UN framework."""
    with session_scope(url) as s:
        s.execute(delete(IndicatorSet).where(IndicatorSet.id != "un-global"))


def axe_violations(page) -> list[dict]:
    """Run axe-core (from npm) on the page at WCAG 2.1 A and AA; return the violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return result


def app_client(**kw) -> TestClient:
    """The app on the database the environment names. On PostgreSQL (server mode) it carries
    an administrator's token, so that tests of what the app does are not tests of who may."""
    client = TestClient(create_app(), **kw)
    url = settings().database_url
    if settings().server:
        with session_scope(url) as s:
            if not any(u["name"] == "tester" for u in list_users(s)):
                add_user(s, "tester", "admin", [], by="tests")
            client.headers["Authorization"] = f"Bearer {new_token(s, 'tester')}"
    return client


def recorded_as(given: str) -> str:
    """The name a change made through `app_client` is recorded under: its token's user on a
    server (PostgreSQL), else the name the request gives."""
    return "tester" if settings().server else given


def send_file(client: TestClient, route: str, name: str, content: bytes,
              options: dict | None = None) -> Response:
    """Upload a file to the data import (`route` "data", with its options) or the catalog
    import ("catalog")."""
    form = {"by": "test"} | ({"options": json.dumps(options)} if route == "data" else {})
    return client.post(IMPORT_ROUTES[route], data=form, files={"file": (name, content)})


def located_refusal(r: Response, *names: str) -> dict:
    """The body of a refusal, checked: a 4xx JSON answer of bounded size whose non-empty
    `detail` names one of `names` (the file, or the option at fault), and no server path."""
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert len(r.text) < MAX_ANSWER, r.text[:300]
    assert tempfile.gettempdir() not in r.text, r.text[:300]  # where the upload was kept
    body = r.json()
    assert isinstance(body.get("detail"), str) and body["detail"].strip(), body
    assert any(n in body["detail"] for n in names), (names, body["detail"][:300])
    return body


def row_counts(url: str) -> tuple[int, int, int]:
    """Observations, import batches and indicators: what a refused import leaves as it was."""
    with session_scope(url) as s:
        return tuple(s.scalar(select(func.count()).select_from(table))
                     for table in (Observation, ImportBatch, Indicator))
