"""Hostile variants of real files, built by Hypothesis and sent to the data and catalog import
APIs: each gets a 2xx or a located 4xx answer (never a server error), an answer of bounded size,
and a refusal leaves the database as it was; what is accepted can be read back.

The seeds are real files from ../shared/data (tidy CSV files by codes and by names, one with a
breakdown, two SSB JSON-stat answers, a workbook of real rows), the catalog in its CSV, JSON and
XLSX layout (a real KS set exported) and a KS Turtle file from the mirror. The variants change
them the ways files go wrong: other encodings, random bytes, a cut at any point, headers
repeated or lost, short and long rows, numbers that are not finite or too large, periods out of
range, areas in a year they did not exist (not yet refused: only a located answer is asked
here), control characters and NUL, huge cells, deep nesting, JSON values of the wrong type
anywhere in a JSON-stat dataset, formula and error cells in a workbook, broken XML inside it;
the upload's name too long, only dots or with folders; and the import options given values of
any type. The fixed corpus of the issue's cases is test_hostile_inputs.py."""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError
from typer.testing import CliRunner

from localsdg.catalog import export
from localsdg.catalog.properties import MAX_FIELD
from localsdg.cli import app
from localsdg.db.session import session_scope
from localsdg.observations.store import MAX_BREAKDOWN
from localsdg.sources.data_import import TABLE_OPTIONS
from localsdg.sources.ks_taxonomy import sync_ks_taxonomy
from localsdg.sources.un_framework import sync_framework
from localsdg.web.uploads import safe_name
from tests.helpers import (
    HISTORY,
    KS_DIR,
    MAX_ANSWER,
    MIRROR,
    add_indicators,
    app_client,
    located_refusal,
    module_database,
    row_counts,
    send_file,
    synced,
)

# openpyxl warns about the damaged workbooks it is given here, then fails or reads them
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl.*")

TELEMARK = HISTORY / "stats" / "telemark"
FIXTURES = HISTORY / "fixtures"
KS_SET = "Areal---Fritidsbyggområder"  # a small real KS set (6 indicators)
INDICATOR = "lokal/fuzz"
FUZZ = settings(max_examples=600, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])

# ---------------------------------------------------------------- what goes into a cell

NUMBERS = ["1e309", "-1e309", "NaN", "nan", "Infinity", "-Infinity", "inf", "-0", "1e-400",
           "9" * 400, "0x1F", "1_000", "١٢٣", "12,3,4", "+", "1e", "--5", "½", "1.2.3",
           "12 %%", "∞"]
PERIODS = ["0001", "9999", "1799", "2101", "0", "-2020", "2020-13", "2020-02-30", "2024H3",
           "2024Q5", "2021 to 2019", "9" * 30, "2020/1999", "uke 60 2020", "2020-00-01",
           "31.02.2020", "2020M13", "år 2020"]
# codes of real areas in a year they did not exist, and codes that never did
AREAS_NOT_THEN = [("1507", "2024"), ("4003", "2020"), ("3001", "2024"), ("5001", "1995"),
                  ("0199", "2020"), ("K-1507", "2024"), ("50", "2020"), ("30", "2024")]
TEXTS = ["\x00", "a\x00b", "\x1b[31mred", "\u202eevil", "\ufeff", "a\rb", "=1+1", "'=1",
         "@SUM(A1)", "x" * 100_000, "🤖", "..", "../../../etc/passwd", "a|b", "a\nb", " ",
         "#DIV/0!", "#REF!", "<script>", "%s%n", "Robert'); DROP TABLE indicator;--"]
hostile_text = st.sampled_from(TEXTS) | st.text(max_size=40)
CELLS = {"value": st.sampled_from(NUMBERS) | hostile_text,
         "period": st.sampled_from(PERIODS) | hostile_text,
         "area": st.sampled_from([a for a, _ in AREAS_NOT_THEN]) | hostile_text,
         "id": st.sampled_from(TEXTS + ["x" * 5000, "", "a/b", "a\\b", "\t"]) | hostile_text,
         "text": hostile_text}
