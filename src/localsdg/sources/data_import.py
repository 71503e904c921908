"""One entry point for `data import`, the API and the web page: the kind of file decides the
importer (a folder is an Open SDG repository, .json is JSON-stat, .csv/.xlsx a mapped table)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import UnionType
from typing import get_args, get_origin, get_type_hints

from sqlalchemy.orm import Session

from localsdg.areas.lookup import AreaIndex
from localsdg.catalog.indicators import indicator_by_ref, split_ref
from localsdg.catalog.store import ensure_indicator
from localsdg.db.schema import Indicator
from localsdg.errors import BadRequest, UserError
from localsdg.messages import Message
from localsdg.observations.borders import check_borders, check_measure
from localsdg.sources.jsonstat import describe, finite_number, import_jsonstat, read_dataset
from localsdg.sources.opensdg import import_repository
from localsdg.sources.table_columns import guess_columns, title
from localsdg.sources.tables import Mapping, import_table

# The table options a user may give: every mapping field but the code-only `leave_out`.
TABLE_OPTIONS = frozenset(Mapping.__dataclass_fields__) - {"leave_out"}
REQUEST_OPTIONS = ("indicator", "set_id", "area_code", "publisher", "skip_bad", "on_duplicate",
                   "create")


@dataclass(frozen=True)
class Request:
    """One import as a user asks for it. `table` holds the options of a table's mapping
    (area, value, period, …); `measure` and `borders` among them also apply to JSON-stat."""

    path: Path
    indicator: str | None = None
    table: dict = field(default_factory=dict)
    set_id: str | None = None
    area_code: str | None = None
    publisher: str | None = None
    skip_bad: bool = False
    on_duplicate: str = "refuse"  # or "last": a key given twice keeps the later value
    create: str | None = None  # SET/CODE of an indicator to make from the file when missing
    source: str | None = None  # what batches record as the origin, when not the path (upload)


def run(session: Session, r: Request, by: str) -> dict:
    r = replace(r, table={k: v for k, v in r.table.items() if v is not None})  # None: not given
    unknown = sorted(set(r.table) - TABLE_OPTIONS)
    if unknown:
        raise BadRequest(f"unknown {', '.join(unknown)}; the import options are "
                         f"{', '.join(sorted(TABLE_OPTIONS))}")
    _check_types(r.table, get_type_hints(Mapping))
    _check_types({k: getattr(r, k) for k in REQUEST_OPTIONS}, get_type_hints(Request))
    if not r.path.exists():
        raise UserError(f"{r.path}: no such file or folder")
    if r.path.is_dir():
        return _opensdg(session, r, by)
    suffix = r.path.suffix.lower()
    if suffix == ".json":
        check_measure(r.table.get("measure"))
        check_borders(r.table.get("borders"))
        indicator, made = _indicator(session, r, by, lambda: describe(
            read_dataset(r.path.read_bytes(), r.path.name)))
        return {**import_jsonstat(session, r.path, indicator=indicator, by=by,
                                  measure=r.table.get("measure"), skip_bad=r.skip_bad,
                                  borders=r.table.get("borders"), source=r.source,
                                  on_duplicate=r.on_duplicate).as_dict(), **made}
    if suffix in (".csv", ".xlsx"):
        return _table(session, r, by)
    raise UserError(f"{r.path.name}: not a folder, .json, .csv or .xlsx file")


def _table(session: Session, r: Request, by: str) -> dict:
    table, guessed = _guessed(session, r)
    _required(table.get("area"), "--area COLUMN (codes or names)")
    if not table.get("wide"):
        _required(table.get("value"), "--value COLUMN")
    mapping = Mapping(**{**table, "dims": tuple(table.get("dims") or ())})
    mapping.check()
    indicator, made = (None, {}) if not (r.indicator or r.create) else _indicator(
        session, r, by, lambda: {
            "name_nb": title(r.path, encoding=mapping.encoding, sheet=mapping.sheet)
            or f"{r.path.stem}: {mapping.value or 'verdi'}",
            "unit": mapping.unit, "data_owner": r.publisher})
    return {**import_table(session, r.path, mapping, indicator=indicator, by=by,
                           skip_bad=r.skip_bad, publisher=r.publisher,
                           on_duplicate=r.on_duplicate, source=r.source).as_dict(), **made,
            **({"columns_guessed": guessed} if guessed else {})}


def _guessed(session: Session, r: Request) -> tuple[dict, list[str]]:
    """The table options with the area, period and value columns the user did not name found
    by their meaning (a tidy table only), and a line for each column so found."""
    table = dict(r.table)
    roles = [k for k in ("area", "period", "value") if not table.get(k)
             and not (k == "period" and table.get("period_value"))]
    if table.get("wide") or not roles:
        return table, []
    guess = guess_columns(r.path, AreaIndex(session), encoding=table.get("encoding"),
                          sheet=table.get("sheet"))
    found = {k: getattr(guess, k) for k in roles if getattr(guess, k)}
    table.update(found)
    breakdowns = not table.get("dims") and len(found) == len(roles)
    if breakdowns:
        table["dims"] = guess.dims
    return table, [line for line in guess.notes if line.split(":")[0] in found
                   or breakdowns and line.startswith("breakdown")]


def _indicator(session: Session, r: Request, by: str, described: Callable[[], dict]
               ) -> tuple[Indicator, dict]:
    """The indicator the data goes to: the one named (--indicator), or the one to make from
    the file when it does not exist yet (--create), with a line saying it was made."""
    if r.create and r.indicator:
        raise BadRequest("give --indicator (one that exists) or --create (one to make), "
                         "not both")
    if not r.create:
        return indicator_by_ref(session, _required(
            r.indicator, "--indicator SET/CODE, or --create SET/CODE to make one")), {}
    indicator, made = ensure_indicator(session, *split_ref(r.create), described(), by=by)
    return indicator, {"indicator_created": r.create} if made else {}


def _opensdg(session: Session, r: Request, by: str) -> dict:
    level, _, code = _required(r.area_code, "--area-code LEVEL:CODE").partition(":")
    if not code:
        raise UserError(Message("--area-code '%(given)s': write LEVEL:CODE, e.g. "
                                "municipality:0301", given=r.area_code))
    return import_repository(session, r.path, set_id=_required(r.set_id, "--set SET_ID"),
                             area=(level, code), by=by, skip_bad=r.skip_bad,
                             on_duplicate=r.on_duplicate, source=r.source)


def _check_types(options: dict, hints: dict) -> None:
    """Each option given (not None) of the type its field has (an API caller may send any
    JSON)."""
    for key, value in options.items():
        if value is not None and not _fits(value, hints[key]):
            shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:39] + "…"
            raise BadRequest(f"{key}: {shown} is not {_kind(hints[key])}")


def _fits(value: object, hint: object) -> bool:
    args = get_args(hint)
    if isinstance(hint, UnionType):
        return any(_fits(value, h) for h in args)
    if get_origin(hint) is tuple:  # tuple[str, ...]: a list in JSON
        return isinstance(value, list | tuple) and all(_fits(v, args[0]) for v in value)
    if get_origin(hint) is dict:
        return isinstance(value, dict) and all(_fits(k, args[0]) and _fits(v, args[1])
                                               for k, v in value.items())
    if hint is float:
        return finite_number(value)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(hint, type) and isinstance(value, hint)


def _kind(hint: object) -> str:
    names = {str: "a text", bool: "true or false", int: "a whole number", float: "a number",
             tuple: "a list of texts", dict: "an object of texts"}
    kinds = get_args(hint) if isinstance(hint, UnionType) else (hint,)
    return " or ".join(names[get_origin(h) or h] for h in kinds if h is not type(None))


def _required(value: str | None, what: str) -> str:
    if not value:
        raise UserError(f"this import needs {what}")
    return value
