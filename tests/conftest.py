"""Shared fixtures: real SQLite files and real PostgreSQL databases, the real offline mirror."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from localsdg.db.session import session_scope
from localsdg.sources.ks_taxonomy import sync_ks_taxonomy
from localsdg.sources.un_framework import sync_framework
from tests.helpers import ENGINES, MIRROR, demo_database, new_database


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test reads official files from the mirror and keeps its own data folder."""
    monkeypatch.setenv("LOCALSDG_MIRROR", str(MIRROR))
    monkeypatch.setenv("LOCALSDG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LOCALSDG_DATABASE_URL", raising=False)


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database on each engine."""
    yield from new_database(request.param, tmp_path)


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
    gen = new_database(request.param, tmp_path_factory.mktemp(f"catalog-{request.param}"))
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


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The catalog, the areas, the demo data, the Telemark demo profile and SDSN's SDR 2021 in
    a SQLite database of the test module's own (the demo writes, so it is not shared)."""
    url, _report = next(gen := demo_database(tmp_path_factory))
    yield url
    next(gen, None)
