"""Reading SDSN's Sustainable Development Report workbooks (the SDG Index and Dashboards).

A workbook holds a codebook (per indicator: optimum, lower bound, green and red thresholds),
a data sheet (per country: raw value, year, normalised score, colour and trend per indicator;
goal scores, colours and trends; index score and rank) and a sheet of time series for trends.
The editions name sheets and columns differently and put the header row at different places,
so nothing is found by its name: each column has a role (code, optimum, lower bound, …), a role
is known by the spellings the documented editions use (table in docs/scoring.md), headers are
compared by meaning (case, spacing, punctuation, accents, "(= 100)" notes and years left out),
and a sheet is the one whose header row holds the roles. A role that no sheet has is named,
with what was looked for and what the closest sheet has.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from localsdg.errors import UserError
from localsdg.scoring.engine import COLOURS
from localsdg.sources.http import fetch
from localsdg.textfiles import open_workbook, workbook_read

URLS = {
    2019: "https://raw.githubusercontent.com/sdsna/2019GlobalIndex/"
          "53bfc20adc9110efffd0812134d40136332433b5/2019GlobalIndexResults.xlsx",
    2021: "https://raw.githubusercontent.com/sdsna/SDR2021/"
          "c13a2e3ca7f386b7928922a9fb6725354d1508fa/SDR%202021%20-%20Database.xlsx",
}
CODE = re.compile(r"^sdg(\d{1,2})_\w+$", re.IGNORECASE)
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
    with workbook_read(source):
        book = _Book(wb, source)
        cb = book.find(CODEBOOK, "codebook")
        indicators = _codebook(book.below(cb), cb, source)
        lookup = {code.lower(): code for code in indicators}
        data_header, columns = _data_sheet(book, lookup, skip={cb.sheet})
        edition = _edition(data_header, source)
        countries = _countries(book.below(data_header), columns)
        trend = _trend_sheet(book, lookup, skip={cb.sheet, data_header.sheet})
        series = _series(book.below(trend), trend, lookup, countries) if trend else []
    return Workbook(edition, source, hashlib.sha256(data).hexdigest(), indicators, countries,
                    series)


@lru_cache(maxsize=8192)
def _key(text: object) -> str:
    """A header as its meaning: case, accents, punctuation, spacing, notes in brackets
    ("(= 100)", "(0-100)") and years left out, so "Lower Bound (=0)" is "lower bound" and
    "2021 SDG Index Score" is "sdg index score"."""
    t = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    t = re.sub(r"\([^)]*\)", " ", t)
    t = re.sub(r"\b(?:19|20)\d\d\b", " ", t)
    return " ".join(re.findall(r"[a-z0-9]+", t))


@dataclass(frozen=True)
class Role:
    """What a column means, and the header spellings it is known by (as the editions write
    them, see docs/scoring.md; a few more by meaning)."""
    name: str
    spellings: tuple[str, ...]
    required: bool = True
    fits: Callable[[list], bool] | None = None  # what the values below the header must be like

    @cached_property
    def keys(self) -> frozenset[str]:
        return frozenset(_key(s) for s in self.spellings)

    def looked_for(self) -> str:
        return f"{self.name} ({', '.join(repr(s) for s in self.spellings if s)})"


def _mostly(pattern: re.Pattern) -> Callable[[list], bool]:
    def fits(values: list) -> bool:
        given = [str(v).strip() for v in values if v not in (None, "")]
        return bool(given) and sum(bool(pattern.match(v)) for v in given) * 2 >= len(given)
    return fits


ISO3 = re.compile(r"^[A-Z]{3}$")
CODEBOOK = (
    # "Indicator" holds the codes in 2020 and the names in 2019 and 2021: the values decide
    Role("code", ("IndCode", "Indicator code", "Code", "Indicator"), fits=_mostly(CODE)),
    Role("name", ("Indicator", "Label", "Indicator name", "Indicateur")),
    Role("goal", ("SDG", "Goal"), required=False),
    Role("optimum", ("Optimum (= 100)", "Best value (= 100)", "Upper bound", "Valeur cible")),
    Role("lower bound", ("Lower Bound (=0)", "Worst value (= 0)", "Limite inferieure")),
    Role("green threshold", ("Green threshold", "greenthr", "Threshold green", "Green")),
    Role("red threshold", ("Red threshold", "redthr", "Threshold red", "Red")),
    Role("in index", ("Global",)),
    Role("OECD dashboard", ("OECD",), required=False),
    Role("trend years", ("Years Used for Trend Evaluation", "Years_Used", "Years used"),
         required=False),
    Role("justification", ("Justification for Optimum",), required=False),
    Role("source", ("Source",), required=False),
    Role("description", ("Description",), required=False),
)
COUNTRY = (  # the columns of the data sheet about the country as a whole
    Role("ISO3 code", ("Country Code ISO3", "id", "ISO3"), fits=_mostly(ISO3)),
    Role("country name", ("Country", "Country name", "CountryName")),
    Role("index score", ("SDG Index Score", "Global Index Score (0-100)", "SDGI_Score",
                         "Index score", "Overall score")),
    Role("rank", ("SDG Index Rank", "Global Index Rank", "SDGI_Rank", "SDGi Rank",
                  "Index rank", "Rank")),
    Role("region", ("Regions used for the SDR", "Regions used for the SDG Index & Dashboard",
                    "SDGIRegion", "Region")),
    Role("missing share", ("Percentage missing values",), required=False),
)
PER_INDICATOR = (  # the words before an indicator's code ("Year: sdg1_wpc", "impute_sdg1_wpc")
    Role("raw value", ("Raw value", "Value")),
    Role("year", ("Year", "Year of data")),
    Role("imputation", ("Imputation", "impute")),
    Role("normalised score", ("Normalized Score", "Normalised score")),
    Role("colour", ("Dashboard Color", "Dashboard colour", "Couleur")),
    Role("trend", ("Trend", "Arrow", "arrow_n")),
)
PER_GOAL = (  # the words beside a goal's number ("Goal 1 Score", "Dashboard SDG1", "SDG1")
    Role("goal score", ("Score", "")),
    Role("goal colour", ("Dash", "Dashboard")),
    Role("goal trend", ("Trend", "Arrow")),
)
TREND = (
    Role("ISO3 code", COUNTRY[0].spellings, fits=COUNTRY[0].fits),
    Role("year", ("Year",)),
)
HEADER_ROWS = 10  # a header row is among the first rows (titles and citations may come first)
SAMPLE = 20  # rows below a header that show what its columns hold


@dataclass
class Header:
    sheet: str
    row: int  # 0-based
    cells: list
    at: dict[str, int | None]  # role → column

    def found(self, roles: tuple[Role, ...]) -> int:
        return sum(self.at[r.name] is not None for r in roles if r.required)


class _Book:
    """The workbook's sheets, their first rows read once, and headers found by role."""

    def __init__(self, wb, source: str):
        self.wb, self.source = wb, source
        self.heads = {ws.title: list(ws.iter_rows(max_row=HEADER_ROWS + SAMPLE, values_only=True))
                      for ws in wb.worksheets}

    def sheets(self, skip: set[str]) -> dict[str, list[tuple]]:
        return {sheet: rows for sheet, rows in self.heads.items() if sheet not in skip}

    def headers(self, roles: tuple[Role, ...], skip: set[str] = frozenset()) -> Iterator[Header]:
        """Per sheet, the row among the first that holds most of the roles."""
        for sheet, rows in self.sheets(skip).items():
            if not rows:
                continue
            found = [Header(sheet, n, list(rows[n]), _match(roles, rows[n], rows[n + 1:]))
                     for n in range(min(HEADER_ROWS, len(rows)))]
            yield max(found, key=lambda h: h.found(roles))  # the first of the best

    def find(self, roles: tuple[Role, ...], what: str, skip: set[str] = frozenset()) -> Header:
        """The first sheet whose header row holds every required role."""
        found = list(self.headers(roles, skip))
        complete = [h for h in found if h.found(roles) == _required(roles)]
        if complete:
            return complete[0]
        raise _missing(self.source, what, roles, found, self.sheets(skip))

    def below(self, h: Header) -> Iterator[tuple[int, tuple]]:
        """The rows under a header, numbered as in Excel."""
        rows = self.wb[h.sheet].iter_rows(min_row=h.row + 2, values_only=True)
        return enumerate(rows, start=h.row + 2)


