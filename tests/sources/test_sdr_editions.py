"""SDR workbooks of every edition documented in docs/scoring.md read to the same roles: each case
builds a small workbook (one indicator, two countries and an aggregate) in an edition's layout,
with the sheet names and header spellings SDSN wrote (the source is named with each layout),
and the reader must find the same bounds, values, scores, colours, trends, goal results, index
and rank. Where no sheet has a role, the refusal names the role, the sheet, what was looked for
and what the sheet has."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

import openpyxl
import pytest

from localsdg.errors import UserError
from localsdg.sources import sdr_workbook

CODE = "sdg1_wpc"
NAME = "Poverty headcount ratio at $1.90/day (%)"
INDICATOR = {"code": CODE, "name": NAME, "goal": 1, "optimum": 0, "lower": 72.6, "green": 2,
             "red": 13, "global": "yes", "oecd": "yes", "years": "2015 - 2021",
             "justification": "SDG Target", "source": "World Data Lab"}
COUNTRIES = {
    "NOR": {"country": "Norway", "region": "OECD", "index": 82.0, "rank": 7, "missing": 1.2,
            "value": 0.3, "year": 2020, "score": 99.6, "colour": "green", "trend": "↑",
            "goal score": 99.6, "goal colour": "green", "goal trend": "↑"},
    "SWE": {"country": "Sweden", "region": "OECD", "index": 85.6, "rank": 2, "missing": 0,
            "value": 0.5, "year": 2021, "score": 99.3, "colour": "yellow", "trend": "➚",
            "goal score": 99.3, "goal colour": "red", "goal trend": "➚"},
}
AGGREGATE = {"iso3": "_OECD", "country": "OECD members", "index": 78.0, "value": 1.0}
SERIES = [("NOR", 2019, 0.4), ("NOR", 2020, 0.3), ("SWE", 2021, 0.5), ("_OECD", 2020, 1.0)]


@dataclass(frozen=True)
class Layout:
    sheet: str
    kind: str  # what its rows hold: "codebook", "countries" or "series"
    columns: tuple[tuple[str, str | None], ...]  # header ("{code}", "{name}" filled in), fact
    titles: int = 0  # rows of title text above the header


@dataclass(frozen=True)
class Edition:
    name: str
    layouts: tuple[Layout, ...]

    def has(self, fact: str) -> bool:
        return any(fact == f for layout in self.layouts for _, f in layout.columns)

    def swapped(self, fact: str, header: str) -> Edition:
        """The same edition with another header for a fact (in every sheet)."""
        return replace(self, layouts=tuple(replace(lay, columns=tuple(
            (header if f == fact else h, f) for h, f in lay.columns)) for lay in self.layouts))

    def without(self, fact: str) -> Edition:
        return replace(self, layouts=tuple(replace(lay, columns=tuple(
            (h, f) for h, f in lay.columns if f != fact)) for lay in self.layouts))


# The columns about one indicator in the data sheets of 2020 and 2021 (and, not documented for
# them, used for the later editions): the raw value headed by the indicator's name, then these.
PER_INDICATOR = (("{name}", "value"), ("Year: {code}", "year"), ("Imputation: {code}", None),
                 ("Normalized Score: {code}", "score"), ("Dashboard Color: {code}", "colour"),
                 ("Trend: {code}", "trend"))
# Codebook columns of 2021, also in the 2025 codebook but for "Years used" (see below)
CODEBOOK_2021 = (
    ("IndCode", "code"), ("SDG", "goal"), ("Global", "global"), ("OECD", "oecd"),
    ("Spillover", None), ("Trend_Global", None), ("Trend_OECD", None), ("Indicator", "name"),
    ("Years Used for Trend Evaluation", "years"), ("Reference Year", None),
    ("Optimum (= 100)", "optimum"), ("Green threshold", "green"), ("Red threshold", "red"),
    ("Lower Bound (=0)", "lower"), ("Justification for Optimum", "justification"),
    ("Dwldlink", None), ("Source", "source"), ("Description", None), ("Imputation", None))
DATA_2021 = (
    ("Country Code ISO3", "iso3"), ("Country", "country"), ("2021 SDG Index Score", "index"),
    ("2021 SDG Index Rank", "rank"), ("Percentage missing values", "missing"),
    ("Spillover Score (0-100)", None), ("Regional Score (0-100)", None),
    ("Regions used for the SDR", "region"), ("Population in 2020", None),
    ("Goal 1 Dash", "goal colour"), ("Goal 1 Trend", "goal trend"), *PER_INDICATOR,
    ("Goal 1 Score", "goal score"), ("Goal 1 Regional Score", None))

EDITIONS = [
    # sdsna/2019GlobalIndex @53bfc20, 2019GlobalIndexResults.xlsx (the shared mirror)
    Edition("2019", (
        Layout("Overview", "countries", (
            ("country", "country"), ("id", "iso3"), ("2019 Global Index Score (0-100)", "index"),
            ("2019 Global Index Rank", "rank"), ("Goal 1 Dashboard", "goal colour")), titles=1),
        Layout("Codebook", "codebook", (
            ("global", "global"), ("oecd", "oecd"), ("trend", None), ("trendoecd", None),
            ("spillover", None), ("Code", "code"), ("Indicator", "name"), ("units", None),
            ("Best value (= 100)", "optimum"), ("Worst value (= 0)", "lower"),
            ("greenthr", "green"), ("redthr", "red"), ("source", "source"))),
        Layout("SDR2019 Data", "countries", (
            ("Country", "country"), ("id", "iso3"), ("2019 Global Index Score (0-100)", "index"),
            ("2019 Global Index Rank", "rank"), ("Percentage missing values", "missing"),
            ("UN region name", None), ("Regions used for the SDG Index & Dashboard", "region"),
            ("Goal 1 Dashboard", "goal colour"), ("Goal 1 Trend", "goal trend"),
            ("{name}", "value"), ("impute_{code}", None), ("Normalized Score {code}", "score"),
            ("Dashboard Color {code}", "colour"), ("Trend {code}", "trend"),
            ("Goal 1 Score", "goal score"), ("Goal 1 Regional Score", None)), titles=1),
        Layout("Raw Data (trends)", "series", (
            ("country", None), ("id", "iso3"), ("year", "series year"),
            ("Regions used for the SDG Index & Dashboard", None), ("{code}", "series value"))))),
    # sdsna/SDR2020 @dae69ac, SDR2020Database.xlsx: the codebook's "Indicator" holds the codes
    # and "Label" the names; an overview sheet has the country columns but no indicator ones
    Edition("2020", (
        Layout("Overview", "countries", (
            ("Country", "country"), ("id", "iso3"), ("2020 SDG Index Score", "index"),
            ("2020 SDG Index Rank", "rank"), ("Spillover Score (0-100)", None),
            ("Regions used for the SDR", "region"), ("Goal 1 Dash", "goal colour"),
            ("Goal 1 Trend", "goal trend"))),
        Layout("Codebook", "codebook", (
            ("SDG", "goal"), ("Global", "global"), ("OECD", "oecd"), ("Spillover", None),
            ("Trend_Global", None), ("Trend_OECD", None), ("Indicator", "code"),
            ("Label", "name"), ("Years_Used", "years"), ("Optimum (= 100)", "optimum"),
            ("Lower Bound (=0)", "lower"), ("Green threshold", "green"),
            ("Red threshold", "red"), ("Justification for Optimum", "justification"),
            ("Reference_Year", None), ("Source", "source"), ("Dwldlink", None),
            ("Description", None), ("Imputation", None))),
        Layout("SDR2020 Data", "countries", (
            ("Country", "country"), ("id", "iso3"), ("2020 SDG Index Score", "index"),
            ("2020 SDG Index Rank", "rank"), ("Percentage missing values", "missing"),
            ("Regions used for the SDR", "region"), ("Goal 1 Dash", "goal colour"),
            ("Goal 1 Trend", "goal trend"), *PER_INDICATOR, ("Goal 1 Score", "goal score"))),
        Layout("Raw Trend Data", "series", (
            ("Country", None), ("id", "iso3"), ("Year", "series year"), ("Population", None),
            ("{code}", "series value"))))),
    # sdsna/SDR2021 @c13a2e3, "SDR 2021 - Database.xlsx" (the shared mirror); its "Raw Data"
    # sheet heads raw values by name, without years: not the time series
    Edition("2021", (
        Layout("Codebook", "codebook", CODEBOOK_2021),
        Layout("SDR2021 Data", "countries", DATA_2021),
        Layout("Raw Data", "countries", (
            ("Country Code ISO3", "iso3"), ("Country", "country"),
            ("Regions used for the SDG Index & Dashboard", "region"), ("{name}", "value"))),
        Layout("Data for Trends", "series", (
            ("id", "iso3"), ("Country", None), ("Year", "series year"), ("Population", None),
            ("{code} ", "series value"))))),
    # SDR 2023: sheet "SDR 2023 Data" with "Country Code ISO3" and "2023 SDG Index Score" (an R
    # script reading SDR2023-data.xlsx, found by code search); the rest as 2021
    Edition("2023", (
        Layout("Codebook", "codebook", CODEBOOK_2021),
        Layout("SDR 2023 Data", "countries", tuple(
            (h.replace("2021", "2023"), f) for h, f in DATA_2021)))),
    # SDR 2025: codebook columns of MafiAtUN/country-classification-commons
    # docs/data/sdr2025_codebook.json; "SDR2025 Data" with "Country Code ISO3", "2025 SDG Index
    # Score/Rank", "Regions used for the SDR", "Percentage missing values", "Goal N Score/Dash/
    # Trend" (Python scripts reading SDR2025-data.xlsx); "Backdated SDG Index" with id, year,
    # sdgi_s, goalN and normalised scores n_<code>: not the raw time series
    Edition("2025", (
        Layout("Codebook", "codebook", tuple(
            ("Years used", f) if f == "years" else (h, f) for h, f in CODEBOOK_2021)),
        Layout("SDR2025 Data", "countries", (
            ("Country Code ISO3", "iso3"), ("Country", "country"),
            ("2025 SDG Index Score", "index"), ("2025 SDG Index Rank", "rank"),
            ("Percentage missing values", "missing"), ("Regions used for the SDR", "region"),
            ("Population in 2024", None), ("Goal 1 Score", "goal score"),
            ("Goal 1 Dash", "goal colour"), ("Goal 1 Trend", "goal trend"), *PER_INDICATOR)),
        Layout("Backdated SDG Index", "series", (
            ("id", "iso3"), ("Country", None), ("year", "series year"), ("sdgi_s", None),
            ("goal1", None), ("n_{code}", "series value"))))),
]


def _workbook(edition: Edition) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for layout in edition.layouts:
        ws = book.create_sheet(layout.sheet)
        for _ in range(layout.titles):
            ws.append(["This data should be cited as: Sachs, J. et al., Sustainable Development "
                       "Report. SDSN."])
        ws.append([h.format(code=CODE, name=NAME) for h, _ in layout.columns])
        for record in _records(layout.kind):
            ws.append([record.get(f) if f else None for _, f in layout.columns])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _records(kind: str) -> list[dict]:
    if kind == "codebook":
        return [INDICATOR]
    if kind == "series":
        return [{"iso3": iso3, "series year": y, "series value": v} for iso3, y, v in SERIES]
    return [{"iso3": iso3, **facts} for iso3, facts in COUNTRIES.items()] + [AGGREGATE]


def _read(edition: Edition) -> sdr_workbook.Workbook:
    return sdr_workbook.read_workbook(_workbook(edition), f"SDR {edition.name}.xlsx")


def _facts(wb: sdr_workbook.Workbook) -> dict:
    i = wb.indicators[CODE]
    return {"indicator": (i.name, i.goal, i.upper, i.lower, i.green, i.red, i.in_index, i.oecd,
                          i.trend_years, i.justification, i.source),
            "countries": {iso3: (c.name, c.region, c.index, c.rank, c.missing_share, c.values,
                                 c.scores, c.colours, c.trends, c.goal_scores, c.goal_colours,
                                 c.goal_trends) for iso3, c in wb.countries.items()},
            "series": sorted(wb.series)}


def _expected(edition: Edition) -> dict:
    """What every edition says, less what this one's layout leaves out."""
    def given(fact: str, value: object) -> object:
        return value if edition.has(fact) else None
    i = INDICATOR
    series = any(h.strip() == "{code}" for lay in edition.layouts for h, f in lay.columns
                 if f == "series value")
    return {"indicator": (NAME, 1, 0.0, 72.6, 2.0, 13.0, True, True, given("years", i["years"]),
                          given("justification", i["justification"]), i["source"]),
            "countries": {iso3: (
                c["country"], c["region"], c["index"], c["rank"],
                given("missing", c["missing"] / 100),
                {CODE: (c["value"], given("year", c["year"]))},
                {CODE: c["score"]}, {CODE: c["colour"]},
                {CODE: sdr_workbook.ARROWS[c["trend"]]}, {1: c["goal score"]},
                {1: c["goal colour"]}, {1: sdr_workbook.ARROWS[c["goal trend"]]})
                for iso3, c in COUNTRIES.items()},
            "series": sorted((iso3, CODE, y, v) for iso3, y, v in SERIES
                             if iso3 in COUNTRIES) if series else []}


