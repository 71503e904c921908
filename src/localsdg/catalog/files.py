"""Whole indicator sets in and out as CSV, Excel and JSON, in one layout (docs/catalog-format.md).

Every row is one indicator with its set's columns repeated, so a sheet can be sorted or
filtered in Excel without losing which set a row belongs to. Multi-valued cells separate values
with `|`. An import is checked completely before anything is stored: any error and nothing is
written, and the report names file, row, column, the bad value and the allowed values.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from localsdg import taxonomy as tx
from localsdg.catalog import properties as props
from localsdg.catalog.search import Selection, search
from localsdg.catalog.store import (
    SET_FIELDS,
    IndicatorRecord,
    LinkRecord,
    SaveReport,
    SetRecord,
    known_targets,
    record_values,
    save_links,
    save_set,
    start_batch,
)
from localsdg.db.schema import Indicator, IndicatorLink, IndicatorSet
from localsdg.errors import UserError
from localsdg.textfiles import csv_lines, unguarded, write_csv_rows

FORMATS = ("csv", "xlsx", "json")
FORMAT_NAME = "localsdg-catalog"
SET_COLUMNS = [f"set_{name}" if name != "id" else "set_id" for name in ("id", *SET_FIELDS)]
INDICATOR_COLUMNS = ["code", "uri", *props.PROPERTIES, "links"]
COLUMNS = SET_COLUMNS + INDICATOR_COLUMNS
SET_ID = re.compile(r"^[^/|\s][^/|]{0,199}$")
LINK = re.compile(r"^(\w+)=([^/|]+)/(.+)$")
MAX_ERRORS = 200


@dataclass
class Cell:
    """Where a value came from, for error messages: file, row (or JSON path) and column."""

    file: str
    row: str
    column: str

    def __str__(self) -> str:
        return f"{self.file}, {self.row}, column {self.column}"


@dataclass
class ParsedFile:
    sets: dict[str, SetRecord] = field(default_factory=dict)
    indicators: dict[str, list[IndicatorRecord]] = field(default_factory=dict)
    links: list[LinkRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def error(self, where: Cell, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(f"{where}: {message}")


# ---------------------------------------------------------------- reading


def read_rows(path: Path) -> tuple[list[str], list[tuple[str, dict[str, object]]]]:
    """Columns and (row label, values) from a CSV, XLSX or JSON file."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise UserError(f"{path.name}: unknown file type '.{suffix}'; use .csv, .xlsx or .json")
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    return {"csv": _read_csv, "xlsx": _read_xlsx, "json": _read_json}[suffix](path)


def _read_csv(path: Path):
    lines = csv_lines(path)
    header = [h.strip() for h in lines[0]] if lines else []
    rows = [(f"row {n}", dict(zip(header, map(unguarded, cells), strict=False)))
            for n, cells in enumerate(lines[1:], start=2) if any(c.strip() for c in cells)]
    return header, rows


class Formula(str):
    """An Excel formula found in a cell: its value is not stored in the file we read."""


def _read_xlsx(path: Path):
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged or foreign files
        raise UserError(f"{path.name}: not a readable Excel file ({exc})") from exc
    sheet = book["indicators"] if "indicators" in book.sheetnames else book.worksheets[0]
    data = [[Formula(c.value) if c.data_type == "f" else c.value for c in row]
            for row in sheet.iter_rows() if any(c.value is not None for c in row)]
    book.close()
    if not data:
        return [], []
    header = [_cell_text(h).strip() for h in data[0]]
    rows = [(f"sheet {sheet.title}, row {n}",
             {h: c if isinstance(c, Formula) else _cell_text(c)
              for h, c in zip(header, cells, strict=False)})
            for n, cells in enumerate(data[1:], start=2) if any(_cell_text(c) for c in cells)]
    return header, rows


def _cell_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _read_json(path: Path):
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path.name}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sets"), list):
        raise UserError(f"{path.name}: expected an object with a list 'sets' "
                        f"(format '{FORMAT_NAME}', see docs/catalog-format.md)")
    header: list[str] = []
    rows = []
    for i, s in enumerate(data["sets"]):
        set_cols = {("set_id" if k == "id" else f"set_{k}"): v for k, v in s.items()
                    if k != "indicators"}
        for j, ind in enumerate(s.get("indicators") or []):
            row = {**set_cols, **ind}
            if isinstance(row.get("links"), list):
                row["links"] = [f"{lk.get('kind')}={lk.get('set_id')}/{lk.get('code')}"
                                for lk in row["links"]]
            header += [k for k in row if k not in header]
            rows.append((f"sets[{i}].indicators[{j}]", row))
    return header, rows


