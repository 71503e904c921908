"""Analyses of any selection of the catalog: counts per taxonomy dimension with the
unclassified share, a set-by-set comparison of goal and target coverage with the gaps, and the
overlap between sets (indicators that measure the same thing, from the crosswalk)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import combinations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sqlalchemy.orm import Session

from localsdg.catalog.crosswalk import STRONG, all_proposals
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


def overlaps(session: Session, sets: list[str] | None = None, *, strong: float = STRONG) -> dict:
    """Where sets measure the same thing: groups of indicators of different sets joined by
    'exact' links (connected components), counting confirmed exact links and open exact
    proposals of confidence `strong` or more, never rejected ones; with `sets`, only their
    indicators. For each pair of sets and each combination of sets, how many groups they share,
    and with `sets`, how many groups all of them share ("these 3 sets measure the same thing 11
    times")."""
    walk = all_proposals(session)
    wanted = set(sets) if sets else None
    names: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    edges: set[frozenset] = set()
    open_edges: set[frozenset] = set()
    for own, found in walk.items():
        for p in found:
            other = (p.set_id, p.code)
            if p.same(("exact",), strong) and (wanted is None or {own[0], p.set_id} <= wanted):
                names[other] = (p.name_nb, p.name_en)
                edges.add(frozenset((own, other)))
                if p.status == "open":
                    open_edges.add(frozenset((own, other)))
    groups = _groups(edges, names, open_edges)
    return {"sets": sorted(wanted) if wanted else sorted({s for g in groups for s in g["sets"]}),
            "strong": strong, "groups": groups, "pairs": _pair_counts(groups),
            "combinations": _combinations(groups),
            "shared_by_all": sum(wanted <= set(g["sets"]) for g in groups) if wanted else None}


def connected(size: int, pairs: Iterable[tuple[int, int]]) -> np.ndarray:
    """Each of `size` items' group number: the connected components of the pairs joining them
    (SciPy's graph search)."""
    ends = np.array(list(pairs), dtype=np.int64).reshape(-1, 2)
    graph = sparse.coo_matrix((np.ones(len(ends)), (ends[:, 0], ends[:, 1])), shape=(size, size))
    return connected_components(graph, directed=False)[1]


def _groups(edges: set[frozenset], names: dict, open_edges: set[frozenset]) -> list[dict]:
    nodes = sorted({x for e in edges for x in e})
    at = {x: i for i, x in enumerate(nodes)}
    members: dict[int, list[tuple]] = defaultdict(list)
    for x, label in zip(nodes, connected(len(nodes), [tuple(at[x] for x in e) for e in edges]),
                        strict=True):
        members[int(label)].append(x)
    groups = []
    for found in members.values():
        inside = {e for e in open_edges if e <= set(found)}
        groups.append({
            "indicators": [{"set_id": s, "code": c, "name_nb": names[(s, c)][0],
                            "name_en": names[(s, c)][1]} for s, c in found],
            "sets": sorted({s for s, _ in found}),
            "confirmed": not inside})
    return sorted(groups, key=lambda g: (-len(g["sets"]), g["sets"], g["indicators"][0]["code"]))


def _pair_counts(groups: list[dict]) -> list[dict]:
    same: Counter = Counter()
    confirmed: Counter = Counter()
    for g in groups:
        for pair in combinations(g["sets"], 2):
            same[pair] += 1
            confirmed[pair] += g["confirmed"]
    return [{"sets": list(pair), "same": n, "confirmed": confirmed[pair]}
            for pair, n in sorted(same.items(), key=lambda item: (-item[1], item[0]))]


def _combinations(groups: list[dict]) -> list[dict]:
    spans = Counter(tuple(g["sets"]) for g in groups)
    return [{"sets": list(span), "same": n}
            for span, n in sorted(spans.items(), key=lambda item: (-item[1], item[0]))]