def _required(roles: tuple[Role, ...]) -> int:
    return sum(r.required for r in roles)


def _match(roles: tuple[Role, ...], cells: tuple, below: list[tuple]) -> dict[str, int | None]:
    """Each role's column: the first not yet taken whose header is one of the role's
    spellings (and whose values fit, where the role says what they must be like)."""
    keys = [_key(c) for c in cells]
    taken: set[int] = set()
    at: dict[str, int | None] = {}
    for role in roles:
        i = next((i for i, k in enumerate(keys)
                  if i not in taken and k in role.keys and _fits(role, i, below)), None)
        at[role.name] = i
        taken.add(i)
    return at


def _fits(role: Role, i: int, below: list[tuple]) -> bool:
    return role.fits is None or role.fits([r[i] for r in below if i < len(r)])


def _missing(source: str, what: str, roles: tuple[Role, ...], found: list[Header],
             sheets: dict[str, list[tuple]]) -> UserError:
    """The roles the closest sheet lacks (one that has most of them): what was looked for, and
    what that sheet has; else every role looked for, and what each sheet has."""
    best = max(found, key=lambda h: h.found(roles), default=None)
    if best is not None and best.found(roles) * 2 > _required(roles):
        lacking = "; ".join(r.looked_for() for r in roles
                            if r.required and best.at[r.name] is None)
        return UserError(f"{source}, sheet '{best.sheet}' (header in row {best.row + 1}, the "
                         f"closest to a {what}): no column for {lacking}. Its columns: "
                         f"{_listed(best.cells)}")
    has = "; ".join(f"'{s}': {_listed(max(rows, key=_filled, default=()), 12) or '(empty)'}"
                    for s, rows in sheets.items())
    return UserError(f"{source}: no sheet has a {what}, a header row with "
                     f"{'; '.join(r.looked_for() for r in roles if r.required)}. The sheets' "
                     f"columns: {has or 'no sheets'}")