# in a workbook cells also hold numbers, dates, booleans and formulas
WORKBOOK_CELLS = (st.floats() | st.integers(min_value=-(10**20), max_value=10**20)
                  | st.booleans() | st.datetimes() | st.sampled_from(
                      ["=1/0", "=SUM(A1:A3)", "=#REF!", "=A1", "=NA()", '=HYPERLINK("x")']))
# raw JSON, spliced into a document in place of any value
JSON_VALUES = ["null", "true", "false", "0", "-1", "1.5", "-0", "1e308", "1e309", "-1e309",
               "NaN", "Infinity", "-Infinity", "1" * 400, '""', '"x"', '"\\u0000"',
               '"' + "x" * 100_000 + '"', "[]", "{}", "[null]", '{"": null}', "[" * 50_000 +
               "]" * 50_000, '{"a":' * 20_000 + "1" + "}" * 20_000, '"2024"', '"9999"',
               '"..\\/..\\/etc"', '["1", 2]', '{"0": 1}']
# raw text put into a workbook's XML in place of a cell's value
XML_VALUES = ["NaN", "INF", "-INF", "1e309", "-0", "#DIV/0!", "", "abc", "&#0;", "&#1;", "\x01",
              "\x00", "&bogus;", "<v>", "]]>", "1" * 400, "2024", "9999"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-32", "cp037",
             "shift_jis", "koi8-r"]


# ---------------------------------------------------------------- the real files they start from


@dataclass
class Seed:
    """A real file and how to import it: the route, the options, and for a table its rows
    and which column holds what (the cells each role gets)."""

    name: str
    route: str  # "data" or "catalog"
    raw: bytes
    options: dict | None = None
    rows: list[list] = field(default_factory=list)  # a table's lines, header first
    roles: dict[str, str] = field(default_factory=dict)  # column → its kind of cell
    delimiter: str = ","
    doc: object = None  # a JSON file's content
    paths: list[tuple] = field(default_factory=list)  # every place in `doc`

    @property
    def kind(self) -> str:
        return Path(self.name).suffix.lstrip(".")


def _csv_seed(name: str, raw: bytes, route: str, options: dict | None, roles: dict) -> Seed:
    text = raw.decode("utf-8-sig")
    delimiter = max((";", ",", "\t"), key=text.split("\n", 1)[0].count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return Seed(name, route, raw, options, rows, roles, delimiter)


def _xlsx_seed(name: str, raw: bytes, route: str, options: dict | None, roles: dict) -> Seed:
    book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return Seed(name, route, raw, options, rows, roles)


def _json_seed(name: str, raw: bytes, route: str, options: dict | None) -> Seed:
    doc = json.loads(raw)
    return Seed(name, route, raw, options, doc=doc, paths=list(_paths(doc)))


def _paths(doc: object, at: tuple = ()):
    yield at
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(
        doc, list) else ()
    for key, value in items:
        yield from _paths(value, (*at, key))


def _workbook(rows: list[list], title: str = "Ark1") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _seeds(folder: Path, url: str) -> list[Seed]:
    coverage = TELEMARK / "dekningsgrad_barnehage.csv"  # codes, dates as periods, shares
    crowded = TELEMARK / "bor_trangt_2024.csv"  # names, one year
    people = TELEMARK / "ssb_folketall_telemark_kommuner.csv"  # names, years, a breakdown
    by_code = {"indicator": INDICATOR, "area": "Kommunenummer", "period": "År",
               "value": "Andel"}
    roles = {"Kommunenummer": "area", "År": "period", "Andel": "value"}
    rows = _csv_seed("x.csv", coverage.read_bytes(), "data", None, {}).rows
    typed = [rows[0]] + [[int(a), b, c, float(d)] for a, b, c, d in rows[1:]]
    seeds = [
        _csv_seed(coverage.name, coverage.read_bytes(), "data", by_code, roles),
        _csv_seed(crowded.name, crowded.read_bytes(), "data", {
            "indicator": INDICATOR, "area": "Kommune", "value": "Andel (2024)",
            "period_value": "2024", "borders": 2024}, {"Kommune": "area",
                                                       "Andel (2024)": "value"}),
        _csv_seed(people.name, people.read_bytes(), "data", {
            "indicator": INDICATOR, "area": "region", "period": "år", "value": "value",
            "dims": ["statistikkvariabel"], "borders": 2024},
            {"region": "area", "år": "period", "value": "value"}),
        _xlsx_seed("dekningsgrad_barnehage.xlsx", _workbook(typed), "data", by_code, roles),
        *[_json_seed(path.name, path.read_bytes(), "data", {"indicator": INDICATOR})
          for path in sorted(FIXTURES.glob("ssb_*_jsonstat2*.json"))],
    ]
    catalog_roles = {"set_id": "id", "code": "id", "name_nb": "text", "goals": "value",
                     "targets": "period", "links": "id"}
    for fmt, read in (("csv", _csv_seed), ("xlsx", _xlsx_seed), ("json", None)):
        path = folder / f"fritidsbygg.{fmt}"
        with session_scope(url) as s:
            export.export(s, fmt, path, [KS_SET])
        seeds.append(_json_seed(path.name, path.read_bytes(), "catalog", None) if read is None
                     else read(path.name, path.read_bytes(), "catalog", None, catalog_roles))
    return seeds


def _fuzz_database(kind: str, factory: pytest.TempPathFactory):
    """A database with the UN framework, the areas, a KS set and an indicator to import into,
    and the seeds (the catalog's are exported from it)."""
    gen = module_database(kind, factory)
    url = next(gen)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOCALSDG_MIRROR", str(MIRROR))
        with session_scope(url) as s:
            sync_framework(s)
        synced(url)
        with session_scope(url) as s:
            sync_ks_taxonomy(s, [KS_SET])
    add_indicators(url, "fuzz")
    yield url, {s.name: s for s in _seeds(factory.mktemp("seeds"), url)}
    next(gen, None)


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory: pytest.TempPathFactory):
    yield from _fuzz_database("sqlite", tmp_path_factory)


