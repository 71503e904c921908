"""A plan's exchange files: the JSON document of docs/plan-format.md and the Excel workbook
with one sheet per part (`template()` writes it empty, with a help sheet), read and written
without loss. Reading gives the document and a way to name a row of the workbook for each place
in it, so a refused workbook is told by sheet and row."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import xlsxwriter
from sqlalchemy.orm import Session

from localsdg.catalog.properties import target_codes
from localsdg.errors import TooLarge, UserError
from localsdg.planning import store
from localsdg.planning.model import FORMAT, Plan
from localsdg.textfiles import decode, open_workbook, sheet_values

MAX_BYTES = 10 * 1024 * 1024
# Worked examples from the measures municipalities describe in seed 001 (labelled as examples)
EXAMPLES = Path(__file__).with_name("example_plans")
GOALS = [f"goal_{g}" for g in range(1, 18)]
# sheet → its columns, in the order written
SHEETS: dict[str, list[str]] = {
    "plan": ["field", "value"],
    "priorities": ["goal", "target", "importance", "influence", "reason"],
    "interactions": ["from", "to", "score", "reason"],
    "targets": ["indicator", "value", "year", "baseline_value", "baseline_year", "decision",
                "note"],
    "measures": ["id", "title", "description", "responsible", "start", "end", "status", "kind",
                 "contract_value", "targets"],
    "indicators": ["measure", "indicator", "step"],
    "effects": ["measure", "indicator", "step", "year", "value"],
    "budget": ["measure", "year", "amount", "funding", "funder", *GOALS],
}
PLAN_FIELDS = ["format", "area", "name", "start", "end", "description", "example"]
HELP = [
    "localsdg plan workbook (format localsdg-plan/1). One sheet per part; the first row of each "
    "sheet names its columns. Documented in docs/plan-format.md.",
    "Arbeidsbok for en plan i localsdg. Ett ark per del; første rad i hvert ark er kolonnenavn.",
    "plan: area (kommunenummer/fylkesnummer), name, start, end, description, example (true/false).",
    "priorities: a goal (1–17) or a target (11.2); importance and influence 1–5; reason.",
    "interactions: from and to (goal or target), score −3 (cancelling) … +3 (indivisible).",
    "targets: indicator as SET/CODE, value, year, baseline_value, baseline_year, decision.",
    "measures: id, title, status (planned, ongoing, done, stopped), kind (service, investment, "
    "procurement, regulation, partnership), targets separated by commas.",
    "indicators: measure id, indicator (SET/CODE), step (input, process, output, outcome, "
    "impact). effects: the value a measure is expected to bring an indicator to by a year.",
    "budget: measure id, year, amount in NOK, funding (own or external), funder, and the share "
    "of the amount for each goal in goal_1 … goal_17 (the shares add up to 1).",
]


def read_json(raw: bytes, name: str) -> object:
    """The JSON document of a plan file, or a UserError naming the file and the line."""
    _size(raw, name)
    try:
        return json.loads(decode(raw, name))
    except json.JSONDecodeError as exc:
        raise UserError(f"{name}, line {exc.lineno}, column {exc.colno}: not valid JSON "
                        f"({exc.msg})") from exc
    except RecursionError as exc:
        raise UserError(f"{name}: nested too deeply to be a plan") from exc


def _size(raw: bytes, name: str) -> None:
    if len(raw) > MAX_BYTES:
        raise TooLarge(f"{name}: larger than {MAX_BYTES // 1024 // 1024} MB; a plan is smaller")


def import_file(session: Session, path: Path, by: str) -> int:
    """Check a plan file (JSON or Excel) whole and store it; the plan's id."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    return import_bytes(session, path.read_bytes(), path.name, by)


def load_examples(session: Session, by: str) -> list[int]:
    """Store the example plans (each checked as any plan file is); their ids."""
    return [import_file(session, path, by) for path in sorted(EXAMPLES.glob("*.json"))]


def import_bytes(session: Session, raw: bytes, name: str, by: str) -> int:
    if name.lower().endswith((".xlsx", ".xlsm")):
        document, where = read_workbook(raw, name)
        return store.save(session, document, by, label=name, where=where)
    return store.save(session, read_json(raw, name), by, label=name)