def _filled(row: tuple) -> int:
    return sum(c not in (None, "") for c in row)


def _listed(cells: list, show: int = 20) -> str:
    named = [re.sub(r"\s+", " ", str(c)).strip()[:50] for c in cells if c not in (None, "")]
    more = f", … ({len(named)} in all)" if len(named) > show else ""
    return ", ".join(named[:show]) + more


def _role_of(roles: tuple[Role, ...], words: str) -> str | None:
    k = _key(words)
    return next((r.name for r in roles if k in r.keys), None)


def _cell(row: tuple, i: int | None) -> object:
    return row[i] if i is not None and 0 <= i < len(row) else None


def _codebook(rows: Iterator[tuple[int, tuple]], h: Header, source: str
              ) -> dict[str, Indicator]:
    out: dict[str, Indicator] = {}
    for n, row in rows:
        code = str(_cell(row, h.at["code"]) or "").strip()
        if not code:
            continue
        m = CODE.match(code)
        if not m:
            raise UserError(f"{source}, sheet {h.sheet}, row {n}: indicator code '{code}' is not "
                            "of the form sdgN_name")
        out[code] = _indicator(code, int(m.group(1)), {
            name: _cell(row, i) for name, i in h.at.items()})
    return out


def _indicator(code: str, goal: int, c: dict) -> Indicator:
    return Indicator(
        code=code, name=str(c["name"]).strip(), goal=_int(c["goal"]) or goal,
        upper=_number(c["optimum"]), lower=_number(c["lower bound"]),
        green=_number(c["green threshold"]), red=_number(c["red threshold"]),
        in_index=str(c["in index"]).strip().lower() == "yes",
        oecd=str(c["OECD dashboard"]).strip().lower() == "yes",
        trend_years=_text(c["trend years"]), justification=_text(c["justification"]),
        source=_text(c["source"]), description=_text(c["description"]))


