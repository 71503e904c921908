"""The import page for indicator sets tells each problem of a file, its place and its reason,
in the reader's language: Bokmål, Nynorsk or English, with no words of another."""

import html
import re

import pytest

ROWS = ("set_id,code,name_nb,tbl,targets\n"
        "lokal,A1,Sykkelandel,Peple,11.2\n"
        "lokal,A1,Gående,planet,11.2\n"
        "lokal,a|b,Navn,planet,11.99\n").encode()
COLUMNS = "set_id,code,name_nb,colour\nlokal,1,Navn,rød\n".encode()
NOT_SETS = b'{"sett": []}'
BROKEN = b'{"sets": ['

# file and its problems as (place, reason): a place as a pattern, a reason as its beginning
SAID = {
    "nb": {
        "mitt.csv": [
            (r"mitt\.csv, rad 2, kolonne tbl",
             "«Peple» er ikke en tillatt verdi; tillatt: people, planet, prosperity"),
            (r"mitt\.csv, rad 3, kolonne code",
             "«A1» står to ganger i settet «lokal» (også rad 2)"),
            (r"mitt\.csv, rad 4, kolonne code", "«a|b» er ikke en gyldig indikatorkode (påkrevd; "
                                               "høyst 200 tegn"),
        ],
        "cols.csv": [(r"cols\.csv, overskriftslinje, kolonne colour",
                          "ukjent kolonne; tillatte kolonner: set_id, ")],
        "sett.json": [("sett\\.json", "ventet et objekt med en liste «sets» (formatet "
                                      "«localsdg-catalog», se docs/catalog-format.md)")],
        "brutt.json": [("brutt\\.json", "ikke gyldig JSON (Expecting value: linje 1 kolonne 11 "
                                        "(tegn 10))")],
    },
    "nn": {
        "mitt.csv": [
            (r"mitt\.csv, rad 2, kolonne tbl",
             "«Peple» er ikkje ein tillaten verdi; tillatne: people, planet, prosperity"),
            (r"mitt\.csv, rad 3, kolonne code",
             "«A1» står to gonger i settet «lokal» (også rad 2)"),
            (r"mitt\.csv, rad 4, kolonne code", "«a|b» er ikkje ein gyldig indikatorkode "
                                               "(påkravd; høgst 200 teikn"),
        ],
        "cols.csv": [(r"cols\.csv, overskriftslinje, kolonne colour",
                          "ukjend kolonne; tillatne kolonnar: set_id, ")],
        "sett.json": [("sett\\.json", "venta eit objekt med ei liste «sets» (formatet "
                                      "«localsdg-catalog», sjå docs/catalog-format.md)")],
        "brutt.json": [("brutt\\.json", "ikkje gyldig JSON (Expecting value: linje 1 kolonne 11 "
                                        "(teikn 10))")],
    },
    "en": {
        "mitt.csv": [
            (r"mitt\.csv, row 2, column tbl",
             "'Peple' is not an allowed value; allowed: people, planet, prosperity"),
            (r"mitt\.csv, row 3, column code", "'A1' appears twice in set 'lokal' (also row 2)"),
            (r"mitt\.csv, row 4, column code", "'a|b' is not a valid indicator code (needed; at "
                                              "most 200 characters"),
        ],
        "cols.csv": [(r"cols\.csv, header, column colour",
                          "unknown column; allowed columns: set_id, ")],
        "sett.json": [("sett\\.json", "expected an object with a list 'sets' (format "
                                      "'localsdg-catalog', see docs/catalog-format.md)")],
        "brutt.json": [("brutt\\.json", "not valid JSON (Expecting value: line 1 column 11 "
                                        "(char 10))")],
    },
}
CONTENT = {"mitt.csv": ROWS, "cols.csv": COLUMNS, "sett.json": NOT_SETS,
           "brutt.json": BROKEN}
LEAKS = {  # words of the reasons and places in the other languages
    "nb": ["is not", "allowed", "appears", "twice", "also", "valid", "needed", "unknown",
           "expected", "column", "row ", "header", "ikkje", "tillaten", "gonger", "sjå"],
    "nn": ["is not", "allowed", "appears", "twice", "also", "valid", "needed", "unknown",
           "expected", "column", "row ", "header", "ikke ", "tillatt ", "ganger", "påkrevd"],
    "en": ["ikke", "ikkje", "tillat", "står", "gyldig", "kolonne", " rad ", "ukjen", "også",
           "ventet", "venta"],
}


def _problems(page: str) -> list[tuple[str, str]]:
    table = page.split('id="problems"', 1)[1].split("</table>", 1)[0]
    return [(html.unescape(where), html.unescape(what)) for where, what in
            re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", table, re.S)]


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_import_page_tells_every_problem_in_the_readers_language(writable, lang):
    for name, expected in SAID[lang].items():
        page = writable.post(f"/import?lang={lang}", files={"file": (name, CONTENT[name])})
        assert page.status_code == 422, name
        problems = _problems(page.text)
        assert len(problems) == len(expected), (name, problems)
        for (where, what), (place, reason) in zip(problems, expected, strict=True):
            assert re.fullmatch(place, where) and what.startswith(reason), (where, what)
        said = " ".join(f"{where} {what}" for where, what in problems)
        assert [w for w in LEAKS[lang] if w in said] == [], name
