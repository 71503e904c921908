"""The observation store on both engines: batches, all-or-nothing, re-import, roll back.

The importers are tested on real files elsewhere; here the rows are small synthetic lists
(values from the FHI population file), because the rules of the store do not depend on where the
rows came from.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import func, select, text

from localsdg.catalog.indicators import indicator_by_ref
from localsdg.catalog.store import start_batch
from localsdg.db.schema import ImportBatch, Observation
from localsdg.db.session import session_scope, upgrade
from localsdg.errors import UserError
from localsdg.observations.series import area_overview
from localsdg.observations.store import (
    Obs,
    Problem,
    batches,
    commit,
    dims_dict,
    dims_key,
    read,
    rollback,
)
from tests.helpers import add_indicators


@pytest.fixture
def ids(db_url: str) -> dict[str, int]:
    return add_indicators(db_url, "folkemengde", "andel")


def _rows(ind: int) -> list[Obs]:
    return [
        Obs(ind, "municipality", "0301", "2024", 2024, 2024, 717710.0, unit="personer",
            measure="count"),
        Obs(ind, "municipality", "0301", "2024", 2024, 2024, 361133.0, dims="sex=female",
            unit="personer", measure="count"),
        Obs(ind, "municipality", "4001", "2024", 2024, 2024, 37291.0, unit="personer",
            measure="count"),
        Obs(ind, "municipality", "4001", "2023", 2023, 2023, None, unit="personer",
            measure="count", flags="missing"),
    ]


def _items(rows: list[Obs | Problem]) -> list[tuple[str, Obs | Problem]]:
    return [(f"test.csv, line {i + 2}", r) for i, r in enumerate(rows)]


def _commit(url: str, rows, **kw):
    kw = {"source": "test.csv", "by": "tester", "checksum": "c0ffee", **kw}
    with session_scope(url) as s:
        return commit(s, _items(rows), **kw)


def _count(url: str, table) -> int:
    with session_scope(url) as s:
        return s.scalar(select(func.count()).select_from(table))


def _values(url: str, ind: int) -> dict[tuple, float | None]:
    with session_scope(url) as s:
        return {(r.area_code, r.period, r.dims): r.value for r in read(s, [ind])}


def test_a_batch_records_who_when_where_and_counts(db_url, ids):
    ind = ids["folkemengde"]
    result = _commit(db_url, _rows(ind), details={"format": "table"})
    assert (result.rows, result.written, result.unchanged) == (4, 4, 0)
    assert result.batch_id is not None and result.skipped == []
    with session_scope(db_url) as s:
        stored = read(s, [ind])
        (batch,) = batches(s)
    assert [(r.area_code, r.period, r.dims, r.value, r.flags, r.batch_id, r.source)
            for r in stored] == [
        ("0301", "2024", "", 717710.0, "", result.batch_id, "test.csv"),
        ("0301", "2024", "sex=female", 361133.0, "", result.batch_id, "test.csv"),
        ("4001", "2023", "", None, "missing", result.batch_id, "test.csv"),
        ("4001", "2024", "", 37291.0, "", result.batch_id, "test.csv")]
    assert {k: batch[k] for k in ("id", "source", "checksum", "by", "rolled_back_at", "rows",
                                  "written", "unchanged", "skipped", "indicators", "format")
            } == {"id": result.batch_id, "source": "test.csv", "checksum": "c0ffee",
                  "by": "tester", "rolled_back_at": None, "rows": 4, "written": 4,
                  "unchanged": 0, "skipped": [], "indicators": [ind], "format": "table"}
    assert datetime.fromisoformat(batch["at"]).year >= 2024
    assert result.as_dict()["batch_id"] == result.batch_id


def test_reimporting_the_same_rows_writes_nothing(db_url, ids):
    ind = ids["folkemengde"]
    _commit(db_url, _rows(ind))
    again = _commit(db_url, _rows(ind), by="someone else")
    assert (again.rows, again.written, again.unchanged, again.batch_id) == (4, 0, 4, None)
    assert _count(db_url, ImportBatch) == 1 and _count(db_url, Observation) == 4


def test_a_changed_value_unit_or_flag_is_written_and_rollback_brings_the_old_back(db_url, ids):
    ind = ids["folkemengde"]
    first = _commit(db_url, _rows(ind))
    before = _values(db_url, ind)
    changed = _rows(ind)
    changed[0] = replace(changed[0], value=717711.0)
    changed[2] = replace(changed[2], flags="provisional")
    changed[3] = replace(changed[3], value=36900.0, flags="")
    second = _commit(db_url, changed, source="test-v2.csv")
    assert (second.written, second.unchanged) == (3, 1) and second.batch_id != first.batch_id
    with session_scope(db_url) as s:
        now = {(r.area_code, r.period, r.dims): (r.value, r.flags, r.batch_id)
               for r in read(s, [ind])}
    assert now[("0301", "2024", "")] == (717711.0, "", second.batch_id)
    assert now[("4001", "2024", "")] == (37291.0, "provisional", second.batch_id)
    assert now[("0301", "2024", "sex=female")][2] == first.batch_id

    with session_scope(db_url) as s:
        assert rollback(s, second.batch_id, "test") == 3
    assert _values(db_url, ind) == before
    with session_scope(db_url) as s:
        listed = {b["id"]: b for b in batches(s)}
        assert listed[second.batch_id]["rolled_back_at"] is not None
        assert listed[first.batch_id]["rolled_back_at"] is None
        with pytest.raises(UserError, match=f"batch {second.batch_id} was already rolled back"):
            rollback(s, second.batch_id, "test")
        with pytest.raises(UserError, match="there is no data import batch 9999"):
            rollback(s, 9999, "test")
        other = start_batch(s, "catalog", "ks.ttl", "tester").id
    with session_scope(db_url) as s, pytest.raises(UserError, match="no data import batch"):
        rollback(s, other, "test")
    # the rolled-back values are not "current", so importing them again writes them again
    third = _commit(db_url, changed, source="test-v2.csv")
    assert third.written == 3 and _values(db_url, ind)[("4001", "2023", "")] == 36900.0


def test_one_bad_or_duplicate_row_stops_the_whole_import(db_url, ids):
    ind = ids["folkemengde"]
    rows = [*_rows(ind), Problem("test.csv, line 6, column value", "'x' is not a number"),
            replace(_rows(ind)[2], value=1.0)]
    with pytest.raises(UserError) as err:
        _commit(db_url, rows)
    message = err.value.message
    assert message.startswith("test.csv: 2 bad rows; nothing was imported")
    assert "test.csv, line 6, column value: 'x' is not a number" in message
    assert ("test.csv, line 7: the same area, period and breakdown as test.csv, line 4, with "
            "another value (37291 there, 1 here); keep one, or import with --on-duplicate last"
            in message)
    assert "--skip-bad-rows" in message and len(err.value.details) == 2
    assert _count(db_url, ImportBatch) == 0 and _count(db_url, Observation) == 0


def test_many_bad_rows_are_listed_up_to_twenty(db_url, ids):
    rows = [Problem(f"big.csv, line {n}, column area", "unknown") for n in range(2, 32)]
    with pytest.raises(UserError) as err:
        _commit(db_url, [*_rows(ids["andel"]), *rows])
    assert "30 bad rows" in err.value.message and "… and 10 more" in err.value.message
    assert len(err.value.details) == 30
    assert _count(db_url, Observation) == 0


def test_skip_bad_rows_imports_the_rest_and_lists_what_was_skipped(db_url, ids):
    ind = ids["folkemengde"]
    bad = Problem("test.csv, line 6, column value", "'x' is not a number")
    result = _commit(db_url, [*_rows(ind), bad, replace(_rows(ind)[0], value=1.0)],
                     skip_bad=True)
    assert result.written == 4 and len(result.skipped) == 2
    assert [str(p) for p in result.skipped][0] == str(bad)
    assert "as test.csv, line 2, with another value" in str(result.skipped[1])
    with session_scope(db_url) as s:
        assert batches(s)[0]["skipped"] == [str(p) for p in result.skipped]


def test_nothing_to_import_is_an_error(db_url, ids):
    with pytest.raises(UserError, match="no observations found; nothing was imported"):
        _commit(db_url, [])
    with pytest.raises(UserError, match="no observations found"):
        _commit(db_url, [Problem("x, line 2", "bad")], skip_bad=True)
    assert _count(db_url, ImportBatch) == 0


def test_read_selects_areas_years_and_indicators(db_url, ids):
    a, b = ids["folkemengde"], ids["andel"]
    _commit(db_url, _rows(a))
    _commit(db_url, [Obs(b, "county", "40", "2021–2023", 2021, 2023, 10.0, measure="rate")],
            source="other.csv")
    with session_scope(db_url) as s:
        assert {r.area_code for r in read(s, [a], ["4001"])} == {"4001"}
        assert {r.period for r in read(s, [a], start=2024)} == {"2024"}
        assert {r.period for r in read(s, [a], end=2023)} == {"2023"}
        both = read(s, [a, b])
        assert len(both) == 5 and {r.source for r in both} == {"test.csv", "other.csv"}
        (rolling,) = read(s, [b], start=2023, end=2023)  # selected by its last year
        assert (rolling.start_year, rolling.end_year, rolling.measure) == (2021, 2023, "rate")


def test_dims_keys_and_indicator_names(db_url, ids):
    key = dims_key({"sex": "female", "age": "0-5", "region": ""})
    assert key == "age=0-5;sex=female" and dims_dict(key) == {"age": "0-5", "sex": "female"}
    assert dims_key({}) == "" and dims_dict("") == {}
    with session_scope(db_url) as s:
        assert indicator_by_ref(s, "lokal/andel").id == ids["andel"]
        assert indicator_by_ref(s, str(ids["andel"])).code == "andel"
        with pytest.raises(UserError, match="no indicator 'lokal/nope'; name it as SET/CODE"):
            indicator_by_ref(s, "lokal/nope")
        with pytest.raises(UserError, match="no indicator 'andel'"):
            indicator_by_ref(s, "andel")


@pytest.mark.parametrize("dims", [
    {"Industry": "O - Public administration and defence; compulsory social security"},
    {"a=b": "x;y=z", "%": "100 %", "50%25": "%3B"},
    {"Kjønn": "Begge kjønn", "Alder": "67 år eller eldre", "emoji": "🌍", "quote": 'a "b", c'},
    {"ruta": "Sápmi – Sámeeatnan", "tab": "a\tb", "newline": "a\nb"}])
def test_any_text_a_publisher_writes_is_a_breakdown_and_reads_back(db_url, ids, dims):
    key = dims_key(dims)
    assert dims_dict(key) == dims
    assert key.count("=") == len(dims) and key.count(";") == len(dims) - 1
    _commit(db_url, [replace(_rows(ids["andel"])[0], dims=key)])
    with session_scope(db_url) as s:
        (row,) = [o for o in read(s, [ids["andel"]]) if o.dims]
    assert dims_dict(row.dims) == dims


def test_stored_percent_signs_are_kept_by_the_migration(db_url, ids):
    """Before migration 0006 '%' was stored as it was; after it, it reads back the same."""
    _commit(db_url, [replace(_rows(ids["andel"])[0], dims="Andel=50% av 100%25")])
    upgrade(db_url, "0006")  # the migrations after it taken back
    with session_scope(db_url) as s:
        s.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    upgrade(db_url)
    with session_scope(db_url) as s:
        (row,) = [o for o in read(s, [ids["andel"]]) if o.dims]
    assert dims_dict(row.dims) == {"Andel": "50% av 100%25"}


@pytest.mark.parametrize(("changed", "on_duplicate", "stored", "note"), [
    ({}, "refuse", 717710.0, "test.csv, line 6 repeats test.csv, line 2: kept once"),
    ({}, "last", 717710.0, "test.csv, line 6 repeats test.csv, line 2: kept once"),
    ({"value": 1.0}, "last", 1.0, "the later kept (--on-duplicate last)"),
    ({"value": None, "flags": "missing"}, "last", None, "the later kept"),
    ({"unit": "tusen personer"}, "last", 717710.0, "the later kept")])
def test_a_key_given_twice_is_kept_once_or_the_later_as_asked(db_url, ids, changed,
                                                              on_duplicate, stored, note):
    ind = ids["folkemengde"]
    again = replace(_rows(ind)[0], **changed)
    result = _commit(db_url, [*_rows(ind), again], on_duplicate=on_duplicate)
    assert result.written == 4 and result.skipped == []
    assert len(result.left_out) == 1 and note in result.left_out[0]
    assert _values(db_url, ind)[("0301", "2024", "")] == stored
    with session_scope(db_url) as s:
        assert batches(s)[0]["left_out"] == result.left_out


def test_two_values_for_one_key_are_refused_by_default_and_a_bad_choice_is_named(db_url, ids):
    ind = ids["folkemengde"]
    with pytest.raises(UserError, match="37291 there, 1 here"):
        _commit(db_url, [*_rows(ind), replace(_rows(ind)[2], value=1.0)])
    with pytest.raises(UserError, match="on_duplicate 'first': use refuse"):
        _commit(db_url, _rows(ind), on_duplicate="first")


def test_a_place_overview_shows_a_figure_before_a_newer_missing_one(db_url, ids):
    """The newest row the publisher gave as missing does not hide the figures before it."""
    ind = ids["folkemengde"]
    _commit(db_url, [
        Obs(ind, "municipality", "4003", "2023", 2023, 2023, 12.5),
        Obs(ind, "municipality", "4003", "2024", 2024, 2024, None, flags="missing")])
    with session_scope(db_url) as s:
        (shown,) = area_overview(s, "municipality", "4003")
    assert (shown["period"], shown["value"]) == ("2023", 12.5)
