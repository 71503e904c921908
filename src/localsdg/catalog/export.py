"""Writing indicator sets to files: the catalog layout as CSV, Excel (with drop-downs of the code
lists) and JSON, and SKOS/RDF Turtle."""

from __future__ import annotations

import io
import json
from pathlib import Path

import xlsxwriter
from sqlalchemy.orm import Session

from localsdg import taxonomy as tx
from localsdg.catalog import properties as props
from localsdg.catalog.files import COLUMNS, FORMAT_NAME, FORMATS, INDICATOR_COLUMNS
from localsdg.catalog.rows import export_rows, split_link
from localsdg.catalog.skos import write_turtle
from localsdg.catalog.store import SET_FIELDS
from localsdg.errors import UserError
from localsdg.textfiles import write_csv_rows


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
        ind["links"] = [{"kind": kind, "set_id": set_id, "code": code}
                        for kind, set_id, code in map(split_link, row.get("links") or [])]
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