@pytest.fixture(scope="module")
def pg_fuzz_db(tmp_path_factory: pytest.TempPathFactory):
    yield from _fuzz_database("postgresql", tmp_path_factory)


def _client(db, monkeypatch: pytest.MonkeyPatch):
    url, seeds = db
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", url)
    return app_client(), url, seeds


@pytest.fixture
def fuzz(fuzz_db, monkeypatch: pytest.MonkeyPatch):
    """The app on the SQLite database (the embedded mode)."""
    return _client(fuzz_db, monkeypatch)


@pytest.fixture
def pg_fuzz(pg_fuzz_db, monkeypatch: pytest.MonkeyPatch):
    """The app on the PostgreSQL database (server mode, with an administrator's token)."""
    return _client(pg_fuzz_db, monkeypatch)


# ---------------------------------------------------------------- how a file goes wrong


def truncated(raw: bytes):
    return st.integers(0, max(len(raw) - 1, 0)).map(lambda n: raw[:n])


@st.composite
def spliced(draw, raw: bytes) -> bytes:
    """Random bytes (or a NUL, a control character, 20,000 blank lines) put in at a random
    place, over what was there or between."""
    at = draw(st.integers(0, len(raw)))
    junk = draw(st.binary(min_size=1, max_size=64) | st.sampled_from(
        [b"\x00", b"\x1a", b"\r", b"\xff\xfe", b"\xef\xbb\xbf", b"\n" * 20_000, b"\x81\x8d"]))
    cut = draw(st.sampled_from([0, len(junk)]))
    return raw[:at] + junk + raw[at + cut:]


@st.composite
def table_variant(draw, seed: Seed) -> list[list]:
    """The seed's lines with one to three things wrong in them."""
    rows = [list(r) for r in seed.rows]
    for _ in range(draw(st.integers(1, 3))):
        draw(st.sampled_from(TABLE_CHANGES))(draw, rows, seed)
    return rows


def _line(draw, rows: list[list]) -> int:
    return draw(st.integers(1, max(len(rows) - 1, 1))) if len(rows) > 1 else 0