@pytest.mark.parametrize("edition", EDITIONS, ids=[e.name for e in EDITIONS])
def test_each_edition_reads_to_the_same_roles(edition):
    wb = _read(edition)
    assert wb.edition == int(edition.name)
    assert _facts(wb) == _expected(edition)


BASE = EDITIONS[2]  # 2021
# (fact, another spelling of its header, where it is written so)
SPELLINGS = [
    ("code", "Indicator code", "by meaning"),
    ("name", "Indicateur", "SDSN's Benin dashboard, sdsna/sdgindex-starter setUpAssessments.js"),
    ("optimum", "Best value (= 100)", "2019 codebook"),
    ("optimum", "OPTIMUM (=100)", "case and spacing"),
    ("optimum", "Upper bound", "by meaning"),
    ("optimum", "Optimum", "by meaning, without the note"),
    ("optimum", "Valeur Cible", "Benin dashboard"),
    ("lower", "Worst value (= 0)", "2019 codebook"),
    ("lower", "Limite inferieure", "Benin dashboard"),
    ("lower", "lower_bound", "punctuation"),
    ("lower", "Lower bound (= 0)", "spacing in the note"),
    ("green", "greenthr", "2019 codebook"),
    ("green", "Threshold green", "by meaning"),
    ("green", "Green", "by meaning"),
    ("red", "redthr", "2019 codebook"),
    ("years", "Years_Used", "2020 codebook"),
    ("years", "Years used", "2025 codebook"),
    ("iso3", "id", "2019 and 2020 data sheets"),
    ("iso3", "ISO3", "2017 results"),
    ("country", "CountryName", "2016 results"),
    ("index", "2019 Global Index Score (0-100)", "2019 data sheet"),
    ("index", "SDGI_Score", "2016 results"),
    ("index", "Overall score", "by meaning"),
    ("rank", "SDGI_Rank", "2016 results"),
    ("rank", "SDGi Rank", "by meaning"),
    ("rank", "Rank", "European cities index, sdsna/sdg-index-european-cities cities.csv"),
    ("region", "Regions used for the SDG Index & Dashboard", "2017 and 2019"),
    ("region", "SDGIRegion", "2016 results"),
    ("year", "year_{code}", "Benin dashboard, setUpObservations.js"),
    ("year", "Year of data: {code}", "by meaning"),
    ("score", "Normalized Score {code}", "2019 data sheet"),
    ("score", "Normalised score: {code}", "spelling"),
    ("colour", "Couleur: {code} ", "Benin dashboard"),
    ("colour", "Dashboard Colour: {code}", "spelling"),
    ("trend", "arrow_n_{code}", "Benin dashboard"),
    ("trend", "Arrow: {code}", "by meaning"),
    ("value", "{code} : {name}", "European cities index"),
    ("goal score", "SDG1", "European cities index"),
    ("goal score", "SDG 1 score", "by meaning"),
    ("goal colour", "Goal 1 Dashboard", "2018 and 2019 data sheets"),
    ("goal colour", "Dashboard SDG1", "European cities index"),
    ("goal trend", "Goal 1 Arrow", "by meaning"),
]


