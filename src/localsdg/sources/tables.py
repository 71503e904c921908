"""Tidy CSV and Excel files with a column mapping, as agencies and counties publish them.

Copes with what real files do: Windows-1252 or UTF-8 with a BOM, ';' separators, title lines
above the header (the header is the first line holding the mapped columns), decimal commas,
'%' signs and thin spaces, codes written as integers (301 for 0301) and areas given by name only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import zip_longest
from pathlib import Path

import polars as pl
from sqlalchemy.orm import Session

from localsdg.areas.lookup import AreaIndex, AreaRef, looks_like_code
from localsdg.catalog.indicators import indicator_by_ref
from localsdg.db.schema import Indicator
from localsdg.errors import UserError
from localsdg.messages import Message
from localsdg.observations.borders import check_borders, check_measure
from localsdg.observations.periods import DATE, parse_period
from localsdg.observations.store import (
    KEY,
    ImportResult,
    Located,
    Problem,
    breakdown_key,
    commit_frame,
)
from localsdg.textfiles import file_lines, read_table

VALUE = "value cell"  # a wide table's cell, under a name its row labels do not use
MISSING = {"", "..", ":", ".", "-", "–", "x", "NA", "NaN"}
NUMBER = r"^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$"  # once '1 234,5' is '1234.5'
SPACES = "\u00a0\u202f "  # in numbers: no-break, narrow no-break and plain spaces
# A table's own columns beside the file's (no header holds a NUL): each row's place, how
# messages name it, and what is read from its cells.
AT, WHERE, IND, PERIOD, COUNTY, VAL, DIMS, PROBLEM = (
    f"\0{n}" for n in ("at", "where", "indicator", "period cell", "county cell", "value", "dims",
                       "problem"))
LABEL, START, END, PERIOD_PROBLEM = (f"\0{n}" for n in ("period", "start", "end",
                                                          "period problem"))
LEVEL, CODE, AREA_PROBLEM = (f"\0{n}" for n in ("level", "code", "area problem"))
STORED = {AT: "at", WHERE: "where", IND: "indicator_id", LEVEL: "area_level", CODE: "area_code",
          LABEL: "period", START: "start_year", END: "end_year", VAL: "value", DIMS: "dims"}


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
    # the mapped columns of a row → why it is left out (None: kept)
    leave_out: Callable[[dict[str, str]], str | None] | None = None
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
            raise UserError(Message("say where the period is: a period column, or one period "
                                    "for the whole file (e.g. --period-value 2024)"))
        if not self.wide and not self.value:
            raise UserError(Message("say which column holds the values (--value), or that the "
                                    "table is wide (--wide)"))
        check_measure(self.measure)
        check_borders(self.borders)


def number(text: str) -> float | None:
    """'1 234,5', '12,3 %', '0.936', '81240' → a float; a missing-value symbol → None.
    (`numbers` reads a whole column the same way.)"""
    raw = text.strip().translate({ord(c): None for c in SPACES}).removesuffix("%")
    if raw in MISSING:
        return None
    if "," in raw and "." in raw:
        raw = raw.replace(".", "")  # 1.234,5
    raw = raw.replace(",", ".")
    if not re.fullmatch(NUMBER, raw):
        raise ValueError(text)
    return float(raw)


def numbers(cells: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A column of cells read as `number` reads one: the values, and which cells are no
    number (missing-value symbols are None, not errors)."""
    raw = (cells.str.strip_chars().str.replace_all(f"[{SPACES}]", "")
           .str.strip_suffix("%"))
    both = raw.str.contains(",", literal=True) & raw.str.contains(".", literal=True)
    plain = (pl.when(both).then(raw.str.replace_all(".", "", literal=True)).otherwise(raw)
             .str.replace_all(",", ".", literal=True))
    missing = raw.is_in(sorted(MISSING))
    value = pl.when(missing | ~plain.str.contains(NUMBER)).then(None).otherwise(
        plain.cast(pl.Float64, strict=False))
    return value, ~missing & value.is_null()


def import_table(session: Session, path: Path, mapping: Mapping, *,
                 indicator: Indicator | None, by: str, skip_bad: bool = False,
                 publisher: str | None = None, on_duplicate: str = "refuse",
                 source: str | None = None) -> ImportResult:
    """Import the mapped rows into one indicator, or several via the indicator column.
    `source`: what the batch records as the file's origin when its path should not be (an
    upload)."""
    mapping.check()
    targets = _targets(session, mapping, indicator)
    mapping, table, monthly = (_wide if mapping.wide else _tidy)(path, mapping)
    areas = AreaIndex(session)
    if not areas:
        raise UserError(Message("no areas are loaded; run 'localsdg sync areas' first"))
    table, left_out = _kept(table, mapping)
    frame, problems = _observations(table, mapping, targets, areas, monthly)
    if mapping.sum_rows:
        frame = _summed(frame)
    return commit_frame(session, frame, problems, source=source or str(path), by=by,
                        checksum=hashlib.sha256(path.read_bytes()).hexdigest(),
                        skip_bad=skip_bad, details={"format": "table", "publisher": publisher,
                                                    "mapping": _mapping_summary(mapping)},
                        left_out=left_out, on_duplicate=on_duplicate, name=path.name)


