"""The area and data commands, run as a user runs them: `sync areas`, `sync ssb`, `areas list|add`,
`data import|get|batches|rollback` and `demo load`, on the real files. Expected values are read
from the files here."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re

import pytest
from typer.testing import CliRunner

from localsdg.cli import app
from localsdg.observations.series import COLUMNS
from localsdg.sources import ssb
from localsdg.sources.http import local_path
from tests.helpers import DATA, HISTORY, read_csv

runner = CliRunner()
CROWDED = HISTORY / "stats" / "telemark" / "bor_trangt_2024.csv"
JSONSTAT = HISTORY / "fixtures" / "ssb_07459_befolkning_2022_kommuner2020_jsonstat2.json"
REGTOOLS = HISTORY / "correspondences" / "regtools_kommuner-1994-2024.csv"
CROWDED_ARGS = ["--area", "Kommune", "--value", "Andel (2024)", "--period-value", "2024",
                "--borders", "2024", "--unit", "prosent", "--measure", "rate"]


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def ok_json(*args):
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr + result.stdout[:500]
    return json.loads(result.stdout)


def _klass_codes() -> set[str]:
    body = json.loads((HISTORY / "codes" / "klass131_codesAt_2026-01-01_api_response.json")
                      .read_text(encoding="utf-8"))
    return {c["code"] for c in body["codes"]} - {"9999"}


def test_sync_and_list_areas(db_url, monkeypatch):
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", db_url)
    summary = ok_json("sync", "areas", "--history", HISTORY)
    assert summary["current"]["municipality"] == 357 and summary["current"]["county"] == 15
    table = run("sync", "areas", "--history", HISTORY)
    assert table.exit_code == 0 and "changes between versions:" in table.stdout
    assert "1507 Ålesund" in table.stdout

    now = ok_json("areas", "list", "--level", "municipality", "--at", "2024-01-01")
    assert {a["code"] for a in now} == _klass_codes()
    oslo = next(a for a in now if a["code"] == "0301")
    assert (oslo["name"], oslo["short_name"], oslo["parent"]) == ("Oslo - Oslove", "Oslo", "03")
    assert len(ok_json("areas", "list", "--level", "municipality", "--at", "2026-01-01")) == 357
    assert len(ok_json("areas", "list", "--level", "municipality", "--at", "2020-01-01")) == 356
    assert len(ok_json("areas", "list", "--level", "county", "--at", "2024-01-01")) == 15
    assert len(ok_json("areas", "list", "--level", "county", "--at", "2020-01-01")) == 11
    countries = run("areas", "list", "--level", "country", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(countries.stdout)))
    assert {"code": "NOR", "name": "Norge"}.items() <= next(
        r for r in rows if r["code"] == "NOR").items()

    added = run("areas", "add", "city", "ES-08019", "Barcelona", "--parent", "ESP")
    assert added.exit_code == 0 and "city ES-08019 Barcelona is stored" in added.stderr
    assert ok_json("areas", "list", "--level", "city")[0]["name"] == "Barcelona"
    assert ok_json("sync", "areas", "--history", HISTORY) == summary  # re-sync: the same
    assert ok_json("areas", "list", "--level", "city")[0]["code"] == "ES-08019"

    for args, message in [(["--at", "2024"], "write a date as YYYY-MM-DD"),
                          (["--level", "kommune"], "--level 'kommune' is unknown")]:
        result = run("areas", "list", *args)
        assert result.exit_code == 2 and message in result.stderr
        assert "Traceback" not in result.stderr
    result = run("areas", "add", "municipality", "0301", "Oslo")
    assert result.exit_code == 2 and "choose another code" in result.stderr


def test_sync_areas_finds_the_history_in_the_reference_data(db_url, monkeypatch):
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", db_url)
    monkeypatch.delenv("LOCALSDG_REFERENCE_DATA", raising=False)
    alone = ok_json("sync", "areas")
    assert "county" not in alone["current"] and "no history folder" in alone["notes"][0]
    monkeypatch.setenv("LOCALSDG_REFERENCE_DATA", str(DATA))
    assert ok_json("sync", "areas")["current"]["county"] == 15


def test_import_get_batches_and_rollback(framework_db, tmp_path):
    ok_json("sync", "areas", "--history", HISTORY)
    expected = {r["Kommune"]: float(r["Andel (2024)"]) for r in read_csv(CROWDED)}
    first = ok_json("data", "import", CROWDED, "--indicator", "un-global/11.1.1",
                    *CROWDED_ARGS, "--by", "kari", "--publisher", "SSB")
    assert (first["rows"], first["written"], first["skipped"]) == (19, 19, [])
    again = ok_json("data", "import", CROWDED, "--indicator", "un-global/11.1.1",
                    *CROWDED_ARGS, "--by", "ola")
    assert (again["written"], again["unchanged"], again["batch_id"]) == (0, 19, None)

    broken = tmp_path / "bor_trangt_2024.csv"
    lines = CROWDED.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("Bamble,15", "Bamble,15.5")
    lines[4] = lines[4].replace("Hjartdal,", "Hjartdalen,")
    lines[5] = lines[5].replace(",13,", ",tretten,")
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused = run("data", "import", broken, "--indicator", "un-global/11.1.1", *CROWDED_ARGS)
    assert refused.exit_code == 2 and "Traceback" not in refused.stderr
    assert "2 bad rows; nothing was imported" in refused.stderr
    assert ("bor_trangt_2024.csv, line 5, column Kommune: no municipality or county is called "
            "'Hjartdalen'") in refused.stderr
    assert "line 6, column Andel (2024): 'tretten' is not a number" in refused.stderr
    assert len(ok_json("data", "batches")) == 1

    skipped = run("data", "import", broken, "--indicator", "un-global/11.1.1", *CROWDED_ARGS,
                  "--skip-bad-rows", "--by", "ola")
    assert skipped.exit_code == 0
    assert "skipped (2):\n  bor_trangt_2024.csv, line 5, column Kommune" in skipped.stdout
    assert "\n  bor_trangt_2024.csv, line 6, column Andel (2024)" in skipped.stdout
    summary = skipped.stdout.split("skipped (2)")[0]
    assert max(map(len, summary.splitlines())) <= 80  # one figure a line, not a wide grid

    listed = ok_json("data", "batches")
    assert [(b["by"], b["source"], b["checksum"], b["rows"], b["written"], b["unchanged"])
            for b in listed] == [
        ("kari", str(CROWDED), hashlib.sha256(CROWDED.read_bytes()).hexdigest(), 19, 19, 0),
        ("ola", str(broken), hashlib.sha256(broken.read_bytes()).hexdigest(), 17, 1, 16)]
    assert all(b["at"] and b["rolled_back_at"] is None for b in listed)
    assert len(listed[1]["skipped"]) == 2
    table = run("data", "batches")
    assert table.exit_code == 0 and "kari" in table.stdout

    bamble = ok_json("data", "get", "--indicator", "un-global/11.1.1", "--areas", "4012")
    assert [(r["area_code"], r["value"], r["batch"]) for r in bamble] == [
        ("4012", 15.5, listed[1]["id"])]
    rolled = run("data", "rollback", listed[1]["id"])
    assert rolled.exit_code == 0
    assert f"batch {listed[1]['id']} rolled back: 1 observations removed" in rolled.stderr
    bamble = ok_json("data", "get", "--indicator", "un-global/11.1.1", "--areas", "4012,4001")
    assert {r["area_code"]: r["value"] for r in bamble} == {
        "4012": expected["Bamble"], "4001": expected["Porsgrunn"]}
    assert bamble[0]["source"] == "SSB" and bamble[0]["unit"] == "prosent"
    again = run("data", "rollback", listed[1]["id"])
    assert again.exit_code == 2 and "already rolled back" in again.stderr
    assert run("data", "rollback", 999).exit_code == 2

    as_csv = run("data", "get", "--indicator", "un-global/11.1.1", "--format", "csv",
                 "--borders", "none")
    table = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert table[0] == COLUMNS and len(table) == 1 + 19

    # on 2020 borders, Bamble is 38xx (Vestfold og Telemark); the code comes from SSB's grouping
    old = next(r["code"] for r in read_csv(REGTOOLS)
               if r["group_code_2024"] == "K.4012" and "(2020-2023)" in r["label_with_validity"])
    on_2020 = ok_json("data", "get", "--indicator", "un-global/11.1.1", "--areas", old,
                      "--borders", "2020")
    assert [(r["area_code"], r["value"], r["flags"]) for r in on_2020] == [
        (old, expected["Bamble"], ["harmonised"])]
    county = ok_json("data", "get", "--indicator", "un-global/11.1.1", "--areas", "38",
                     "--borders", "2020")
    assert county[0]["value"] is None and "39" in county[0]["note"]  # no Vestfold value

    for args, message in [(["--borders", "20x0"], "--borders '20x0': write a year"),
                          (["--from", "2025", "--to", "2020"], "--from 2025 is after --to 2020")]:
        result = run("data", "get", "--indicator", "un-global/11.1.1", *args)
        assert result.exit_code == 2 and message in result.stderr
    result = run("data", "get", "--indicator", "nope/1")
    assert result.exit_code == 2 and "no indicator 'nope/1'" in result.stderr


def test_import_jsonstat_and_refuse_what_is_not_importable(framework_db, tmp_path):
    ok_json("sync", "areas", "--history", HISTORY)
    refused = run("data", "import", JSONSTAT, "--indicator", "un-global/11.3.1",
                  "--measure", "sum")
    assert refused.exit_code == 2 and "measure 'sum' is unknown" in refused.stderr
    shown = run("data", "import", JSONSTAT, "--indicator", "un-global/11.3.1", "--measure",
                "count", "--borders", "2020")  # no --skip-bad-rows: the groups are no rows
    assert shown.exit_code == 0 and "left out (3):\n  K-21-22 (" in shown.stdout
    result = ok_json("data", "import", JSONSTAT, "--indicator", "un-global/11.3.1",
                     "--measure", "count", "--borders", "2020")
    assert (result["written"], result["unchanged"], result["skipped"]) == (0, 356, [])
    assert [line.split(" ")[0] for line in result["left_out"]] == ["K-21-22", "K-23", "K-Rest"]
    halden = ok_json("data", "get", "--indicator", "un-global/11.3.1", "--areas", "3101")
    assert halden[0]["flags"] == ["harmonised"] and halden[0]["value"] > 30_000

    for args, message in [
        ([tmp_path / "none.csv"], "no such file or folder"),
        ([CROWDED, "--indicator", "un-global/11.1.1", "--value", "x"],
         "say where the period is"),  # the area column (Kommune) is found by its meaning
        ([CROWDED, "--indicator", "un-global/11.1.1", "--area", "Kommune", "--value",
          "Andel (2024)"], "say where the period is"),
        ([CROWDED, "--indicator", "un-global/11.1.1", *CROWDED_ARGS, "--where", "Kommune"],
         "--where 'Kommune': write COLUMN=VALUE"),
        ([CROWDED, "--indicator", "un-global/11.1.1", *CROWDED_ARGS, "--encoding", "utf-16"],
         "cannot be read as utf-16"),
        ([DATA / "opensdg" / "barcelona", "--set", "bcn"], "needs --area-code LEVEL:CODE"),
    ]:
        result = run("data", "import", *args)
        assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert ok_json("data", "batches") == [ok_json("data", "batches")[0]]


def test_sync_ssb_imports_the_answer_as_a_file_import_would(framework_db, tmp_path, monkeypatch):
    ok_json("sync", "areas", "--history", HISTORY)
    select = ["Region=all", "ContentsCode=Personer1", "Tid=2022"]
    url = ssb.v2_url("07459", [ssb.parse_selection(s) for s in select])
    answer = local_path(tmp_path / "mirror", url)
    answer.parent.mkdir(parents=True)
    answer.write_bytes(JSONSTAT.read_bytes())
    monkeypatch.setenv("LOCALSDG_MIRROR", str(tmp_path / "mirror"))
    args = ["sync", "ssb", "07459", "--api", "v2", *(a for s in select for a in ("--select", s)),
            "--indicator", "un-global/11.3.1", "--measure", "count", "--borders", "2020"]
    result = ok_json(*args)
    assert (result["written"], result["skipped"], len(result["left_out"])) == (356, [], 3)
    saved = tmp_path / "saved" / "answer.json"
    saved.parent.mkdir()
    again = ok_json(*args, "--save", saved)
    assert (again["written"], again["unchanged"], again["left_out"]) == (0, 356,
                                                                         result["left_out"])
    assert saved.read_bytes() == JSONSTAT.read_bytes()
    assert [b["source"] for b in ok_json("data", "batches")] == [url]


def test_demo_load(tmp_path, monkeypatch):
    """The README's offline path: `demo load` on a fresh database loads the catalog, the areas
    and every dataset (the counts are checked in tests/sources/test_demo.py)."""
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.sqlite'}")
    monkeypatch.delenv("LOCALSDG_REFERENCE_DATA", raising=False)  # else it loads the demo first
    result = run("demo", "load", DATA, "--by", "cli")
    assert result.exit_code == 0, result.stderr
    assert "loaded the UN framework" in result.stderr and "KS indicator sets" in result.stderr
    assert "Demo data" in result.stdout
    assert int(re.search(r"Barcelona: (\d+) observations written", result.stdout)[1]) > 0
    listed = ok_json("data", "batches")
    assert len(listed) == 24 and {b["by"] for b in listed} == {"cli"}  # 22 files, BCN, SDR
    assert all(b["written"] > 0 and b["rolled_back_at"] is None for b in listed)
    fhi = {r["code"]: float(r["pop_total"]) for r in read_csv(
        DATA / "norway/stats/fhi_csdata_b2024/population_jan1_b2024_by_agegroup_2005-2026.csv")
        if r["year"] == "2024" and r["level"] == "municip"}
    halden = ok_json("data", "get", "--indicator", "lokal/folkemengde", "--areas", "3101",
                     "--from", "2024", "--to", "2024")
    assert [r["value"] for r in halden] == [fhi["3101"]]
    missing = run("demo", "load", tmp_path / "nowhere")
    assert missing.exit_code == 2 and "not a demo data folder" in missing.stderr


@pytest.mark.parametrize("command", [["data"], ["areas"], ["demo"]])
def test_groups_show_their_help(command):
    result = run(*command)
    assert "Usage" in result.stdout + result.stderr


def test_create_makes_the_indicator_the_file_describes(framework_db, tmp_path):
    """SSB's table 07459 into an indicator that does not exist yet: made from the dataset's
    own label, measure, unit and source, in a local set made for it; a second import finds it.
    A planner's CSV of their own figures gets one named by the file."""
    ok_json("sync", "areas", "--history", HISTORY)
    made = ok_json("data", "import", JSONSTAT, "--create", "mine/befolkning", "--measure",
                   "count", "--borders", "2020")
    assert made["indicator_created"] == "mine/befolkning" and made["written"] == 356
    shown = ok_json("catalog", "show", "mine", "befolkning")["values"]
    assert shown["name_nb"] == ("07459: Befolkning, etter region, statistikkvariabel og år – "
                                "Personer")
    assert (shown["unit"], shown["data_owner"]) == ("personer", "Statistisk sentralbyrå")
    assert "table 07459, updated 2022-02-24" in shown["source_note"]
    again = ok_json("data", "import", JSONSTAT, "--create", "mine/befolkning", "--measure",
                    "count", "--borders", "2020")
    assert "indicator_created" not in again and again["unchanged"] == 356

    own = tmp_path / "egne_tall.csv"
    own.write_text("kommunenummer;år;verdi\n4003;2023;12\n4003;2024;13\n", encoding="utf-8")
    table = ok_json("data", "import", own, "--create", "lokal/egne", "--area", "kommunenummer",
                    "--period", "år", "--value", "verdi", "--unit", "prosent")
    assert table["indicator_created"] == "lokal/egne" and table["written"] == 2
    assert ok_json("catalog", "show", "lokal", "egne")["values"]["name_nb"] == "egne_tall: verdi"
    titled = tmp_path / "holdeplass.csv"
    titled.write_text("Andel innbyggere nær holdeplass\n\nKommune;År;Andel (%)\n"
                      "Skien;2024;63,4\n", encoding="utf-8")
    ok_json("data", "import", titled, "--create", "lokal/holdeplass")
    assert ok_json("catalog", "show", "lokal", "holdeplass")["values"]["name_nb"] == (
        "Andel innbyggere nær holdeplass")  # the table's own title

    both = run("data", "import", own, "--create", "lokal/x", "--indicator", "lokal/egne",
               "--area", "kommunenummer", "--period", "år", "--value", "verdi")
    assert both.exit_code == 2 and "not both" in both.stderr
    bad = run("data", "import", JSONSTAT, "--create", "a|b/c", "--measure", "count")
    assert bad.exit_code == 2 and "cannot name a new indicator" in bad.stderr
    broken = tmp_path / "feil.csv"
    broken.write_text("kommunenummer;år;verdi\n4003;2024-13;12\n", encoding="utf-8")
    failed = run("data", "import", broken, "--create", "lokal/tom", "--area", "kommunenummer",
                 "--period", "år", "--value", "verdi")
    assert failed.exit_code == 2 and "'2024-13' is not a period" in failed.stderr
    assert run("catalog", "show", "lokal", "tom").exit_code == 2  # nothing half-made


