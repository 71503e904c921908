"""Observations and the batches that brought them: save (all or nothing), read, roll back.

A batch only holds rows that are new or differ from what is already there, so re-importing the
same data writes nothing. Reading takes, per key, the row of the newest batch not rolled back.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import cache, lru_cache
from operator import attrgetter
from urllib.parse import unquote

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from localsdg.areas.history import in_force
from localsdg.catalog.properties import CONTROL
from localsdg.catalog.store import start_batch
from localsdg.db.schema import Area, ImportBatch, Observation
from localsdg.db.session import insert_plain
from localsdg.errors import BadRequest, NotFound, UserError
from localsdg.messages import Figure, Message, more, placed

KIND = "data"
FLAGS = ("provisional", "estimated", "break", "proxy", "harmonised", "missing")


@dataclass(slots=True)
class Obs:
    indicator_id: int
    area_level: str
    area_code: str
    period: str
    start_year: int
    end_year: int
    value: float | None
    dims: str = ""
    unit: str | None = None
    measure: str | None = None
    flags: str = ""
    borders: int | None = None  # the year whose areas the code means; None: the period's year


@dataclass(frozen=True)
class Problem:
    """A row that could not be read: where it is and why."""

    where: str
    message: str

    def __str__(self) -> str:
        return placed(self.where, self.message)


@dataclass(slots=True)
class Stored(Obs):
    batch_id: int = 0
    source: str = ""


@dataclass
class ImportResult:
    source: str
    rows: int
    written: int
    unchanged: int
    batch_id: int | None
    skipped: list[Problem] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # what the file holds that is no data
    read_as: list[str] = field(default_factory=list)  # how values open to two readings were read

    def as_dict(self) -> dict:
        out = asdict(self)
        out["skipped"] = [str(p) for p in self.skipped]
        return out


# In the stored key, '%', ';' and '=' of a publisher's text are written as %25, %3B and %3D, so
# that a breakdown's name or value may hold any text ("O - Public administration and defence;
# compulsory social security") and still read back exactly.
_ESCAPED = str.maketrans({"%": "%25", ";": "%3B", "=": "%3D"})


def dims_key(dims: dict[str, str]) -> str:
    """A disaggregation as one sortable string: 'age=0-5;sex=female' ('' is the total)."""
    return ";".join(f"{k.translate(_ESCAPED)}={str(v).translate(_ESCAPED)}"
                    for k, v in sorted(dims.items()) if v not in ("", None))


@lru_cache(maxsize=2**16)
def breakdown_key(names: tuple[str, ...], values: tuple[str, ...]) -> str:
    """`dims_key` of a breakdown given as its names and a row's values: an importer asks for
    the few breakdowns of a file once for each of its many rows, so the latest are kept."""
    return dims_key(dict(zip(names, values, strict=True)))


@cache
def dims_dict(key: str) -> dict[str, str]:
    """The breakdown as a dict; one shared dict per key (reading many rows allocates no dicts
    for it), so callers must not change it."""
    return {unquote(k): unquote(v) for k, v in (part.split("=", 1) for part in key.split(";"))
            } if key else {}


@cache
def flag_list(text: str) -> tuple[str, ...]:
    """'estimated,harmonised' → ('estimated', 'harmonised'), shared per text."""
    return tuple(f for f in text.split(",") if f)


MAX_LISTED = 20
MAX_DETAILS = 100  # problems an answer lists at most (then how many more)
MAX_BREAKDOWN = 2_000  # characters of a row's breakdown (names and values), or of its unit


ON_DUPLICATE = ("refuse", "last")
# The rows an importer read, in columns: `at` (the row's place in the file, to list problems in
# the file's order) and `where` (how messages name it), then the stored columns.
KEY = ["indicator_id", "area_level", "area_code", "period", "dims"]
CONTENT = ["value", "unit", "measure", "flags", "borders"]  # what a re-import must match
SCHEMA = {"indicator_id": pl.Int64, "area_level": pl.String, "area_code": pl.String,
          "period": pl.String, "start_year": pl.Int64, "end_year": pl.Int64,
          "value": pl.Float64, "dims": pl.String, "unit": pl.String, "measure": pl.String,
          "flags": pl.String, "borders": pl.Int64}
COLUMNS = list(SCHEMA)  # the order of Obs's fields
FRAME = {"at": pl.Int64, "where": pl.String, **SCHEMA}
Located = tuple[int, Problem]  # a problem and its row's place in the file


def commit(session: Session, items: list[tuple[str, Obs | Problem]], **options: object
           ) -> ImportResult:
    """Store the rows an importer read one by one (see `commit_frame` for the rules)."""
    stored = attrgetter(*COLUMNS)
    frame = pl.DataFrame([(at, where, *stored(o)) for at, (where, o) in enumerate(items)
                          if isinstance(o, Obs)], schema=FRAME, orient="row")
    problems = [(at, p) for at, (_, p) in enumerate(items) if isinstance(p, Problem)]
    return commit_frame(session, frame, problems, **options)


def commit_frame(session: Session, frame: pl.DataFrame, problems: list[Located], *,
                 source: str, by: str, checksum: str | None, skip_bad: bool = False,
                 details: dict | None = None, left_out: list[str] | None = None,
                 on_duplicate: str = "refuse", name: str | None = None) -> ImportResult:
    """Store the rows an importer read (a frame of FRAME's columns, and the rows it could not
    read), all or nothing: any bad row stops the import unless the user asked to skip bad rows
    (then they are listed in the result). A row that repeats an earlier one is kept once; one
    with the same key and another value stops the import too, unless `on_duplicate` is "last"
    (the publisher's later row kept). `left_out` says what the importer left out on purpose;
    the repeats are added to it. Messages name the file by `name` (as its rows do) when given,
    else by `source`."""
    if on_duplicate not in ON_DUPLICATE:
        raise BadRequest(f"on_duplicate '{on_duplicate}': use refuse (the default: a key given "
                         "twice with two values stops the import) or last (the later kept)")
    notes = list(left_out or [])
    frame, unstorable = _unstorable(frame.select(list(FRAME)).cast(FRAME))
    frame, repeats = _repeats(frame, on_duplicate, notes)
    problems = [p for _, p in sorted([*problems, *unstorable, *repeats], key=lambda p: p[0])]
    if problems and not skip_bad:
        listed = "\n".join(f"  {p}" for p in problems[:MAX_LISTED])
        rest = f"\n  {more(len(problems) - MAX_LISTED)}" if len(problems) > MAX_LISTED else ""
        raise UserError(f"{name or source}: {len(problems)} bad rows; nothing was imported. "
                        "Fix them, or import with --skip-bad-rows to leave them out:\n"
                        f"{listed}{rest}",
                        details=[str(p) for p in problems[:MAX_DETAILS]] + (
                            [more(len(problems) - MAX_DETAILS)]
                            if len(problems) > MAX_DETAILS else []))
    if frame.is_empty():
        raise UserError(placed(name or source, Message(
            "no observations found; nothing was imported")))
    read_as = _outside_their_years(session, frame)
    result = _save(session, frame.select(COLUMNS), source=source, by=by, checksum=checksum,
                   skipped=problems,
                   details={**(details or {}), "left_out": notes, "read_as": read_as})
    return replace(result, left_out=notes, read_as=read_as)


def _outside_their_years(session: Session, frame: pl.DataFrame) -> list[str]:
    """A line on values given for a code in years it was not in force (Skien's 4003 in 1995):
    publishers give back series on today's borders, so such a value is read as on the borders
    of the code's nearest version (observations.borders), and the report says so."""
    pairs = (frame.filter(pl.col("borders").is_null())
             .select("area_level", "area_code", "end_year").unique().sort(pl.all()))
    codes = set(pairs["area_code"])
    versions: dict[tuple[str, str], list[Area]] = {}
    for a in session.scalars(select(Area).where(Area.code.in_(codes))) if codes else ():
        versions.setdefault((a.level, a.code), []).append(a)
    shown = [f"{code} ({year})" for level, code, year in pairs.iter_rows()
             if (found := versions.get((level, code)))
             and not any(in_force(a, year) for a in found)]
    if not shown:
        return []
    return [Message("%(count)d code-year pairs name areas in years their codes were not in "
                    "force (for example %(examples)s); read as on the borders of the nearest "
                    "version of each code, as publishers give back series on today's borders. "
                    "If the file's codes are all on one year's borders, import it with "
                    "--borders YEAR (borders in the API).", count=len(shown),
                    examples=", ".join(shown[:3]))]


def _unstorable(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[Located]]:
    """The rows that cannot be stored taken out, each with its problem: a value that is no
    finite number, or a breakdown or unit with a control character or too long for a label.
    Texts are checked once each."""
    texts = {what: {t: why for t in frame[column].drop_nulls().unique()
                    if (why := _unstorable_text(what, t))}
             for what, column in (("breakdown", "dims"), ("unit", "unit"))}
    bad = frame.filter(~pl.col("value").is_finite() | pl.col("dims").is_in(list(texts["breakdown"]))
                       | pl.col("unit").is_in(list(texts["unit"])))
    problems = []
    for at, where, value, dims, unit in bad.select("at", "where", "value", "dims", "unit"
                                                   ).iter_rows():
        why = Message("the value %(value)s is not a finite number; write the figure itself, "
                      "or leave the cell empty when it is missing", value=value
                      ) if value is not None and not math.isfinite(value) else (
            texts["breakdown"].get(dims) or texts["unit"][unit])
        problems.append((at, Problem(where, why)))
    return (frame.filter(~pl.col("at").is_in(bad["at"].to_list())) if problems else frame), problems


def _unstorable_text(what: str, text: str) -> str | None:
    """Why a breakdown or unit cannot be stored (a control character, or text that is no
    label), or None."""
    if CONTROL.search(text):  # the catalog's rule for stored text
        return Message("the %(what)s holds a control character; remove it",
                       what=Message(what))
    if len(text) > MAX_BREAKDOWN:
        return Message("the %(what)s has %(count)s characters, more than a label (%(most)s at "
                       "most)", what=Message(what), count=len(text), most=MAX_BREAKDOWN)
    return None


def _repeats(frame: pl.DataFrame, on_duplicate: str, notes: list[str]
             ) -> tuple[pl.DataFrame, list[Located]]:
    """Rows with the key of an earlier row taken out: a note when one repeats the other or
    replaces it (with "last", the earlier goes), else the problem naming both places."""
    repeated = frame.filter(pl.struct(KEY).is_duplicated())
    if repeated.is_empty():
        return frame, []
    kept: dict[tuple, tuple[int, str, tuple]] = {}
    dropped: list[int] = []
    problems: list[Located] = []
    for row in repeated.sort("at").iter_rows(named=True):
        key, content = tuple(row[k] for k in KEY), tuple(row[c] for c in CONTENT)
        at, where = row["at"], row["where"]
        if key not in kept:
            kept[key] = (at, where, content)
            continue
        first_at, first, kept_content = kept[key]
        if content == kept_content or on_duplicate == "last":
            notes.append(Message("%(where)s repeats %(where_first)s: kept once", where=where,
                                 where_first=first) if content == kept_content else Message(
                "%(where)s gives another value than %(where_first)s for the same area, period "
                "and breakdown: the later kept (--on-duplicate last)", where=where,
                where_first=first))
            if on_duplicate == "last":
                dropped.append(first_at)
                kept[key] = (at, where, content)
            else:
                dropped.append(at)
        else:
            dropped.append(at)
            problems.append((at, Problem(where, Message(
                "the same area, period and breakdown as %(where_first)s, with another value "
                "(%(there)s there, %(here)s here); keep one, or import with --on-duplicate "
                "last to keep the later", where_first=first, there=_shown(kept_content[0]),
                here=_shown(row["value"])))))
    return frame.filter(~pl.col("at").is_in(dropped)), problems


def _shown(value: float | None) -> str:
    return Message("empty") if value is None else Figure(value)


def _save(session: Session, frame: pl.DataFrame, *, source: str, by: str,
          checksum: str | None, skipped: list[Problem], details: dict | None) -> ImportResult:
    """Store what is new or changed in one batch; no batch at all when nothing is."""
    current = _current(session, frame["indicator_id"].unique().sort().to_list())
    # a row is fresh unless one with the same key and content is stored (missing equals missing)
    fresh = frame.join(current, on=KEY + CONTENT, how="anti", nulls_equal=True,
                       maintain_order="left")
    result = ImportResult(source, frame.height, fresh.height, frame.height - fresh.height, None,
                          skipped)
    if fresh.is_empty():
        return result
    batch = start_batch(session, KIND, source, by, checksum)
    batch.summary = {"rows": frame.height, "written": fresh.height,
                     "unchanged": result.unchanged, "skipped": [str(p) for p in skipped],
                     "indicators": fresh["indicator_id"].unique().sort().to_list(),
                     **(details or {})}
    insert_plain(session, Observation.__table__, [*COLUMNS, "batch_id"],
                 fresh.with_columns(batch_id=pl.lit(batch.id)).iter_rows())
    result.batch_id = batch.id
    return result


def _current(session: Session, indicator_ids: list[int]) -> pl.DataFrame:
    """Key and content of the current observations of these indicators (per key the newest
    batch's row)."""
    o = Observation
    rows = []
    for chunk in _chunks(indicator_ids, 500):
        q = (select(*[getattr(o, c) for c in KEY + CONTENT])
             .join(ImportBatch, ImportBatch.id == o.batch_id)
             .where(o.indicator_id.in_(chunk), ImportBatch.rolled_back_at.is_(None))
             .order_by(o.batch_id))
        rows.extend(map(tuple, session.connection().execute(q)))
    return (pl.DataFrame(rows, schema={c: SCHEMA[c] for c in KEY + CONTENT}, orient="row")
            .unique(KEY, keep="last", maintain_order=True))


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def read(session: Session, indicator_ids: list[int], area_codes: list[str] | None = None,
         start: int | None = None, end: int | None = None) -> list[Stored]:
    """The current observations, by area and period: per key the row of the newest batch not
    rolled back. The database sorts, so the newest of a key comes last among its equals."""
    o = Observation
    q = (select(*[getattr(o, c) for c in COLUMNS], o.batch_id, ImportBatch.source)
         .join(ImportBatch, ImportBatch.id == o.batch_id)
         .where(o.indicator_id.in_(indicator_ids), ImportBatch.rolled_back_at.is_(None))
         .order_by(o.area_code, o.start_year, o.end_year, o.dims, o.period, o.area_level,
                   o.indicator_id, o.batch_id))
    if area_codes:
        q = q.where(o.area_code.in_(area_codes))
    if start is not None:
        q = q.where(o.end_year >= start)
    if end is not None:
        q = q.where(o.end_year <= end)
    out: list[Stored] = []
    previous = None
    for row in session.connection().execute(q).all():
        key = row[:6]  # indicator, level, code, period, start and end year
        if key == previous and row.dims == out[-1].dims:
            out[-1] = Stored(*row)  # a newer batch's value for the same key
        else:
            out.append(Stored(*row))
        previous = key
    return out


def batches(session: Session) -> list[dict]:
    q = select(ImportBatch).where(ImportBatch.kind == KIND).order_by(ImportBatch.id)
    return [{"id": b.id, "source": b.source, "checksum": b.checksum, "by": b.created_by,
             "at": b.created_at.isoformat(), "rolled_back_at": b.rolled_back_at.isoformat()
             if b.rolled_back_at else None, "rolled_back_by": b.rolled_back_by, **b.summary}
            for b in session.scalars(q)]


def rollback(session: Session, batch_id: int, by: str) -> int:
    """Remove a whole batch's observations (earlier values come back), recording who and
    when; return how many."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.kind != KIND:
        raise NotFound(Message("there is no data import batch %(batch)s; 'localsdg data "
                               "batches' lists them", batch=batch_id))
    if batch.rolled_back_at is not None:
        raise UserError(Message("batch %(batch)s was already rolled back at %(when)s",
                                batch=batch_id, when=f"{batch.rolled_back_at:%Y-%m-%d %H:%M}"))
    removed = session.query(Observation).filter(Observation.batch_id == batch_id).delete()
    batch.rolled_back_at, batch.rolled_back_by = datetime.now(UTC), by
    return removed
