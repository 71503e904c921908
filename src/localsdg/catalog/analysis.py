"""Analyses of any selection of the catalog: counts per taxonomy dimension with the
unclassified share, and a set-by-set comparison of goal and target coverage with the gaps."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.orm import Session

from localsdg.catalog.index import CatalogIndex, get_index
from localsdg.catalog.search import Selection, facet_label, facet_order, query_scores, selected

DIMENSIONS = ["set", "goal", "target", "tbl", "evaluation_step", "quality_class",
              "development_area", "geography_level", "distribution", "data_owner", "periodicity",
              "priority_tag"]


def statistics(session: Session, sel: Selection, lang: str = "nb") -> dict:
    index = get_index(session)
    sel = sel.normalised(index)
    docs = selected(index, sel, query_scores(index, sel.q))
    total = docs.bit_count()
    return {
        "selection": sel.as_dict(),
        "total": total,
        "counts": {dim: _counts(index, dim, docs, lang) for dim in DIMENSIONS},
        "unclassified": {
            dim: {"count": n, "share": _share(n, total)}
            for dim in DIMENSIONS if dim != "set"
            for n in [(docs & index.postings[dim].get(None, 0)).bit_count()]
        },
        "sets": _sets(index, docs, lang),
        "targets": _target_coverage(index, docs),
    }


def _share(n: int, total: int) -> float:
    return round(n / total, 4) if total else 0.0


def _counts(index: CatalogIndex, dim: str, docs: int, lang: str) -> list[dict]:
    rows, total = [], docs.bit_count()
    for value, members in index.postings[dim].items():
        n = (docs & members).bit_count()
        if n:
            rows.append({"value": value, "label": facet_label(index, dim, value, lang),
                         "count": n, "share": _share(n, total)})
    if dim in ("set", "data_owner", "priority_tag"):  # open lists: the largest first
        return sorted(rows, key=lambda r: (r["value"] is None, -r["count"], r["value"] or ""))
    return sorted(rows, key=lambda r: facet_order(dim, r["value"]))


def _sets(index: CatalogIndex, docs: int, lang: str) -> list[dict]:
    out = []
    for set_id, members in sorted(index.postings["set"].items()):
        mine = docs & members
        if not mine:
            continue
        facets = [index.docs[d].facets for d in index.members(mine)]
        goals = {g for f in facets for g in f["goal"]}
        targets = {t for f in facets for t in f["target"]}
        n = mine.bit_count()
        out.append({
            "set_id": set_id, "name": facet_label(index, "set", set_id, lang),
            "indicators": n,
            "goals": sorted(goals, key=int), "goals_covered": len(goals),
            "targets_covered": len(targets),
            "unclassified_share": {
                dim: _share((mine & index.postings[dim].get(None, 0)).bit_count(), n)
                for dim in ("goal", "target", "tbl", "evaluation_step", "quality_class",
                            "development_area", "geography_level")
            },
        })
    return out


def _target_coverage(index: CatalogIndex, docs: int) -> dict:
    sets_per_target: dict[str, set[str]] = defaultdict(set)
    class1: set[str] = set()
    for d in index.members(docs):
        doc = index.docs[d]
        for t in doc.facets["target"]:
            sets_per_target[t].add(doc.set_id)
            if doc.quality_class == "1":
                class1.add(t)
    return {
        "total": len(index.all_targets),
        "covered": len(sets_per_target),
        "covered_by_several_sets": [
            {"target": t, "sets": sorted(sets_per_target[t])}
            for t in index.all_targets if len(sets_per_target.get(t, ())) > 1
        ],
        "without_indicator": [t for t in index.all_targets if t not in sets_per_target],
        "without_quality_class_1": [t for t in index.all_targets if t not in class1],
    }


def statistics_rows(stats: dict) -> list[dict]:
    """The counts as one long table (dimension, value, label, count, share) for CSV and terminal."""
    return [{"dimension": dim, **row} for dim, rows in stats["counts"].items() for row in rows]


def coverage_matrix(session: Session, sel: Selection, column: str, lang: str = "nb") -> dict:
    """Indicators per set and goal (or target) for the selection; zero cells are the gaps."""
    if column not in ("goal", "target"):
        raise ValueError(column)
    index = get_index(session)
    sel = sel.normalised(index)
    docs = selected(index, sel, query_scores(index, sel.q))
    columns = [str(g) for g in range(1, 18)] if column == "goal" else index.all_targets
    counts: dict[str, dict[str, int]] = {}
    for d in index.members(docs):
        doc = index.docs[d]
        row = counts.setdefault(doc.set_id, {})
        for value in doc.facets[column]:
            row[value] = row.get(value, 0) + 1
    rows = [{"set_id": s, "name": facet_label(index, "set", s, lang)} for s in sorted(counts)]
    gaps = [c for c in columns if not any(row.get(c) for row in counts.values())]
    return {"column": column, "columns": columns, "rows": rows, "counts": counts, "gaps": gaps}


def matrix_rows(matrix: dict) -> list[dict]:
    """The matrix as a long table (set, goal or target, count), zeros included."""
    return [{"set_id": r["set_id"], matrix["column"]: c,
             "count": matrix["counts"][r["set_id"]].get(c, 0)}
            for r in matrix["rows"] for c in matrix["columns"]]
