"""Open SDG data repositories: `data/indicator_G-T-I.csv` + `meta/G-T-I.md`, as cities publish them.

Many cities and countries (Barcelona, the UK, the US states, …) publish their SDG figures with
Open SDG. Importing such a repository gives a municipality a worked local indicator set, with
the city's own 2030 targets, and the data behind it, for one area.

What an import does and the choices behind it:

- Every `data/indicator_*.csv` becomes one indicator of the user set `set_id` (level "local"),
  described by the English meta file of the same name (`meta/<G-T-I>.md`, YAML front matter;
  the translations in `meta/<lang>/` are not read). Other CSV files in `data/` and the Open SDG
  template file (columns Grade, Planet, Fruit) are skipped and listed in the report.
- A meta file without a data file becomes an indicator only when its `reporting_status` is
  "complete" and it is not tagged as integrated into another indicator: those are the city's
  qualitative (non-statistical) indicators, reported as text. "notstarted" / "inprogress"
  placeholders and "integrated" pointers are listed in the report as skipped, not guessed into
  the catalog.
- The city's own target is kept in `notes`: `barcelona_target` (or any `*_target` text),
  `target_line_2030` and the numbers of `graph_target_lines`, with the page's own notes.
  Names that are Open SDG translation keys (`global_indicators.12-b-1-title`) are resolved
  through the UN set when it is loaded, never stored as a name.
- Targets come from the code's goal.target, and only when that target exists in the UN
  framework (city-only codes such as 11.2.5 still get target 11.2, which exists).
- Every CSV row is one observation for the given area. Column `Year` gives the period (any form
  of `observations.periods`: a year, a span such as 2021-2022 or "2007/08 to 2008/09", a quarter,
  a date span 26/02/2020-12/10/2020 kept as an ISO interval); a sentence there instead ("There
  is no data for this indicator yet") says the file has no data, reported as such, not an error;
  `Value` the value, a units column (`Units`, `Unit measure`) the unit. An `Observation status`
  column becomes flags when all its values are known status words or SDMX codes; otherwise it
  stays a disaggregation. All other columns are disaggregations (empty cell = total). When a
  file mixes several units, the unit is also a disaggregation, since the rows would otherwise
  share one key.
- An empty `Value` is stored as a missing value (value None, flag "missing"): the publisher
  listed that breakdown and year but had no figure, which is information, not an error. Rows
  that repeat an earlier row cell for cell are dropped and counted; rows with the same key but
  another value stop the import like any bad row.
- Problems in meta files (bad YAML, a web address that is not one) do not stop the data: they
  are reported as warnings. Problems in data rows stop the whole import (nothing is written)
  unless `skip_bad` is given.
- Catalog and observations are written in the caller's transaction, so a failed import leaves
  neither. Re-importing an unchanged repository writes no observation batch and no catalog batch.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from pathlib import Path

import polars as pl
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from localsdg.catalog import properties as props
from localsdg.catalog.files import SET_ID as SET_ID_PATTERN
from localsdg.catalog.store import (
    IndicatorRecord,
    SaveReport,
    SetRecord,
    indicator_ids,
    known_targets,
    save_set_batch,
)
from localsdg.db.schema import Indicator, IndicatorSet
from localsdg.errors import UserError
from localsdg.messages import Message, placed
from localsdg.observations.periods import Period, is_placeholder, parse_period
from localsdg.observations.store import FLAGS, Located, Problem, breakdown_key, commit_frame
from localsdg.sources.un_framework import SET_ID as UN_SET
from localsdg.textfiles import csv_lines

DATA_FILE = re.compile(r"^indicator_((?:1[0-7]|[1-9])-[0-9a-z]+(?:-[0-9a-z]+)+)\.csv$")
TEMPLATE_COLUMNS = {"Grade", "Planet", "Fruit"}
TRANSLATION_KEY = re.compile(r"^global_indicators\.(\d+-[0-9a-z]+-\d+)-title$")
# libyaml's safe loader where PyYAML was built with it: a national repository's hundreds of
# front matters read in a tenth of the time
SAFE_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n(.*))?\Z", re.DOTALL)
UNIT_COLUMNS = {"units", "unit", "unitmeasure"}
STATUS_COLUMNS = {"observationstatus", "obsstatus"}
# Status words and SDMX OBS_STATUS codes → our flags ("" = an ordinary value).
STATUS_FLAGS = {
    "": "", "a": "", "normal": "", "normal value": "",
    "p": "provisional", "provisional": "provisional", "provisional value": "provisional",
    "e": "estimated", "estimated": "estimated", "estimated value": "estimated",
    "i": "estimated", "imputed": "estimated", "f": "estimated", "forecast": "estimated",
    "b": "break", "break": "break", "break in series": "break", "time series break": "break",
    "m": "missing", "missing": "missing", "missing value": "missing",
}
PERIODICITY = [("two years", "biennial"), ("three years", "triennial"), ("annual", "yearly"),
               ("every", "other")]


@dataclass
class Columns:
    """Which CSV column plays which part; fixed per file so every row gets the same key shape."""

    year: int
    value: int
    unit: int | None
    status: int | None
    dims: list[int]


@dataclass
class Meta:
    fields: dict
    body: str = ""


@dataclass
class Run:
    """What one import collected on its way: report lines that are not data."""

    skipped: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    blank_lines: int = 0
    no_data: dict[str, str] = field(default_factory=dict)  # file → the publisher's sentence

    def skip(self, file: str, reason: str) -> None:
        self.skipped.append({"file": file, "reason": reason})


def import_repository(session: Session, folder: Path, *, set_id: str, area: tuple[str, str],
                      by: str, skip_bad: bool = False, set_name: str | None = None,
                      on_duplicate: str = "refuse", source: str | None = None) -> dict:
    """Import an Open SDG data repository as indicator set `set_id` with data for `area`;
    `source` is what the batches record as its origin when its path should not be (an
    upload)."""
    folder = Path(folder)
    source = source or str(folder.resolve())
    _check_arguments(session, folder, source, set_id, area)
    run = Run()
    files = _data_files(folder, run)
    metas = {code: _meta(folder, _stem(code), run) for code in files}
    metas.update(_meta_only(folder, set(files), run))
    targets = known_targets(session)
    records = [IndicatorRecord(code, _values(session, code, meta, targets, run))
               for code, meta in sorted(metas.items(), key=lambda kv: _code_key(kv[0]))]
    rows = Rows()
    for code, path in files.items():
        _read_file(folder, path, code, metas[code], run, rows)
    saved = _save_catalog(session, folder, source, set_id, set_name, records, by)
    ids = indicator_ids(session, {(set_id, code) for code in files})
    frame = rows.frame(set_id, ids, area)
    result = commit_frame(session, frame, rows.problems, source=source,
                          by=by, checksum=_checksum(files.values()), skip_bad=skip_bad,
                          details={"set": set_id, "area": list(area),
                                   "publisher": f"Open SDG: {set_name or set_id}"},
                          on_duplicate=on_duplicate)
    return {
        "set_id": set_id, "indicators": len(records),
        "indicators_created": saved.created, "indicators_updated": saved.updated,
        "indicators_unchanged": saved.unchanged, "csv_files_read": len(files),
        "files_skipped": run.skipped, "warnings": run.warnings,
        "rows": result.rows, "written": result.written, "unchanged": result.unchanged,
        "batch_id": result.batch_id, "bad_rows_skipped": [str(p) for p in result.skipped],
        "duplicate_rows_dropped": run.duplicates, "blank_lines": run.blank_lines,
        "no_data": [f"{file}: {text}" for file, text in run.no_data.items()],
        "missing_values": frame["value"].null_count(),
        "city_targets_kept": sum(_has_city_target(m) for m in metas.values()),
    }


def _check_arguments(session: Session, folder: Path, source: str, set_id: str,
                     area: tuple[str, str]) -> None:
    """Refuse before reading anything: a wrong folder or set id must not half-import. The
    folder is named as `source` names it (an upload by its file's name)."""
    if not (folder / "data").is_dir():
        raise UserError(placed(source, Message(
            "no 'data' folder; point at the root of an Open SDG data repository (the folder "
            "holding data/ and meta/)")))
    if not SET_ID_PATTERN.match(set_id):
        raise UserError(Message("'%(set)s' is not a valid set id; use letters, digits and "
                                "'-' (no '/' or '|')", set=set_id))
    existing = session.get(IndicatorSet, set_id)
    if existing is not None and existing.level not in (None, "local"):
        raise UserError(Message("set '%(set)s' already exists at level '%(level)s'; choose "
                                "another set id for the Open SDG repository", set=set_id,
                                level=existing.level))
    if len(area) != 2 or not all(str(a).strip() for a in area):
        raise UserError(Message("the area needs a level and a code, e.g. municipality 0301"))


# ---------------------------------------------------------------- files and meta


def _data_files(folder: Path, run: Run) -> dict[str, Path]:
    """The indicator CSVs by code; everything else in data/ is reported, never guessed at."""
    out: dict[str, Path] = {}
    for path in sorted((folder / "data").glob("*.csv")):
        rel = _rel(folder, path)
        m = DATA_FILE.match(path.name)
        if set(_header(path)) >= TEMPLATE_COLUMNS:
            run.skip(rel, "the Open SDG template file (columns Grade, Planet, Fruit)")
        elif not m:
            run.skip(rel, "not named indicator_<goal>-<target>-<number>.csv")
        else:
            out[m[1].replace("-", ".")] = path
    return out


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", errors="replace") as f:
        return [c.strip() for c in f.readline().split(",")]


def _meta_only(folder: Path, with_data: set[str], run: Run) -> dict[str, Meta]:
    """Meta files without data that are real (text-reported) indicators of the city."""
    out: dict[str, Meta] = {}
    for path in sorted((folder / "meta").glob("*.md")):
        code = path.stem.replace("-", ".")
        if code in with_data or not DATA_FILE.match(f"indicator_{path.stem}.csv"):
            continue
        meta = _meta(folder, path.stem, run)
        status = str(meta.fields.get("reporting_status") or "no reporting_status")
        tags = [str(t) for t in meta.fields.get("tags") or []]
        if any(t.endswith("integrated") for t in tags):
            run.skip(_rel(folder, path), "no data file; integrated into another indicator")
        elif status != "complete":
            run.skip(_rel(folder, path), f"no data file; reporting_status is {status}")
        else:
            out[code] = meta
    return out


def _meta(folder: Path, stem: str, run: Run) -> Meta:
    path = folder / "meta" / f"{stem}.md"
    if not path.is_file():
        run.warnings.append(f"{_rel(folder, path)}: no meta file; the indicator has only its code")
        return Meta({})
    m = FRONT_MATTER.match(path.read_text(encoding="utf-8-sig", errors="replace"))
    try:
        fields = yaml.load(m[1], Loader=SAFE_YAML) if m else None
    except yaml.YAMLError as exc:
        run.warnings.append(f"{_rel(folder, path)}: front matter is not valid YAML ({exc}); "
                            "indicator imported without its description")
        return Meta({})
    if not isinstance(fields, dict):
        run.warnings.append(f"{_rel(folder, path)}: no YAML front matter between '---' lines")
        return Meta({})
    return Meta(fields, (m[2] or "").strip())


# ---------------------------------------------------------------- indicator properties


def _values(session: Session, code: str, meta: Meta, targets: set[str], run: Run
            ) -> dict[str, object]:
    """All the properties this importer owns, None where unknown (so re-imports clear them)."""
    f = meta.fields
    goal, target = code.split(".")[0], ".".join(code.split(".")[:2])
    raw = {
        "name_en": _name(session, _text(f.get("indicator_name")) or _text(f.get("graph_title"))),
        "description_en": _text(f.get("national_indicator_description"))
        or _text(f.get("indicator_definition")),
        "unit": _text(f.get("computation_units")),
        "goals": [goal],
        "targets": [target] if target in targets else [],
        "data_owner": _text(f.get("source_organisation_1")),
        "source_url": _text(f.get("source_url_1"), strip="'\" "),
        "source_note": _text(f.get("source_url_text_1")) or _text(f.get("source_other_info_1")),
        "periodicity": _periodicity(_text(f.get("source_periodicity_1"))),
        "notes": _notes(meta),
    }
    return {name: _parse(name, value, code, targets, run) for name, value in raw.items()}


def _parse(name: str, value: object, code: str, targets: set[str], run: Run) -> object:
    try:
        return props.get(name).parse(value, targets)
    except ValueError as exc:
        run.warnings.append(f"indicator {code}, {name}: {exc}; left out")
        return [] if props.get(name).multi else None


def _text(value: object, strip: str = " ") -> str | None:
    if value is None or isinstance(value, list | dict):
        return None
    text = " ".join(str(value).split()).strip(strip)
    return text or None


def _name(session: Session, name: str | None) -> str | None:
    """A translation key is no name: take the UN title it points to, or leave it unknown."""
    m = TRANSLATION_KEY.match(name or "")
    if not m:
        return name
    return session.scalar(select(Indicator.name_en).where(
        Indicator.set_id == UN_SET, Indicator.code == m[1].replace("-", ".")))


def _periodicity(text: str | None) -> str | None:
    low = (text or "").lower()
    return next((code for word, code in PERIODICITY if word in low), None)


def _notes(meta: Meta) -> str | None:
    """The city's own target and the page's notes, which have no property of their own."""
    f = meta.fields
    lines = [f"City target: {t}" for k, v in f.items()
             if k.endswith("_target") and k != "national_target" and (t := _text(v))]
    if line := _text(f.get("target_line_2030")):
        lines.append(f"Target line 2030: {line}")
    if values := _target_lines(f.get("graph_target_lines")):
        lines.append(f"Target values in the chart: {values}")
    if f and f.get("reporting_status") not in (None, "complete"):
        lines.append(f"Open SDG reporting status: {f['reporting_status']}")
    if f.get("data_non_statistical") is True:
        lines.append("Reported as text (non-statistical), not as data.")
    if body := " ".join(re.sub(r"\*\*|__", "", meta.body).split()):
        lines.append(f"Notes on the Open SDG page: {body}")
    return "\n".join(lines) or None


def _target_lines(raw: object) -> str | None:
    if not isinstance(raw, list):
        return None
    parts = []
    for item in raw:
        if isinstance(item, dict) and item.get("value") is not None:
            label = _text(item.get("label_content")) or _text(item.get("label"))
            parts.append(f"{item['value']} ({label})" if label else str(item["value"]))
    return "; ".join(parts) or None


def _has_city_target(meta: Meta) -> bool:
    f = meta.fields
    return any(k.endswith("_target") and _text(v) for k, v in f.items()) or bool(
        _text(f.get("target_line_2030")) or _target_lines(f.get("graph_target_lines")))


def _save_catalog(session: Session, folder: Path, source: str, set_id: str,
                  set_name: str | None, records: list[IndicatorRecord], by: str) -> SaveReport:
    record = SetRecord(id=set_id, name_en=set_name or f"Open SDG repository {folder.name}",
                       level="local", description=f"Imported from the Open SDG data "
                       f"repository {folder.name}")
    return save_set_batch(session, record, records, source=source, by=by)


# ---------------------------------------------------------------- data rows


@dataclass
class Rows:
    """The rows of a repository's data files in `commit_frame`'s columns (ROW_COLUMNS: the
    indicator's code in place of its id, known once the catalog is saved), and the rows that
    could not be read; `at` numbers both in the files' order."""

    read: list[tuple] = field(default_factory=list)
    problems: list[Located] = field(default_factory=list)

    def add(self, *values: object) -> None:
        self.read.append((len(self.read) + len(self.problems), *values))

    def problem(self, where: str, message: str) -> None:
        self.problems.append((len(self.read) + len(self.problems), Problem(where, message)))

    def frame(self, set_id: str, ids: dict[tuple[str, str], int], area: tuple[str, str]
              ) -> pl.DataFrame:
        frame = pl.DataFrame(self.read, schema=ROW_COLUMNS, orient="row")
        codes = {code: ids[(set_id, code)] for code in frame["code"].unique()}
        return frame.with_columns(
            pl.col("code").replace_strict(codes, return_dtype=pl.Int64).alias("indicator_id"),
            area_level=pl.lit(area[0]), area_code=pl.lit(area[1]),
            measure=pl.lit(None, pl.String), borders=pl.lit(None, pl.Int64))


ROW_COLUMNS = {"at": pl.Int64, "where": pl.String, "code": pl.String, "period": pl.String,
               "start_year": pl.Int64, "end_year": pl.Int64, "value": pl.Float64,
               "dims": pl.String, "unit": pl.String, "flags": pl.String}


def _read_file(folder: Path, path: Path, code: str, meta: Meta, run: Run, rows: Rows) -> None:
    """Every row of one data file into `rows`, or its problem."""
    rel = _rel(folder, path)
    lines = csv_lines(path)
    if not lines:
        rows.problem(f"{rel}, row 1", Message(
            "the file is empty; it needs a header Year,…,Value and data rows"))
        return
    header = [c.strip() for c in lines[0]]
    cols = _columns(header, lines[1:])
    if isinstance(cols, Problem):
        rows.problem(f"{rel}, {cols.where}", cols.message)
        return
    fallback_unit = _text(meta.fields.get("computation_units"))
    names = tuple(header[i] for i in cols.dims)  # the file's breakdown columns
    breakdown = _picker(cols.dims)
    years: dict[str, Period | str | None] = {}  # each distinct Year cell read once
    seen: dict[tuple[str, ...], int] = {}
    for n, line in enumerate(lines[1:], start=2):
        cells = tuple(map(str.strip, line))
        if not any(cells):
            run.blank_lines += 1
            continue
        year = cells[cols.year] if cols.year < len(cells) else ""
        if (period := years.get(year, False)) is False:
            period = years[year] = None if is_placeholder(year) else _period(year)
        if period is None:
            run.no_data.setdefault(rel, year)  # "There is no data … yet"
            continue
        if (first := seen.setdefault(cells, n)) != n:
            run.duplicates.append(f"{rel}, row {n} repeats row {first}")
            continue
        where = f"{rel}, row {n}"
        if len(cells) != len(header):
            rows.problem(where, Message("has %(cells)d cells but the header has %(header)d; "
                                        "check for a missing or extra comma",
                                        cells=len(cells), header=len(header)))
        elif isinstance(period, str):
            rows.problem(f"{where}, column {header[cols.year]}", period)
        elif isinstance(value := _value(cells[cols.value]), str):
            rows.problem(f"{where}, column {header[cols.value]}", value)
        else:
            status = STATUS_FLAGS[cells[cols.status].lower()] if cols.status is not None else ""
            rows.add(where, code, period.label, period.start_year, period.end_year, value,
                     breakdown_key(names, breakdown(cells)),
                     (cells[cols.unit] if cols.unit is not None else "") or fallback_unit,
                     _flags(status, value is None))


def _picker(indexes: list[int]) -> Callable[[tuple[str, ...]], tuple[str, ...]]:
    """The cells at `indexes` of a row, as a tuple."""
    if len(indexes) > 1:
        return itemgetter(*indexes)
    return lambda cells: tuple(cells[i] for i in indexes)


@cache
def _flags(status: str, missing: bool) -> str:
    flags = {status, "missing" if missing else ""}
    return ",".join(f for f in FLAGS if f in flags)


def _columns(header: list[str], rows: list[list[str]]) -> Columns | Problem:
    """Find Year, Value, unit and status columns; every other column is a disaggregation."""
    names = {_norm(h): i for i, h in reversed(list(enumerate(header)))}
    for needed in ("Year", "Value"):
        if _norm(needed) not in names:
            return Problem(f"row 1, column {needed}", Message(
                "the header has no %(column)s column (it has %(header)s); Open SDG data files "
                "start with Year and end with Value", column=needed, header=", ".join(header)))
    unit = next((names[n] for n in names if n in UNIT_COLUMNS), None)
    status = next((names[n] for n in names if n in STATUS_COLUMNS), None)
    if status is not None and not all(_cell(r, status).lower() in STATUS_FLAGS for r in rows):
        status = None  # unknown status words: keep them as a breakdown rather than lose them
    fixed = {names["year"], names["value"], unit, status}
    dims = [i for i in range(len(header)) if i not in fixed]
    if unit is not None and len({_cell(r, unit) for r in rows if any(r)}) > 1:
        dims.append(unit)
    return Columns(names["year"], names["value"], unit, status, dims)


def _norm(name: str) -> str:
    return re.sub(r"[\s_]+", "", name.lower())


def _cell(row: list[str], i: int) -> str:
    return row[i].strip() if i < len(row) else ""


def _period(text: str) -> Period | str:
    """A Period, or the reason it is not one."""
    try:
        return parse_period(text)
    except UserError as exc:
        return exc.message


def _value(text: str) -> float | None | str:
    """The number, None for an empty cell, or the reason it is not a number."""
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return Message("'%(cell)s' is not a number; write it with a '.' decimal point and no "
                       "spaces or units, or leave the cell empty for a missing value", cell=text)
    return value if math.isfinite(value) else Message("'%(cell)s' is not a finite number",
                                                      cell=text)


# ---------------------------------------------------------------- helpers


def _checksum(paths) -> str:
    """Over the data files' names and bytes in sorted order: a renamed file is a change too."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _stem(code: str) -> str:
    return code.replace(".", "-")


def _rel(folder: Path, path: Path) -> str:
    return path.relative_to(folder).as_posix()


def _code_key(code: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("."))
