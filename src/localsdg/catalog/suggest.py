"""SDG targets and goals suggested for a text (a paragraph of a plan, a measure, an indicator's
name) or for an indicator of the catalog, learned from the catalog's own classification.

A target's score mixes two things, both over the text model of similarity.py:
- the vote of the most similar classified indicators, each weighted by its similarity (kNN);
- the similarity of the text to the target's own title (and its goal's), which also finds
  targets no indicator carries yet.
A goal is scored the same way, from the goals the neighbours carry and its best target's text.
Each suggestion says why: the words that matched and the classified neighbours that carry it.

The constants are chosen by the cross-validation in benchmarks/suggest_bench.py (5 folds, SDG
codes stripped from the texts, linked indicators in one fold): target top-1 / top-3 accuracy is
0.593 / 0.754 (goals 0.737 / 0.904); the vote alone gives 0.532 / 0.681, the target texts alone
0.226 / 0.357. Those figures are for indicator names; a plan's paragraph is longer and looser,
so its scores run lower and fewer of its suggestions reach CONFIDENT.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
from scipy import sparse
from sqlalchemy.orm import Session

from localsdg.catalog.similarity import Neighbour, TextModel, text_model
from localsdg.errors import BadRequest, NotFound

NEIGHBOURS = 10  # classified indicators that vote
TEXT_WEIGHT = 0.7  # share of the target's own text in the score; the rest is the vote
# A suggestion at or above this score is `confident`. In cross-validation (links in one fold)
# 79 % of the target suggestions at or above it were right, and 53 % of the indicators had one.
CONFIDENT = 0.2
MAX_LIMIT = 50
REASONS = 3  # neighbours named as reasons per suggestion
SHOWN = 8  # suggestions a page asks for: the confident ones among them, then hints
Level = Literal["target", "goal"]


@dataclass(frozen=True)
class Suggestion:
    code: str  # the target ("13.2"), or the goal ("13") for a goal suggestion
    goal: str
    score: float  # 0–1
    confident: bool
    words: tuple[str, ...]  # the words that matched, from the target's text and the neighbours
    neighbours: tuple[Neighbour, ...]  # the most similar classified indicators that carry it

    def as_data(self) -> dict:
        return asdict(self) | {"words": list(self.words),
                               "neighbours": [asdict(n) | {"shared": list(n.shared)}
                                              for n in self.neighbours]}


def suggest_targets(session: Session, text: str, *, limit: int = 5,
                    level: Level = "target") -> list[Suggestion]:
    """The targets (or goals, `level="goal"`) a free text most likely speaks to, best first."""
    model = text_model(session)
    return suggestions(model, model.vector(text), limit=limit, level=level)


def suggest_for_indicator(session: Session, set_id: str, code: str, *, limit: int = 5,
                          level: Level = "target") -> list[Suggestion]:
    """The targets (or goals) for a catalog indicator by its own text, whatever it is classified
    with now; it does not vote for itself."""
    model = text_model(session)
    row = model.row.get((set_id, code))
    if row is None:
        raise NotFound(f"no indicator '{set_id}/{code}' in the catalog")
    pool = np.ones(len(model.keys), bool)
    pool[row] = False
    return suggestions(model, model.vectors[row], limit=limit, level=level, pool=pool)


def _labels(model: TextModel, level: Level) -> np.ndarray:
    if level not in ("target", "goal"):
        raise BadRequest(f"level '{level}': choose 'target' or 'goal'")
    return model.target_labels if level == "target" else model.goal_labels


def scores(model: TextModel, query: sparse.csr_matrix, *, level: Level = "target",
           pool: np.ndarray | None = None, neighbours: int = NEIGHBOURS,
           text_weight: float = TEXT_WEIGHT, sims: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """Each target's (or goal's) score for a query vector, and the voting neighbours' rows, most
    similar first. `pool` limits which indicators may vote; `sims` are the query's similarities
    with every indicator when the caller has them already."""
    labels = _labels(model, level)
    sims = model.similarities(query) if sims is None else sims
    voters = labels.any(axis=1) if pool is None else pool & labels.any(axis=1)
    sims = np.where(voters, sims, 0.0)
    top = np.argsort(-sims, kind="stable")[:neighbours]
    top = top[sims[top] > 0]
    weight = sims[top].sum()
    vote = sims[top] @ labels[top] / weight if weight else np.zeros(labels.shape[1])
    text = model.target_similarities(query)
    if level == "goal":
        by_goal = np.zeros(len(model.goals))
        np.maximum.at(by_goal, model.goal_of_target, text)
        text = by_goal
    return (1 - text_weight) * vote + text_weight * text, top


def suggestions(model: TextModel, query: sparse.csr_matrix, *, limit: int = 5,
                level: Level = "target", pool: np.ndarray | None = None) -> list[Suggestion]:
    """The best `limit` targets (or goals) for a query vector, each with its reasons."""
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit {limit}: ask for 1 to {MAX_LIMIT} suggestions")
    sims, out = model.similarities(query), []
    score, voters = scores(model, query, level=level, pool=pool, sims=sims)
    labels = _labels(model, level)
    codes = model.targets if level == "target" else model.goals
    for col in np.argsort(-score, kind="stable")[:limit]:
        if score[col] <= 0:
            break
        carriers = [int(r) for r in voters if labels[r, col]][:REASONS]
        found = tuple(model.neighbours(query, _only(carriers, sims), REASONS))
        out.append(Suggestion(
            codes[col], model.target_goal[col] if level == "target" else codes[col],
            round(float(score[col]), 4), bool(score[col] >= CONFIDENT),
            _words(model, query, level, int(col), found), found))
    return out


def _only(rows: list[int], sims: np.ndarray) -> np.ndarray:
    """Similarities with every row but `rows` masked out."""
    kept = np.full(len(sims), -1.0)
    kept[rows] = sims[rows]
    return kept


def _words(model: TextModel, query: sparse.csr_matrix, level: Level, col: int,
           found: tuple[Neighbour, ...]) -> tuple[str, ...]:
    """The target's matched words (the goal's best target's), then the neighbours' shared words:
    at most five, each once."""
    if level == "goal":
        text = model.target_similarities(query)
        members = np.flatnonzero(model.goal_of_target == col)
        col = int(members[np.argmax(text[members])]) if len(members) else -1
    own = model.target_shared(query, col) if col >= 0 else ()
    return tuple(dict.fromkeys([*own, *(w for n in found for w in n.shared)]))[:5]


def confident_and_hints(found: list[Suggestion], shown: int = 3
                        ) -> tuple[list[Suggestion], list[Suggestion]]:
    """The confident suggestions, and as many others as make up `shown`: hints, to be marked as
    below the threshold."""
    sure = [f for f in found if f.confident]
    return sure, [f for f in found if not f.confident][:max(0, shown - len(sure))]
