"""Reading SDSN's Sustainable Development Report workbooks (the SDG Index and Dashboards).

A workbook holds a codebook (per indicator: optimum, lower bound, green and red thresholds),
a data sheet (per country: raw value, year, normalised score, colour and trend per indicator;
goal scores, colours and trends; index score and rank) and a sheet of time series for trends.
The 2019 and 2021 editions differ in sheet names, column names and where the header row is;
columns are found by what they say, so other editions with the same kind of layout read too.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from localsdg.errors import UserError
from localsdg.scoring.engine import COLOURS
from localsdg.sources.http import fetch
from localsdg.textfiles import open_workbook

URLS = {
    2019: "https://raw.githubusercontent.com/sdsna/2019GlobalIndex/"
          "53bfc20adc9110efffd0812134d40136332433b5/2019GlobalIndexResults.xlsx",
    2021: "https://raw.githubusercontent.com/sdsna/SDR2021/"
          "c13a2e3ca7f386b7928922a9fb6725354d1508fa/SDR%202021%20-%20Database.xlsx",
}
CODE = re.compile(r"^sdg(\d{1,2})_\w+$")
PER_INDICATOR = re.compile(
    r"^(year|imputation|impute|normalized score|dashboard color|trend)[:_ ]+\s*(sdg\d{1,2}_\w+)$",
    re.IGNORECASE)
ARROWS = {"↑": "on_track", "➚": "moderately_improving", "→": "stagnating", "↓": "decreasing"}
OECD = "OECD"  # SDSN's region of OECD members, whose dashboards hold the OECD set


@dataclass
class Indicator:
    code: str
    name: str
    goal: int
    upper: float | None  # optimum (= 100)
    lower: float | None  # lower bound (= 0)
    green: float | None
    red: float | None
    in_index: bool
    oecd: bool = False  # on the dashboards of OECD members
    trend_years: str | None = None
    justification: str | None = None
    source: str | None = None
    description: str | None = None


@dataclass
class Country:
    iso3: str
    name: str
    region: str
    values: dict[str, tuple[float, int | None]] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)  # published normalised scores
    colours: dict[str, str] = field(default_factory=dict)
    trends: dict[str, str] = field(default_factory=dict)
    goal_scores: dict[int, float] = field(default_factory=dict)
    goal_colours: dict[int, str] = field(default_factory=dict)
    goal_trends: dict[int, str] = field(default_factory=dict)
    index: float | None = None
    rank: int | None = None
    missing_share: float | None = None


@dataclass
class Workbook:
    edition: int
    source: str
    checksum: str
    indicators: dict[str, Indicator]
    countries: dict[str, Country]
    series: list[tuple[str, str, int, float]]  # iso3, code, year, value (trend sheet)


def read_workbook(data: bytes, source: str) -> Workbook:
    wb = open_workbook(data, source)
    edition = _edition(wb, source)
    indicators = _codebook(_sheet(wb, source, "codebook"), source)
    data_sheet = _sheet(wb, source, f"sdr{edition} data")
    countries = _countries(data_sheet, indicators, source)
    trend = next((ws for ws in wb.worksheets if "trend" in ws.title.lower()), None)
    series = _series(trend, indicators, countries) if trend is not None else []
    return Workbook(edition, source, hashlib.sha256(data).hexdigest(), indicators, countries,
                    series)


def _edition(wb, source: str) -> int:
    for ws in wb.worksheets:
        m = re.fullmatch(r"SDR\s*(\d{4}) Data", ws.title.strip(), re.IGNORECASE)
        if m:
            return int(m.group(1))
    raise UserError(f"{source}: no sheet named 'SDR<year> Data'; is this an SDSN Sustainable "
                    f"Development Report database? It has {', '.join(wb.sheetnames)}")


def _sheet(wb, source: str, name: str):
    for ws in wb.worksheets:
        if ws.title.strip().lower() == name:
            return ws
    raise UserError(f"{source}: no sheet '{name}' (the sheets are {', '.join(wb.sheetnames)})")


def _norm(header: object) -> str:
    return re.sub(r"\s+", " ", str(header or "")).strip().lower()


CODEBOOK_COLUMNS = {  # our field → headers used by the editions
    "code": ("indcode", "code"),
    "name": ("indicator",),
    "goal": ("sdg",),
    "upper": ("optimum (= 100)", "best value (= 100)"),
    "lower": ("lower bound (=0)", "worst value (= 0)"),
    "green": ("green threshold", "greenthr"),
    "red": ("red threshold", "redthr"),
    "in_index": ("global",),
    "oecd": ("oecd",),
    "trend_years": ("years used for trend evaluation",),
    "justification": ("justification for optimum",),
    "source": ("source",),
    "description": ("description",),
}
REQUIRED = ("code", "name", "upper", "lower", "green", "red", "in_index")


def _codebook(ws, source: str) -> dict[str, Indicator]:
    rows = ws.iter_rows(values_only=True)
    header = [_norm(h) for h in next(rows)]
    at = {f: next((header.index(a) for a in aliases if a in header), None)
          for f, aliases in CODEBOOK_COLUMNS.items()}
    missing = [CODEBOOK_COLUMNS[f][0] for f in REQUIRED if at[f] is None]
    if missing:
        raise UserError(f"{source}, sheet {ws.title}: no column {', '.join(missing)}")
    out: dict[str, Indicator] = {}
    for n, row in enumerate(rows, start=2):
        code = str(row[at["code"]] or "").strip()
        if not code:
            continue
        m = CODE.match(code)
        if not m:
            raise UserError(f"{source}, sheet {ws.title}, row {n}: indicator code '{code}' is not "
                            "of the form sdgN_name")
        out[code] = _indicator(code, int(m.group(1)), {
            f: row[i] if i is not None else None for f, i in at.items()})
    return out


def _indicator(code: str, goal: int, c: dict) -> Indicator:
    return Indicator(
        code=code, name=str(c["name"]).strip(), goal=int(c["goal"] or goal),
        upper=_number(c["upper"]), lower=_number(c["lower"]),
        green=_number(c["green"]), red=_number(c["red"]),
        in_index=str(c["in_index"]).strip().lower() == "yes",
        oecd=str(c["oecd"]).strip().lower() == "yes",
        trend_years=_text(c["trend_years"]), justification=_text(c["justification"]),
        source=_text(c["source"]), description=_text(c["description"]))


def _countries(ws, indicators: dict[str, Indicator], source: str) -> dict[str, Country]:
    rows = list(ws.iter_rows(values_only=True))
    h = next((i for i, r in enumerate(rows[:5]) if any("index score" in _norm(c) for c in r)), None)
    if h is None:
        raise UserError(f"{source}, sheet {ws.title}: no header row with 'Index Score'")
    header = [_norm(c) for c in rows[h]]
    cols = _data_columns(header, indicators, source, ws.title)
    out: dict[str, Country] = {}
    for row in rows[h + 1:]:
        iso3 = str(row[cols["iso3"]] or "").strip()
        if not re.fullmatch(r"[A-Z]{3}", iso3):
            continue  # regional and income-group aggregates (_OECD, …) and blank rows
        out[iso3] = _country(row, iso3, cols)
    return out


def _data_columns(header: list[str], indicators: dict[str, Indicator], source: str,
                  sheet: str) -> dict:
    def find(*tests) -> int | None:
        return next((i for i, c in enumerate(header) if any(t(c) for t in tests)), None)
    cols: dict = {
        "iso3": find(lambda c: c in ("country code iso3", "id")),
        "name": find(lambda c: c == "country"),
        "index": find(lambda c: c.endswith("index score") or "index score (0-100)" in c),
        "rank": find(lambda c: c.endswith("index rank")),
        "missing": find(lambda c: c == "percentage missing values"),
        "region": find(lambda c: c.startswith("regions used for the sd")),
    }
    absent = [k for k, v in cols.items() if v is None]
    if absent:
        raise UserError(f"{source}, sheet {sheet}: no column for {', '.join(absent)}")
    per: dict[str, dict[str, int]] = {}
    for i, c in enumerate(header):
        m = PER_INDICATOR.match(c)
        if m:
            per.setdefault(m.group(2), {})[m.group(1).split()[0]] = i
    cols["indicators"] = {code: {**found, "value": min(found.values()) - 1}
                          for code, found in per.items() if code in indicators}
    cols["goals"] = {g: {kind: find(lambda c, g=g, k=kind: c == f"goal {g} {k}")
                         for kind in ("score", "dash", "dashboard", "trend")}
                     for g in range(1, 18)}
    return cols


def _country(row: tuple, iso3: str, cols: dict) -> Country:
    c = Country(iso3, str(row[cols["name"]]).strip(), str(row[cols["region"]] or "").strip(),
                index=_number(row[cols["index"]]), rank=_int(row[cols["rank"]]))
    missing = _number(row[cols["missing"]])
    c.missing_share = None if missing is None else missing / 100
    for code, at in cols["indicators"].items():
        value = _number(row[at["value"]])
        if value is not None:
            c.values[code] = (value, _int(row[at["year"]]) if "year" in at else None)
        if "normalized" in at and (s := _number(row[at["normalized"]])) is not None:
            c.scores[code] = s
        if "dashboard" in at and (colour := _norm(row[at["dashboard"]])) in COLOURS:
            c.colours[code] = colour
        if "trend" in at and (arrow := ARROWS.get(str(row[at["trend"]] or "").strip())):
            c.trends[code] = arrow
    for g, at in cols["goals"].items():
        if at["score"] is not None and (s := _number(row[at["score"]])) is not None:
            c.goal_scores[g] = s
        dash = at["dash"] if at["dash"] is not None else at["dashboard"]
        if dash is not None and (colour := _norm(row[dash])) in COLOURS:
            c.goal_colours[g] = colour
        if at["trend"] is not None and (arrow := ARROWS.get(str(row[at["trend"]] or "").strip())):
            c.goal_trends[g] = arrow
    return c


def _series(ws, indicators: dict[str, Indicator], countries: dict[str, Country]
            ) -> list[tuple[str, str, int, float]]:
    rows = ws.iter_rows(values_only=True)
    header = [_norm(c) for c in next(rows)]
    iso = header.index("id")
    year = header.index("year")
    codes = {i: c for i, c in enumerate(header) if c in indicators}
    out = []
    for row in rows:
        if row[iso] not in countries or row[year] is None:
            continue
        for i, code in codes.items():
            if (v := _number(row[i])) is not None:
                out.append((row[iso], code, int(row[year]), v))
    return out


def _number(v: object) -> float | None:
    if v is None or v == "" or isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    try:
        return float(str(v).strip())
    except ValueError:
        return None


def _int(v: object) -> int | None:
    n = _number(v)
    return None if n is None else int(n)


def _text(v: object) -> str | None:
    t = str(v).strip() if v is not None else ""
    return t or None


def load(path_or_edition: str) -> Workbook:
    """A workbook from a file, or an edition year (2019, 2021) fetched from SDSN's repository."""
    if path_or_edition.isdigit() and int(path_or_edition) in URLS:
        got = fetch(URLS[int(path_or_edition)])
        return read_workbook(got.content, got.url)
    path = Path(path_or_edition)
    if not path.is_file():
        raise UserError(f"{path}: no such file; give an SDR workbook or an edition "
                        f"({', '.join(map(str, URLS))})")
    return read_workbook(path.read_bytes(), str(path))