def _cell(draw, rows, seed: Seed) -> None:
    """One cell gets what its column's kind must refuse (or anything)."""
    header = rows[0] if rows else []
    if not header:
        return
    j = draw(st.integers(0, len(header) - 1))
    kind = seed.roles.get(str(header[j]), "text")
    i = _line(draw, rows)
    cells = CELLS[kind] | WORKBOOK_CELLS if seed.kind == "xlsx" else CELLS[kind]
    rows[i] += [""] * (j + 1 - len(rows[i]))
    rows[i][j] = draw(cells)


def _not_then(draw, rows, seed: Seed) -> None:
    """An area code in a year when that area did not exist."""
    where = {kind: seed.rows[0].index(col) for col, kind in seed.roles.items()
             if col in seed.rows[0]}
    if "area" not in where or not rows or len(rows) < 2:
        return
    code, year = draw(st.sampled_from(AREAS_NOT_THEN))
    i = _line(draw, rows)
    rows[i] += [""] * (len(seed.rows[0]) - len(rows[i]))
    rows[i][where["area"]] = code
    if "period" in where:
        rows[i][where["period"]] = year


def _header(draw, rows, seed: Seed) -> None:
    """A header cell repeated, emptied, renamed or lost; or the header line lost."""
    if not rows or not rows[0]:
        return
    header = rows[0]
    j = draw(st.integers(0, len(header) - 1))
    change = draw(st.sampled_from(["repeat", "empty", "rename", "drop", "lose"]))
    if change == "repeat":
        header[j] = header[draw(st.integers(0, len(header) - 1))]
    elif change == "empty":
        header[j] = ""
    elif change == "rename":
        header[j] = draw(hostile_text)
    elif change == "drop":
        del header[j]
    else:
        del rows[0]


def _shape(draw, rows, seed: Seed) -> None:
    """A line cut short or made longer, lost or repeated (with another value); the table cut
    after any line; a thousand more columns."""
    if len(rows) < 2:
        return
    i = _line(draw, rows)
    change = draw(st.sampled_from(["short", "long", "lose", "repeat", "cut", "wide"]))
    if change == "short":
        rows[i] = rows[i][:draw(st.integers(0, max(len(rows[i]) - 1, 0)))]
    elif change == "long":
        rows[i] += draw(st.lists(hostile_text, min_size=1, max_size=3))
    elif change == "lose":
        del rows[i]
    elif change == "repeat":
        again = list(rows[i])
        if again:
            again[-1] = draw(CELLS["value"])
        rows.insert(i, again)
    elif change == "cut":
        del rows[i:]
    else:
        for r in rows:
            r += [f"c{n}" for n in range(1000)]


TABLE_CHANGES = [_cell, _cell, _not_then, _header, _shape]


def _csv_text(rows: list[list], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(
        ["" if c is None else c for c in r] for r in rows)
    return out.getvalue()


@st.composite
def csv_variant(draw, seed: Seed) -> bytes:
    text = _csv_text(draw(table_variant(seed)), seed.delimiter)
    if draw(st.booleans()):  # a quote left open on some line
        lines = text.split("\n")
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] += '"' + draw(st.sampled_from(["12", "", "a;b"]))
        text = "\n".join(lines)
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


@st.composite
def reencoded(draw, seed: Seed) -> bytes:
    """The real file, unchanged but in another encoding."""
    return seed.raw.decode("utf-8-sig").encode(draw(st.sampled_from(ENCODINGS)),
                                               errors="replace")


@st.composite
def xlsx_variant(draw, seed: Seed) -> bytes:
    rows = draw(table_variant(seed))
    try:
        return _workbook(rows, draw(st.sampled_from(["Ark1", "indicators"])))
    except (IllegalCharacterError, ValueError, TypeError):
        # text openpyxl will not write (control characters): the unchanged lines, and the
        # control characters go in through the XML instead (xml_variant)
        return seed.raw


XML_SLOTS = re.compile(rb"<(v|t)>([^<]*)</\1>")


