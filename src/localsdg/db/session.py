"""Engines, sessions and schema upgrades."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, Table, create_engine, event, insert
from sqlalchemy.orm import Session, sessionmaker

from localsdg.config import settings

MIGRATIONS = Path(__file__).with_name("migrations")
# More connections than the web server's 40 worker threads (AnyIO's default) and its event
# loop: a worker thread waiting for a connection would otherwise wait on the event loop to
# give one back while the event loop waits on the pool, and the server would stall.
POOL = {"pool_size": 10, "max_overflow": 40}
STATE = "localsdg data state"  # where db.state keeps a transaction's data state, until it writes


def engine(url: str | None = None) -> Engine:
    """The engine for a URL (default: the configured database), one per URL per process."""
    return _engine(url or settings().database_url)


@cache
def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # A writer waits up to 60 s for another's transaction instead of failing at once with
        # "database is locked" (changes hold SQLite's one write lock only while they store).
        eng = create_engine(url, connect_args={"timeout": 60},
                            **({} if url.endswith(":memory:") else POOL))

        @event.listens_for(eng, "connect")
        def _sqlite_pragmas(conn, _record):  # noqa: ANN001
            cur = conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return eng
    return create_engine(url, pool_pre_ping=True, **POOL)


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the schema to the newest migration (idempotent), or up or down to `revision`."""
    eng = engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        current = MigrationContext.configure(conn).get_current_revision()
        move = command.downgrade if revision != "head" and (current or "") > revision \
            else command.upgrade
        move(cfg, revision)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back whole on any error."""
    session = sessionmaker(engine(url), expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        # Objects kept in process caches (scored runs, borders) were loaded here: take them out
        # before the rollback, which would expire them for every later request.
        session.expunge_all()
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def reading(url: str | None = None) -> Iterator[Session]:
    """A session for reading only: nothing it does is committed."""
    session = sessionmaker(engine(url), expire_on_commit=False)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def bulk_insert(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert many rows in the session's transaction: on SQLite through SQLAlchemy, each value
    converted by its column's type (JSON, dates); on PostgreSQL by COPY (`insert_plain`: an
    import of 10,000 indicators writes ~80,000 rows), whose driver converts them itself."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    insert_plain(session, table, columns, ([row[c] for c in columns] for row in rows))


def insert_plain(session: Session, table: Table, columns: list[str],
                 rows: Iterable[Sequence]) -> None:
    """Insert rows of plain values (numbers, text, None) in the session's transaction through
    the driver itself, with nothing converted on the way: COPY on PostgreSQL, executemany on
    SQLite. For the largest writes (a million observations), where SQLAlchemy's conversion of
    each value would take longer than the database does."""
    session.info.pop(STATE, None)  # writes round the session's events
    raw = session.connection().connection.dbapi_connection
    names = ", ".join(f'"{c}"' for c in columns)
    if session.get_bind().dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        return
    cur = raw.cursor()
    try:
        cur.executemany(f'INSERT INTO "{table.name}" ({names}) '
                        f'VALUES ({", ".join("?" * len(columns))})', rows)
    finally:
        cur.close()
