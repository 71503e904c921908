from sqlalchemy import func, select

from localsdg.catalog.indicators import detail, history
from localsdg.db.schema import Goal, Indicator, Target
from localsdg.db.session import session_scope
from localsdg.sources.un_framework import sync_framework


def test_loads_goals_targets_and_global_indicators(db_url):
    with session_scope(db_url) as s:
        summary = sync_framework(s)
    assert summary["goals"] == 17 and summary["targets"] == 169
    assert summary["indicators"] == summary["created"] == 252
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Goal)) == 17
        assert s.scalar(select(func.count()).select_from(Target)) == 169
        assert s.get(Goal, 13).short_nb == "Stoppe klimaendringene"
        assert s.get(Target, "11.a").goal_id == 11
        ind = detail(s, "un-global", "13.2.2")
        assert ind["values"]["name_nb"] == "Totale klimagassutslipp per år"
        assert ind["values"]["name_en"] == "Total greenhouse gas emissions per year"
        assert ind["values"]["targets"] == ["13.2"] and ind["values"]["goals"] == ["13"]
        assert ind["uri"] == "http://metadata.un.org/sdg/C130202"
        assert detail(s, "un-global", "3.c.1")["uri"].endswith("C030c01")


def test_second_sync_changes_nothing(db_url):
    with session_scope(db_url) as s:
        sync_framework(s)
    with session_scope(db_url) as s:
        again = sync_framework(s)
    assert again["created"] == 0 and again["changes"] == 0 and again["unchanged"] == 252
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Indicator)) == 252
        assert len(history(s, "un-global", "1.1.1")) == 1  # only "created"
