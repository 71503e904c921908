"""The judged query set (search_judgements.json) and the measures of search quality over it.

Shared by tests/catalog/test_search_quality.py, which keeps the gains, and
benchmarks/search_bench.py, which prints the figures.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from localsdg.areas.places import places_in
from localsdg.catalog.search import Selection, search

JUDGEMENTS = Path(__file__).with_name("search_judgements.json")


@dataclass(frozen=True)
class Judged:
    q: str
    lang: str
    kind: str
    relevant: dict[str, int]  # "SET/CODE" → grade 1–3
    sets: tuple[str, ...]
    places: tuple[str, ...]


def judged_queries() -> list[Judged]:
    data = json.loads(JUDGEMENTS.read_text(encoding="utf-8"))
    return [Judged(j["q"], j["lang"], j["kind"], j.get("relevant", {}),
                   tuple(j.get("sets", ())), tuple(j.get("places", ())))
            for j in data["queries"]]


def ndcg(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the first k, gains 2^grade − 1."""
    def dcg(grades: list[int]) -> float:
        return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:k]))
    ideal = dcg(sorted(relevant.values(), reverse=True))
    return dcg([relevant.get(key, 0) for key in ranked]) / ideal if ideal else 0.0


def recall(ranked: list[str], relevant: dict[str, int], k: int = 20) -> float:
    """The share of the relevant found in the first k, of as many as k can hold (a set's 150
    indicators are all relevant to its name, and 20 of them is all a page shows)."""
    found = len(set(ranked[:k]) & relevant.keys())
    return found / min(len(relevant), k) if relevant else 0.0


@dataclass(frozen=True)
class Measured:
    judged: Judged
    ndcg10: float | None  # None: a place query without indicators judged
    recall20: float | None
    sets_found: bool | None  # the sets named are among the sets shown (None: none named)
    place_first: bool | None


def measure(session: Session, j: Judged) -> Measured:
    """Search as the catalog page does: a place named in the query is shown apart, and the
    indicators are searched for the rest of the words."""
    places, words = places_in(session, j.q)
    result = search(session, Selection(words), limit=20, facets=False)
    ranked = [f"{h['set_id']}/{h['code']}" for h in result["hits"]]
    shown_sets = {s["set_id"] for s in result.get("sets", [])}
    return Measured(
        j, ndcg(ranked, j.relevant) if j.relevant else None,
        recall(ranked, j.relevant) if j.relevant else None,
        set(j.sets) <= shown_sets if j.sets else None,
        bool(places) and places[0].code in j.places if j.places else None)


def summary(results: list[Measured], by: str | None = None) -> dict[str, dict[str, float]]:
    """Mean nDCG@10 and recall@20, and the share of named sets and places found, in all and by
    `by` (lang or kind)."""
    groups: dict[str, list[Measured]] = {"all": results}
    if by:
        for r in results:
            groups.setdefault(getattr(r.judged, by), []).append(r)
    out = {}
    for name, rs in groups.items():
        row = {"queries": len(rs)}
        for field in ("ndcg10", "recall20", "sets_found", "place_first"):
            values = [float(getattr(r, field)) for r in rs if getattr(r, field) is not None]
            if values:
                row[field] = sum(values) / len(values)
        out[name] = row
    return out
