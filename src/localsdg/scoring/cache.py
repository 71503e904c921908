"""Scored runs kept in memory while the data behind them is unchanged, so pages that show the
same profile to many readers score it once.

A run is reused only while the database is in the same state: no import or rollback since
(import batches), no change of the catalog, of the profile set or of stored area groups. Each key
is computed once even when many requests ask at the same moment.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from localsdg.catalog.index import catalog_version
from localsdg.db.schema import AreaGroupMember, ImportBatch, ProfileSet, ScoringProfile
from localsdg.scoring.run import Run, run, uncertainty
from localsdg.scoring.uncertainty import Spread, Uncertainty

KEPT = 32  # runs kept per process, least recently used dropped first
_runs: OrderedDict[tuple, tuple[Run, Uncertainty | None]] = OrderedDict()
_locks: dict[tuple, threading.Lock] = {}
_guard = threading.Lock()


def data_state(session: Session) -> tuple:
    """What a scored run depends on, read in a few cheap queries."""
    batches = session.execute(select(func.max(ImportBatch.id), func.count(
        ImportBatch.rolled_back_at))).one()
    profiles = session.execute(select(func.max(ScoringProfile.id),
                                      func.count(ScoringProfile.id))).one()
    sets = tuple(session.execute(select(ProfileSet.id, ProfileSet.method)
                                 .order_by(ProfileSet.id)).all())
    groups = session.execute(select(func.max(AreaGroupMember.id),
                                    func.count(AreaGroupMember.id))).one()
    return (tuple(batches), tuple(profiles), repr(sets), tuple(groups),
            catalog_version(session))


def scored(session: Session, profile_set: str, group: str | None = None,
           year: int | None = None, runs: int = 0) -> tuple[Run, Uncertainty | None]:
    """The run (and, with `runs`, its uncertainty analysis) for these choices."""
    key = (str(session.get_bind().url), data_state(session), profile_set, group, year, runs)
    with _guard:
        if key in _runs:
            _runs.move_to_end(key)
            return _runs[key]
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        with _guard:
            if key in _runs:
                return _runs[key]
        r = run(session, profile_set, group, year)
        result = (r, uncertainty(r, Spread(runs=runs)) if runs else None)
        with _guard:
            _runs[key] = result
            _locks.pop(key, None)
            while len(_runs) > KEPT:
                _runs.popitem(last=False)
    return result
