"""Helpers shared by the area and observation tests: the real history folder, databases with
the areas synced, and local indicators to import into (no catalog needed)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from localsdg.catalog.indicators import indicator_by_ref
from localsdg.catalog.store import IndicatorRecord, SetRecord, save_set
from localsdg.db.session import session_scope
from localsdg.sources.area_lists import sync_areas
from tests.conftest import MIRROR, SHARED, _new_database

DATA = SHARED / "data"
HISTORY = DATA / "norway"


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
    yield from _new_database(kind, factory.mktemp(f"db-{kind}"))


def demo_database(factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    """A SQLite database with the UN framework, the KS sets and the demo data (its report), for
    a module-scoped fixture: the demo writes, so it does not share the read-only catalog."""
    from localsdg.sources.demo import load_demo
    from localsdg.sources.ks_taxonomy import sync_ks_taxonomy
    from localsdg.sources.un_framework import sync_framework
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
