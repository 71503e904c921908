"""Whole indicator sets in and out as CSV, Excel and JSON, in one layout (docs/catalog-format.md).

Every row is one indicator with its set's columns repeated, so a sheet can be sorted or
filtered in Excel without losing which set a row belongs to. Multi-valued cells separate values
with `|`. An import is checked completely before anything is stored: any error and nothing is
written, and the report names file, row, column, the bad value and the allowed values.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from localsdg import taxonomy as tx
from localsdg.catalog import properties as props
from localsdg.catalog.store import (
    CODE_TEXT,
    SET_FIELDS,
    SET_ID_TEXT,
    IndicatorRecord,
    LinkRecord,
    SaveReport,
    SetRecord,
    known_targets,
    save_links,
    save_set,
    start_batch,
)
from localsdg.db.schema import Indicator
from localsdg.errors import UserError
from localsdg.messages import Message, placed
from localsdg.textfiles import csv_lines, open_workbook, unguarded, workbook_read, worksheet

FORMATS = ("csv", "xlsx", "json")
FORMAT_NAME = "localsdg-catalog"
SET_COLUMNS = [f"set_{name}" if name != "id" else "set_id" for name in ("id", *SET_FIELDS)]
INDICATOR_COLUMNS = ["code", "uri", *props.PROPERTIES, "links"]
COLUMNS = SET_COLUMNS + INDICATOR_COLUMNS
SET_ID = SET_ID_TEXT  # the set id's form, for the importers that check it
LINK = re.compile(r"^(\w+)=([^/|]+)/(.+)$")
MAX_ERRORS = 200


@dataclass
class Cell:
    """Where a value came from, for error messages: file, row (or JSON path) and column.

    Its text is a place in a file ('mitt.csv, row 5, column tbl') whose words a page
    translates (messages.place).
    """

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
    errors: list[str] = field(default_factory=list)  # each a Message: its place and reason

    def error(self, where: Cell | str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(placed(where, message))


def read_rows(path: Path) -> tuple[list[str], list[tuple[str, dict[str, object]]]]:
    """Columns and (row label, values) from a CSV, XLSX or JSON file."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise UserError(placed(path.name, Message(
            "unknown file type '.%(suffix)s'; use .csv, .xlsx or .json", suffix=suffix)))
    if not path.is_file():
        raise UserError(placed(path, Message("no such file")))
    return {"csv": _read_csv, "xlsx": _read_xlsx, "json": _read_json}[suffix](path)


def _read_csv(path: Path):
    lines = csv_lines(path)
    header = [h.strip() for h in lines[0]] if lines else []
    rows = [(Message("row %(number)d", number=n),
             dict(zip(header, map(unguarded, cells), strict=False)))
            for n, cells in enumerate(lines[1:], start=2) if any(c.strip() for c in cells)]
    return header, rows


class Formula(str):
    """An Excel formula found in a cell: its value is not stored in the file we read."""


