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

from geographiclib.geodesic import Geodesic

from localsdg.areas.lookup import AreaIndex, AreaRef
from localsdg.errors import UserError
from localsdg.observations.periods import parse_period
from localsdg.observations.store import Obs, Problem
from localsdg.sources.tables import number
from localsdg.textfiles import file_lines, open_workbook, sheet_values

Items = Iterator[tuple[str, Obs | Problem]]
FHI_LEVELS = {"municip": "municipality", "county": "county"}  # FHI's words; the nation is left
DISTRICT = re.compile(r"^bydel\s|\sbydel$", re.IGNORECASE)  # city districts in FHI's exports
CODE_COLUMNS = {"municipality": "kommune_nr", "county": "fylke_nr"}  # IMDi's area columns
# Udir's unit levels: the level of area and the column with its code
UDIR_LEVELS = {"3": ("municipality", "Kommunekode"), "2": ("county", "Fylkekode")}
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
    `EnhetNivaa` 3 and counties at 2, a column per school year; '*' and empty cells are
    suppressed values. Only codes valid in the export's last school year are read (Udir gives
    merged areas' earlier years under their new code), on that year's borders."""
    rows = iter(sheet_values(open_workbook(path), None, path.name))
    header = [str(c or "").strip() for c in next(rows, ())]
    for needed in ("EnhetNivaa", *(c for _, c in UDIR_LEVELS.values())):
        if needed not in header:
            raise UserError(f"{path.name}: no column {needed}; is this Udir's grunnskolepoeng "
                            "export?")
    years = {i: int(m.group(1)) for i, h in enumerate(header) if (m := SCHOOL_YEAR.match(h))}
    if not years:
        raise UserError(f"{path.name}: no columns 'YYYY-YY. … Grunnskolepoeng'")
    last = max(years.values()) + 1
    for n, row in enumerate(rows, start=2):
        unit = str(row[header.index("EnhetNivaa")]).strip()
        if unit not in UDIR_LEVELS:
            continue
        where, (level, column) = f"{path.name}, line {n}", UDIR_LEVELS[unit]
        area = areas.code(row[header.index(column)], level)
        if isinstance(area, str):
            yield where, Problem(f"{where}, column {column}", area)
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


def coverage(path: Path, indicator_id: int, areas: AreaIndex, *, group: str, column: str,
             year: int, borders: int) -> Items:
    """Nkom's coverage tables (fixed and mobile): municipalities by UPPER-CASE name and county,
    blocks of columns under a heading line (a technology or a speed class) above the header;
    the value is the share of households in `column` of the block headed `group`."""
    lines = file_lines(path, None, None)
    at = next((i for i, line in enumerate(lines[:20])
               if {"Kommune", "Fylke"} <= {c.strip() for c in line}), None)
    if at is None or at == 0:
        raise UserError(f"{path.name}: no header line with Kommune and Fylke below a line of "
                        "headings in the first 20 lines; is this Nkom's coverage table?")
    header = [c.strip() for c in lines[at]]
    blocks = _filled([c.strip() for c in lines[at - 1]], len(header))
    at_column = next((i for i, (b, h) in enumerate(zip(blocks, header, strict=True))
                      if b == group and h == column), None)
    if at_column is None:
        raise UserError(f"{path.name}, line {at + 1}: no column '{column}' under '{group}'")
    for n, cells in enumerate(lines[at + 1:], start=at + 2):
        if len(cells) <= at_column or not (area := _named(areas, header, cells, borders)):
            continue
        where = f"{path.name}, line {n}"
        if isinstance(area, str):
            yield where, Problem(f"{where}, column Kommune", area)
            continue
        try:
            value = number(cells[at_column])
        except ValueError:
            yield where, Problem(f"{where}, column {column} ({group})",
                                 f"'{cells[at_column]}' is not a number")
            continue
        yield where, _obs(indicator_id, area, str(year), value, "per cent of households",
                          "rate", borders=borders)


def _named(areas: AreaIndex, header: list[str], cells: list[str], borders: int
           ) -> AreaRef | str | None:
    """The municipality a line names in its columns Kommune and Fylke (on the borders of
    `borders`), or why it is none; None for a line without a name."""
    name = cells[header.index("Kommune")].strip()
    return areas.by_name(name, county=cells[header.index("Fylke")], year=borders,
                         level="municipality") if name else None


def _filled(cells: list[str], width: int) -> list[str]:
    """A heading line whose headings span the empty cells after them, as one per column."""
    out, last = [], ""
    for i in range(width):
        last = (cells[i] if i < len(cells) else "") or last
        out.append(last)
    return out


def imdi(path: Path, indicator_id: int, areas: AreaIndex, *, keep: dict[str, str],
         unit: str, measure: str = "prosent") -> Items:
    """IMDi's municipal figures (imdikator): one value a line in `tabellvariabel`, the year in
    `aar`, the area in `kommune_nr` or `fylke_nr` (districts and regions are left), the unit in
    `enhet`, and a column per breakdown; `keep` names the breakdown values read (the totals).
    Several years together (`2011_2013`) are a span ending in the last; '.' and 'NULL' are
    suppressed values; codes are those valid in the (last) year."""
    lines = file_lines(path, "utf-8", None)
    header = [c.strip() for c in lines[0]] if lines else []
    needed = {"aar", "kommune_nr", "fylke_nr", "enhet", "tabellvariabel", *keep}
    if missing := sorted(needed - set(header)):
        raise UserError(f"{path.name}: no column {', '.join(missing)}; is this an IMDi figure "
                        "file (aar, kommune_nr, enhet, tabellvariabel)?")
    for n, cells in enumerate(lines[1:], start=2):
        row = dict(zip(header, cells, strict=False))
        years = row.get("aar", "").split("_")
        if row.get("enhet") != measure or not all(y.isdigit() for y in years) or any(
                row.get(k) != v for k, v in keep.items()):
            continue
        level, raw = next(((lv, row[c]) for lv, c in CODE_COLUMNS.items()
                           if row.get(c, "NULL") != "NULL"), (None, ""))
        if level is None or (level == "county" and raw == "00"):
            continue
        where = f"{path.name}, line {n}"
        year, area = int(years[-1]), areas.code(raw, level)
        if isinstance(area, str):
            yield where, Problem(f"{where}, column {CODE_COLUMNS[level]}", area)
            continue
        text = row["tabellvariabel"]
        try:
            value = None if text == "NULL" else number(text)
        except ValueError:
            yield where, Problem(f"{where}, column tabellvariabel", f"'{text}' is not a number")
            continue
        yield where, _obs(indicator_id, area, "–".join(years), value, unit, "rate", borders=year)


def vaccination(path: Path, indicator_id: int, areas: AreaIndex, *, age: str, vaccine: str,
                borders: int) -> Items:
    """FHI Kommunehelsa's export of vaccination coverage (5-year averages): a header line of
    periods ('2014-2018') after the label 'År', then blocks per place: the place's name in
    the first column (counties each followed by their municipalities, on the borders of
    `borders`), the age in the second where it starts, the vaccine in the third."""
    lines = file_lines(path, None, None)
    at = next((i for i, line in enumerate(lines[:30]) if line and line[0].strip() == "År"), None)
    if at is None:
        raise UserError(f"{path.name}: no line starting with 'År' and the periods in the first "
                        "30 lines; is this a Kommunehelsa export?")
    periods = {i: c.strip() for i, c in enumerate(lines[at]) if re.fullmatch(
        r"\d{4}-\d{4}", c.strip())}
    place, county, current_age = None, None, ""
    for n, cells in enumerate(lines[at + 1:], start=at + 2):
        cells = cells + [""] * (3 - len(cells))
        if cells[0].strip():
            place = _place(areas, cells[0], county, borders)
            if isinstance(place, AreaRef) and place.level == "county":
                county = cells[0]
        current_age = cells[1].strip() or current_age
        if current_age != age or cells[2].strip() != vaccine or place is None:
            continue
        where = f"{path.name}, line {n}"
        if isinstance(place, str):
            yield where, Problem(f"{where}, column 1", place)
            continue
        if place.level == "country":
            continue
        for i, period in periods.items():
            try:
                value = number(cells[i]) if i < len(cells) else None
            except ValueError:
                yield where, Problem(f"{where}, {period}", f"'{cells[i]}' is not a number")
                continue
            yield f"{where}, {period}", _obs(indicator_id, place, period.replace("-", "–"),
                                             value, "per cent", "rate", borders=borders)


def _place(areas: AreaIndex, name: str, county: str | None, year: int
           ) -> AreaRef | str | None:
    """A place named in an export: a county, else a municipality of the county named last; a
    name written in several languages without separators ('Kárásjohka Karasjok') by any of
    its words. None for a city district ('Bydel Frogner', 'Årstad bydel'), which is left."""
    if DISTRICT.search(name):
        return None
    # a county's first municipality may carry its name (Oslo)
    levels = [("county", None)] if name != county else []
    for level, within in [*levels, ("municipality", county)]:
        found = areas.by_name(name, county=within, year=year, level=level)
        if isinstance(found, AreaRef):
            return found
    words = name.split()
    for word in words if len(words) > 1 else []:
        again = areas.by_name(word, county=county, year=year, level="municipality")
        if isinstance(again, AreaRef):
            return again
    return found


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


def industry_emissions(path: Path, indicator_id: int, areas: AreaIndex, *, borders: int
                       ) -> Items:
    """Miljødirektoratet's emissions of land-based industry (norskeutslipp.no): a line per
    facility and year with its county and municipality by name (on the borders of `borders`),
    the yearly emission to air in tonnes CO₂-equivalents. Summed per municipality and year;
    a municipality without a reporting facility in a year the file covers emitted 0 tonnes
    that the register records. A year that fewer than half as many facilities report as in
    the fullest year is taken as incomplete (the register growing, or a year still being
    reported) and left, with a line saying so."""
    lines = file_lines(path, None, None)
    at = next((i for i, line in enumerate(lines[:10]) if {"Kommune", "Fylke", "År"} <= {
        c.strip() for c in line}), None)
    if at is None:
        raise UserError(f"{path.name}: no header line with Fylke, Kommune and År in the first 10 "
                        "lines; is this Miljødirektoratet's facility emissions export?")
    header = [c.strip() for c in lines[at]]
    air = next((i for i, h in enumerate(header) if h.startswith("Årlig utslipp til luft")), None)
    if air is None:
        raise UserError(f"{path.name}, line {at + 1}: no column 'Årlig utslipp til luft'")
    year_at = header.index("År")
    sums: dict[tuple[AreaRef, int], float] = {}
    reporting: dict[int, int] = {}
    for n, cells in enumerate(lines[at + 1:], start=at + 2):
        if len(cells) <= air or not (area := _named(areas, header, cells, borders)):
            continue
        where = f"{path.name}, line {n}"
        try:
            year, value = int(float(cells[year_at])), number(cells[air])
        except ValueError:
            yield where, Problem(where, f"'{cells[year_at]}' is not a year or '{cells[air]}' "
                                        "not a number")
            continue
        reporting[year] = reporting.get(year, 0) + 1
        if isinstance(area, str):
            yield where, Problem(f"{where}, column Kommune", area)
        elif value is not None:
            sums[(area, year)] = sums.get((area, year), 0.0) + value
    most = max(reporting.values(), default=0)
    years = [y for y in sorted(reporting) if reporting[y] >= most / 2]
    if left := [y for y in sorted(reporting) if y not in years]:
        yield path.name, Problem(path.name, f"years {', '.join(map(str, left))} are left as "
                                 f"incomplete: fewer than half of the {most} facilities of "
                                 "the fullest year report in them")
    for level, code in sorted(areas.codes):
        ref = AreaRef(level, code)
        if level != "municipality" or code.endswith("99") or not areas.in_force(ref, borders):
            continue
        for year in years:
            yield f"{path.name}: {code} {year}", _obs(
                indicator_id, ref, str(year), round(sums.get((ref, year), 0.0), 3),
                "tonnes CO2 equivalents", "count", borders=borders)


def population_share(path: Path, indicator_id: int, areas: AreaIndex, *, part: str) -> Items:
    """FHI's population on 1 January by age group (from SSB table 07459, on 2024 borders): the
    column `part`'s share of `pop_total` in per cent, per municipality and county and year."""
    for where, area, year, row in _population_rows(path, areas, part):
        if isinstance(area, Problem):
            yield where, area
            continue
        total, value = row["pop_total"], row[part]
        yield where, _obs(indicator_id, area, str(year),
                          round(100 * value / total, 2) if total else None, "per cent", "rate",
                          borders=2024)