def _tidy(path: Path, mapping: Mapping) -> tuple[Mapping, pl.DataFrame, bool]:
    """The mapped columns of the lines below the header, as text; lines with none of them
    filled hold no observation and are passed over."""
    line_no, header, lines = read_table(path, mapping.columns(), encoding=mapping.encoding,
                                        sheet=mapping.sheet)
    by_column = list(zip_longest(*lines, fillvalue=""))  # the cells of each column
    by_column += [("",) * len(lines)] * (len(header) - len(by_column))  # none reach the last
    wanted = list(dict.fromkeys(mapping.columns()))
    table = pl.DataFrame([pl.Series(c, by_column[header.index(c)], dtype=pl.String)
                          for c in wanted])
    table = (table.with_columns(pl.col(wanted).str.strip_chars())
             .with_row_index(AT, offset=line_no + 1).cast({AT: pl.Int64})
             .filter(pl.any_horizontal(pl.col(c) != "" for c in wanted))
             .with_columns(pl.format(f"{_braced(path.name)}, line {{}}", AT).alias(WHERE)))
    return mapping, table, _monthly(table, mapping.period)


def _braced(text: str) -> str:
    """Text as it stands in a pl.format template."""
    return text.replace("{", "{{").replace("}", "}}")


def _wide(path: Path, mapping: Mapping) -> tuple[Mapping, pl.DataFrame, bool]:
    """One row per value cell: the row's labels plus what the stacked headers above the
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
    records = []
    for n, cells in enumerate(lines[first:], start=line_no + first + 1):
        row = {h: c.strip() for h, c in zip(header, cells, strict=False) if h in labels}
        if not any(row.values()):
            continue
        for j, dims in columns.items():
            cell = cells[j].strip() if j < len(cells) else ""
            if cell:  # an empty cell is no observation (the area did not exist yet); a
                records.append({**row, **dims, VALUE: cell,  # missing-value symbol is kept
                                WHERE: f"{path.name}, line {n}, column {j + 1}"})
    wanted = dict.fromkeys(c for c in (mapping.area, mapping.county, mapping.indicator_column,
                                        VALUE, effective.period, *effective.dims,
                                        *mapping.where, WHERE) if c)
    table = pl.DataFrame({c: [r.get(c, "") for r in records] for c in wanted},
                         schema=dict.fromkeys(wanted, pl.String))
    return effective, table.with_row_index(AT).cast({AT: pl.Int64}), False


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


def _kept(table: pl.DataFrame, m: Mapping) -> tuple[pl.DataFrame, list[str]]:
    """The rows the mapping keeps (`where`), less those `leave_out` leaves out, with a line on
    each of these."""
    if m.where:
        table = table.filter(pl.all_horizontal(pl.col(k) == v for k, v in m.where.items()))
    if not m.leave_out or table.is_empty():
        return table, []
    why = [m.leave_out(row) for row in table.drop(AT, WHERE).iter_rows(named=True)]
    left_out = [f"{where}: {y}" for where, y in zip(table[WHERE], why, strict=True) if y]
    return table.filter(pl.Series([y is None for y in why])), left_out


def _observations(table: pl.DataFrame, m: Mapping, targets: dict[str, int], areas: AreaIndex,
                  monthly: bool) -> tuple[pl.DataFrame, list[Located]]:
    """The observations the rows hold (a frame of store.FRAME's columns), and each row that
    holds none with its first problem: an unmapped indicator, then the period, the area and
    the value. Each distinct period, area and breakdown is read once."""
    table = table.with_columns(
        (pl.col(m.indicator_column).replace_strict(targets, default=None, return_dtype=pl.Int64)
         if m.indicator_column else pl.lit(targets[""], pl.Int64)).alias(IND),
        (pl.col(m.period) if m.period else pl.lit(m.period_value, pl.String)).alias(PERIOD),
        (pl.col(m.county) if m.county else pl.lit(None, pl.String)).alias(COUNTY))
    why: list[str] = []  # what is wrong with a period or area cell; the frame holds its index
    table = table.join(_periods(table[PERIOD], monthly, why), on=PERIOD, how="left",
                       nulls_equal=True)
    table = table.join(_areas(table, m, areas, why), on=[m.area, COUNTY, END], how="left",
                       nulls_equal=True)
    value, no_number = numbers(pl.col(m.value))
    if m.scale != 1.0:  # 0.936 × 100 is 93.6, not 93.60000000000001 (as Python rounds)
        value = value.map_elements(lambda v: round(v * m.scale, 10), return_dtype=pl.Float64)
    checks = [pl.col(IND).is_null(), pl.col(PERIOD_PROBLEM).is_not_null(),
              pl.col(AREA_PROBLEM).is_not_null(), no_number]
    table = table.with_columns(value.alias(VAL), pl.coalesce(
        pl.when(bad).then(pl.lit(i)) for i, bad in enumerate(checks)).alias(PROBLEM))
    problems = [(row[AT], _problem(row, m, why)) for row in table.filter(
        pl.col(PROBLEM).is_not_null()).iter_rows(named=True)]
    frame = _with_dims(table.filter(pl.col(PROBLEM).is_null()), m).select(
        *(pl.col(inner).alias(outer) for inner, outer in STORED.items()),
        pl.lit(m.unit, pl.String).alias("unit"), pl.lit(m.measure, pl.String).alias("measure"),
        pl.when(pl.col(VAL).is_null()).then(pl.lit("missing")).otherwise(pl.lit(""))
        .alias("flags"), pl.lit(m.borders, pl.Int64).alias("borders"))
    return frame, problems


def _problem(row: dict, m: Mapping, why: list[str]) -> Problem:
    """What is wrong with a row, by the first of the checks that failed (their order in
    `_observations`)."""
    match row[PROBLEM]:
        case 0:
            column, message = m.indicator_column, Message(
                "'%(cell)s' is not mapped to an indicator; add it to the indicator map",
                cell=row[m.indicator_column])
        case 1:
            column, message = m.period, why[row[PERIOD_PROBLEM]]
        case 2:
            column, message = m.area, why[row[AREA_PROBLEM]]
        case _:
            column, message = m.value, Message(
                "'%(cell)s' is not a number; write e.g. 12.5, 12,5 or 12,5 %%", cell=row[m.value])
    return Problem(f"{row[WHERE]}, column {column}", message)


def _periods(cells: pl.Series, monthly: bool, why: list[str]) -> pl.DataFrame:
    """Each distinct period cell read: its label and years, or the problem (added to `why`)."""
    rows = []
    for raw in cells.unique():
        try:
            p = parse_period(raw or "", monthly=monthly)
            rows.append((raw, p.label, p.start_year, p.end_year, None))
        except UserError as exc:
            rows.append((raw, None, None, None, len(why)))
            why.append(exc.message)
    return pl.DataFrame(rows, orient="row", schema={
        PERIOD: pl.String, LABEL: pl.String, START: pl.Int64, END: pl.Int64,
        PERIOD_PROBLEM: pl.Int64})


def _areas(table: pl.DataFrame, m: Mapping, areas: AreaIndex, why: list[str]
           ) -> pl.DataFrame:
    """Each distinct area cell (with its county and year) read: the area, or the problem
    (added to `why`). A code is read as a code; a name by the county beside it and the year's
    borders."""
    rows = []
    for raw, county, year in (table.filter(pl.col(END).is_not_null())
                              .select(m.area, COUNTY, END).unique().iter_rows()):
        found = areas.code(raw, m.level) if looks_like_code(raw) else areas.by_name(
            raw, county=county, year=m.borders or year, level=m.level)
        if isinstance(found, AreaRef):
            rows.append((raw, county, year, found.level, found.code, None))
        else:
            rows.append((raw, county, year, None, None, len(why)))
            why.append(found)
    return pl.DataFrame(rows, orient="row", schema={
        m.area: pl.String, COUNTY: pl.String, END: pl.Int64, LEVEL: pl.String,
        CODE: pl.String, AREA_PROBLEM: pl.Int64})


def _with_dims(table: pl.DataFrame, m: Mapping) -> pl.DataFrame:
    """The rows with their breakdown's stored key, made once per distinct breakdown."""
    if not m.dims:
        return table.with_columns(**{DIMS: pl.lit("")})
    names = tuple(dict.fromkeys(m.dims))
    keys = table.select(names).unique()
    keys = keys.with_columns(pl.Series(DIMS, [breakdown_key(names, row)
                                             for row in keys.iter_rows()], dtype=pl.String))
    return table.join(keys, on=names, how="left", nulls_equal=True)


def _summed(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows sharing a key become one row holding their sum (missing if any part is), added in
    the file's order."""
    total = pl.col("value").cum_sum().last()
    return frame.group_by(KEY, maintain_order=True).agg(
        pl.col("at").first(),
        pl.format("{} (+{} rows)", pl.col("where").first(), pl.len() - 1).alias("where"),
        pl.col("start_year", "end_year", "unit", "measure", "borders").first(),
        pl.when(pl.col("value").null_count() > 0).then(None).otherwise(total).alias("value"),
    ).with_columns(flags=pl.when(pl.col("value").is_null()).then(pl.lit("missing"))
                   .otherwise(pl.lit("")))


def _monthly(table: pl.DataFrame, column: str | None) -> bool:
    """Whether the period column holds the first day of months (NAV's 2011-02-01): then
    2011-01-01 is January too, not the year as in FHI's yearly files."""
    if column is None or column not in table.columns:
        return False
    return any((m := DATE.match(cell)) and m.group(3) == "01" and m.group(2) != "01"
               for cell in table[column].unique())


def _mapping_summary(m: Mapping) -> dict:
    return {k: v for k, v in m.__dict__.items()
            if v not in (None, (), {}, False) and not callable(v)}
