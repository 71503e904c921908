"""Shared fixtures: real SQLite files and real PostgreSQL databases, the real offline mirror."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from localsdg.db.session import engine, session_scope, upgrade
from localsdg.sources.ks_taxonomy import sync_ks_taxonomy
from localsdg.sources.un_framework import sync_framework

SHARED = Path(__file__).resolve().parents[2] / "shared"
MIRROR = SHARED / "mirror"
PG_ADMIN = os.environ.get("LOCALSDG_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test reads official files from the mirror and keeps its own data folder."""
    monkeypatch.setenv("LOCALSDG_MIRROR", str(MIRROR))
    monkeypatch.setenv("LOCALSDG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LOCALSDG_DATABASE_URL", raising=False)


def _new_database(kind: str, folder: Path) -> Iterator[str]:
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


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database on each engine."""
    yield from _new_database(request.param, tmp_path)


@pytest.fixture
def framework_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database with the UN framework loaded, also set as the default for CLI and API."""
    monkeypatch.setenv("LOCALSDG_MIRROR", str(MIRROR))
    with session_scope(db_url) as s:
        sync_framework(s)
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", db_url)
    return db_url


@pytest.fixture(scope="session", params=ENGINES)
def catalog_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[str]:
    """The real catalog (UN framework + all KS sets), loaded once per engine. Read only."""
    mp = pytest.MonkeyPatch()
    mp.setenv("LOCALSDG_MIRROR", str(MIRROR))
    gen = _new_database(request.param, tmp_path_factory.mktemp(f"catalog-{request.param}"))
    url = next(gen)
    with session_scope(url) as s:
        sync_framework(s)
    with session_scope(url) as s:
        sync_ks_taxonomy(s)
    mp.undo()
    yield url
    next(gen, None)


@pytest.fixture
def use_catalog(catalog_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", catalog_db)
    return catalog_db