@st.composite
def xml_variant(draw, seed: Seed) -> bytes:
    """One part of the workbook (a sheet, the shared strings, the workbook's own XML) with a
    cell's value replaced by raw text, or its XML cut short, nested deeply or spliced."""
    source = zipfile.ZipFile(io.BytesIO(seed.raw))
    names = source.namelist()
    part = draw(st.sampled_from(names))
    xml = source.read(part)
    slots = list(XML_SLOTS.finditer(xml))
    change = draw(st.sampled_from(["value", "value", "cut", "nest", "splice", "lose"]))
    if change == "value" and slots:
        m = slots[draw(st.integers(0, len(slots) - 1))]
        new = draw(st.sampled_from(XML_VALUES)).encode()
        xml = xml[:m.start(2)] + new + xml[m.end(2):]
    elif change == "cut":
        xml = draw(truncated(xml))
    elif change == "nest":
        xml = xml.replace(b"<sheetData>", b"<sheetData>" + b"<row>" * 20_000, 1)
    elif change == "splice":
        xml = draw(spliced(xml))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            if name != part or change != "lose":
                target.writestr(name, xml if name == part else source.read(name))
    return out.getvalue()


SENTINEL = "\x01hostile\x01"


@st.composite
def json_variant(draw, seed: Seed) -> bytes:
    """A value anywhere in the document replaced by raw JSON of any type (or one that JSON
    does not allow), or taken out; in a JSON-stat dataset also an area code that did not
    exist in the period, or a period out of range."""
    doc = copy.deepcopy(seed.doc)
    change = draw(st.sampled_from(["replace", "replace", "remove", "area", "period"]))
    if change in ("area", "period") and _is_jsonstat(doc):
        _rename_category(draw, doc, change)
        return json.dumps(doc).encode()
    path = draw(st.sampled_from(seed.paths))
    if not path:
        return draw(st.sampled_from(JSON_VALUES)).encode()
    parent = _at(doc, path[:-1])
    if change == "remove":
        del parent[path[-1]]
        return json.dumps(doc).encode()
    parent[path[-1]] = SENTINEL
    raw = draw(st.sampled_from(JSON_VALUES) | st.text(max_size=20).map(json.dumps))
    return json.dumps(doc).replace(json.dumps(SENTINEL), raw, 1).encode()


def _is_jsonstat(doc: object) -> bool:
    return isinstance(doc, dict) and doc.get("class") == "dataset"


def _at(doc, path: tuple):
    for key in path:
        doc = doc[key]
    return doc


def _rename_category(draw, doc: dict, change: str) -> None:
    """One area code (or period) of the dataset's geo (or time) dimension renamed."""
    dim = doc["role"]["geo" if change == "area" else "time"][0]
    category = doc["dimension"][dim]["category"]
    old = draw(st.sampled_from(sorted(category["index"])))
    if change == "area":
        code, year = draw(st.sampled_from(AREAS_NOT_THEN))
        new = code
        time = doc["dimension"][doc["role"]["time"][0]]["category"]
        _rename(time, next(iter(time["index"])), year)
    else:
        new = draw(st.sampled_from(PERIODS))
    _rename(category, old, new)


def _rename(category: dict, old: str, new: str) -> None:
    index = category["index"]
    category["index"] = {(new if k == old else k): v for k, v in index.items()}
    if "label" in category:
        category["label"] = {(new if k == old else k): v for k, v in category["label"].items()}


def hostile(seed: Seed):
    """Variants of the seed, by what kind of file it is, and the bytes of any file cut short
    or with bytes spliced in."""
    common = [truncated(seed.raw), spliced(seed.raw)]
    by_kind = {"csv": [csv_variant(seed), csv_variant(seed), reencoded(seed)],
               "xlsx": [xlsx_variant(seed), xml_variant(seed), xml_variant(seed)],
               "json": [json_variant(seed), json_variant(seed), reencoded(seed)]}
    return st.one_of(*common, *by_kind[seed.kind])


# ---------------------------------------------------------------- the checks


def _answer_checked(client, url: str, seed: Seed, content: bytes, options: dict | None,
                    *names: str, upload: str | None = None) -> int:
    """Send the file (under the seed's name, or `upload`); check the answer (and the database
    after a refusal); return the status."""
    before = row_counts(url)
    r = send_file(client, seed.route, upload or seed.name, content, options)
    event(f"{seed.kind} {seed.route}: {r.status_code}")  # --hypothesis-show-statistics
    assert r.status_code < 500, (r.status_code, r.text[:500])
    if r.status_code >= 400:
        kept = safe_name(upload or seed.name)  # the name the server keeps it under
        body = located_refusal(r, kept, *names)
        assert all(_located(p, kept) for p in body.get("problems") or []), body
        assert row_counts(url) == before
    else:
        assert r.status_code < 300, r.status_code
        _readable(client, seed, r.json())
    return r.status_code