def write_json(plan: Plan) -> bytes:
    return (json.dumps(plan.document(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_workbook(plan: Plan | None) -> bytes:
    """The plan as a workbook (`None`: the empty template)."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    ws = book.add_worksheet("help")
    ws.set_column(0, 0, 120)
    for i, line in enumerate(HELP):
        ws.write_string(i, 0, line)
    for sheet, columns in SHEETS.items():
        ws = book.add_worksheet(sheet)
        ws.write_row(0, 0, columns, bold)
        ws.freeze_panes(1, 0)
        for i, row in enumerate(_rows(plan, sheet) if plan else [], start=1):
            for j, cell in enumerate(row):
                _cell(ws, i, j, cell)
    book.close()
    return buf.getvalue()


def _cell(ws, row: int, col: int, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value)
    else:
        ws.write_string(row, col, str(value))


def _rows(plan: Plan, sheet: str) -> list[list]:
    d = plan.document()
    if sheet == "plan":
        return [[f, d.get(f)] for f in PLAN_FIELDS]
    if sheet == "priorities":
        return [[p.goal, p.target, p.importance, p.influence, p.reason] for p in plan.priorities]
    if sheet == "interactions":
        return [[x.source, x.to, x.score, x.reason] for x in plan.interactions]
    if sheet == "targets":
        return [[t.indicator, t.value, t.year, t.baseline and t.baseline.value,
                 t.baseline and t.baseline.year, t.decision, t.note] for t in plan.targets]
    if sheet == "measures":
        return [[m.id, m.title, m.description, m.responsible, m.start, m.end, m.status, m.kind,
                 m.contract_value, ", ".join(m.targets)] for m in plan.measures]
    if sheet == "indicators":
        return [[m.id, x.indicator, x.step] for m in plan.measures for x in m.indicators]
    if sheet == "effects":
        return [[m.id, x.indicator, x.step, e.year, e.value] for m in plan.measures
                for x in m.indicators for e in x.expected]
    return [[m.id, b.year, b.amount, b.funding, b.funder, *(b.goals.get(g) for g in range(1, 18))]
            for m in plan.measures for b in m.budget]


def read_workbook(raw: bytes, name: str) -> tuple[dict, Callable[[str], str]]:
    """The plan document in a workbook, and the function that names the sheet and row of a
    place in it."""
    _size(raw, name)
    book = open_workbook(raw, name)
    rows: dict[str, list[tuple[int, dict]]] = {}
    for sheet, columns in SHEETS.items():
        if sheet not in book.sheetnames:
            raise UserError(f"{name}: no sheet '{sheet}'; 'localsdg plan template' writes a "
                            "workbook with every sheet")
        rows[sheet] = _sheet(sheet_values(book, sheet, name), name, sheet, columns)
    return _document(rows, name)


def _sheet(lines: list[tuple], name: str, sheet: str, columns: list[str]
           ) -> list[tuple[int, dict]]:
    if not lines:
        return []
    header = [_header(c) for c in lines[0]]
    if unknown := [h for h in header if h and h not in columns]:
        raise UserError(f"{name}, sheet {sheet}, row 1: unknown column(s) {', '.join(unknown)}; "
                        f"the sheet's columns are {', '.join(columns)}")
    out = []
    for n, line in enumerate(lines[1:], start=2):
        row = {h: _value(v) for h, v in zip(header, line, strict=False) if h}
        if any(v is not None for v in row.values()):
            out.append((n, row))
    return out


def _header(cell: object) -> str:
    return re.sub(r"\s+", "_", str(cell).strip().lower()) if cell is not None else ""


def _value(cell: object) -> object:
    if isinstance(cell, str):
        cell = cell.strip()
        return cell or None
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 2 ** 53:
        return int(cell)
    return cell


def _document(rows: dict[str, list[tuple[int, dict]]], name: str
              ) -> tuple[dict, Callable[[str], str]]:
    places: dict[str, str] = {}
    fields = {r.get("field"): r.get("value") for _, r in rows["plan"] if r.get("field")}
    for n, r in rows["plan"]:
        places[str(r.get("field"))] = f"sheet plan, row {n}"
    document: dict = {k: v for k, v in fields.items() if v is not None}
    document.setdefault("format", FORMAT)
    if isinstance(document.get("area"), int):
        document["area"] = str(document["area"])
    if isinstance(document.get("example"), str):
        document["example"] = document["example"].lower() in ("true", "ja", "yes", "1")
    for part in ("priorities", "interactions", "targets"):
        document[part] = []
        for n, r in rows[part]:
            places[f"{part}[{len(document[part]) + 1}]"] = f"sheet {part}, row {n}"
            document[part].append(_item(part, r))
    document["measures"] = _measures(rows, places, name)
    return _clean(document), _namer(places, name)


def _item(part: str, r: dict) -> dict:
    if part == "targets":
        baseline = {"value": r.get("baseline_value"), "year": r.get("baseline_year")}
        r = {k: v for k, v in r.items() if not k.startswith("baseline_")}
        if any(v is not None for v in baseline.values()):
            r["baseline"] = baseline
    if part == "interactions":
        r = {k: (str(v) if k in ("from", "to") and v is not None else v) for k, v in r.items()}
    if part == "priorities" and r.get("target") is not None:
        r["target"] = str(r["target"])
    return r


def _measures(rows: dict[str, list[tuple[int, dict]]], places: dict[str, str], name: str
              ) -> list[dict]:
    measures: dict[str, dict] = {}
    for n, r in rows["measures"]:
        m = {**r, "id": str(r.get("id")) if r.get("id") is not None else None,
             "targets": target_codes(r.get("targets")),
             "indicators": [], "budget": []}
        places[f"measures[{len(measures) + 1}]"] = f"sheet measures, row {n}"
        if str(m["id"]) in measures:
            raise UserError(f"{name}, sheet measures, row {n}: the id '{m['id']}' is used by "
                            "another measure above; give each measure its own id")
        measures[str(m["id"])] = m
    order = list(measures)
    for n, r in rows["indicators"]:
        m = _owner(measures, r, "indicators", n, name)
        m["indicators"].append({"indicator": r.get("indicator"), "step": r.get("step"),
                                "expected": []})
        places[f"measures[{order.index(m['id']) + 1}].indicators[{len(m['indicators'])}]"] = \
            f"sheet indicators, row {n}"
    for n, r in rows["effects"]:
        m = _owner(measures, r, "effects", n, name)
        link = next((x for x in m["indicators"] if x["indicator"] == r.get("indicator")
                     and x["step"] == r.get("step")), None)
        if link is None:
            raise UserError(f"{name}, sheet effects, row {n}: measure {m['id']} has no indicator "
                            f"{r.get('indicator')} at step {r.get('step')} in sheet indicators")
        link["expected"].append({"year": r.get("year"), "value": r.get("value")})
    for n, r in rows["budget"]:
        m = _owner(measures, r, "budget", n, name)
        line = {k: v for k, v in r.items() if k != "measure" and k not in GOALS}
        line["goals"] = {g.removeprefix("goal_"): r[g] for g in GOALS if r.get(g) is not None}
        m["budget"].append(line)
        places[f"measures[{order.index(m['id']) + 1}].budget[{len(m['budget'])}]"] = \
            f"sheet budget, row {n}"
    return list(measures.values())


def _owner(measures: dict[str, dict], r: dict, sheet: str, n: int, name: str) -> dict:
    key = str(r.get("measure"))
    if key not in measures:
        raise UserError(f"{name}, sheet {sheet}, row {n}: no measure '{r.get('measure')}' in sheet "
                        "measures")
    return measures[key]


def _clean(value: object) -> object:
    """Leave out empty cells, so that the document says only what the workbook says."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _namer(places: dict[str, str], name: str) -> Callable[[str], str]:
    def where(place: str) -> str:
        best = max((p for p in places if place == p or place.startswith((p + ".", p + "["))),
                   key=len, default=None)
        if best is None:
            return f"{name}, {place}" if place else name
        rest = place[len(best):].lstrip(".")
        return f"{name}, {places[best]}" + (f", {rest}" if rest else "")
    return where
