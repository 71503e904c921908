"""A text model of the catalog: which indicators, SDG targets and free texts say the same thing.

Every indicator is a TF-IDF vector of its names, descriptions (Bokmål and English), unit and,
for an SDG indicator code such as 13.2.2, that code; its targets are labels, not text. Every SDG
target is a vector of its titles in both languages and, with less weight, its goal's titles.

A vector has two halves, each of unit length, and a cosine is the mix of the two:
- words with their Norwegian and English stems (index.py's `words` and `stems`), so inflected
  forms meet ("klimagasser" ~ "klimagass");
- character n-grams within word boundaries, so a Norwegian compound meets its parts
  ("klimagassutslipp" ~ "klimagass" + "utslipp") and near spellings meet.
Measured by benchmarks/suggest_bench.py --sweep (target top-1 / top-3, linked indicators in one
fold): words only 0.571 / 0.716, n-grams only 0.592 / 0.747, the mix of WORD_SHARE 0.4
0.593 / 0.754. N-grams do the work of a compound splitter without a lexicon; one was not tried.

English and Norwegian meet through the catalog itself: the UN set has both names, KS sets that
name a UN indicator carry its code and English name, and target titles are in both languages.

The model is built once per catalog version and database (like the search index) and shared
between threads.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse
from sqlalchemy import select
from sqlalchemy.orm import Session

from localsdg.catalog.index import STOPWORDS, stems, words
from localsdg.db.schema import Goal, Indicator, IndicatorValue, Target
from localsdg.db.state import per_catalog
from localsdg.errors import BadRequest, NotFound

MAX_TEXT = 20_000  # characters of a free text: a long plan chapter, not a whole plan
WORD_SHARE = 0.4  # cosine = WORD_SHARE · words + (1 − WORD_SHARE) · n-grams
NGRAMS = (4, 5)
FIELD_WEIGHTS = {"name": 2.0, "description": 1.0, "unit": 0.5, "goal": 0.5}
CODE_WEIGHT = 4.0  # an SDG code in a text (13.2.2) names the indicator or target outright
SDG_CODE = re.compile(r"\d{1,2}\.[0-9a-z]{1,2}(?:\.\d{1,2})?")
MAX_SHARED = 5
SHARED_SHARE = 0.15  # a shared word adds at least this part of the first one's weight


@dataclass(frozen=True)
class Neighbour:
    set_id: str
    code: str
    similarity: float  # cosine, 0–1
    shared: tuple[str, ...]  # the neighbour's words that made them similar, most important first


@lru_cache(maxsize=200_000)
def features(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A word's terms (itself and its stems) and its character n-grams within '<word>'."""
    if len(word) < 2:
        return (), ()
    if not word.isalpha():
        return (word,), ()
    marked = f"<{word}>"
    grams = {marked[i:i + n] for n in NGRAMS for i in range(len(marked) - n + 1)}
    return tuple(sorted(stems(word))), tuple(sorted(grams)) if len(word) >= 4 else ()


def text_words(text: str) -> list[str]:
    """The words of a text that carry meaning (not bare numbers)."""
    return [w for w in words(text) if not w.isdigit()]


class _Space:
    """Feature columns and their IDF, learned from all documents, and vectors in that space."""

    def __init__(self, documents: list[list[tuple[str, float]]], word_share: float) -> None:
        self.word_share = word_share
        self.columns: list[dict[str, int]] = [{}, {}]  # words, n-grams
        df: list[dict[str, int]] = [defaultdict(int), defaultdict(int)]
        weighted = [self._weights(doc) for doc in documents]
        for halves in weighted:
            for half, terms in enumerate(halves):
                for term in terms:
                    df[half][term] += 1
        self.unseen = math.log(len(documents) + 1) + 1
        self.idf = []
        for half in (0, 1):
            self.columns[half] = {t: i for i, t in enumerate(sorted(df[half]))}
            self.idf.append({t: math.log((len(documents) + 1) / (n + 1)) + 1
                             for t, n in df[half].items()})
        self.width = len(self.columns[0]) + len(self.columns[1])
        rows = [self._row(h) for h in weighted]
        self.matrix = (sparse.vstack(rows, format="csr") if rows
                       else sparse.csr_matrix((0, self.width)))

    @staticmethod
    def _weights(doc: list[tuple[str, float]]) -> tuple[dict[str, float], dict[str, float]]:
        """Each term's weight in a document: the highest field weight it occurs in."""
        halves: tuple[dict[str, float], dict[str, float]] = ({}, {})
        for word, weight in doc:
            weight *= CODE_WEIGHT if SDG_CODE.fullmatch(word) else 1.0
            for half, terms in zip(halves, features(word), strict=True):
                for term in terms:
                    half[term] = max(half.get(term, 0.0), weight)
        return halves

    def _row(self, halves: tuple[dict[str, float], dict[str, float]]) -> sparse.csr_matrix:
        cols, vals = [], []
        for half, share in ((0, self.word_share), (1, 1 - self.word_share)):
            offset = 0 if half == 0 else len(self.columns[0])
            known = [(self.columns[half][t] + offset, w * self.idf[half][t])
                     for t, w in halves[half].items() if t in self.columns[half]]
            unknown = sum((w * self.unseen) ** 2 for t, w in halves[half].items()
                          if t not in self.columns[half])
            norm = math.sqrt(sum(v * v for _, v in known) + unknown)
            if norm:
                cols += [c for c, _ in known]
                vals += [v / norm * math.sqrt(share) for _, v in known]
        return sparse.csr_matrix((vals, ([0] * len(cols), cols)), shape=(1, self.width))

    def vector(self, doc: list[tuple[str, float]]) -> sparse.csr_matrix:
        return self._row(self._weights(doc))

    def word_columns(self, word: str) -> list[int]:
        terms, grams = features(word)
        offset = len(self.columns[0])
        return ([self.columns[0][t] for t in terms if t in self.columns[0]]
                + [self.columns[1][g] + offset for g in grams if g in self.columns[1]])