PLACE = re.compile(r"\b(line|row|column|value|values|header|sheet|dimension|id|size|role|"
                   r"index|link from|sets\[\d+\])\b")


FIELD = re.compile(r"^[a-z_]+(\[\d+\]|\.[a-z_]+)*: ")  # label: …, sets[0].indicators[2]: …


def _located(problem: str, name: str) -> bool:
    """A problem names the file or a place in it (a line, a row, a column, a field)."""
    return (name in problem or bool(PLACE.search(problem) or FIELD.match(problem))
            or problem.startswith("…"))


def _readable(client, seed: Seed, answer: dict) -> None:
    """What was accepted can be read back, and holds nothing it should not: values finite,
    periods within 1800-2100, text without control characters and of bounded length."""
    if seed.route == "catalog":
        for set_id in answer["sets"]:
            _set_readable(client, set_id)
        return
    r = client.get("/api/v1/data", params={"indicator": INDICATOR, "borders": "none"})
    assert r.status_code == 200, r.text[:500]
    for row in (x for x in r.json() if x["batch"] == answer.get("batch_id")):
        assert row["value"] is None or math.isfinite(row["value"]), row
        assert 1800 <= row["start_year"] <= row["end_year"] <= 2100, row
        assert all(_plain(t, MAX_BREAKDOWN) for t in _texts([row["dims"], row["unit"]])), row


def _set_readable(client, set_id: str) -> None:
    r = client.get(f"/api/v1/sets/{quote(set_id, safe='')}/export", params={"format": "json"})
    assert r.status_code == 200, r.text[:500]
    assert not (bad := [t[:80] for t in _texts(r.json()) if not _plain(t, MAX_FIELD)]), bad


def _texts(doc: object):
    """Every text in a JSON document, keys too."""
    if isinstance(doc, str):
        yield doc
    elif isinstance(doc, dict):
        for k, v in doc.items():
            yield k
            yield from _texts(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from _texts(v)


def _plain(text: str, limit: int) -> bool:
    return len(text) <= limit and not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)


def test_the_real_files_themselves_are_accepted(fuzz):
    """The seeds are files the importers take as they are, so their variants are near misses."""
    client, url, seeds = fuzz
    for seed in seeds.values():
        r = send_file(client, seed.route, seed.name, seed.raw, seed.options)
        assert r.status_code == 200, (seed.name, r.text[:500])
        _readable(client, seed, r.json())


@FUZZ
@given(data=st.data())
def test_hostile_variants_of_real_files_get_a_located_answer(fuzz, data):
    _hostile_file(*fuzz, data)


@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_hostile_variants_of_real_files_on_postgresql(pg_fuzz, data):
    """Fewer of the same on PostgreSQL, where a refusal must roll back as well."""
    _hostile_file(*pg_fuzz, data)


def _hostile_file(client, url: str, seeds: dict[str, Seed], data) -> None:
    seed = seeds[data.draw(st.sampled_from(sorted(seeds)), label="seed")]
    content = data.draw(hostile(seed), label="content")
    upload = data.draw(st.sampled_from([seed.name] * 6 + upload_names(seed.name)), label="name")
    _answer_checked(client, url, seed, content, seed.options, upload=upload)


def upload_names(name: str) -> list[str]:
    """The file's name as hostile clients send it: too long (in bytes too), only dots, with
    folders (Windows' too), or its suffix in capitals."""
    suffix = Path(name).suffix
    return ["a" * 300 + suffix, "ø" * 200 + suffix, ".", "..", f"../../{name}",
            f"C:\\Users\\kari\\{name}", name.upper()]


# options as the API takes them (`localsdg data import`'s), each given a value of any JSON type
OPTIONS = sorted(TABLE_OPTIONS | {"indicator", "publisher", "skip_bad", "on_duplicate",
                                  "create", "unknown"})
