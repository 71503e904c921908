"""The real catalog for the benchmarks that measure it: the UN framework and KS's sets, read
from the mirror (LOCALSDG_MIRROR) or the network, and with `areas` the municipalities and
counties from ../shared/data."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from localsdg.db.session import session_scope, upgrade  # noqa: E402
from localsdg.sources.area_lists import sync_areas  # noqa: E402
from localsdg.sources.ks_taxonomy import sync_ks_taxonomy  # noqa: E402
from localsdg.sources.un_framework import sync_framework  # noqa: E402
from tests.helpers import HISTORY  # noqa: E402


@contextmanager
def real_catalog(url: str | None, *, areas: bool = False) -> Iterator[str]:
    """`url` brought up to date when given (it holds the catalog already), else a new SQLite
    database in a temporary folder with the catalog loaded, removed afterwards."""
    if url:
        upgrade(url)
        yield url
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'catalog.sqlite'}"
        upgrade(url)
        loads = [sync_framework, sync_ks_taxonomy] + ([lambda s: sync_areas(s, HISTORY)]
                                                      if areas else [])
        for load in loads:
            with session_scope(url) as s:
                load(s)
        yield url