def parse_file(path: Path, targets: set[str]) -> ParsedFile:
    header, rows = read_rows(path)
    parsed = ParsedFile()
    unknown = [h for h in header if h not in COLUMNS]
    for col in unknown:
        parsed.error(Cell(path.name, "header", col or "(empty)"),
                     f"unknown column; allowed columns: {', '.join(COLUMNS)}")
    for col in ("set_id", "code"):
        if col not in header:
            parsed.error(Cell(path.name, "header", col), "required column is missing")
    if "name_nb" not in header and "name_en" not in header:
        parsed.error(Cell(path.name, "header", "name_nb"), "a name column (name_nb or name_en) "
                     "is required")
    if parsed.errors:
        return parsed
    if not rows:
        parsed.errors.append(f"{path.name}: no indicator rows")
    seen: dict[tuple[str, str], str] = {}
    for label, row in rows:
        _parse_row(path.name, label, row, header, targets, parsed, seen)
    return parsed


def _parse_row(file: str, label: str, row: dict, header: list[str], targets: set[str],
               parsed: ParsedFile, seen: dict) -> None:
    bad = False
    for column, value in row.items():
        if isinstance(value, Formula):
            parsed.error(Cell(file, label, column), f"'{value}' is a formula whose result is "
                         "not in the file; write the value itself")
            bad = True
        elif "\x00" in str(value or ""):
            parsed.error(Cell(file, label, column), "contains a NUL character; remove it")
            bad = True
    if bad:
        return
    set_id, code = str(row.get("set_id") or "").strip(), str(row.get("code") or "").strip()
    if not SET_ID.match(set_id):
        parsed.error(Cell(file, label, "set_id"), f"'{set_id}' is not a valid set id (needed; "
                     "no '/' or '|')")
        return
    if not code or "|" in code:
        parsed.error(Cell(file, label, "code"), "an indicator code is needed (no '|')")
        return
    if (set_id, code) in seen:
        parsed.error(Cell(file, label, "code"),
                     f"'{code}' appears twice in set '{set_id}' (also {seen[(set_id, code)]})")
        return
    seen[(set_id, code)] = label
    _merge_set(file, label, row, set_id, parsed)
    values: dict[str, object] = {}
    for name, prop in props.PROPERTIES.items():
        if name in header:
            try:
                values[name] = prop.parse(row.get(name), targets)
            except ValueError as exc:
                parsed.error(Cell(file, label, name), str(exc))
    if not (values.get("name_nb") or values.get("name_en")):
        parsed.error(Cell(file, label, "name_nb"), "a name is needed in name_nb or name_en")
    uri = str(row.get("uri") or "").strip() or None
    parsed.indicators.setdefault(set_id, []).append(IndicatorRecord(code, values, uri))
    _parse_links(Cell(file, label, "links"), row.get("links"), set_id, code, parsed)


def _merge_set(file: str, label: str, row: dict, set_id: str, parsed: ParsedFile) -> None:
    record = parsed.sets.setdefault(set_id, SetRecord(id=set_id))
    for name in SET_FIELDS:
        raw = row.get(f"set_{name}")
        value = str(raw).strip() if raw not in (None, "") else None
        if value is None:
            continue
        if name == "level":
            code = tx.SET_LEVELS.normalise(value)
            if code is None:
                parsed.error(Cell(file, label, "set_level"), f"'{value}' is not an allowed "
                             f"value; allowed: {', '.join(tx.SET_LEVELS.allowed)}")
                continue
            value = code
        current = getattr(record, name)
        if current is not None and current != value:
            parsed.error(Cell(file, label, f"set_{name}"),
                         f"'{value}' differs from '{current}' given earlier for set '{set_id}'")
        setattr(record, name, value)


def _parse_links(where: Cell, raw: object, set_id: str, code: str, parsed: ParsedFile) -> None:
    items = raw if isinstance(raw, list) else props.split_multi(raw)
    for item in items:
        m = LINK.match(str(item).strip())
        if not m or tx.LINK_KINDS.normalise(m[1]) is None:
            parsed.error(where, f"'{item}' is not a link; write kind=set_id/code with kind one "
                         f"of {', '.join(tx.LINK_KINDS.allowed)}")
            continue
        parsed.links.append(LinkRecord(set_id, code, tx.LINK_KINDS.normalise(m[1]) or "",
                                       m[2], m[3]))


def check_file(session: Session, path: Path) -> ParsedFile:
    """Read and check a whole file against the catalog, writing nothing.

    Raises UserError listing every problem; returns the parsed sets when there are none.
    """
    targets = known_targets(session)
    if not targets:
        raise UserError("the UN framework is not loaded, so targets cannot be checked; "
                        "run `localsdg sync framework` first")
    parsed = parse_file(path, targets)
    _check_links(session, parsed)
    if parsed.errors:
        more = " (first 200 shown)" if len(parsed.errors) >= MAX_ERRORS else ""
        raise UserError(f"{path.name}: {len(parsed.errors)} problem(s){more}; nothing was "
                        "imported. Correct them and import again.", details=parsed.errors)
    return parsed