@pytest.mark.parametrize("fact,header,where", SPELLINGS,
                         ids=[f"{f}={h}" for f, h, _ in SPELLINGS])
def test_a_header_is_known_by_its_meaning(fact, header, where):
    edition = BASE.swapped(fact, header)
    assert _facts(_read(edition)) == _expected(BASE)


@pytest.mark.parametrize("titles", [0, 1, 3])
def test_title_rows_above_the_headers_are_passed_over(titles):
    edition = replace(BASE, layouts=tuple(replace(lay, titles=titles) for lay in BASE.layouts))
    assert _facts(_read(edition)) == _expected(BASE)


def test_the_time_series_come_from_the_sheet_named_for_trends():
    """A sheet of yearly figures under the indicators' codes that is not named for trends (as
    a back-dated index could be) does not stand in for the trend sheet after it."""
    backdated = Layout("Backdated SDG Index", "series", (
        ("id", "iso3"), ("year", "series year"), ("{code}", None)))
    edition = replace(BASE, layouts=(backdated, *BASE.layouts))
    assert _read(edition).series == _read(BASE).series != []


def test_an_indicator_column_first_in_the_sheet_has_no_raw_value_before_it():
    """(The sheet ends with a number, the goal score, not to be read as the raw value.)"""
    data = (("Normalized Score: {code}", "score"), *(c for c in DATA_2021 if "{" not in c[0]
                                                     and c[1]))
    edition = replace(BASE, layouts=(BASE.layouts[0], Layout("SDR2021 Data", "countries", data)))
    countries = _read(edition).countries
    assert [(c.values, c.scores[CODE]) for c in countries.values()] == [({}, 99.6), ({}, 99.3)]