@dataclass
class DataColumns:
    at: dict[str, int | None]  # country role → column
    indicators: dict[str, dict[str, int]]  # code → role → column
    goals: dict[int, dict[str, int]]  # goal → role → column


def _data_sheet(book: _Book, lookup: dict[str, str], skip: set[str]
                ) -> tuple[Header, DataColumns]:
    """The sheet with the country columns and the most columns per indicator of the codebook
    (an overview sheet has the first but not the second)."""
    found = list(book.headers(COUNTRY, skip))
    complete = [(h, _indicator_columns(h.cells, lookup)) for h in found
                if h.found(COUNTRY) == _required(COUNTRY)]
    if not complete:
        raise _missing(book.source, "data sheet", COUNTRY, found, book.sheets(skip))
    h, per = max(complete, key=lambda c: len(c[1]))
    if not per:
        raise UserError(f"{book.source}, sheet '{h.sheet}': no column per indicator of the "
                        f"codebook; looked for {', '.join(r.looked_for() for r in PER_INDICATOR)}"
                        f" followed by a code such as {next(iter(lookup.values()), 'sdg1_x')}. "
                        f"Its columns: {_listed(h.cells)}")
    return h, DataColumns(h.at, per, _goal_columns(h.cells))


CODE_LAST = re.compile(r"^(?P<words>.*?)[\s:_]*(?P<code>sdg\d{1,2}_\w+)$", re.IGNORECASE)
CODE_FIRST = re.compile(r"^(?P<code>sdg\d{1,2}_\w+?)\s*:\s*\S", re.IGNORECASE)


def _about_indicator(cell: object, lookup: dict[str, str]) -> tuple[str, str] | None:
    """(code, role) of a column about one indicator: "Normalized Score: sdg1_wpc", or the raw
    value as "sdg1_depriv : Severe material deprivation rate (%)"."""
    text = str(cell or "").strip()
    if m := CODE_LAST.match(text):
        code, role = lookup.get(m["code"].lower()), _role_of(PER_INDICATOR, m["words"])
    elif m := CODE_FIRST.match(text):
        code, role = lookup.get(m["code"].lower()), "raw value"
    else:
        return None
    return (code, role) if code and role else None


def _indicator_columns(cells: list, lookup: dict[str, str]) -> dict[str, dict[str, int]]:
    """Per indicator its columns by role. SDSN heads the raw value with the indicator's name
    and puts it just before the indicator's other columns: where no header says "raw value",
    that column is the one."""
    per: dict[str, dict[str, int]] = {}
    for i, cell in enumerate(cells):
        if about := _about_indicator(cell, lookup):
            per.setdefault(about[0], {})[about[1]] = i
    return {code: {"raw value": min(at.values()) - 1, **at} for code, at in per.items()}


GOAL_FIRST = re.compile(r"^(?:goal|sdg) ?(\d{1,2})(?: (.*))?$")
GOAL_LAST = re.compile(r"^(.*) (?:goal|sdg) ?(\d{1,2})$")


def _about_goal(cell: object) -> tuple[int, str] | None:
    k = _key(cell)
    if m := GOAL_FIRST.match(k):
        goal, words = int(m[1]), m[2] or ""
    elif m := GOAL_LAST.match(k):
        goal, words = int(m[2]), m[1]
    else:
        return None
    role = _role_of(PER_GOAL, words)
    return (goal, role) if role and 1 <= goal <= 17 else None


def _goal_columns(cells: list) -> dict[int, dict[str, int]]:
    goals: dict[int, dict[str, int]] = {}
    for i, cell in enumerate(cells):
        if about := _about_goal(cell):
            goals.setdefault(about[0], {}).setdefault(about[1], i)
    return goals


