"""Tidy CSV and Excel files with a column mapping, as agencies and counties publish them.

Copes with what real files do: Windows-1252 or UTF-8 with a BOM, ';' separators, title lines
above the header (the header is the first line holding the mapped columns), decimal commas,
'%' signs and thin spaces, codes written as integers (301 for 0301) and areas given by name only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.orm import Session

from localsdg.areas.lookup import AreaIndex, AreaRef, looks_like_code
from localsdg.catalog.indicators import indicator_by_ref
from localsdg.db.schema import Indicator
from localsdg.errors import UserError
from localsdg.observations.borders import check_borders, check_measure
from localsdg.observations.periods import DATE, parse_period
from localsdg.observations.store import (
    ImportResult,
    Obs,
    Problem,
    commit,
    dims_key,
)
from localsdg.textfiles import file_lines, read_table

VALUE = "value cell"  # a wide table's cell, under a name its row labels do not use
MISSING = {"", "..", ":", ".", "-", "–", "x", "NA", "NaN"}


@dataclass(frozen=True)
class Mapping:
    """Which column holds what. `period_value` stands in for a period column in one-year files;
    `where` keeps only the rows whose columns hold the given values; `indicator_column` and
    `indicators` send rows to indicators by a column's value; `sum_rows` adds up rows that share
    area, period and breakdown (parts of a total whose distinguishing column the file lacks)."""

    area: str
    value: str | None = None  # None in a wide table, whose cells are the values
    period: str | None = None
    period_value: str | None = None
    county: str | None = None
    dims: tuple[str, ...] = ()
    where: dict[str, str] = field(default_factory=dict)
    unit: str | None = None
    measure: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    indicator_column: str | None = None
    indicators: dict[str, str] = field(default_factory=dict)
    sum_rows: bool = False
    level: str | None = None  # municipality, county or country: when names are ambiguous
    wide: bool = False  # values spread over columns whose headers say period and breakdown
    header_rows: int = 1  # wide tables: how many header lines stand above the first data line
    borders: int | None = None  # the year whose areas the file uses (default: each period's)
    leave_out: Callable[[dict[str, str]], str | None] | None = None  # row → why it is left out
    scale: float = 1.0  # each value times this (100: a share written 0–1 kept as per cent)

    def columns(self) -> list[str]:
        """The columns the header line must have (in a wide table: the row labels only)."""
        if self.wide:
            return [c for c in (self.area, self.county, self.indicator_column) if c]
        named = [self.area, self.value, self.period, self.county, self.indicator_column,
                 *self.dims, *self.where]
        return [c for c in named if c]

    def check(self) -> None:
        if (self.period is None) == (self.period_value is None):
            raise UserError("say where the period is: a period column, or one period for the "
                            "whole file (e.g. --period-value 2024)")
        if not self.wide and not self.value:
            raise UserError("say which column holds the values (--value), or that the table is "
                            "wide (--wide)")
        check_measure(self.measure)
        check_borders(self.borders)


def number(text: str) -> float | None:
    """'1 234,5', '12,3 %', '0.936', '81240' → a float; a missing-value symbol → None."""
    raw = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    raw = raw.removesuffix("%")
    if raw in MISSING:
        return None
    if "," in raw and "." in raw:
        raw = raw.replace(".", "").replace(",", ".")  # 1.234,5
    raw = raw.replace(",", ".")
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", raw):
        raise ValueError(text)
    return float(raw)


def import_table(session: Session, path: Path, mapping: Mapping, *,
                 indicator: Indicator | None, by: str, skip_bad: bool = False,
                 publisher: str | None = None, on_duplicate: str = "refuse",
                 source: str | None = None) -> ImportResult:
    """Import the mapped rows into one indicator, or several via the indicator column.
    `source`: what the batch records as the file's origin when its path should not be (an
    upload)."""
    mapping.check()
    targets = _targets(session, mapping, indicator)
    mapping, records, monthly = (_wide if mapping.wide else _tidy)(path, mapping)
    areas = AreaIndex(session)
    if not areas:
        raise UserError("no areas are loaded; run 'localsdg sync areas' first")
    items = []
    left_out: list[str] = []
    resolved: dict[tuple, AreaRef | str] = {}
    for where, row in records:
        if any(row.get(k) != v for k, v in mapping.where.items()):
            continue
        if mapping.leave_out and (why := mapping.leave_out(row)):
            left_out.append(f"{where}: {why}")
            continue
        target = targets.get(row.get(mapping.indicator_column, "") if mapping.indicator_column
                             else "")
        if target is None:
            items.append((where, Problem(f"{where}, column {mapping.indicator_column}",
                                        f"'{row.get(mapping.indicator_column)}' is not mapped "
                                        "to an indicator; add it to the indicator map")))
            continue
        items.append((where, _obs(row, where, mapping, target, areas, resolved, monthly)))
    if mapping.sum_rows:
        items = _summed(items)
    return commit(session, items, source=source or str(path), by=by,
                  checksum=hashlib.sha256(path.read_bytes()).hexdigest(), skip_bad=skip_bad,
                  details={"format": "table", "publisher": publisher,
                           "mapping": _mapping_summary(mapping)},
                  left_out=left_out, on_duplicate=on_duplicate, name=path.name)


Records = Iterator[tuple[str, dict[str, str]]]


def _tidy(path: Path, mapping: Mapping) -> tuple[Mapping, Records, bool]:
    line_no, header, lines = read_table(path, mapping.columns(), encoding=mapping.encoding,
                                        sheet=mapping.sheet)

    def records() -> Records:
        for n, cells in enumerate(lines, start=line_no + 1):
            row = dict(zip(header, (c.strip() for c in cells), strict=False))
            if any(row.values()):
                yield f"{path.name}, line {n}", row
    return mapping, records(), _monthly(header, lines, mapping.period)


def _wide(path: Path, mapping: Mapping) -> tuple[Mapping, Records, bool]:
    """One record per value cell: the row's labels plus what the stacked headers above the
    cell say (SSB's 'År: 2006' gives År=2006; a bare heading is named after its header line,
    'header 1', 'header 2' …; a heading spanning several columns stands over each of them)."""
    line_no, header, lines = read_table(path, mapping.columns(), encoding=mapping.encoding,
                                        sheet=mapping.sheet)
    labels = set(mapping.columns())
    area = header.index(mapping.area)
    first = next((i for i, cells in enumerate(lines) if len(cells) > area
                  and cells[area].strip()), len(lines))
    block = [header, *lines[:first]]
    above = mapping.header_rows - len(block)
    if above < 0:
        raise UserError(f"{path.name}: {len(block)} header lines from line {line_no} to the "
                        f"first data line, but --header-rows is {mapping.header_rows}")
    block = [*_lines_above(path, mapping, line_no, above), *block]
    columns = _column_headings(block, header, labels)
    names = sorted({k for dims in columns.values() for k in dims})
    effective = replace(mapping, value=VALUE, dims=(*mapping.dims, *[
        k for k in names if k != mapping.period and k not in mapping.where]))

    def records() -> Records:
        for n, cells in enumerate(lines[first:], start=line_no + first + 1):
            row = {h: c.strip() for h, c in zip(header, cells, strict=False) if h in labels}
            if not any(row.values()):
                continue
            for j, dims in columns.items():
                cell = cells[j].strip() if j < len(cells) else ""
                if not cell:  # an empty cell is no observation (the area did not exist yet);
                    continue  # a missing-value symbol ('..') is kept as missing
                yield (f"{path.name}, line {n}, column {j + 1}",
                       {**row, **dims, VALUE: cell})
    return effective, records(), False


def _lines_above(path: Path, mapping: Mapping, line_no: int, count: int) -> list[list[str]]:
    if count == 0:
        return []
    lines = file_lines(path, mapping.encoding, mapping.sheet)
    if count > line_no - 1:
        raise UserError(f"{path.name}: --header-rows {mapping.header_rows} reaches above the "
                        "first line")
    return lines[line_no - 1 - count:line_no - 1]


def _column_headings(block: list[list[str]], header: list[str], labels: set[str]
                     ) -> dict[int, dict[str, str]]:
    """Column index → its breakdown, for every column that is not a row label or a spacer."""
    width = max(len(r) for r in block)
    filled = []
    for i, cells in enumerate(block):
        row, last = [], ""
        for j in range(width):
            cell = cells[j].strip() if j < len(cells) else ""
            last = cell or (last if i < len(block) - 1 else "")
            row.append(last)
        filled.append(row)
    out: dict[int, dict[str, str]] = {}
    for j in range(width):
        if (header[j].strip() if j < len(header) else "") in labels or not filled[-1][j]:
            continue
        dims = {}
        for i, row in enumerate(filled):
            key, sep, value = row[j].partition(": ")
            if row[j]:
                dims.update({key.strip(): value.strip()} if sep else {f"header {i + 1}": row[j]})
        out[j] = dims
    return out


def _targets(session: Session, m: Mapping, indicator: Indicator | None) -> dict[str, int]:
    if m.indicator_column:
        if not m.indicators:
            raise UserError(f"say which indicator each value of {m.indicator_column[:60]} "
                            "goes to (--map VALUE=SET/CODE)")
        return {value: indicator_by_ref(session, ref).id for value, ref in m.indicators.items()}
    if indicator is None:
        raise UserError("name the indicator the data belongs to (--indicator SET/CODE), or an "
                        "indicator column with a map")
    return {"": indicator.id}


def _summed(items: list[tuple[str, Obs | Problem]]) -> list[tuple[str, Obs | Problem]]:
    """Rows sharing a key become one row holding their sum (missing if any part is)."""
    groups: dict[tuple, list[tuple[str, Obs]]] = {}
    out: list[tuple[str, Obs | Problem]] = []
    for where, item in items:
        if isinstance(item, Problem):
            out.append((where, item))
        else:
            groups.setdefault(item.key, []).append((where, item))
    for parts in groups.values():
        first = parts[0][1]
        values = [o.value for _, o in parts]
        total = None if None in values else sum(values)
        out.append((f"{parts[0][0]} (+{len(parts) - 1} rows)", replace(
            first, value=total, flags="missing" if total is None else first.flags)))
    return out


def _monthly(header: list[str], lines: list[list[str]], column: str | None) -> bool:
    """Whether the period column holds the first day of months (NAV's 2011-02-01): then
    2011-01-01 is January too, not the year as in FHI's yearly files."""
    if column is None or column not in header:
        return False
    i = header.index(column)
    return any((m := DATE.match(line[i].strip())) and m.group(3) == "01" and m.group(2) != "01"
               for line in lines if len(line) > i)


def _obs(row: dict, where: str, m: Mapping, indicator_id: int, areas: AreaIndex,
         resolved: dict, monthly: bool = False) -> Obs | Problem:
    try:
        period = parse_period(m.period_value or row.get(m.period or "", ""), monthly=monthly)
    except UserError as exc:
        return Problem(f"{where}, column {m.period}", exc.message)
    area = _area(row, m, areas, period.end_year, resolved)
    if isinstance(area, str):
        return Problem(f"{where}, column {m.area}", area)
    try:
        value = number(row.get(m.value, ""))
    except ValueError:
        return Problem(f"{where}, column {m.value}",
                       f"'{row.get(m.value)}' is not a number; write e.g. 12.5, 12,5 or 12,5 %")
    if value is not None and m.scale != 1.0:
        value = round(value * m.scale, 10)  # 0.936 × 100 is 93.6, not 93.60000000000001
    return Obs(indicator_id, area.level, area.code, period.label, period.start_year,
               period.end_year, value, dims_key({d: row.get(d, "") for d in m.dims}), m.unit,
               m.measure, "missing" if value is None else "", m.borders)


def _area(row: dict, m: Mapping, areas: AreaIndex, year: int, resolved: dict
          ) -> AreaRef | str:
    raw = row.get(m.area, "")
    key = (raw, row.get(m.county or ""), year)
    if key not in resolved:
        if looks_like_code(raw):
            resolved[key] = areas.code(raw, m.level)
        else:
            resolved[key] = areas.by_name(raw, county=row.get(m.county) if m.county else None,
                                          year=m.borders or year, level=m.level)
    return resolved[key]


def _mapping_summary(m: Mapping) -> dict:
    return {k: v for k, v in m.__dict__.items()
            if v not in (None, (), {}, False) and not callable(v)}