def check_text(text: str) -> str:
    """A free text as given, or BadRequest when it is empty or too long to be one passage."""
    if not text or not text.strip():
        raise BadRequest("the text is empty: give a sentence or a paragraph to compare")
    if len(text) > MAX_TEXT:
        raise BadRequest(f"the text has {len(text):,} characters; give at most {MAX_TEXT:,} "
                         "(one passage or chapter at a time)")
    return text


Fields = list[tuple[str | None, float]]  # texts with their weights


def _doc(fields: Fields) -> list[tuple[str, float]]:
    return [(w, weight) for text, weight in fields if text for w in text_words(text)]


def indicator_fields(ind: Indicator, lang: str | None = None) -> Fields:
    """The texts that make an indicator's vector, with their weights: in both languages with
    its code when that is an SDG code, or its words in only one language (nb or en)."""
    w = FIELD_WEIGHTS
    texts = {"nb": [(ind.name_nb, w["name"]), (ind.description_nb, w["description"])],
             "en": [(ind.name_en, w["name"]), (ind.description_en, w["description"])]}
    code = ind.code if SDG_CODE.fullmatch(ind.code) and not lang else None
    return [(code, w["name"]),
            *(field for language in ([lang] if lang else texts) for field in texts[language]),
            (ind.unit, w["unit"])]