# (edition, fact whose column is left out, what the refusal must say)
MISSING = [
    (EDITIONS[0], "red", ["sheet 'Codebook'", "no column for red threshold",
                          "'Red threshold', 'redthr'", "greenthr"]),
    (BASE, "code", ["sheet 'Codebook'", "no column for code ('IndCode', 'Indicator code', "
                    "'Code', 'Indicator')", "Indicator, Years Used"]),
    (BASE, "optimum", ["no column for optimum ('Optimum (= 100)', 'Best value (= 100)'",
                       "Lower Bound (=0)"]),
    (BASE, "rank", ["sheet 'SDR2021 Data'", "the closest to a data sheet",
                    "no column for rank ('SDG Index Rank'", "2021 SDG Index Score"]),
    (BASE, "iso3", ["no column for ISO3 code ('Country Code ISO3', 'id', 'ISO3')"]),
]


@pytest.mark.parametrize("edition,fact,said", MISSING, ids=[f"{e.name}-{f}" for e, f, _ in MISSING])
def test_a_missing_role_is_named_with_what_was_looked_for_and_found(edition, fact, said):
    with pytest.raises(UserError) as refused:
        _read(edition.without(fact))
    for words in said:
        assert words in str(refused.value)


# SDSN's results files of 2016 and 2018 (sdsna/2016GlobalIndex, sdsna/2018GlobalIndex): one
# sheet, indicators by name or upper-case code, no bounds (those are in the methodology paper)
WITHOUT_CODEBOOK = [
    Edition("2016", (Layout("Sheet1", "countries", (
        ("ID", "iso3"), ("UNCode", None), ("CountryName", "country"), ("SDGI_Rank", "rank"),
        ("SDGI_Score", "index"), ("SDGIRegion", "region"), ("SDG1_190DAY_im", "value"))),)),
    Edition("2018", (Layout("Sheet1", "countries", (
        ("country", "country"), ("id", "iso3"),
        ("Global Index Score (0-100): 2018 version", "index"),
        ("Global Index Rank: 2018 version", "rank"),
        ("Regions used for the SDG Index & Dashboard", "region"), ("{name}", "value"),
        ("Normalised (0-100): {name} ", "score"), ("Goal 1 Dashboard", "goal colour"),
        ("Goal 1 Score", "goal score")), titles=1),)),
]


