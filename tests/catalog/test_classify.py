import pytest
from sqlalchemy import func, select

from localsdg.catalog import classify
from localsdg.catalog.classify import Change
from localsdg.catalog.indicators import detail, history
from localsdg.catalog.search import Selection, search
from localsdg.db.schema import IndicatorChange
from localsdg.db.session import session_scope
from localsdg.errors import UserError

KEY = ("un-global", "11.6.2")


def _apply(db, changes, keys=None, sel=None, dry_run=False, by="planner@asker"):
    with session_scope(db) as s:
        inds = classify.resolve(s, keys, sel)
        return classify.apply(s, inds, changes, by, dry_run)


def test_set_add_remove_and_clear_are_recorded(framework_db):
    _apply(framework_db, [Change("evaluation_steps", "set", "outcome|impact"),
                          Change("quality_class", "set", "1"),
                          Change("priority_tags", "add", "Klima og miljø")], [KEY])
    _apply(framework_db, [Change("evaluation_steps", "remove", "impact"),
                          Change("tbl", "add", "Planet")], [KEY])
    _apply(framework_db, [Change("quality_class", "clear")], [KEY], by="analyst")
    with session_scope(framework_db) as s:
        v = detail(s, *KEY)["values"]
        log = history(s, *KEY)
    assert v["evaluation_steps"] == ["outcome"] and v["tbl"] == ["planet"]
    assert v["quality_class"] is None and v["priority_tags"] == ["Klima og miljø"]
    latest = log[0]
    assert (latest["by"], latest["property"], latest["old"], latest["new"]) == (
        "analyst", "quality_class", "1", None)
    steps = [e for e in log if e["property"] == "evaluation_steps"]
    assert [(e["old"], e["new"]) for e in steps] == [("outcome|impact", "outcome"),
                                                     (None, "outcome|impact")]


def test_bulk_change_of_a_selection_with_preview(framework_db):
    sel = Selection("", {"goal": ["13"]})
    preview = _apply(framework_db, [Change("tbl", "add", "planet")], sel=sel, dry_run=True)
    with session_scope(framework_db) as s:
        n_goal13 = search(s, sel, limit=0)["total"]
        assert s.scalar(select(func.count()).select_from(IndicatorChange)
                        .where(IndicatorChange.property == "tbl")) == 0
    assert preview["indicators"] == preview["changed_indicators"] == n_goal13 == 9
    assert not preview["saved"] and preview["changes"][0]["new"] == ["planet"]
    done = _apply(framework_db, [Change("tbl", "add", "planet")], sel=sel)
    assert done["changed_indicators"] == 9
    again = _apply(framework_db, [Change("tbl", "add", "planet")], sel=sel)
    assert again["changed_indicators"] == 0  # nothing new to record
    with session_scope(framework_db) as s:
        planet = search(s, Selection("", {"tbl": ["planet"]}), limit=0)["total"]
    assert planet == 9


def test_invalid_changes_store_nothing(framework_db):
    with pytest.raises(UserError) as caught:
        _apply(framework_db, [Change("quality_class", "set", "1"),
                              Change("evaluation_steps", "add", "effekt"),
                              Change("colour", "set", "red"),
                              Change("quality_class", "add", "2")], [KEY])
    problems = "\n".join(caught.value.details)
    assert "change 2 (evaluation_steps): 'effekt' is not an allowed value" in problems
    assert "change 3 (colour): unknown property 'colour'" in problems
    assert "change 4 (quality_class): 'add' needs a multi-valued property" in problems
    with session_scope(framework_db) as s:
        assert detail(s, *KEY)["values"]["quality_class"] is None
    with pytest.raises(UserError, match="unknown indicator"):
        _apply(framework_db, [Change("quality_class", "set", "1")], [("un-global", "99.9.9")])


def test_an_indicator_keeps_a_name(framework_db):
    with pytest.raises(UserError) as caught:
        _apply(framework_db, [Change("name_nb", "clear"), Change("name_en", "clear")], [KEY])
    assert "needs a name" in caught.value.details[0]
    with session_scope(framework_db) as s:
        assert detail(s, *KEY)["values"]["name_nb"]