def population_growth(path: Path, indicator_id: int, areas: AreaIndex, *, years: int) -> Items:
    """The same file's growth of `pop_total` over `years` years, in per cent, for the span
    ending in each year that has the year `years` before it."""
    seen: dict[tuple[AreaRef, int], float] = {}
    for where, area, year, row in _population_rows(path, areas, "pop_total"):
        if isinstance(area, Problem):
            yield where, area
            continue
        seen[(area, year)] = row["pop_total"]
        before = seen.get((area, year - years))
        if before:
            yield where, _obs(indicator_id, area, f"{year - years}–{year}",
                              round(100 * (row["pop_total"] / before - 1), 2), "per cent",
                              "rate", borders=2024)


def _population_rows(path: Path, areas: AreaIndex, part: str) -> Iterator:
    """(where, area or the problem, year, numbers) per line of FHI's population file, in the
    order of years; FHI's halves of old Ålesund before 2024 are left out."""
    lines = file_lines(path, None, None)
    header = [c.strip() for c in lines[0]] if lines else []
    if missing := sorted({"level", "code", "year", "pop_total", part} - set(header)):
        raise UserError(f"{path.name}: no column {', '.join(missing)}; is this FHI's "
                        "population by age group?")
    rows = [dict(zip(header, cells, strict=False)) | {"line": n}
            for n, cells in enumerate(lines[1:], start=2)]
    for row in sorted(rows, key=lambda r: r.get("year", "")):
        where = f"{path.name}, line {row['line']}"
        level = FHI_LEVELS.get(row.get("level", ""))
        if level is None or halved_alesund(row):
            continue
        area = areas.code(row["code"], level)
        try:
            numbers = {k: float(row[k]) for k in ("pop_total", part)}
            year = int(row["year"])
        except (ValueError, KeyError):
            yield where, Problem(where, f"'{row.get(part)}' or '{row.get('year')}' is not a "
                                        "number"), 0, {}
            continue
        yield where, Problem(f"{where}, column code", area) if isinstance(area, str) else area, \
            year, numbers


