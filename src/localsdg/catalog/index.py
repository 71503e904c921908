"""An in-memory index of the whole catalog for search, facets and analysis.

The catalog is small (thousands to tens of thousands of indicators), so one index per process,
rebuilt when the catalog version in the database changes, answers every faceted search in
milliseconds on SQLite and PostgreSQL alike, without two engine-specific full-text setups.

A set of documents is a bit mask (a Python int, bit i for document i): intersecting two masks
and counting the result take well under a microsecond for 10,000 indicators, so the counts of
every facet value for a selection cost less than rendering them.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any

import numpy as np
import snowballstemmer
from sqlalchemy import select
from sqlalchemy.orm import Session

from localsdg.catalog import properties as props
from localsdg.db.schema import (
    Indicator,
    IndicatorLink,
    IndicatorSet,
    IndicatorValue,
    LinkDecision,
    Target,
)
from localsdg.db.state import catalog_kept, per_catalog

# facet name -> property it reads
FACETS = {"set": None, **{p.facet: p.name for p in props.PROPERTIES.values() if p.facet}}
# Small words that carry no meaning of their own in a query or a reason, Norwegian and English.
STOPWORDS = frozenset(("og i av for per på til med eller som ved fra innen alle "
                       "the of and in to a an by or with from that for all").split())
TOKEN = re.compile(r"\d+(?:\.[0-9a-z]+)+|\w+", re.UNICODE)
# BM25F: a word counts by the field it stands in, relative to that field's usual length. The
# titles of an indicator's targets count a little, so that an indicator named in plain words is
# also found by the words of the goal it measures; so does its set's name ("ungdata" finds
# Ungdata's questions), little enough that the indicators named with the words come first.
# Sets are also found by their names on their own (`set_terms`). An indicator's exact twins in
# other sets lend it their codes and names ("same"): KS's copy found by the UN's English name.
FIELD_WEIGHTS = {"code": 3.0, "name_nb": 3.0, "name_en": 3.0, "notation": 2.0,
                 "description_nb": 1.0, "description_en": 1.0, "unit": 0.5, "targets": 0.3,
                 "set": 0.5, "same": 1.0}
LENGTH_NORM = 0.75  # BM25's b: how much a long field's words count less
_STEMMERS = {lang: snowballstemmer.stemmer(lang) for lang in ("norwegian", "english")}


def words(text: str) -> list[str]:
    return TOKEN.findall(text.casefold())


@lru_cache(maxsize=200_000)
def stems(word: str) -> frozenset[str]:
    """The word and its Norwegian and English stems: inflected forms meet at the stem."""
    if not word.isalpha() or len(word) < 4:
        return frozenset((word,))
    return frozenset((word, *(s.stemWord(word) for s in _STEMMERS.values())))


def same_name_key(name_nb: str | None, name_en: str | None) -> tuple[str, str]:
    """What makes two names of one set the same name: case and spacing aside."""
    return tuple(" ".join((n or "").casefold().split()) for n in (name_nb, name_en))


@dataclass
class Doc:
    id: int
    set_id: str
    code: str
    name_nb: str | None
    name_en: str | None
    quality_class: str | None
    facets: dict[str, list[str]]
    namesakes: tuple[str, ...] = ()  # the codes of the set's other indicators of this name

    def __post_init__(self) -> None:
        self.natural_code = natural_key(self.code)


def natural_key(code: str) -> tuple:
    """Sort 2.10.1 after 2.9.1: numeric parts as numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("."))


