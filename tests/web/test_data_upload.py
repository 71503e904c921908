"""Loading data in the browser without a browser: each step's answers and refusals."""

import re
import zipfile

from localsdg.config import settings
from localsdg.db.session import session_scope
from localsdg.sources.area_lists import sync_areas
from tests.helpers import DATA, HISTORY

BCN = DATA / "opensdg" / "barcelona"

OWN = "kommunenummer;år;verdi\n4003;2023;12,5\n1804;2024;13\n".encode()


def _token(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', html)[1]


def test_refusals_are_named_and_a_bad_mapping_is_located(writable, framework_db):
    with session_scope(framework_db) as s:
        sync_areas(s, HISTORY)
    neither = writable.post("/import/data?lang=en", files={"file": ("egne.csv", OWN)})
    assert neither.status_code == 422 and "Name the indicator" in neither.text
    wrong = writable.post("/import/data?lang=nb", data={"create": "lokal/x"},
                          files={"file": ("egne.pdf", b"%PDF")})
    assert wrong.status_code == 422 and "Velg en .csv-, .xlsx- eller JSON-stat" in wrong.text
    shown = writable.post("/import/data", data={"create": "lokal/x"},
                          files={"file": ("egne.csv", OWN)})
    assert shown.status_code == 200 and '<option selected>kommunenummer</option>' in shown.text
    form = {"token": _token(shown.text), "create": "lokal/x", "area": "år",
            "period": "kommunenummer", "value": "verdi"}
    bad = writable.post("/import/data/sjekk?lang=en", data=form)
    assert bad.status_code == 422 and "egne.csv, line 2, column kommunenummer" in bad.text
    fixed = {**form, "area": "kommunenummer", "period": "år"}
    good = writable.post("/import/data/sjekk?lang=en", data=fixed)
    assert "2 figures, 2 of them new or changed" in good.text
    assert writable.get("/api/v1/data", params={"indicator": "lokal/x"}).status_code == 404
    if not settings().server:  # on a server the signed-in user is who imports
        nameless = writable.post("/import/data/lagre", data=fixed)
        assert nameless.status_code == 422 and 'aria-invalid="true"' in nameless.text
    done = writable.post("/import/data/lagre", data={**fixed, "by": "Kari"},
                         follow_redirects=False)
    assert done.headers["location"] == "/indikator/lokal/x/data?importert=2"
    assert len(writable.get("/api/v1/data", params={"indicator": "lokal/x",
                                                    "borders": "none"}).json()) == 2


def test_a_jsonstat_file_goes_straight_to_the_check_report(writable, framework_db):
    with session_scope(framework_db) as s:
        sync_areas(s, HISTORY)
    raw = (HISTORY / "fixtures" / "ssb_07459_befolkning_2022_kommuner2020_jsonstat2.json")
    checked = writable.post("/import/data?lang=en", data={"create": "lokal/ssb"},
                            files={"file": (raw.name, raw.read_bytes())})
    assert checked.status_code == 200 and "356 figures, 356 of them new" in checked.text
    assert "K-Rest" in checked.text  # the statistics-bank groups, left out
    in_nb = writable.post("/import/data?lang=nb", data={"create": "lokal/ssb"},
                          files={"file": (raw.name, raw.read_bytes())}).text
    assert "K-Rest" in in_nb and "en gruppe i statistikkbanken, ikke et område" in in_nb


def _zip(tmp_path, files: dict[str, bytes]) -> bytes:
    path = tmp_path / "repo.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return path.read_bytes()


def test_an_open_sdg_repository_is_loaded_as_a_zip(writable, tmp_path):
    """Two of Barcelona's indicators, zipped inside a folder as GitHub zips a repository."""
    files = {f"sdg-data-main/{kind}/{name}": (BCN / kind / name).read_bytes()
             for kind, name in (("data", "indicator_13-2-1.csv"), ("meta", "13-2-1.md"),
                                ("data", "indicator_11-6-1.csv"), ("meta", "11-6-1.md"))}
    raw = _zip(tmp_path, files)
    missing = writable.post("/import/data?lang=en", files={"file": ("repo.zip", raw)})
    assert missing.status_code == 422 and "needs the set to make and the area" in missing.text
    form = {"set_id": "bcn-zip", "area_code": "city:ES-08019"}
    checked = writable.post("/import/data?lang=en", data=form,
                            files={"file": ("repo.zip", raw)})
    assert checked.status_code == 200 and "has no problems" in checked.text
    done = writable.post("/import/data/lagre", follow_redirects=False,
                         data={**form, "token": _token(checked.text), "by": "Kari"})
    assert done.status_code == 303 and done.headers["location"] == "/sett/bcn-zip"
    assert {i["code"] for i in writable.get("/api/v1/indicators",
                                            params={"set": "bcn-zip"}).json()["hits"]} == {
        "13.2.1", "11.6.1"}


def test_a_zip_that_would_write_outside_its_folder_is_refused(writable, tmp_path):
    raw = _zip(tmp_path, {"../evil/data/indicator_1-1-1.csv": b"Year,Value\n2020,1\n"})
    refused = writable.post("/import/data?lang=en", files={"file": ("evil.zip", raw)},
                            data={"set_id": "evil", "area_code": "city:X"})
    assert refused.status_code == 422 and "would land outside its folder" in refused.text
    assert not (tmp_path.parent / "evil").exists()


def test_a_refused_file_is_refused_in_the_readers_language(writable, tmp_path):
    """Whole-file refusals (a zip that is none, a repository without data/) say where and
    what in Bokmål and Nynorsk too."""
    said = {"nb": ["rot.zip", "ikke en zip-fil som kan leses", "ingen «data»-mappe"],
            "nn": ["rot.zip", "ikkje ei zip-fil som kan lesast", "inga «data»-mappe"],
            "en": ["rot.zip", "not a zip file that can be read", "no &#39;data&#39; folder"]}
    empty = _zip(tmp_path, {"readme.txt": b"no repository here"})
    for lang, (name, not_zip, no_data) in said.items():
        form = {"set_id": "rot", "area_code": "city:X"}
        broken = writable.post(f"/import/data?lang={lang}", data=form,
                               files={"file": ("rot.zip", b"PK not really")})
        assert broken.status_code == 422 and name in broken.text and not_zip in broken.text
        bare = writable.post(f"/import/data?lang={lang}", data=form,
                             files={"file": ("rot.zip", empty)})
        assert bare.status_code == 422 and no_data in bare.text, lang


MIXED = ("kommunenummer;år;verdi\n4003;2023;12,5\n4003;sommer;13\n9998;2024;1\n"
         "4003;2024;x,5\n4003;2023;12\n").encode()
SAID = {  # the place and the reason of each problem, in each language
    "nb": ["egne.csv, linje 3, kolonne år", "«sommer» er ikke en periode; skriv et år (2022)",
           "linje 4, kolonne kommunenummer", "«9998» er ikke en gyldig kode for kommune eller "
           "fylke", "linje 5, kolonne verdi", "«x,5» er ikke et tall; skriv for eksempel 12.5",
           "samme område, periode og inndeling som egne.csv, linje 2, med en annen verdi "
           "(12,5 der, 12 her)"],
    "nn": ["egne.csv, linje 3, kolonne år", "«sommer» er ikkje ein periode; skriv eit år",
           "«9998» er ikkje ein gyldig kode for kommune eller fylke",
           "«x,5» er ikkje eit tal; skriv til dømes 12.5", "same område, periode og inndeling "
           "som egne.csv, linje 2"],
    "en": ["egne.csv, line 3, column år", "&#39;sommer&#39; is not a period; write a year",
           "&#39;9998&#39; is not a municipality or county code", "&#39;x,5&#39; is not a "
           "number; write e.g. 12.5", "the same area, period and breakdown as egne.csv, line 2"],
}
LEAKS = {"nb": ["line 3", "is not", "kolonne år: "], "nn": ["line 3", "is not", "ikke"],
         "en": ["linje", "kolonne", "ikke"]}


def test_the_check_report_speaks_the_readers_language(writable, framework_db):
    """Every problem of a planner's file, its place and its reason, in Bokmål, Nynorsk or
    English, with no words of another language."""
    with session_scope(framework_db) as s:
        sync_areas(s, HISTORY)
    shown = writable.post("/import/data", data={"create": "lokal/egne"},
                          files={"file": ("egne.csv", MIXED)})
    form = {"token": _token(shown.text), "create": "lokal/egne", "area": "kommunenummer",
            "period": "år", "value": "verdi"}
    for lang, texts in SAID.items():
        report = writable.post(f"/import/data/sjekk?lang={lang}", data=form)
        assert report.status_code == 422
        table = report.text.split('id="problems"', 1)[1].split("</table>", 1)[0]
        assert [t for t in texts if t not in table] == [], lang
        assert [w for w in LEAKS[lang] if w in table] == [], lang


def test_the_data_page_names_breakdowns_as_the_file_wrote_them(writable, framework_db):
    """The breakdown chooser shows 'næring: O - Offentlig administrasjon; forsvar', not the
    stored key with its escapes."""
    with session_scope(framework_db) as s:
        sync_areas(s, HISTORY)
    own = ('kommunenummer;år;næring;verdi\n4003;2023;"O - Offentlig administrasjon; forsvar";12'
           "\n4003;2023;A = jordbruk;3\n").encode()
    shown = writable.post("/import/data", data={"create": "lokal/naering"},
                          files={"file": ("naering.csv", own)})
    form = {"token": _token(shown.text), "create": "lokal/naering", "area": "kommunenummer",
            "period": "år", "value": "verdi", "dims": "næring", "by": "Kari"}
    done = writable.post("/import/data/lagre", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text[:500]
    page = writable.get(done.headers["location"]).text
    assert "næring: O - Offentlig administrasjon; forsvar</option>" in page
    assert "næring: A = jordbruk</option>" in page and "%3B" not in page.split("<option")[1]



def test_a_long_list_of_problems_ends_in_the_readers_language(writable, framework_db):
    """More problems than a report lists: the line saying how many more is not English."""
    with session_scope(framework_db) as s:
        sync_areas(s, HISTORY)
    bad = ("kommunenummer;år;verdi\n" + "".join(f"4003;{1920 + i};tolv\n" for i in range(105))
           ).encode()
    shown = writable.post("/import/data", data={"create": "lokal/mange"},
                          files={"file": ("mange.csv", bad)})
    form = {"token": _token(shown.text), "create": "lokal/mange", "area": "kommunenummer",
            "period": "år", "value": "verdi"}
    report = writable.post("/import/data/sjekk?lang=nb", data=form).text
    assert "… og 5 til" in report and "more" not in report.split('id="problems"', 1)[1]


def test_an_indicator_page_leads_to_loading_figures_for_it(writable, framework_db):
    page = writable.get("/indikator/un-global/13.2.2").text
    link = re.search(r'href="(/import/data\?indikator=[^"]+)">Last inn egne tall', page)[1]
    form = writable.get(link.replace("&amp;", "&")).text
    assert 'id="indicator" name="indicator" value="un-global/13.2.2"' in form
    empty = writable.get("/indikator/un-global/13.2.2/data").text
    assert "Last inn egne tall for denne indikatoren" in empty