# a refusal of options names the one given (`borders`), or one as the command line does
# (`--borders`, `--map` for `indicators`)
FLAGS = [*("--" + o.replace("_", "-") for o in OPTIONS), "--map"]
option_values = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
                 | st.lists(st.text(max_size=5), max_size=3)
                 | st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2)
                 | st.sampled_from(["..", "utf-16", "latin-9x", "Ark1", "x" * 10_000, "lokal/ny",
                                    "lokal/fuzz", "un-global/1.1.1", "last", "\x00", "1e309",
                                    "municipality", "county", "2024", "9999"]))


@settings(FUZZ, max_examples=300)
@given(data=st.data())
def test_hostile_import_options_get_a_located_answer(fuzz, data):
    """One option of a real import given another value of any type, or left out."""
    client, url, seeds = fuzz
    seed = seeds[data.draw(st.sampled_from(sorted(n for n, s in seeds.items()
                                                  if s.route == "data")), label="seed")]
    key = data.draw(st.sampled_from(OPTIONS), label="option")
    options = dict(seed.options)
    if data.draw(st.booleans(), label="leave out") and key in options:
        del options[key]
    else:
        options[key] = data.draw(option_values, label="value")
    _answer_checked(client, url, seed, seed.raw, options, key, *FLAGS)


# ---------------------------------------------------------------- a KS Turtle file

# No API route takes Turtle: KS's sets come in through `localsdg sync ks-taxonomy`, from the
# mirror. The variants are written into a copy of KS's folder of it and synced from there.
TURTLE_SNIPPETS = ["[ " * 5_000 + "]" * 5_000, "( " * 5_000 + ")" * 5_000,
                   '<a> <b> "\\u0000" .', '<a> <b> "' + "x" * 100_000 + '" .', "@prefix x: <",
                   '<a> <b> "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .', "\ufeff",
                   "<> <> <> .", "@base <file:///etc/passwd> .", '"""', "<" + "a" * 10_000 + ">",
                   "_:b <http://www.w3.org/2004/02/skos/core#prefLabel> _:b ."]


def _ks_mirror(root: Path) -> Path:
    """A mirror of KS's files only, copied (never linked: the real mirror is not to be
    written), with the set's file ours to change."""
    host = KS_DIR.parts[0]
    shutil.copytree(MIRROR / host, root / "mirror" / host)
    ours = root / "mirror" / KS_DIR / f"{KS_SET}.ttl"
    ours.chmod(0o644)
    return ours


@st.composite
def turtle_variant(draw, raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    at = draw(st.integers(0, len(lines)))
    snippet = draw(st.sampled_from(TURTLE_SNIPPETS)).encode()
    return b"\n".join([*lines[:at], snippet, *lines[at:]])


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_hostile_variants_of_a_ks_turtle_file_are_refused_by_sync(fuzz, data, tmp_path,
                                                                   monkeypatch):
    """Exit 0 or 2 (the user's error, naming the file), never a traceback; nothing changed
    after a refusal."""
    client, url, _ = fuzz
    path = MIRROR / KS_DIR / f"{KS_SET}.ttl"
    raw = path.read_bytes()
    seed = Seed(path.name, "ks", raw)
    content = data.draw(st.one_of(truncated(raw), spliced(raw), reencoded(seed),
                                  turtle_variant(raw), turtle_variant(raw)), label="content")
    ours = tmp_path / "mirror" / KS_DIR / f"{KS_SET}.ttl"
    if not ours.exists():
        ours = _ks_mirror(tmp_path)
    assert not ours.is_symlink() and ours.resolve().is_relative_to(tmp_path.resolve())
    ours.write_bytes(content)
    monkeypatch.setenv("LOCALSDG_MIRROR", str(tmp_path / "mirror"))
    before = row_counts(url)
    result = CliRunner().invoke(app, ["sync", "ks-taxonomy", "--set", KS_SET])
    event(f"exit {result.exit_code}")
    assert result.exit_code in (0, 2), (result.exit_code, result.output[-2000:])
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert KS_SET in result.output and len(result.output) < MAX_ANSWER, result.output[:500]
        assert row_counts(url) == before
    else:
        _set_readable(client, KS_SET)
