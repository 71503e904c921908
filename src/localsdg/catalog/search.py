"""Search and facets over the catalog index: words in Bokmål, Nynorsk or English, ranked by
BM25F, tolerant of compounds, inflection and small typos, combined with filters on any facet."""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy.orm import Session

from localsdg import taxonomy as tx
from localsdg.catalog import properties as props
from localsdg.catalog.glossary import equivalents
from localsdg.catalog.index import (
    FACETS,
    STOPWORDS,
    CatalogIndex,
    get_index,
    stems,
    to_mask,
    words,
)
from localsdg.errors import BadRequest, NotFound
from localsdg.messages import placed

SORTS = ("relevance", "code", "name", "set")
MAX_LIMIT = 20000  # the API allows 1000 a page; exports ask for more
K1 = 1.2  # BM25: how soon more of the same word stops counting


@dataclass
class Selection:
    """A query and filters: values within a facet are alternatives (OR), facets combine (AND).

    `unclassified` lists facets whose value must be missing (e.g. evaluation_step).
    """

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    unclassified: list[str] = field(default_factory=list)

    def normalised(self, index: CatalogIndex) -> Selection:
        """Check facet names and values; codes may be given as labels. Raise on bad input."""
        filters: dict[str, list[str]] = {}
        for facet, values in self.filters.items():
            _check_facet(facet)
            clean = [code for v in values if str(v).strip()
                     for code in _normalise_value(index, facet, v)]
            if clean:
                filters[facet] = clean
        for facet in self.unclassified:
            _check_facet(facet)
        return Selection(self.q.strip(), filters, list(dict.fromkeys(self.unclassified)))

    def as_dict(self) -> dict:
        return {"q": self.q, "filters": self.filters, "unclassified": self.unclassified}


def _check_facet(facet: str) -> None:
    if facet not in FACETS:
        raise BadRequest(f"unknown filter '{facet}'; filters: {', '.join(FACETS)}")


def _normalise_value(index: CatalogIndex, facet: str, value: str) -> list[str]:
    """A filter's value as the codes it stands for: a multi-valued facet's may hold several
    separated by '|', or none ('|')."""
    value = str(value).strip()
    if facet == "set":
        if value not in index.set_names:
            known = ", ".join(sorted(index.set_names))
            raise NotFound(f"set: unknown set '{value}'; sets: {known}")
        return [value]
    prop = props.PROPERTIES[FACETS[facet]]
    if prop.kind == "target" and props.TARGET_PATTERN.match(value.lower()) and \
            value.lower() not in index.target_goal:
        raise NotFound(f"target: the catalog has no target {value}")
    try:
        parsed = prop.parse(value, index.target_goal.keys())
    except ValueError as exc:
        raise BadRequest(placed(facet, exc.args[0])) from None
    return [str(p) for p in parsed] if isinstance(parsed, list) else [str(parsed)]