@pytest.mark.parametrize("edition", WITHOUT_CODEBOOK, ids=[e.name for e in WITHOUT_CODEBOOK])
def test_a_results_file_without_codebook_names_every_role_and_its_columns(edition):
    """A data row's "red" is not a header: no sheet is said to be close to a codebook."""
    with pytest.raises(UserError, match=r"no sheet has a codebook") as refused:
        _read(edition)
    first = ", ".join(h.format(name=NAME) for h, _ in edition.layouts[0].columns[:3])
    for words in ("optimum ('Optimum (= 100)'", "lower bound ('Lower Bound (=0)'",
                  "red threshold ('Red threshold', 'redthr'", "in index ('Global')",
                  f"'Sheet1': {first}"):
        assert words in str(refused.value)


def test_a_data_sheet_without_columns_per_indicator_is_refused():
    edition = replace(BASE, layouts=tuple(replace(lay, columns=tuple(
        c for c in lay.columns if "{code}" not in c[0])) for lay in BASE.layouts))
    with pytest.raises(UserError, match=r"sheet 'SDR2021 Data': no column per indicator of the "
                                        r"codebook; looked for raw value"):
        _read(edition)


def test_a_data_sheet_without_a_year_cannot_tell_the_edition():
    edition = BASE.swapped("index", "SDG Index Score")
    edition = replace(edition, layouts=tuple(
        replace(lay, sheet="Data") if lay.sheet == "SDR2021 Data" else lay
        for lay in edition.layouts))
    with pytest.raises(UserError, match=r"cannot tell the edition: neither the sheet name 'Data' "
                                        r"nor the index score column 'SDG Index Score'"):
        _read(edition)
