from localsdg.catalog.analysis import statistics, statistics_rows
from localsdg.catalog.search import Selection
from localsdg.db.session import session_scope


def _stats(db, **filters):
    with session_scope(db) as s:
        return statistics(s, Selection("", filters))


def test_norwegian_measuring_points_mostly_measure_output_and_seldom_impact(catalog_db):
    stats = _stats(catalog_db, set=["De-norske-målepunktene"])
    steps = {r["value"]: r["count"] for r in stats["counts"]["evaluation_step"]}
    assert stats["total"] == 459
    assert steps == {"input": 43, "process": 20, "output": 355, "outcome": 36, "impact": 6}
    areas = {r["value"]: r["count"] for r in stats["counts"]["development_area"]}
    assert areas["health_and_social_services_and_welfare"] > 200
    assert areas["culture"] < 5 and areas["digitalisation"] < 10


def test_counts_and_unclassified_shares_add_up(catalog_db):
    stats = _stats(catalog_db)
    assert stats["total"] == 2092 + 252
    assert sum(r["count"] for r in stats["counts"]["set"]) == stats["total"]
    q = stats["counts"]["quality_class"]
    assert sum(r["count"] for r in q) == stats["total"]
    none = next(r for r in q if r["value"] is None)
    assert none["count"] == stats["unclassified"]["quality_class"]["count"]
    assert 0 < stats["unclassified"]["quality_class"]["share"] < 1


def test_set_comparison_and_gaps(catalog_db):
    stats = _stats(catalog_db, set=["U4SSC", "OECD-A-Territorial-Approach-to-the-SDGs"])
    sets = {r["set_id"]: r for r in stats["sets"]}
    assert set(sets) == {"U4SSC", "OECD-A-Territorial-Approach-to-the-SDGs"}
    assert sets["U4SSC"]["indicators"] == 111
    targets = stats["targets"]
    assert targets["total"] == 169
    assert targets["covered"] + len(targets["without_indicator"]) == 169
    assert targets["without_indicator"]  # two city sets leave gaps
    several = {row["target"] for row in targets["covered_by_several_sets"]}
    assert several and all(len(r["sets"]) == 2 for r in targets["covered_by_several_sets"])
    assert set(targets["without_indicator"]) <= set(targets["without_quality_class_1"])
    rows = statistics_rows(stats)
    assert {"dimension", "value", "label", "count", "share"} <= set(rows[0])