@dataclass
class CatalogIndex:
    version: int
    docs: list[Doc] = field(default_factory=list)
    by_key: dict[tuple[str, str], int] = field(default_factory=dict)
    postings: dict[str, dict[str | None, int]] = field(default_factory=dict)  # facet→value→mask
    terms: dict[str, dict[int, float]] = field(default_factory=dict)  # term → doc → BM25F tf
    set_terms: dict[str, dict[str, float]] = field(default_factory=dict)  # term → set → tf
    vocabulary: list[str] = field(default_factory=list)
    vocabulary_set: frozenset[str] = frozenset()
    set_names: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    target_goal: dict[str, str] = field(default_factory=dict)
    all_targets: list[str] = field(default_factory=list)

    _joined: str = ""
    _starts: list[int] = field(default_factory=list)

    @property
    def everything(self) -> int:
        return (1 << len(self.docs)) - 1

    def members(self, mask: int) -> np.ndarray:
        """The documents of a mask, in index order."""
        raw = np.frombuffer(mask.to_bytes(len(self.docs) // 8 + 1, "little"), np.uint8)
        return np.flatnonzero(np.unpackbits(raw, bitorder="little"))

    def _order(self, name: str, key: Callable[[int], Any]) -> np.ndarray:
        """All documents sorted by `key`, once per key `name`."""
        orders = self.__dict__.setdefault("_orders", {})
        if name not in orders:
            orders[name] = np.array(sorted(range(len(self.docs)), key=key), dtype=np.int64)
        return orders[name]

    def rank(self, name: str, key: Callable[[int], Any]) -> list[int]:
        """Each document's place in the order of `key`: a cheap sort key in its stead."""
        ranks = self.__dict__.setdefault("_ranks", {})
        if name not in ranks:
            rank = np.empty(len(self.docs), np.int64)
            rank[self._order(name, key)] = np.arange(len(self.docs))
            ranks[name] = rank.tolist()
        return ranks[name]

    def in_order(self, mask: int, name: str, key: Callable[[int], Any]) -> np.ndarray:
        """The documents of a mask sorted by `key`; a page of a large selection needs no
        sorting."""
        order = self._order(name, key)
        inside = np.zeros(len(self.docs), bool)
        inside[self.members(mask)] = True
        return order[inside[order]]

    def words_containing(self, part: str) -> list[str]:
        """Vocabulary words that contain `part`, found by a C-speed scan of one long string."""
        if not self._joined:
            self._joined = "\n".join(self.vocabulary)
            self._starts = list(accumulate((len(w) + 1 for w in self.vocabulary[:-1]), initial=0))
        found, pos = [], self._joined.find(part)
        while pos != -1:
            i = bisect_right(self._starts, pos) - 1
            found.append(self.vocabulary[i])
            pos = self._joined.find(part, self._starts[i] + len(self.vocabulary[i]) + 1)
        return found


def to_mask(docs: Iterable[int]) -> int:
    """The mask of some documents."""
    positions = np.fromiter(docs, np.int64)
    bits = np.zeros(int(positions.max()) + 1 if len(positions) else 0, bool)
    bits[positions] = True
    return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")


def index_ready(session: Session) -> bool:
    """Whether the index of this database is built for its catalog as it is now."""
    return catalog_kept(session, "search index") is not None


def get_index(session: Session) -> CatalogIndex:
    """The index for this database, rebuilt only when the catalog has changed since."""
    return per_catalog(session, "search index", lambda version: _frozen(build(session, version)))


def _frozen(index: CatalogIndex) -> CatalogIndex:
    # The index holds no reference cycles and lives until the catalog changes: out of the
    # cyclic collector, whose full passes over its million objects would stall a request by
    # ~30 ms (it is still freed by reference counting).
    gc.freeze()
    return index


def build(session: Session, version: int) -> CatalogIndex:
    index = CatalogIndex(version)
    sets = {s.id: s for s in session.scalars(select(IndicatorSet))}
    index.set_names = {k: (s.name_nb, s.name_en) for k, s in sets.items()}
    targets = session.execute(select(Target.code, Target.goal_id, Target.title_nb,
                                     Target.title_en)).all()
    index.target_goal = {code: str(goal) for code, goal, _, _ in targets}
    index.all_targets = sorted(index.target_goal, key=props.target_sort_key)
    target_text = {code: f"{nb or ''} {en or ''}" for code, _, nb, en in targets}
    multi: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for ind_id, prop, value in session.execute(
        select(IndicatorValue.indicator_id, IndicatorValue.property, IndicatorValue.value)
    ):
        multi[ind_id][prop].append(value)
    postings: dict[str, dict[str | None, list[int]]] = {f: defaultdict(list) for f in FACETS}
    fields: list[dict[str, list[str]]] = []
    set_words = {k: words(f"{nb or ''} {en or ''}") for k, (nb, en) in index.set_names.items()}
    rows = list(session.scalars(select(Indicator).order_by(Indicator.set_id, Indicator.id)))
    by_id = {ind.id: ind for ind in rows}
    twins = _twins(session)
    for pos, ind in enumerate(rows):
        values = multi.get(ind.id, {})
        facets = _facet_values(ind, values, index.target_goal)
        index.docs.append(Doc(ind.id, ind.set_id, ind.code, ind.name_nb, ind.name_en,
                              ind.quality_class, facets))
        index.by_key[(ind.set_id, ind.code)] = pos
        for facet, vals in facets.items():
            for v in vals or [None]:
                postings[facet][v].append(pos)
        fields.append({
            "code": words(ind.code), "name_nb": words(ind.name_nb or ""),
            "name_en": words(ind.name_en or ""), "notation": words(ind.notation or ""),
            "description_nb": words(ind.description_nb or ""),
            "description_en": words(ind.description_en or ""), "unit": words(ind.unit or ""),
            "targets": words(" ".join(target_text.get(t, "") for t in values.get("targets", []))),
            "set": set_words[ind.set_id],
            "same": words(" ".join(f"{t.code} {t.name_nb or ''} {t.name_en or ''}"
                                   for t in (by_id[i] for i in twins.get(ind.id, ()))))})
    _mark_namesakes(index.docs)
    index.postings = {f: {v: to_mask(docs) for v, docs in values.items()}
                      for f, values in postings.items()}
    index.terms = bm25f_frequencies(fields)
    set_ids = list(index.set_names)
    names = [{"name_nb": words(f"{nb or ''} {set_id}"), "name_en": words(en or "")}
             for set_id, (nb, en) in index.set_names.items()]
    index.set_terms = {term: {set_ids[d]: tf for d, tf in docs.items()}
                       for term, docs in bm25f_frequencies(names).items()}
    index.vocabulary_set = frozenset(index.terms.keys() | index.set_terms.keys())
    index.vocabulary = sorted(index.vocabulary_set)
    return index


def _mark_namesakes(docs: list[Doc]) -> None:
    groups: dict[tuple, list[Doc]] = defaultdict(list)
    for doc in docs:
        groups[(doc.set_id, *same_name_key(doc.name_nb, doc.name_en))].append(doc)
    for found in groups.values():
        for doc in found if len(found) > 1 else ():
            doc.namesakes = tuple(d.code for d in found if d is not doc)


def _twins(session: Session) -> dict[int, list[int]]:
    """Each indicator's exact twins in other sets: the stored exact links either way (published
    by KS or confirmed by a curator), but for pairs a curator rejected."""
    rejected = set(map(tuple, session.execute(select(LinkDecision.from_id, LinkDecision.to_id)
                                              .where(LinkDecision.decision == "rejected"))))
    twins: dict[int, list[int]] = defaultdict(list)
    for a, b in session.execute(select(IndicatorLink.from_id, IndicatorLink.to_id)
                                .where(IndicatorLink.kind == "exact")):
        if (min(a, b), max(a, b)) not in rejected:
            twins[a].append(b)
            twins[b].append(a)
    return twins


def bm25f_frequencies(docs: list[dict[str, list[str]]]) -> dict[str, dict[int, float]]:
    """Each term's BM25F frequency in each document: the sum over fields of the field's weight
    times the term's count, the count shrunk in fields longer than that field's average."""
    mean = {f: max(1.0, sum(len(d.get(f, ())) for d in docs) / max(1, len(docs)))
            for f in FIELD_WEIGHTS}
    terms: dict[str, dict[int, float]] = defaultdict(dict)
    for pos, doc in enumerate(docs):
        for fld, tokens in doc.items():
            norm = FIELD_WEIGHTS[fld] / (1 - LENGTH_NORM + LENGTH_NORM * len(tokens) / mean[fld])
            for w in tokens:
                for term in stems(w):
                    terms[term][pos] = terms[term].get(pos, 0.0) + norm
    return dict(terms)


def _facet_values(ind: Indicator, multi: dict[str, list[str]], target_goal: dict[str, str]
                  ) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"set": [ind.set_id]}
    for facet, prop in FACETS.items():
        if prop is None:
            continue
        p = props.PROPERTIES[prop]
        out[facet] = list(multi.get(prop, [])) if p.multi else (
            [getattr(ind, prop)] if getattr(ind, prop) is not None else [])
    # A goal counts when set directly or through one of the indicator's targets.
    goals = set(out["goal"]) | {target_goal.get(t, t.split(".")[0]) for t in out["target"]}
    out["goal"] = sorted(goals, key=int)
    return out