class TextModel:
    """The catalog's indicators (rows in `keys` order) and its SDG targets as text vectors, with
    the targets and goals each indicator is classified with (its labels)."""

    def __init__(self, version: int, keys: list[tuple[str, str]],
                 indicator_docs: list[list[tuple[str, float]]],
                 targets: list[tuple[str, str]], target_docs: list[list[tuple[str, float]]],
                 labels: list[tuple[set[str], set[str]]], word_share: float,
                 language_docs: tuple[list[list[tuple[str, float]]], ...] = ()) -> None:
        self.version = version
        self.keys = keys
        self.row = {key: i for i, key in enumerate(keys)}
        self.targets = [code for code, _ in targets]  # target codes, columns of target_labels
        self.target_goal = [goal for _, goal in targets]
        self.goals = sorted(set(self.target_goal) | {g for _, gs in labels for g in gs}, key=int)
        self._space = _Space(indicator_docs + target_docs, word_share)
        self.vectors = self._space.matrix[:len(keys)]
        self.target_vectors = self._space.matrix[len(keys):]
        # Each indicator's Norwegian and English texts apart, in the same space: one named in
        # both languages is compared with one named in one of them in the language they share.
        self.language_vectors = [sparse.vstack([self._space.vector(d) for d in docs], "csr")
                                 for docs in language_docs if docs]
        self._words = [tuple(dict.fromkeys(w for w, _ in doc))
                       for doc in indicator_docs + target_docs]
        column = {code: i for i, code in enumerate(self.targets)}
        goal_column = {g: i for i, g in enumerate(self.goals)}
        self.target_labels = np.zeros((len(keys), len(self.targets)), bool)
        self.goal_labels = np.zeros((len(keys), len(self.goals)), bool)
        self.goal_of_target = np.array([goal_column[g] for g in self.target_goal], int)
        for i, (ts, gs) in enumerate(labels):
            self.target_labels[i, [column[t] for t in ts if t in column]] = True
            self.goal_labels[i, [goal_column[g] for g in gs]] = True

    def vector(self, text: str) -> sparse.csr_matrix:
        """A free text in the model's space (checked: not empty, not too long)."""
        return self._space.vector(_doc([(check_text(text), 1.0)]))

    def fields_vector(self, fields: Fields) -> sparse.csr_matrix:
        """Weighted texts (like `indicator_fields`) in the model's space."""
        return self._space.vector(_doc(fields))

    def similarities(self, query: sparse.csr_matrix) -> np.ndarray:
        """Cosine of the query with every indicator row."""
        return (self.vectors @ query.T).toarray().ravel()

    def pair_similarities(self, rows: slice) -> np.ndarray:
        """The similarity of some indicator rows with every indicator: the best cosine of
        their whole texts and of their Norwegian and of their English texts."""
        return np.maximum.reduce([(m[rows] @ m.T).toarray()
                                  for m in (self.vectors, *self.language_vectors)])

    def target_similarities(self, query: sparse.csr_matrix) -> np.ndarray:
        """Cosine of the query with every target's text."""
        return (self.target_vectors @ query.T).toarray().ravel()

    def shared(self, query: sparse.csr_matrix, row: int) -> tuple[str, ...]:
        """The words of document `row` (indicators, then targets) that the query matched, most
        important first; one word per stem, no small word ("og", "eller", "innen")."""
        doc = self._space.matrix[row]
        both, qi, di = np.intersect1d(query.indices, doc.indices, return_indices=True)
        contribution = dict(zip(both.tolist(), (query.data[qi] * doc.data[di]).tolist(),
                                strict=True))
        scored = sorted(((sum(contribution.get(c, 0.0) for c in self._space.word_columns(w)), w)
                         for w in self._words[row]
                         if (len(w) > 3 or not w.isalpha()) and w not in STOPWORDS),
                        reverse=True)
        top = scored[0][0] if scored else 0.0
        chosen: list[str] = []
        seen: set[str] = set()
        for score, word in scored:
            if score < SHARED_SHARE * top or score <= 0 or len(chosen) == MAX_SHARED:
                break
            if not stems(word) & seen:
                chosen.append(word)
                seen |= stems(word)
        return tuple(chosen)

    def neighbours(self, query: sparse.csr_matrix, sims: np.ndarray, k: int) -> list[Neighbour]:
        """The k rows of highest similarity above zero (others masked with -1 beforehand)."""
        top = np.argsort(-sims, kind="stable")[:k]
        return [Neighbour(*self.keys[i], round(float(sims[i]), 4), self.shared(query, int(i)))
                for i in top if sims[i] > 0]

    def nearest(self, set_id: str, code: str, k: int = 10, *,
                other_sets: bool = True) -> list[Neighbour]:
        """The indicators most like this one by their text; with `other_sets`, only those of
        other sets (crosswalk candidates), else of every set. Never the indicator itself."""
        row = self.row.get((set_id, code))
        if row is None:
            raise NotFound(f"no indicator '{set_id}/{code}' in the catalog")
        query = self.vectors[row]
        sims = self.pair_similarities(slice(row, row + 1)).ravel()
        sims[row] = -1
        if other_sets:
            sims[[i for i, (s, _) in enumerate(self.keys) if s == set_id]] = -1
        return self.neighbours(query, sims, k)

    def nearest_to_text(self, text: str, k: int = 10) -> list[Neighbour]:
        """The indicators most like a free text (a name, a measure, a paragraph of a plan)."""
        query = self.vector(text)
        return self.neighbours(query, self.similarities(query), k)

    def target_shared(self, query: sparse.csr_matrix, target: int) -> tuple[str, ...]:
        """The words of a target's text that the query matched."""
        return self.shared(query, len(self.keys) + target)


def text_model(session: Session) -> TextModel:
    """The model of this database's catalog, rebuilt only when the catalog has changed."""
    return per_catalog(session, "text model", lambda version: build(session, version))


def build(session: Session, version: int, *, word_share: float = WORD_SHARE) -> TextModel:
    w = FIELD_WEIGHTS
    goals = {g.id: g for g in session.scalars(select(Goal))}
    targets, target_docs = [], []
    for t in session.scalars(select(Target).order_by(Target.goal_id, Target.position)):
        goal = goals.get(t.goal_id)
        targets.append((t.code, str(t.goal_id)))
        target_docs.append(_doc([(t.title_nb, w["name"]), (t.title_en, w["name"]),
                                 (goal and goal.title_nb, w["goal"]),
                                 (goal and goal.title_en, w["goal"])]))
    target_goal = dict(targets)
    values: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for ind_id, prop, value in session.execute(
            select(IndicatorValue.indicator_id, IndicatorValue.property, IndicatorValue.value)
            .where(IndicatorValue.property.in_(("targets", "goals")))):
        values[ind_id][prop].add(value)
    keys, docs, labels = [], [], []
    languages: tuple[list, list] = ([], [])
    for ind in session.scalars(select(Indicator).order_by(Indicator.set_id, Indicator.id)):
        keys.append((ind.set_id, ind.code))
        docs.append(_doc(indicator_fields(ind)))
        for lang, found in zip(("nb", "en"), languages, strict=True):  # none without a name
            found.append(_doc(indicator_fields(ind, lang)) if getattr(ind, f"name_{lang}")
                         else [])
        ts = values[ind.id]["targets"]
        labels.append((ts, values[ind.id]["goals"]
                       | {target_goal.get(t, t.split(".")[0]) for t in ts}))
    return TextModel(version, keys, docs, targets, target_docs, labels, word_share, languages)
