"""The state of the database that kept results depend on, and the results kept in memory while
it is unchanged, so pages that show the same profile to many readers compute it once.

A result is reused only while the database is in the same state: no import or rollback since
(import batches), no change of the catalog, of a profile set or of a stored area group. Each key
is computed once even when many requests ask for it at the same moment.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from localsdg.db.schema import AreaGroupMember, CatalogState, ImportBatch, ScoringProfile
from localsdg.db.session import STATE

T = TypeVar("T")
# Results kept per process and kind, least recently used dropped first: many cheap pages must
# not push out the few scored runs they are made from.
# lookup: small answers (groups, latest values); cells: an indicator's values for every area
KEPT = {"run": 16, "page": 512, "lookup": 256, "cells": 256}
_kept: dict[str, OrderedDict[tuple, object]] = {kind: OrderedDict() for kind in KEPT}
_locks: dict[tuple, threading.Lock] = {}
_guard = threading.Lock()
# The rows of catalog_state, each a counter of writes that leave no other trace to compare:
CATALOG = 1  # the catalog (sets, indicators, their classification and links)
SCORING = 2  # profile sets, stored groups and areas (saved anew with the same row ids and counts)
PLANNING = 3  # plans (only the pages that list an area's plans depend on them)


def _bump(session: Session, row: int) -> None:
    done = session.execute(update(CatalogState).where(CatalogState.id == row)
                           .values(version=CatalogState.version + 1))
    if done.rowcount == 0:
        session.add(CatalogState(id=row, version=1))
        session.flush()


def bump_catalog_version(session: Session) -> None:
    """Say that the catalog changed (search indexes and kept pages are then built anew)."""
    _bump(session, CATALOG)


def bump_scoring_state(session: Session) -> None:
    """Say that profile sets, stored groups or areas changed."""
    _bump(session, SCORING)


def bump_planning_state(session: Session) -> None:
    """Say that a plan was stored, changed or deleted."""
    _bump(session, PLANNING)


def catalog_version(session: Session) -> int:
    return session.scalar(select(CatalogState.version).where(CatalogState.id == CATALOG)) or 0


def planning_version(session: Session) -> int:
    return session.scalar(select(CatalogState.version).where(CatalogState.id == PLANNING)) or 0


_per_catalog: dict[tuple[str, str], tuple[int, object]] = {}
_per_catalog_locks: dict[str, threading.Lock] = {}


def catalog_kept(session: Session, name: str) -> object | None:
    """What `per_catalog` keeps under `name` for this database's catalog as it is, or None."""
    version, found = _per_catalog.get((str(session.get_bind().url), name), (None, None))
    return found if version == catalog_version(session) else None


def per_catalog(session: Session, name: str, build: Callable[[int], T]) -> T:
    """`build(version)`, kept per process and database until the catalog changes (an import of
    data leaves it): the search index and the text model, built in seconds, read in
    microseconds. Built once even when many requests ask at the same moment."""
    if (found := catalog_kept(session, name)) is None:
        with _guard:
            lock = _per_catalog_locks.setdefault(name, threading.Lock())
        with lock:
            if (found := catalog_kept(session, name)) is None:
                version = catalog_version(session)
                found = build(version)
                _per_catalog[(str(session.get_bind().url), name)] = (version, found)
    return found  # type: ignore[return-value]


def data_state(session: Session) -> tuple:
    """What a kept result depends on, read in one cheap query: imports and rollbacks, profile
    and group rows, the catalog version and the scoring state. Read once per transaction until
    it writes (a page asks for it for each of the several results it is made of)."""
    if (found := session.info.get(STATE)) is None:
        found = session.info[STATE] = _read_state(session)
    return found


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_transaction_end")
def _forget_state(session: Session, *_: object) -> None:
    session.info.pop(STATE, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_state_on_write(orm: ORMExecuteState) -> None:
    """A write that is no flush (an UPDATE or INSERT statement) changes the state too."""
    if orm.is_insert or orm.is_update or orm.is_delete:
        orm.session.info.pop(STATE, None)


def _read_state(session: Session) -> tuple:
    parts = [select(func.max(ImportBatch.id)), select(func.count(ImportBatch.rolled_back_at)),
             select(func.max(ScoringProfile.id)), select(func.count(ScoringProfile.id)),
             select(func.max(AreaGroupMember.id)), select(func.count(AreaGroupMember.id)),
             select(CatalogState.version).where(CatalogState.id == CATALOG),
             select(CatalogState.version).where(CatalogState.id == SCORING)]
    return tuple(session.execute(select(*(p.scalar_subquery() for p in parts))).one())


def _full_key(session: Session, key: tuple) -> tuple:
    return (str(session.get_bind().url), data_state(session), *key)


def kept(session: Session, key: tuple, kind: str = "page") -> object | None:
    """The result kept for `key` in this database state, or None: a look that costs one small
    query, for a handler that computes only when nothing is kept."""
    return _look(kind, _full_key(session, key))


def _look(kind: str, full: tuple) -> object | None:
    found = _kept[kind]
    with _guard:
        if full in found:
            found.move_to_end(full)
            return found[full]
    return None


def remember(session: Session, key: tuple, compute: Callable[[], T], kind: str = "page") -> T:
    """`compute()`, or the result kept for `key` in this database state."""
    full = _full_key(session, key)
    if (result := _look(kind, full)) is not None:
        return result  # type: ignore[return-value]
    with _guard:
        lock = _locks.setdefault(full, threading.Lock())
    with lock:
        try:
            if (result := _look(kind, full)) is not None:
                return result  # type: ignore[return-value]
            result = compute()
            with _guard:
                found = _kept[kind]
                found[full] = result
                while len(found) > KEPT[kind]:
                    found.popitem(last=False)
        finally:
            with _guard:
                _locks.pop(full, None)
    return result
