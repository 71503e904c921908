"""Readers for the national files behind the national status profile, each as its agency
publishes it: one observation per municipality and period, or a located problem.

Every reader takes the file (or folder) and the indicator, and gives (where, Obs | Problem)
pairs for `observations.store.commit`; none of them guesses a value a file does not hold. Units
are English message ids, shown in the reader's language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from localsdg.areas.lookup import AreaIndex, AreaRef
from localsdg.errors import UserError
from localsdg.observations.periods import parse_period
from localsdg.observations.store import Obs, Problem
from localsdg.sources.tables import number
from localsdg.textfiles import file_lines, open_workbook

Items = Iterator[tuple[str, Obs | Problem]]
SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{2})\.(?:.*\.)?Grunnskolepoeng$")


def _obs(indicator_id: int, area: AreaRef, period: str, value: float | None, unit: str,
         measure: str, borders: int | None = None) -> Obs:
    p = parse_period(period)
    return Obs(indicator_id, area.level, area.code, p.label, p.start_year, p.end_year, value,
               "", unit, measure, "missing" if value is None else "", borders)


def turnout(folder: Path, indicator_id: int, areas: AreaIndex) -> Items:
    """Valgdirektoratet's result files, one JSON per municipality and election (valgresultat.no
    API): turnout in per cent of those entitled to vote (`frammote.prosent`), on the codes
    valid at the election."""
    files = sorted(folder.glob("*/kommune-*.json"))
    if not files:
        raise UserError(f"{folder}: no election files (YEAR/kommune-NN-NNNN.json) found")
    for path in files:
        where = f"{path.parent.name}/{path.name}"
        try:
            doc = json.loads(path.read_bytes())
            code, year = doc["id"]["nr"], int(doc["id"]["valgaar"])
            value = doc["frammote"]["prosent"]
        except (ValueError, KeyError, TypeError) as exc:
            yield where, Problem(where, f"not a result file of valgresultat.no ({exc})")
            continue
        area = areas.code(code, "municipality")
        if isinstance(area, str):
            yield where, Problem(f"{where}, id.nr", area)
            continue
        yield where, _obs(indicator_id, area, str(year), None if value is None else float(value),
                          "per cent", "rate")


def school_points(path: Path, indicator_id: int, areas: AreaIndex) -> Items:
    """Udir's grunnskolepoeng export (Skoleporten): one row per unit, municipalities at
    `EnhetNivaa` 3, a column per school year; '*' and empty cells are suppressed values. Only
    codes valid in the export's last school year are read (Udir gives merged municipalities'
    earlier years under their new code), on that year's borders."""
    sheet = open_workbook(path).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, ())]
    for needed in ("EnhetNivaa", "Kommunekode"):
        if needed not in header:
            raise UserError(f"{path.name}: no column {needed}; is this Udir's grunnskolepoeng "
                            "export?")
    years = {i: int(m.group(1)) for i, h in enumerate(header) if (m := SCHOOL_YEAR.match(h))}
    if not years:
        raise UserError(f"{path.name}: no columns 'YYYY-YY. … Grunnskolepoeng'")
    last = max(years.values()) + 1
    level, code_at = header.index("EnhetNivaa"), header.index("Kommunekode")
    for n, row in enumerate(rows, start=2):
        if str(row[level]).strip() != "3":
            continue
        where = f"{path.name}, line {n}"
        area = areas.code(row[code_at], "municipality")
        if isinstance(area, str):
            yield where, Problem(f"{where}, column Kommunekode", area)
            continue
        if not areas.in_force(area, last):
            continue
        for i, start in years.items():
            raw = "" if row[i] is None else str(row[i])
            try:
                value = number(raw.replace("*", ""))
            except ValueError:
                yield where, Problem(f"{where}, column {header[i]}", f"'{raw}' is not a number")
                continue
            yield f"{where}, column {header[i]}", _obs(
                indicator_id, area, f"{start}/{str(start + 1)[2:]}", value, "school points",
                "rate", borders=last)


def broadband(path: Path, indicator_id: int, areas: AreaIndex, *, year: int,
              borders: int) -> Items:
    """Nkom's coverage table: municipalities by UPPER-CASE name and county, a block of speed
    classes per technology; the first '≥ 100' column is the share of households offered at
    least 100 Mbit/s by any fixed technology."""
    lines = file_lines(path, None, None)
    at = next((i for i, line in enumerate(lines[:20])
               if {"Kommune", "Fylke"} <= {c.strip() for c in line}), None)
    if at is None:
        raise UserError(f"{path.name}: no header line with Kommune and Fylke in the first 20 "
                        "lines; is this Nkom's coverage table?")
    header = [c.strip() for c in lines[at]]
    if "≥ 100" not in header:
        raise UserError(f"{path.name}, line {at + 1}: no column '≥ 100' (Mbit/s)")
    name, county, column = header.index("Kommune"), header.index("Fylke"), header.index("≥ 100")
    for n, cells in enumerate(lines[at + 1:], start=at + 2):
        if len(cells) <= column or not cells[name].strip():
            continue
        where = f"{path.name}, line {n}"
        area = areas.by_name(cells[name], county=cells[county], year=borders,
                             level="municipality")
        if isinstance(area, str):
            yield where, Problem(f"{where}, column Kommune", area)
            continue
        try:
            value = number(cells[column])
        except ValueError:
            yield where, Problem(f"{where}, column ≥ 100", f"'{cells[column]}' is not a number")
            continue
        yield where, _obs(indicator_id, area, str(year), value, "per cent of households",
                          "rate", borders=borders)


def robek(path: Path, indicator_id: int, areas: AreaIndex) -> Items:
    """The ROBEK register as published on a date: 1 for each municipality on it, 0 for every
    other municipality valid that day (the register lists all that are on it)."""
    try:
        doc = json.loads(path.read_bytes())
        published = date.fromisoformat(doc["publisert"])
        listed = doc["kommuner"]
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path.name}: not the ROBEK register file (publisert, kommuner): "
                        f"{exc}") from exc
    on: set[str] = set()
    for i, entry in enumerate(listed, start=1):
        raw = entry.get("kommunenummer") if isinstance(entry, dict) else entry
        area = areas.code(raw, "municipality")
        if isinstance(area, str):
            yield f"{path.name}, entry {i}", Problem(f"{path.name}, entry {i}", area)
        else:
            on.add(area.code)
    year = published.year
    for level, code in sorted(areas.codes):
        if level == "municipality" and not code.endswith("99") and areas.in_force(AreaRef(
                level, code), year):
            value = 1.0 if code in on else 0.0
            yield f"{path.name}: {code}", _obs(indicator_id, AreaRef(level, code),
                                               published.isoformat()[:7], value,
                                               "municipalities", "count")
