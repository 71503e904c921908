"""The crosswalk: for every indicator, the indicators of other sets that measure the same thing
(exact), nearly the same (close) or something related (related_match), each with its evidence,
a confidence and the curator's decision if there is one.

Evidence, each item a dict a page can word in any language (`kind` says which):
- `un_code`: both name the same UN indicator code, e.g. {"kind": "un_code", "code": "13.2.2",
  "where": "name_en", "where_other": "code"}. Where: "code" (the UN framework's own), "name_nb",
  "name_en", "notation" (a UN series code such as C130202; a letter after it, C110602a, marks a
  variant), "description_nb", "description_en", "notes" or "source_note".
- `link`: a link stored in the catalog, from any proposer, e.g. {"kind": "link",
  "by": "KS taxonomy", "link": "close", "confirmed": false}.
- `shared_targets`: the SDG targets both are classified with, e.g. {"kind": "shared_targets",
  "targets": ["13.2"]}.
- `similar_text`: their names and definitions (nb and en) are alike in the catalog's text model
  (similarity.py), e.g. {"kind": "similar_text", "similarity": 0.62, "words": ["utslipp"]}.

Where candidates come from: UN codes, stored links, text neighbours (the K_TEXT nearest in other
sets, from MIN_TEXT up) and, for the UN framework, shared targets (an indicator classified with
target 13.2 is related to the UN's indicators of 13.2). Shared targets alone between two other
sets propose nothing: too many indicators share a target; they add to other evidence.

Kind: the strongest any evidence suggests (exact > close > related_match): a UN code in a name,
the UN code itself or an exact series notation on both sides → exact, a UN code elsewhere →
close; a stored link → its kind (`related` taken as related_match across sets); text alike from
CLOSE_TEXT → close, else related_match; shared targets → related_match. A confirmed decision
sets the kind.

Confidence (0–1): each item of evidence is an independent chance p that they match, combined as
1 − Π(1 − p): UN code 0.95 (exact) or 0.75; a stored link 0.9 (exact), 0.75 (close) or 0.5;
shared targets 0.3 × |shared| / |targets of the one with fewer|; text 0.7 × similarity. A
confirmed pair has 1.0. So text alone stays below 0.7, a UN code alone reaches 0.95.

Decisions (catalog.store.confirm / reject, table link_decision) are shown: a confirmed proposal
first, a rejected one last and never as open; rejected pairs stay in the lists so a page can
say who rejected them and why.

Within one set, indicators with the same name are `namesakes`, shown with what tells them apart.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from itertools import combinations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from localsdg.catalog import properties as props
from localsdg.catalog.index import same_name_key, words
from localsdg.catalog.indicators import get_indicator
from localsdg.catalog.similarity import TextModel, text_model
from localsdg.catalog.store import record_values
from localsdg.db.schema import Indicator, IndicatorLink, IndicatorSet, IndicatorValue, LinkDecision
from localsdg.db.state import per_catalog
from localsdg.errors import NotFound

UN_SET = "un-global"
KINDS = ("exact", "close", "related_match")  # strongest first
UN_CODE = re.compile(r"(?<![\d.])(\d{1,2}\.(?:\d{1,2}|[a-z])\.\d{1,2})(?!\d|\.\d)", re.I)
UN_SERIES = re.compile(r"^C(\d\d)([0-9a-z]{2})(\d\d)([a-z]?)$")
# Where a UN code is found: a name that carries the code is the indicator (exact); a
# description or note that names it may mean something near it (close).
NAME_FIELDS = ("name_nb", "name_en")
NOTE_FIELDS = ("description_nb", "description_en", "notes", "source_note")
P_UN_CODE = {"exact": 0.95, "close": 0.75}
P_LINK = {"exact": 0.9, "close": 0.75, "related_match": 0.5}
P_TARGETS = 0.3
P_TEXT = 0.7
K_TEXT = 10  # text neighbours per indicator
MIN_TEXT = 0.45  # below it, names alike are mostly chance (measured on the catalog)
CLOSE_TEXT = 0.8
CHUNK = 512  # rows of the similarity matrix computed at once
STRONG = 0.9  # an open proposal this confident counts as what it proposes
CLASSIFICATION = ("goal", "perspective", "quality")  # property groups that do not say what


@dataclass(frozen=True)
class Decision:
    status: str  # confirmed | rejected
    by: str
    at: str | None  # ISO time; None for a link stored as confirmed by its source
    kind: str | None = None  # confirmed as
    reason: str | None = None


@dataclass(frozen=True)
class Proposal:
    """An indicator of another set proposed as the same, nearly the same or related."""

    set_id: str
    code: str
    name_nb: str | None
    name_en: str | None
    kind: str
    confidence: float
    evidence: tuple[dict, ...]
    decision: Decision | None = None

    @property
    def ref(self) -> str:
        return f"{self.set_id}/{self.code}"

    @property
    def status(self) -> str:
        return self.decision.status if self.decision else "open"

    def same(self, kinds: tuple[str, ...] = ("exact",), strong: float = STRONG) -> bool:
        """Whether the crosswalk calls the two the same: confirmed as one of `kinds`, linked as
        one by a source (KS's published links), or proposed as one with confidence `strong` or
        more; never when rejected."""
        if self.status == "rejected":
            return False
        published = any(e["kind"] == "link" and _kind(e["link"]) in kinds for e in self.evidence)
        return published or self.kind in kinds and (self.status == "confirmed"
                                                     or self.confidence >= strong)

    def as_dict(self) -> dict:
        return {"set_id": self.set_id, "code": self.code, "name_nb": self.name_nb,
                "name_en": self.name_en, "kind": self.kind, "confidence": self.confidence,
                "status": self.status, "evidence": list(self.evidence),
                "decision": asdict(self.decision) if self.decision else None}


@dataclass
class _Pair:
    evidence: list[dict] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    chances: list[float] = field(default_factory=list)

    def add(self, item: dict, kind: str, chance: float) -> None:
        self.evidence.append(item)
        self.kinds.add(kind)
        self.chances.append(chance)


@dataclass
class _Catalog:
    """What the crosswalk reads, loaded in a few queries."""

    indicators: dict[int, Indicator]
    targets: dict[int, set[str]]
    links: list[IndicatorLink]
    decisions: dict[tuple[int, int], Decision]
    text: TextModel


def similar(session: Session, set_id: str, code: str, *, limit: int = 20) -> list[Proposal]:
    """The indicators of other sets proposed for this one, best first: confirmed ones, then open
    ones by confidence, then rejected ones. NotFound for an unknown set or code."""
    get_indicator(session, set_id, code)
    return all_proposals(session).get((set_id, code), [])[:limit]


def called_same(session: Session, kinds: tuple[str, ...] = ("exact",)
                ) -> set[frozenset[tuple[str, str]]]:
    """The pairs of indicators (SET, CODE) the crosswalk calls the same (`Proposal.same`)."""
    return {frozenset((own, (p.set_id, p.code))) for own, found in all_proposals(session).items()
            for p in found if p.same(kinds)}


def all_proposals(session: Session) -> dict[tuple[str, str], list[Proposal]]:
    """Every indicator's proposals (as `similar` orders them) by (set, code); an indicator
    with none is left out. Built once per version of the catalog (a curator's decision is a
    new version; an import of data is not)."""
    return per_catalog(session, "crosswalk", lambda version: build(session))


def build(session: Session) -> dict[tuple[str, str], list[Proposal]]:
    catalog = _load(session)
    pairs: dict[tuple[int, int], _Pair] = defaultdict(_Pair)
    _add_un_codes(catalog, pairs)
    _add_links(catalog, pairs)
    _add_text(catalog, pairs)
    _add_un_targets(catalog, pairs)
    for a, b in catalog.decisions:  # a decided pair is listed even when nothing proposes it
        if catalog.indicators[a].set_id != catalog.indicators[b].set_id:
            pairs.setdefault((a, b), _Pair())
    _add_shared_targets(catalog, pairs)
    return _proposals(catalog, pairs)


def _load(session: Session) -> _Catalog:
    indicators = {i.id: i for i in session.scalars(select(Indicator))}
    targets: dict[int, set[str]] = defaultdict(set)
    for ind_id, target in session.execute(select(IndicatorValue.indicator_id, IndicatorValue.value)
                                          .where(IndicatorValue.property == "targets")):
        targets[ind_id].add(target)
    links = list(session.scalars(select(IndicatorLink).order_by(IndicatorLink.id)))
    decisions = {(d.from_id, d.to_id): Decision(d.decision, d.decided_by, d.decided_at.isoformat(),
                                                d.kind, d.reason)
                 for d in session.scalars(select(LinkDecision))}
    for lk in links:  # confirmed by its source, with no curator's decision on the pair
        if lk.confirmed:
            decisions.setdefault(_key(lk.from_id, lk.to_id),
                                 Decision("confirmed", lk.proposed_by, None, _kind(lk.kind)))
    return _Catalog(indicators, targets, links, decisions, text_model(session))


def _key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _kind(link_kind: str) -> str:
    """A stored link's kind as a crosswalk kind: across sets, `related` is a related match."""
    return "related_match" if link_kind == "related" else link_kind


def un_series_code(notation: str) -> tuple[str, bool] | None:
    """A UN series code → (the UN indicator code, whether it is a variant): C130202 → ('13.2.2',
    False), C110602a → ('11.6.2', True), C010b01 → ('1.b.1', False). None for other text."""
    m = UN_SERIES.match(notation)
    if not m:
        return None
    return f"{int(m[1])}.{m[2].lstrip('0')}.{int(m[3])}", bool(m[4])


def _mentions(ind: Indicator, un_codes: set[str]) -> list[tuple[str, str, str]]:
    """The UN indicator codes an indicator names: (code, where, what it suggests). A code in a
    name outweighs the notation's (KS's copy of the UN list has some notations one off)."""
    if ind.set_id == UN_SET:
        return [(ind.code, "code", "exact")]
    found = {code: (name, "exact") for name in NAME_FIELDS for code in _codes(ind, name)}
    series = un_series_code(ind.notation or "")
    if series and not found:
        found[series[0]] = ("notation", "close" if series[1] else "exact")
    for name in NOTE_FIELDS:
        for code in _codes(ind, name):
            found.setdefault(code, (name, "close"))
    return [(code, where, strength) for code, (where, strength) in found.items()
            if code in un_codes]


def _codes(ind: Indicator, name: str) -> list[str]:
    return [code.lower() for code in UN_CODE.findall(getattr(ind, name) or "")]


def _add_un_codes(catalog: _Catalog, pairs: dict[tuple[int, int], _Pair]) -> None:
    un_codes = {i.code for i in catalog.indicators.values() if i.set_id == UN_SET}
    by_code: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for ind in catalog.indicators.values():
        for code, where, strength in _mentions(ind, un_codes):
            by_code[code].append((ind.id, where, strength))
    for code, found in by_code.items():
        for (a, where_a, strength_a), (b, where_b, strength_b) in combinations(sorted(found), 2):
            if catalog.indicators[a].set_id == catalog.indicators[b].set_id:
                continue
            kind = "exact" if strength_a == strength_b == "exact" else "close"
            pairs[(a, b)].add({"kind": "un_code", "code": code, "where": where_a,
                               "where_other": where_b}, kind, P_UN_CODE[kind])


def _add_links(catalog: _Catalog, pairs: dict[tuple[int, int], _Pair]) -> None:
    for lk in catalog.links:
        a, b = catalog.indicators[lk.from_id], catalog.indicators[lk.to_id]
        if a.set_id != b.set_id:
            kind = _kind(lk.kind)
            pairs[_key(a.id, b.id)].add({"kind": "link", "by": lk.proposed_by, "link": lk.kind,
                                         "confirmed": lk.confirmed}, kind, P_LINK[kind])


def _add_text(catalog: _Catalog, pairs: dict[tuple[int, int], _Pair]) -> None:
    """The K_TEXT nearest indicators of other sets by text, from MIN_TEXT up, computed in blocks
    of the similarity matrix (one call per indicator would take seconds for the catalog)."""
    model = catalog.text
    ids = {(i.set_id, i.code): i.id for i in catalog.indicators.values()}
    set_of = np.unique([s for s, _ in model.keys], return_inverse=True)[1]
    for start in range(0, len(model.keys), CHUNK):
        block = model.pair_similarities(slice(start, start + CHUNK))
        rows = np.arange(start, start + len(block))
        block[set_of[rows][:, None] == set_of[None, :]] = -1
        nearest = np.argsort(-block, axis=1, kind="stable")[:, :K_TEXT]
        for row, columns in zip(rows, nearest, strict=True):
            for column in columns[block[row - start, columns] >= MIN_TEXT]:
                key = _key(ids[model.keys[row]], ids[model.keys[column]])
                if not any(e["kind"] == "similar_text" for e in pairs[key].evidence):
                    _add_text_pair(model, pairs[key], int(row), int(column),
                                   float(block[row - start, column]))


def _add_text_pair(model: TextModel, pair: _Pair, row: int, column: int, sim: float) -> None:
    shared = model.shared(model.vectors[row], column)
    pair.add({"kind": "similar_text", "similarity": round(sim, 3), "words": list(shared)},
             "close" if sim >= CLOSE_TEXT else "related_match", P_TEXT * sim)


def _add_un_targets(catalog: _Catalog, pairs: dict[tuple[int, int], _Pair]) -> None:
    """Every indicator of another set with the UN's indicators of its targets (evidence added
    with the other pairs' by `_add_shared_targets`)."""
    un_of_target: dict[str, list[int]] = defaultdict(list)
    for ind in catalog.indicators.values():
        if ind.set_id == UN_SET:
            for target in catalog.targets[ind.id]:
                un_of_target[target].append(ind.id)
    for ind in catalog.indicators.values():
        if ind.set_id != UN_SET:
            for target in catalog.targets[ind.id]:
                for un in un_of_target[target]:
                    pairs.setdefault(_key(ind.id, un), _Pair())


def _add_shared_targets(catalog: _Catalog, pairs: dict[tuple[int, int], _Pair]) -> None:
    for (a, b), pair in pairs.items():
        ta, tb = catalog.targets[a], catalog.targets[b]
        if shared := ta & tb:
            pair.add({"kind": "shared_targets",
                      "targets": sorted(shared, key=props.target_sort_key)},
                     "related_match", P_TARGETS * len(shared) / min(len(ta), len(tb)))


def _proposals(catalog: _Catalog, pairs: dict[tuple[int, int], _Pair]
               ) -> dict[tuple[str, str], list[Proposal]]:
    out: dict[tuple[str, str], list[Proposal]] = defaultdict(list)
    for (a, b), pair in pairs.items():
        decision = catalog.decisions.get((a, b))
        if not pair.evidence and decision is None:
            continue
        kind, confidence = _judge(pair, decision)
        for own, other in ((a, b), (b, a)):
            ind, them = catalog.indicators[own], catalog.indicators[other]
            evidence = tuple(_oriented(e, own == a) for e in pair.evidence)
            out[(ind.set_id, ind.code)].append(Proposal(
                them.set_id, them.code, them.name_nb, them.name_en, kind, confidence, evidence,
                decision))
    for found in out.values():
        found.sort(key=_order)
    return dict(out)


def _judge(pair: _Pair, decision: Decision | None) -> tuple[str, float]:
    """The pair's kind and confidence (see the module's docstring)."""
    if decision is not None and decision.status == "confirmed":
        return decision.kind or "exact", 1.0
    kind = min(pair.kinds, key=KINDS.index) if pair.kinds else "related_match"
    return kind, round(1 - float(np.prod([1 - p for p in pair.chances])), 3)


def _oriented(item: dict, forward: bool) -> dict:
    """Evidence seen from one end: a UN code's `where` is this indicator's field."""
    if forward or item["kind"] != "un_code":
        return item
    return {**item, "where": item["where_other"], "where_other": item["where"]}


def _order(p: Proposal) -> tuple:
    status = {"confirmed": 0, "open": 1, "rejected": 2}[p.status]
    return status, -p.confidence, KINDS.index(p.kind), p.set_id, p.code


@dataclass(frozen=True)
class Namesakes:
    """Indicators of one set with the same name, and what tells them apart."""

    name: str
    codes: tuple[str, ...]
    differences: dict[str, dict[str, object]]  # property → code → value, where they differ
    words: dict[str, tuple[str, ...]]  # code → words of its descriptions and notes not in all
    flag: str | None  # None: told apart; "classification_only"; "no_difference"


def namesakes(session: Session, set_id: str) -> list[Namesakes]:
    """Groups of indicators in the set with the same name (case and spacing aside), in code
    order. A group is flagged `no_difference` when nothing but the code differs, and
    `classification_only` when only their goals, perspectives or quality differ."""
    if session.get(IndicatorSet, set_id) is None:
        raise NotFound(f"there is no indicator set '{set_id}'; see `localsdg catalog sets`")
    groups: dict[tuple[str, str], list[Indicator]] = defaultdict(list)
    for ind in session.scalars(select(Indicator).where(Indicator.set_id == set_id)
                               .order_by(Indicator.id).options(selectinload(Indicator.values))):
        groups[same_name_key(ind.name_nb, ind.name_en)].append(ind)
    return [_namesakes(found) for found in groups.values() if len(found) > 1]


def _namesakes(found: list[Indicator]) -> Namesakes:
    values = {ind.code: record_values(ind) for ind in found}
    differences = {
        name: {code: v[name] for code, v in values.items()}
        for name in props.PROPERTIES if name not in ("name_nb", "name_en")
        and len({props.get(name).to_text(v[name]) for v in values.values()}) > 1}
    texts = {ind.code: {w for f in NOTE_FIELDS for w in words(getattr(ind, f) or "")}
             for ind in found}
    common = set.intersection(*texts.values())
    own = {code: tuple(sorted(ws - common)) for code, ws in texts.items() if ws - common}
    told = any(props.get(name).group not in CLASSIFICATION for name in differences)
    flag = None if told else "classification_only" if differences else "no_difference"
    return Namesakes(found[0].name_nb or found[0].name_en or "", tuple(values), differences,
                     own, flag)