def _read_xlsx(path: Path):
    book = open_workbook(path, formulas=True)
    sheet = worksheet(book, "indicators" if "indicators" in book.sheetnames else None,
                      path.name)
    with workbook_read(path.name):
        data = [[Formula(c.value) if c.data_type == "f" else c.value for c in row]
                for row in sheet.iter_rows() if any(c.value is not None for c in row)]
    book.close()
    if not data:
        return [], []
    header = [_cell_text(h).strip() for h in data[0]]
    rows = [(Message("sheet %(sheet)s, row %(number)d", sheet=sheet.title, number=n),
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
    except RecursionError as exc:
        raise UserError(placed(path.name, Message("nested too deeply to be a catalog file"))
                        ) from exc
    except json.JSONDecodeError as exc:  # json's own words (exc.msg) stay as they are
        raise UserError(placed(path.name, Message(
            "not valid JSON (%(why)s: line %(line)d column %(column)d (char %(char)d))",
            why=exc.msg, line=exc.lineno, column=exc.colno, char=exc.pos))) from exc
    except UnicodeDecodeError as exc:
        raise UserError(placed(path.name, Message("not valid JSON (%(why)s)", why=str(exc)))
                        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("sets"), list):
        raise UserError(placed(path.name, Message(
            "expected an object with a list 'sets' (format '%(format)s', see "
            "docs/catalog-format.md)", format=FORMAT_NAME)))
    header: list[str] = []
    rows = []
    for i, s in enumerate(_objects(path, "sets", data["sets"])):
        set_cols = {("set_id" if k == "id" else f"set_{k}"): v for k, v in s.items()
                    if k != "indicators"}
        indicators = s.get("indicators") or []
        for j, ind in enumerate(_objects(path, f"sets[{i}].indicators", indicators)):
            row = {**set_cols, **ind}
            if isinstance(row.get("links"), list):
                row["links"] = [f"{lk.get('kind')}={lk.get('set_id')}/{lk.get('code')}" for lk
                                in _objects(path, f"sets[{i}].indicators[{j}].links",
                                            row["links"])]
            header += [k for k in row if k not in header]
            rows.append((f"sets[{i}].indicators[{j}]", row))
    return header, rows


def _objects(path: Path, where: str, items: object) -> list[dict]:
    """The items of a list in the JSON layout, each an object, or the error naming the place."""
    if not isinstance(items, list):
        raise UserError(placed(f"{path.name}, {where}", Message("a list is needed")))
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            raise UserError(placed(f"{path.name}, {where}[{n}]", Message(
                "an object is needed, not %(kind)s", kind=type(item).__name__)))
    return items


def parse_file(path: Path, targets: set[str]) -> ParsedFile:
    header, rows = read_rows(path)
    parsed = ParsedFile()
    unknown = [h or "(empty)" for h in header if h not in COLUMNS]
    if unknown:  # one line, however many: the allowed columns are said once
        named = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more"
                                           if len(unknown) > 10 else "")
        allowed = ", ".join(COLUMNS)
        parsed.error(Cell(path.name, "header", named), Message(
            "unknown columns; allowed columns: %(allowed)s", allowed=allowed) if len(unknown) > 1
            else Message("unknown column; allowed columns: %(allowed)s", allowed=allowed))
    for col in ("set_id", "code"):
        if col not in header:
            parsed.error(Cell(path.name, "header", col), Message("required column is missing"))
    if "name_nb" not in header and "name_en" not in header:
        parsed.error(Cell(path.name, "header", "name_nb"), Message(
            "a name column (name_nb or name_en) is required"))
    if parsed.errors:
        return parsed
    if not rows:
        parsed.error(path.name, Message("no indicator rows"))
    seen: dict[tuple[str, str], str] = {}
    for label, row in rows:
        _parse_row(path.name, label, row, header, targets, parsed, seen)
    return parsed


def _parse_row(file: str, label: str, row: dict, header: list[str], targets: set[str],
               parsed: ParsedFile, seen: dict) -> None:
    bad = False
    for column, value in row.items():
        if isinstance(value, Formula):
            parsed.error(Cell(file, label, column), Message(
                "'%(formula)s' is a formula whose result is not in the file; write the value "
                "itself", formula=str(value)))
            bad = True
        elif "\x00" in str(value or ""):
            parsed.error(Cell(file, label, column), Message("contains a NUL character; remove it"))
            bad = True
    if bad:
        return
    set_id, code = str(row.get("set_id") or "").strip(), str(row.get("code") or "").strip()
    if not SET_ID.match(set_id):
        parsed.error(Cell(file, label, "set_id"), Message(
            "'%(value)s' is not a valid set id (needed; at most 200 characters, no '/', '|', "
            "'\\' or control characters, not only dots)", value=set_id[:40]))
        return
    if not CODE_TEXT.match(code):
        parsed.error(Cell(file, label, "code"), Message(
            "'%(value)s' is not a valid indicator code (needed; at most 200 characters, no '|' "
            "or control characters, not only dots)", value=code[:40]))
        return
    if (set_id, code) in seen:  # the first row's label: a message ('row 2') or a JSON path
        parsed.error(Cell(file, label, "code"), Message(
            "'%(code)s' appears twice in set '%(set)s' (also %(first)s)", code=code, set=set_id,
            first=seen[(set_id, code)]))
        return
    seen[(set_id, code)] = label
    _merge_set(file, label, row, set_id, parsed)
    values: dict[str, object] = {}
    for name, prop in props.PROPERTIES.items():
        if name in header:
            try:
                values[name] = prop.parse(row.get(name), targets)
            except ValueError as exc:  # its argument: the reason as a message
                parsed.error(Cell(file, label, name), exc.args[0])
    if not (values.get("name_nb") or values.get("name_en")):
        parsed.error(Cell(file, label, "name_nb"), Message(
            "a name is needed in name_nb or name_en"))
    uri = str(row.get("uri") or "").strip() or None
    try:
        props.checked_text(uri or "")
    except ValueError as exc:
        parsed.error(Cell(file, label, "uri"), exc.args[0])
    parsed.indicators.setdefault(set_id, []).append(IndicatorRecord(code, values, uri))
    _parse_links(Cell(file, label, "links"), row.get("links"), set_id, code, parsed)


def _merge_set(file: str, label: str, row: dict, set_id: str, parsed: ParsedFile) -> None:
    record = parsed.sets.setdefault(set_id, SetRecord(id=set_id))
    for name in SET_FIELDS:
        raw = row.get(f"set_{name}")
        value = str(raw).strip() if raw not in (None, "") else None
        if value is None:
            continue
        try:
            props.checked_text(value)
        except ValueError as exc:
            parsed.error(Cell(file, label, f"set_{name}"), exc.args[0])
            continue
        if name == "level":
            code = tx.SET_LEVELS.normalise(value)
            if code is None:
                parsed.error(Cell(file, label, "set_level"),
                             props.not_allowed(value, tx.SET_LEVELS.allowed))
                continue
            value = code
        current = getattr(record, name)
        if current is not None and current != value:
            parsed.error(Cell(file, label, f"set_{name}"), Message(
                "'%(value)s' differs from '%(earlier)s' given earlier for set '%(set)s'",
                value=value, earlier=current, set=set_id))
        setattr(record, name, value)


def _parse_links(where: Cell, raw: object, set_id: str, code: str, parsed: ParsedFile) -> None:
    items = raw if isinstance(raw, list) else props.split_multi(raw)
    for item in items:
        m = LINK.match(str(item).strip())
        if not m or tx.LINK_KINDS.normalise(m[1]) is None:
            parsed.error(where, Message(
                "'%(item)s' is not a link; write kind=set_id/code with kind one of %(kinds)s",
                item=str(item), kinds=", ".join(tx.LINK_KINDS.allowed)))
            continue
        parsed.links.append(LinkRecord(set_id, code, tx.LINK_KINDS.normalise(m[1]) or "",
                                       m[2], m[3]))


def check_file(session: Session, path: Path) -> ParsedFile:
    """Read and check a whole file against the catalog, writing nothing.

    Raises UserError listing every problem; returns the parsed sets when there are none.
    """
    targets = known_targets(session)
    if not targets:
        raise UserError(Message("the UN framework is not loaded, so targets cannot be "
                                "checked; run `localsdg sync framework` first"))
    parsed = parse_file(path, targets)
    _check_links(session, parsed)
    if parsed.errors:
        count = len(parsed.errors)
        raise UserError(placed(path.name, Message(
            "%(count)d problem(s) (first %(most)d shown); nothing was imported. Correct them "
            "and import again.", count=count, most=MAX_ERRORS) if count >= MAX_ERRORS else
            Message("%(count)d problem(s); nothing was imported. Correct them and import "
                    "again.", count=count)), details=parsed.errors)
    return parsed


def check_report(session: Session, path: Path) -> list[dict]:
    """Check a file whole (nothing stored) and say per set how many indicators it holds and how
    many of them are new to the catalog."""
    parsed = check_file(session, path)
    existing = {(s, c) for s, c in session.execute(
        select(Indicator.set_id, Indicator.code).where(Indicator.set_id.in_(parsed.sets)))}
    return [{"id": set_id, "indicators": len(recs),
             "new": sum((set_id, r.code) not in existing for r in recs)}
            for set_id, recs in parsed.indicators.items()]


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
            parsed.errors.append(Message(  # no place in the file: said whole
                "link from %(source)s: indicator %(target)s is neither in the file nor the "
                "catalog", source=f"{lk.from_set}/{lk.from_code}",
                target=f"{lk.to_set}/{lk.to_code}"))