def halved_alesund(row: dict[str, str]) -> str | None:
    """Before 2024 FHI gives 1508 Ålesund and 1580 Haram half of old Ålesund each."""
    if row.get("code") in ("1508", "1580") and row.get("year", "9999") < "2024":
        return "FHI's split of old Ålesund in halves, not a measured value"
    return None


def land_area(path: Path, indicator_id: int, areas: AreaIndex, *, year: int) -> Items:
    """Kartverket's boundaries (GeoJSON, WGS84): each municipality's area in km², measured on
    the ellipsoid; the borders are those of `year`."""
    try:
        features = json.loads(path.read_bytes())["features"]
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path.name}: not a GeoJSON FeatureCollection ({exc})") from exc
    for i, feature in enumerate(features, start=1):
        where = f"{path.name}, feature {i}"
        props, geometry = feature.get("properties") or {}, feature.get("geometry") or {}
        area = areas.code(props.get("kommunenummer", ""), "municipality")
        if isinstance(area, str):
            yield where, Problem(f"{where}, kommunenummer", area)
            continue
        yield where, _obs(indicator_id, area, str(year), round(_km2(geometry), 2), "km²",
                          "count", borders=year)


def _km2(geometry: dict) -> float:
    """The area of a (Multi)Polygon on the WGS84 ellipsoid, holes taken out."""
    polygons = geometry.get("coordinates", []) if geometry.get("type") == "MultiPolygon" else (
        [geometry.get("coordinates", [])] if geometry.get("type") == "Polygon" else [])
    total = 0.0
    for polygon in polygons:
        for i, ring in enumerate(polygon):
            shape = Geodesic.WGS84.Polygon()
            for lon, lat, *_ in ring[:-1]:
                shape.AddPoint(lat, lon)
            area = abs(shape.Compute(False, True)[2]) / 1e6
            total += area if i == 0 else -area
    return total