def test_a_planners_own_table_imports_without_naming_its_columns(framework_db, tmp_path):
    ok_json("sync", "areas", "--history", HISTORY)
    own = tmp_path / "egne.csv"
    own.write_text("Kommune;Kjønn;År;Andel (%)\nSkien;Menn;2023;12,5\nSkien;Kvinner;2023;13\n"
                   "Bodø;Menn;2024;11\n", encoding="utf-8")
    result = ok_json("data", "import", own, "--create", "lokal/andel")
    assert result["written"] == 3
    assert result["columns_guessed"] == ["value: column 'Andel (%)'", "period: column 'År'",
                                         "area: column 'Kommune'", "breakdown: column 'Kjønn'"]
    rows = ok_json("data", "get", "--indicator", "lokal/andel", "--areas", "4003")
    assert {(r["period"], r["dims"]["Kjønn"], r["value"]) for r in rows
            if r["value"] is not None} == {("2023", "Menn", 12.5), ("2023", "Kvinner", 13.0)}
    both = tmp_path / "to.csv"
    both.write_text("sted;periode;antall;andel\n4003;2024;1;2\n", encoding="utf-8")
    unclear = run("data", "import", both, "--create", "lokal/to")
    assert unclear.exit_code == 2 and "needs --value COLUMN" in unclear.stderr