def import_file(session: Session, path: Path, by: str) -> dict:
    """Check the whole file, then store it in one transaction; raise UserError on any error."""
    parsed = check_file(session, path)
    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    batch = start_batch(session, "catalog", str(path.resolve()), by, checksum)
    totals = SaveReport()
    for set_id, record in parsed.sets.items():
        totals.add(save_set(session, record, parsed.indicators[set_id], changed_by=by,
                            batch=batch))
    for set_id in parsed.sets:
        mine = [lk for lk in parsed.links if lk.from_set == set_id]
        save_links(session, mine, proposed_by=f"import {path.name}", scope_sets={set_id})
    batch.summary = {"sets": sorted(parsed.sets), "indicators":
                     sum(len(v) for v in parsed.indicators.values()), **totals.__dict__}
    return {"batch": batch.id, **batch.summary}


def _check_links(session: Session, parsed: ParsedFile) -> None:
    in_file = {(s, r.code) for s, recs in parsed.indicators.items() for r in recs}
    wanted = {(lk.to_set, lk.to_code) for lk in parsed.links} - in_file
    if not wanted:
        return
    found = {(s, c) for s, c in session.execute(select(Indicator.set_id, Indicator.code).where(
        Indicator.set_id.in_({s for s, _ in wanted})))}
    for lk in parsed.links:
        if (lk.to_set, lk.to_code) not in in_file | found:
            parsed.errors.append(f"link from {lk.from_set}/{lk.from_code}: indicator "
                                 f"{lk.to_set}/{lk.to_code} is neither in the file nor the catalog")


# ---------------------------------------------------------------- writing


def export_rows(session: Session, set_ids: Iterable[str] | None = None,
                codes: set[tuple[str, str]] | None = None) -> list[dict[str, object]]:
    """Rows of the layout (plain values; lists in multi-valued cells) for sets or a selection."""
    query = select(IndicatorSet).order_by(IndicatorSet.id)
    if set_ids is not None:
        set_ids = list(set_ids)
        missing = set(set_ids) - set(session.scalars(select(IndicatorSet.id)
                                                     .where(IndicatorSet.id.in_(set_ids))))
        if missing:
            raise UserError(f"unknown set(s): {', '.join(sorted(missing))}; "
                            "see `localsdg catalog sets`", status=404)
        query = query.where(IndicatorSet.id.in_(set_ids))
    links = _links_by_indicator(session)
    rows = []
    for s in session.scalars(query):
        set_cols = {"set_id": s.id, **{f"set_{n}": getattr(s, n) for n in SET_FIELDS}}
        inds = session.scalars(select(Indicator).where(Indicator.set_id == s.id)
                               .options(selectinload(Indicator.values)).order_by(Indicator.id))
        for ind in inds:
            if codes is not None and (s.id, ind.code) not in codes:
                continue
            rows.append({**set_cols, "code": ind.code, "uri": ind.uri, **record_values(ind),
                         "links": links.get(ind.id, [])})
    return rows


def selection_rows(session: Session, sel: Selection, maximum: int) -> list[dict[str, object]]:
    """Rows of the layout for the indicators of a search selection (at most `maximum`)."""
    found = search(session, sel, limit=maximum, sort="set", facets=False)
    if found["total"] > maximum:
        raise UserError(f"the selection has {found['total']} indicators; narrow it to at most "
                        f"{maximum}, or download whole sets", status=400)
    keys = {(h["set_id"], h["code"]) for h in found["hits"]}
    return export_rows(session, {s for s, _ in keys}, codes=keys)


def _links_by_indicator(session: Session) -> dict[int, list[str]]:
    ends = {i: f"{s}/{c}" for i, s, c in session.execute(
        select(Indicator.id, Indicator.set_id, Indicator.code))}
    out: dict[int, list[str]] = {}
    for link in session.scalars(select(IndicatorLink).order_by(IndicatorLink.id)):
        out.setdefault(link.from_id, []).append(f"{link.kind}={ends[link.to_id]}")
    return {k: sorted(set(v)) for k, v in out.items()}


def _cell(column: str, value: object) -> str:
    if column == "links":
        return props.MULTI_SEPARATOR.join(value or [])  # type: ignore[arg-type]
    if column in props.PROPERTIES:
        return props.PROPERTIES[column].to_text(value)
    return "" if value is None else str(value)


def write_csv(rows: list[dict], out: io.TextIOBase) -> None:
    write_csv_rows(out, [COLUMNS, *([_cell(c, row.get(c)) for c in COLUMNS] for row in rows)])


