"""The catalog, taxonomy and database commands, run as a user runs them: through the `localsdg`
entry point."""

import json

from typer.testing import CliRunner

from localsdg.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_sync_search_stats_export_import_and_classify(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", db_url)
    assert run("sync", "framework").exit_code == 0
    result = run("sync", "ks-taxonomy", "--set", "Ungdata", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["created"] == 67, result.stdout[:300]

    hits = json.loads(run("catalog", "search", "klimagasutslipp", "--limit", "5",
                          "--format", "json").stdout)["hits"]
    assert {"set_id": "un-global", "code": "13.2.2"}.items() <= hits[0].items()

    stats = json.loads(run("catalog", "stats", "--set", "Ungdata", "--format", "json").stdout)
    assert stats["total"] == 67 and stats["sets"][0]["set_id"] == "Ungdata"
    table = run("catalog", "stats", "--set", "Ungdata")
    assert table.exit_code == 0 and "evaluation step" in table.stdout

    out = tmp_path / "ungdata.xlsx"
    assert run("catalog", "export", "--set", "Ungdata", "--format", "xlsx", "-o",
               str(out)).exit_code == 0
    imported = run("catalog", "import", str(out), "--format", "json")
    assert json.loads(imported.stdout)["unchanged"] == 67
    ttl = tmp_path / "ungdata.ttl"
    assert run("catalog", "export", "--set", "Ungdata", "--format", "ttl", "-o",
               str(ttl)).exit_code == 0
    assert "sdgo:Indicator" in ttl.read_text(encoding="utf-8")

    changed = run("catalog", "classify", "un-global/13.2.2", "--add", "priority_tags=Klima",
                  "--by", "cli-test", "--format", "json")
    assert json.loads(changed.stdout)["changed_indicators"] == 1
    history = json.loads(run("catalog", "history", "un-global", "13.2.2", "--format",
                             "json").stdout)
    assert history[0]["by"] == "cli-test" and history[0]["new"] == "Klima"
    assert run("taxonomy").exit_code == 0
    codes = json.loads(run("taxonomy", "--format", "json").stdout)
    assert len(codes["development_area"]["codes"]) == 14


def test_errors_are_plain_messages_with_exit_code_2(framework_db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("set_id,code,name_nb,tbl\nx,1,Navn,Peple\n", encoding="utf-8")
    result = run("catalog", "import", str(bad))
    assert result.exit_code == 2
    assert "bad.csv, row 2, column tbl: 'Peple' is not an allowed value" in result.stderr
    assert "Traceback" not in result.stderr
    result = run("catalog", "search", "x", "--filter", "goal=18")
    assert result.exit_code == 2 and "goal: '18' is not an allowed value" in result.stderr
    result = run("catalog", "show", "un-global", "99.9.9")
    assert result.exit_code == 2 and "no indicator '99.9.9'" in result.stderr


def test_template(tmp_path):
    out = tmp_path / "template.xlsx"
    result = run("catalog", "template", "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0 and out.stat().st_size > 5000


def test_a_database_without_the_schema_says_to_upgrade(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALSDG_DATA_DIR", str(tmp_path))
    result = run("catalog", "sets")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "is new or older than this localsdg (no such table: indicator); run 'localsdg db " \
           "upgrade'" in " ".join(result.stderr.split())
    assert run("db", "upgrade").exit_code == 0 and run("catalog", "sets").exit_code == 0


def test_taxonomy_in_one_language():
    everything = json.loads(run("taxonomy", "--format", "json").stdout)
    english = json.loads(run("taxonomy", "--lang", "en", "--format", "json").stdout)
    assert english.keys() == everything.keys()
    for name, codes in everything.items():
        assert english[name]["label"] == {"en": codes["label"]["en"]}
        assert english[name]["codes"] == [{"code": c["code"], "en": c["en"]}
                                          for c in codes["codes"]]
    table = run("taxonomy", "--lang", "nn", "--format", "csv").stdout.splitlines()
    assert table[0] == "list,code,nn"
    result = run("taxonomy", "--lang", "de")
    assert result.exit_code == 2 and "--lang 'de': use nb, nn or en" in result.stderr
