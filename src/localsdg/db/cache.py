"""Results kept in memory while the data behind them is unchanged, so pages that show the same
profile to many readers compute it once.

A result is reused only while the database is in the same state: no import or rollback since
(import batches), no change of the catalog, of a profile set or of a stored area group. Each key
is computed once even when many requests ask for it at the same moment.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from localsdg.db.schema import AreaGroupMember, CatalogState, ImportBatch, ScoringProfile

T = TypeVar("T")
KEPT = 64  # results kept per process, least recently used dropped first
_kept: OrderedDict[tuple, object] = OrderedDict()
_locks: dict[tuple, threading.Lock] = {}
_guard = threading.Lock()


def data_state(session: Session) -> tuple:
    """What a kept result depends on, read in one cheap query. A profile set is saved with new
    profile rows and a group with new member rows, so their largest ids and counts change."""
    parts = [select(func.max(ImportBatch.id)), select(func.count(ImportBatch.rolled_back_at)),
             select(func.max(ScoringProfile.id)), select(func.count(ScoringProfile.id)),
             select(func.max(AreaGroupMember.id)), select(func.count(AreaGroupMember.id)),
             select(CatalogState.version).where(CatalogState.id == 1)]
    return tuple(session.execute(select(*(p.scalar_subquery() for p in parts))).one())


def remember(session: Session, key: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, or the result kept for `key` in this database state."""
    full = (str(session.get_bind().url), data_state(session), *key)
    with _guard:
        if full in _kept:
            _kept.move_to_end(full)
            return _kept[full]  # type: ignore[return-value]
        lock = _locks.setdefault(full, threading.Lock())
    with lock:
        with _guard:
            if full in _kept:
                return _kept[full]  # type: ignore[return-value]
        result = compute()
        with _guard:
            _kept[full] = result
            _locks.pop(full, None)
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
    return result