def write_json(rows: list[dict], out: io.TextIOBase) -> None:
    sets: dict[str, dict] = {}
    for row in rows:
        s = sets.setdefault(row["set_id"], {
            "id": row["set_id"], **{n: row.get(f"set_{n}") for n in SET_FIELDS},
            "indicators": []})
        ind = {c: row.get(c) for c in INDICATOR_COLUMNS if c != "links"}
        ind["links"] = [{"kind": k, "set_id": rest.split("/", 1)[0],
                         "code": rest.split("/", 1)[1]}
                        for k, rest in (lk.split("=", 1) for lk in row.get("links") or [])]
        s["indicators"].append(ind)
    json.dump({"format": FORMAT_NAME, "version": 1, "sets": list(sets.values())}, out,
              ensure_ascii=False, indent=1)
    out.write("\n")


def write_xlsx(rows: list[dict], path_or_buffer, *, template_rows: int = 0) -> None:
    """The indicator sheet, a code-list sheet with every allowed value, and drop-downs."""
    # Cell text is data, never a formula or link: "=x" from a user must stay "=x".
    book = xlsxwriter.Workbook(path_or_buffer, {"in_memory": True, "strings_to_formulas": False,
                                                "strings_to_urls": False})
    sheet = book.add_worksheet("indicators")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    as_text = book.add_format({"num_format": "@"})  # Excel must not turn 8.10 into 8.1
    sheet.write_row(0, 0, COLUMNS, bold)
    sheet.freeze_panes(1, 0)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, [_cell(c, row.get(c)) for c in COLUMNS], as_text)
    last = max(len(rows), template_rows, 1000)
    ranges = _write_code_lists(book, bold)
    for col, name in enumerate(COLUMNS):
        sheet.set_column(col, col, 28 if name.startswith("name") else 16, as_text)
        prop = props.PROPERTIES.get(name)
        if name in ranges and prop is not None and not prop.multi and prop.kind != "open":
            sheet.data_validation(1, col, last, col, {
                "validate": "list", "source": ranges[name], "error_type": "stop",
                "error_message": f"Bruk en verdi fra arket code_lists ({name})."})
        elif name in ranges:
            sheet.data_validation(1, col, last, col, {
                "validate": "any", "input_title": name[:32],
                "input_message": "Verdier fra arket code_lists; flere verdier skilles med |"[:255]})
    book.close()


def _write_code_lists(book, bold) -> dict[str, str]:
    """Write one block per list on sheet code_lists; return column -> cell range of codes."""
    sheet = book.add_worksheet("code_lists")
    sheet.write_row(0, 0, ["column", "code", "nb", "nn", "en"], bold)
    lists: dict[str, list[tuple[str, str, str, str]]] = {}
    for name, prop in props.PROPERTIES.items():
        if prop.codelist is not None:
            lists[name] = [(c.code, c.nb, c.nn, c.en) for c in prop.codelist.codes]
        elif prop.kind == "bool":
            lists[name] = [(c.code, c.nb, c.nn, c.en) for c in tx.BOOLEAN.codes]
    lists["set_level"] = [(c.code, c.nb, c.nn, c.en) for c in tx.SET_LEVELS.codes]
    lists["links"] = [(f"{c.code}=set_id/code", c.nb, c.nn, c.en) for c in tx.LINK_KINDS.codes]
    ranges, row = {}, 1
    for name, codes in lists.items():
        for code in codes:
            sheet.write_row(row, 0, [name, *code])
        ranges[name] = f"=code_lists!$B${row + 1}:$B${row + len(codes)}"
        row += len(codes)
    sheet.set_column(0, 1, 22)
    sheet.set_column(2, 4, 40)
    return ranges


def export(session: Session, fmt: str, out_path: Path, set_ids: list[str] | None = None) -> int:
    """Write the sets (all when None) to a file; return the number of indicators written."""
    if fmt == "ttl":
        from localsdg.catalog.skos import write_turtle
        return write_turtle(session, set_ids, out_path)
    if fmt not in FORMATS:
        raise UserError(f"unknown format '{fmt}'; use csv, xlsx, json or ttl")
    rows = export_rows(session, set_ids)
    write_rows(rows, fmt, out_path)
    return len(rows)


def write_rows(rows: list[dict], fmt: str, out_path: Path | io.BytesIO) -> None:
    if fmt == "xlsx":
        write_xlsx(rows, out_path)
        return
    buffer = io.StringIO()
    (write_csv if fmt == "csv" else write_json)(rows, buffer)
    data = buffer.getvalue().encode("utf-8")
    if isinstance(out_path, io.BytesIO):
        out_path.write(data)
    else:
        out_path.write_bytes(data)