def _countries(rows: Iterator[tuple[int, tuple]], cols: DataColumns) -> dict[str, Country]:
    out: dict[str, Country] = {}
    for _, row in rows:
        iso3 = str(_cell(row, cols.at["ISO3 code"]) or "").strip()
        if not ISO3.match(iso3):
            continue  # regional and income-group aggregates (_OECD, …) and blank rows
        out[iso3] = _country(row, iso3, cols)
    return out


def _country(row: tuple, iso3: str, cols: DataColumns) -> Country:
    at = cols.at
    missing = _number(_cell(row, at["missing share"]))
    c = Country(iso3, str(_cell(row, at["country name"])).strip(),
                str(_cell(row, at["region"]) or "").strip(),
                index=_number(_cell(row, at["index score"])), rank=_int(_cell(row, at["rank"])),
                missing_share=None if missing is None else missing / 100)
    for code, ind in cols.indicators.items():
        _indicator_cells(c, code, {role: _cell(row, i) for role, i in ind.items()})
    for g, goal in cols.goals.items():
        _goal_cells(c, g, {role: _cell(row, i) for role, i in goal.items()})
    return c


def _indicator_cells(c: Country, code: str, cells: dict[str, object]) -> None:
    if (value := _number(cells["raw value"])) is not None:
        c.values[code] = (value, _int(cells.get("year")))
    _assessed(code, cells.get("normalised score"), cells.get("colour"), cells.get("trend"),
              (c.scores, c.colours, c.trends))


def _goal_cells(c: Country, g: int, cells: dict[str, object]) -> None:
    _assessed(g, cells.get("goal score"), cells.get("goal colour"), cells.get("goal trend"),
              (c.goal_scores, c.goal_colours, c.goal_trends))


def _assessed(key: object, score: object, colour: object, trend: object,
              into: tuple[dict, dict, dict]) -> None:
    """A score, a dashboard colour and a trend arrow (of an indicator or a goal), each kept
    where the cell holds one."""
    if (s := _number(score)) is not None:
        into[0][key] = s
    if (name := _norm(colour)) in COLOURS:
        into[1][key] = name
    if arrow := ARROWS.get(str(trend or "").strip()):
        into[2][key] = arrow


def _norm(value: object) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip().lower()


def _trend_sheet(book: _Book, lookup: dict[str, str], skip: set[str]) -> Header | None:
    """The sheet of time series: country code, year and columns headed by the codebook's
    codes; the one named for trends first where there are several."""
    found = [h for h in book.headers(TREND, skip)
             if h.found(TREND) == _required(TREND) and _series_columns(h.cells, lookup)]
    return max(found, key=lambda h: ("trend" in h.sheet.lower(),
                                     len(_series_columns(h.cells, lookup))), default=None)


def _series_columns(cells: list, lookup: dict[str, str]) -> dict[int, str]:
    return {i: lookup[k] for i, c in enumerate(cells) if (k := _norm(c)) in lookup}


def _series(rows: Iterator[tuple[int, tuple]], h: Header, lookup: dict[str, str],
            countries: dict[str, Country]) -> list[tuple[str, str, int, float]]:
    iso, year = h.at["ISO3 code"], h.at["year"]
    codes = _series_columns(h.cells, lookup)
    out = []
    for _, row in rows:
        if _cell(row, iso) not in countries or _cell(row, year) is None:
            continue
        for i, code in codes.items():
            if (v := _number(_cell(row, i))) is not None:
                out.append((row[iso], code, int(row[year]), v))
    return out


def _edition(h: Header, source: str) -> int:
    """The edition's year, from the data sheet's name ("SDR2021 Data") or its index score
    column ("2021 SDG Index Score")."""
    for text in (h.sheet, _cell(h.cells, h.at["index score"])):
        if m := re.search(r"(?<!\d)((?:19|20)\d\d)(?!\d)", str(text or "")):
            return int(m.group(1))
    raise UserError(f"{source}: cannot tell the edition: neither the sheet name '{h.sheet}' nor "
                    f"the index score column '{_cell(h.cells, h.at['index score'])}' has a year")


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