def query_scores(index: CatalogIndex, q: str) -> dict[int, float] | None:
    """Documents matching the query, with a BM25F score; None for an empty query.

    A document must match every word; when none does and the query has three words or more
    (a sentence pasted, or a title with words the catalog does not use), those matching most
    of them count, their scores scaled by the share matched.
    """
    terms = query_words(q)
    if not terms:
        return None
    per_term = [_concept_scores(index, index.terms, len(index.docs), t) for t in terms]
    matched: dict[int, int] = {}
    for scores in per_term:
        for doc in scores:
            matched[doc] = matched.get(doc, 0) + 1
    need = len(terms)
    if len(terms) >= 3 and need not in matched.values():
        need = max(-(-len(terms) // 2), max(matched.values(), default=0))
    return {d: sum(s.get(d, 0.0) for s in per_term) * n / len(terms)
            for d, n in matched.items() if n >= need}


def query_words(q: str) -> list[str]:
    """The words of a query that carry meaning (all of them when all are small words)."""
    terms = words(q)
    return ([t for t in terms if t not in STOPWORDS] or terms) if len(terms) > 1 else terms


def _concept_scores(index: CatalogIndex, postings: dict[str, dict], n: int, term: str
                    ) -> dict:
    """One query word's BM25 score in each document that has it, an inflected form, a compound
    with it, a near spelling or its Bokmål equivalent; or, for a compound the catalog does not
    write as one word, each of its parts."""
    scores = _word_scores(postings, n, _term_matches(index, term))
    if (parts := _split(index, postings, term)) is not None:
        # Apart, the parts of a word the catalog also holds whole count less than the word.
        weight = 0.5 if term in postings else 1.0
        head, tail = (_word_scores(postings, n, _term_matches(index, p)) for p in parts)
        for doc in head.keys() & tail.keys():
            scores[doc] = max(scores.get(doc, 0.0), weight * (head[doc] + tail[doc]))
    return scores


def _word_scores(postings: dict[str, dict], n: int, matches: dict[str, float]) -> dict:
    """BM25: the best match's saturated frequency times the rarity of all the word's matches."""
    best: dict = {}
    for word, quality in matches.items():
        for doc, tf in postings.get(word, {}).items():
            s = quality * tf * (K1 + 1) / (tf + K1)
            if s > best.get(doc, 0.0):
                best[doc] = s
    idf = math.log(1 + (n - len(best) + 0.5) / (len(best) + 0.5))
    return {doc: idf * s for doc, s in best.items()}


def _term_matches(index: CatalogIndex, term: str) -> dict[str, float]:
    """Index words a query word matches, with a quality from 1 (same stem) down; a Nynorsk or
    English word also matches what its Bokmål equivalent matches."""
    cache = index.__dict__.setdefault("_term_cache", {})
    if term not in cache:
        found = _spelling_matches(index, term)
        for other in equivalents(term):
            for word, quality in _spelling_matches(index, other).items():
                found[word] = max(found.get(word, 0.0), 0.9 * quality)
        if len(cache) > 5000:
            cache.clear()
        cache[term] = found
    return cache[term]


def _spelling_matches(index: CatalogIndex, term: str) -> dict[str, float]:
    """Index words matching a query word as written: its stems, the compounds holding it, its
    inflected forms and its near spellings."""
    found = {s: 1.0 for s in stems(term) if s in index.vocabulary_set}
    if not term.isalpha():  # a code such as 13.2 matches its own sub-codes, nothing fuzzy
        found.update({w: 0.9 for w in index.vocabulary if w.startswith(term + ".")})
    elif len(term) >= 4:
        for word in index.words_containing(term):  # a part of a compound: "utslipp"
            found.setdefault(word, 0.8)
        if short := _syncope(term):  # sykkel finds sykler, syklende, sykling
            for word in index.words_containing(short):
                found.setdefault(word, 0.7)
        for word, quality in _near_spellings(index, term).items():
            found[word] = max(found.get(word, 0.0), quality)
    return found


def _near_spellings(index: CatalogIndex, term: str) -> dict[str, float]:
    """Words one typo away (two from eight letters); none under five letters, where one typo
    makes another word ("bodø" is not "bodi")."""
    if len(term) < 5:
        return {}
    max_typos = 1 if len(term) < 8 else 2
    return {word: 0.7 - 0.1 * dist for word, dist, _ in process.extract(
                term, index.vocabulary, scorer=Levenshtein.distance, score_cutoff=max_typos,
                limit=50) if abs(len(word) - len(term)) <= max_typos}


def _syncope(term: str) -> str | None:
    """The form a Norwegian word ending in -el, -en or -er takes when inflected: the e drops and
    a doubled consonant before it is single (sykkel → sykl-, vinter → vintr-, handel → handl-)."""
    if len(term) < 5 or term[-2] != "e" or term[-1] not in "lnr":
        return None
    head = term[:-2]
    return (head[:-1] if head[-1] == head[-2] else head) + term[-1]


def _split(index: CatalogIndex, postings: dict[str, dict], term: str
           ) -> tuple[str, str] | None:
    """A compound the searched texts do not hold as one word, split into two words the catalog
    holds, with the linking s or e dropped (avfallsmengde → avfall mengde; a set named
    "Utslipp av klimagasser" for klimagassutslipp); the most even split wins."""
    if not term.isalpha() or len(term) < 7:
        return None
    best = None
    for i in range(3, len(term) - 2):
        head, tail = term[:i], term[i:]
        if head[-1] in "se" and head[:-1] in index.vocabulary_set:
            head = head[:-1]
        if head in index.vocabulary_set and tail in index.vocabulary_set and (
                best is None or min(len(head), len(tail)) > min(map(len, best))):
            best = (head, tail)
    return best


def selected(index: CatalogIndex, sel: Selection, scores: dict[int, float] | None) -> int:
    """The mask of the documents matching the query (scored by `query_scores`) and filters."""
    return _filtered(index, sel, index.everything if scores is None else to_mask(scores))


def _filtered(index: CatalogIndex, sel: Selection, docs: int, skip: str | None = None) -> int:
    """The documents of `docs` that pass every facet filter but `skip`'s."""
    for facet, values in sel.filters.items():
        if facet != skip:
            postings = index.postings[facet]
            docs &= reduce(or_, (postings.get(v, 0) for v in values), 0)
    for facet in sel.unclassified:
        if facet != skip:
            docs &= index.postings[facet].get(None, 0)
    return docs


def facet_counts(index: CatalogIndex, sel: Selection, scores: dict[int, float] | None,
                 lang: str = "nb") -> dict[str, list[dict]]:
    """Counts per facet value for the current query and the other facets' filters."""
    out, matches = {}, index.everything if scores is None else to_mask(scores)
    for facet in FACETS:
        base = _filtered(index, sel, matches, skip=facet)
        chosen = sel.filters.get(facet, [])
        counts = []
        for value, docs in index.postings[facet].items():
            n = (base & docs).bit_count()
            if n or value in chosen:
                counts.append({"value": value, "label": facet_label(index, facet, value, lang),
                               "count": n, "selected": value in chosen
                               or (value is None and facet in sel.unclassified)})
        out[facet] = sorted(counts, key=lambda c, f=facet: facet_order(f, c["value"]))
    return out


def facet_order(facet: str, value: str | None) -> tuple:
    """Facet values in code-list order (targets numerically), unclassified last."""
    if value is None:
        return (1, ())
    prop = props.PROPERTIES.get(FACETS[facet] or "")
    return (0, prop.sort_key(value) if prop else value.casefold())


def facet_label(index: CatalogIndex, facet: str, value: str | None, lang: str) -> str:
    if value is None:
        return {"nb": "Uklassifisert", "nn": "Uklassifisert", "en": "Unclassified"}[lang]
    if facet == "set":
        nb, en = index.set_names.get(value, (None, None))
        return (en if lang == "en" else nb) or nb or en or value
    prop = props.PROPERTIES[FACETS[facet]]
    code = prop.codelist.get(value) if prop.codelist else None
    if facet == "goal" and code:
        return f"{value} {code.label(lang)}"
    return code.label(lang) if code else value


def set_names(index: CatalogIndex, lang: str) -> dict[str, str]:
    """Every set's name in the reader's language (Bokmål where it has no English one)."""
    return {k: facet_label(index, "set", k, lang) for k in index.set_names}


def search(session: Session, sel: Selection, *, limit: int = 20, offset: int = 0,
           sort: str = "relevance", lang: str = "nb", facets: bool = True) -> dict:
    if sort not in SORTS:
        raise BadRequest(f"sort: '{sort}' is not allowed; allowed: {', '.join(SORTS)}")
    if not 0 <= limit <= MAX_LIMIT or offset < 0:
        raise BadRequest(f"limit must be 0–{MAX_LIMIT} and offset ≥ 0")
    if lang not in tx.LANGUAGES:
        raise BadRequest(f"lang: '{lang}' is not allowed; allowed: nb, nn, en")
    index = get_index(session)
    sel = sel.normalised(index)
    scores = query_scores(index, sel.q)
    docs = selected(index, sel, scores)
    page = _ordered(index, docs, sort if sel.q or sort != "relevance" else "set", scores,
                    lang, offset + limit)[offset:]
    hits = [_hit(index, int(d), (scores or {}).get(int(d)), lang) for d in page]
    result = {"total": docs.bit_count(), "offset": offset, "limit": limit, "sort": sort,
              "selection": sel.as_dict(), "sets": named_sets(index, sel.q, lang), "hits": hits}
    if facets:
        result["facets"] = facet_counts(index, sel, scores, lang)
    return result


def named_sets(index: CatalogIndex, q: str, lang: str = "nb", limit: int = 5) -> list[dict]:
    """The indicator sets whose names hold every word of the query, the best named first."""
    terms = query_words(q)
    if not terms:
        return []
    per_term = [_concept_scores(index, index.set_terms, len(index.set_names), t)
                for t in terms]
    scores = {k: sum(s[k] for s in per_term) for k in set.intersection(*map(set, per_term))}
    sizes = index.postings["set"]
    return [{"set_id": k, "name": facet_label(index, "set", k, lang),
             "indicators": sizes.get(k, 0).bit_count(), "score": round(v, 3)}
            for k, v in sorted(scores.items(), key=lambda kv: -kv[1])[:limit]]


def _ordered(index: CatalogIndex, docs: int, sort: str, scores: dict[int, float] | None,
             lang: str, end: int) -> Sequence[int]:
    """The first `end` selected documents in the order asked for; by relevance the best match
    first and, at equal scores, the shorter name, which is the closer match."""
    if not end:
        return []
    def name(d: int) -> str:
        doc = index.docs[d]
        return ((doc.name_en if lang == "en" else doc.name_nb) or doc.name_nb or doc.name_en
                or "").casefold()

    by = index.docs
    if sort == "relevance":
        score = scores or {}
        rank = index.rank(f"ties-{lang}", lambda d: (len(name(d)), by[d].set_id,
                                                     by[d].natural_code))
        return heapq.nsmallest(end, index.members(docs).tolist(),
                               key=lambda d: (-score.get(d, 0), rank[d]))
    if sort == "name":
        order = index.in_order(docs, f"name-{lang}", lambda d: (name(d), by[d].set_id))
    elif sort == "code":
        order = index.in_order(docs, "code", lambda d: (by[d].natural_code, by[d].set_id))
    else:
        order = index.in_order(docs, "set", lambda d: (by[d].set_id, by[d].natural_code))
    return order[:end]


def _hit(index: CatalogIndex, d: int, score: float | None, lang: str) -> dict:
    doc = index.docs[d]
    name, fallback = (doc.name_en, doc.name_nb) if lang == "en" else (doc.name_nb, doc.name_en)
    return {"set_id": doc.set_id, "set_name": facet_label(index, "set", doc.set_id, lang),
            "code": doc.code, "name": name or fallback,
            "name_language": ("en" if lang == "en" else "nb") if name else
            ("nb" if lang == "en" else "en"),
            "name_nb": doc.name_nb, "name_en": doc.name_en,
            "score": round(score, 3) if score is not None else None,
            "goals": doc.facets["goal"], "targets": doc.facets["target"],
            "tbl": doc.facets["tbl"], "evaluation_steps": doc.facets["evaluation_step"],
            "quality_class": doc.quality_class, "namesakes": list(doc.namesakes)}
