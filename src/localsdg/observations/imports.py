"""One entry point for `data import`, the API and the web page: the kind of file decides the
importer (a folder is an Open SDG repository, .json is JSON-stat, .csv/.xlsx a mapped table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from localsdg.errors import UserError
from localsdg.observations.jsonstat import import_jsonstat
from localsdg.observations.store import indicator_by_ref
from localsdg.observations.tabular import Mapping, import_table


@dataclass(frozen=True)
class Request:
    path: Path
    indicator: str | None = None
    area: str | None = None
    period: str | None = None
    period_value: str | None = None
    value: str | None = None
    dims: tuple[str, ...] = ()
    where: dict[str, str] = field(default_factory=dict)
    county: str | None = None
    indicator_column: str | None = None
    indicators: dict[str, str] = field(default_factory=dict)
    unit: str | None = None
    measure: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    sum_rows: bool = False
    wide: bool = False
    header_rows: int = 1
    level: str | None = None
    set_id: str | None = None
    area_code: str | None = None
    publisher: str | None = None
    borders: int | None = None
    skip_bad: bool = False


def run(session: Session, r: Request, by: str) -> dict:
    if not r.path.exists():
        raise UserError(f"{r.path}: no such file or folder")
    if r.path.is_dir():
        return _opensdg(session, r, by)
    suffix = r.path.suffix.lower()
    if suffix == ".json":
        indicator = indicator_by_ref(session, _required(r.indicator, "--indicator SET/CODE"))
        return import_jsonstat(session, r.path, indicator=indicator, by=by, measure=r.measure,
                               skip_bad=r.skip_bad, borders=r.borders).as_dict()
    if suffix in (".csv", ".xlsx"):
        return _table(session, r, by)
    raise UserError(f"{r.path}: not a folder, .json, .csv or .xlsx file")


def _table(session: Session, r: Request, by: str) -> dict:
    mapping = Mapping(
        area=_required(r.area, "--area COLUMN (codes or names)"),
        value=r.value if r.wide else _required(r.value, "--value COLUMN"), period=r.period,
        period_value=r.period_value, county=r.county, dims=r.dims, where=r.where, unit=r.unit,
        measure=r.measure, encoding=r.encoding, sheet=r.sheet,
        indicator_column=r.indicator_column, indicators=r.indicators, sum_rows=r.sum_rows,
        borders=r.borders, wide=r.wide, header_rows=r.header_rows, level=r.level)
    indicator = indicator_by_ref(session, r.indicator) if r.indicator else None
    return import_table(session, r.path, mapping, indicator=indicator, by=by,
                        skip_bad=r.skip_bad, publisher=r.publisher).as_dict()


def _opensdg(session: Session, r: Request, by: str) -> dict:
    from localsdg.sources.opensdg import import_repository
    level, _, code = _required(r.area_code, "--area-code LEVEL:CODE").partition(":")
    if not code:
        raise UserError(f"--area-code '{r.area_code}': write LEVEL:CODE, e.g. "
                        "municipality:0301")
    return import_repository(session, r.path, set_id=_required(r.set_id, "--set SET_ID"),
                             area=(level, code), by=by, skip_bad=r.skip_bad)


def _required(value: str | None, what: str) -> str:
    if not value:
        raise UserError(f"this import needs {what}")
    return value
