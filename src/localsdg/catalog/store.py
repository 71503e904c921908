"""Writing indicator sets, indicators and links, recording every change.

All importers (UN framework, KS taxonomy, files) and classification go through here, so the
change history and the catalog version are kept the same way whatever the source.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select, tuple_, update
from sqlalchemy.orm import Session, selectinload

from localsdg.catalog import properties as props
from localsdg.db.schema import (
    ImportBatch,
    Indicator,
    IndicatorChange,
    IndicatorLink,
    IndicatorSet,
    IndicatorValue,
    LinkDecision,
    Target,
    now,
)
from localsdg.db.session import bulk_insert
from localsdg.db.state import bump_catalog_version
from localsdg.errors import BadRequest, NotFound
from localsdg.taxonomy import LINK_KINDS

CROSSWALK = "crosswalk"  # who proposed a link a curator confirmed that no source had stored
SET_FIELDS = ("name_nb", "name_en", "publisher", "version", "level", "url", "description")
# What a set id may be: up to 200 characters, no '/', '|', '\' or control characters, not
# only dots (it names export files); a code may hold '/' (SET/CODE splits at the first).
SET_ID_TEXT = re.compile(r"^(?!\.+$)[^/|\\\s\x00-\x1f\x7f][^/|\\\x00-\x1f\x7f]{0,199}$")
CODE_TEXT = re.compile(r"^(?!\.+$)[^|\s\x00-\x1f\x7f][^|\x00-\x1f\x7f]{0,199}$")


@dataclass
class SetRecord:
    id: str
    name_nb: str | None = None
    name_en: str | None = None
    publisher: str | None = None
    version: str | None = None
    level: str | None = None
    url: str | None = None
    description: str | None = None


@dataclass
class IndicatorRecord:
    """An indicator in plain form: parsed property values keyed by property name."""

    code: str
    values: dict[str, object] = field(default_factory=dict)
    uri: str | None = None


@dataclass(frozen=True)
class LinkRecord:
    from_set: str
    from_code: str
    kind: str
    to_set: str
    to_code: str


@dataclass
class SaveReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: int = 0

    def add(self, other: SaveReport) -> None:
        for name in ("created", "updated", "unchanged", "changes"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def known_targets(session: Session) -> set[str]:
    return set(session.scalars(select(Target.code)))


def start_batch(session: Session, kind: str, source: str, by: str, checksum: str | None = None
                ) -> ImportBatch:
    batch = ImportBatch(kind=kind, source=source, created_by=by, checksum=checksum, summary={})
    session.add(batch)
    session.flush()
    return batch


def save_set_batch(session: Session, record: SetRecord, indicators: list[IndicatorRecord], *,
                   source: str, by: str, checksum: str | None = None) -> SaveReport:
    """Save a set as one catalog batch from `source`; drop the batch again when nothing changed,
    so re-imports leave no trace."""
    batch = start_batch(session, "catalog", source, by, checksum)
    report = save_set(session, record, indicators, changed_by=by, batch=batch)
    batch.summary = {**report.__dict__, "set": record.id}
    if not report.created and not report.changes:
        session.delete(batch)
        session.flush()
    return report


def record_values(indicator: Indicator) -> dict[str, object]:
    """The indicator's properties in the plain form used by records, files and the API."""
    multi: dict[str, list[str]] = defaultdict(list)
    for v in indicator.values:
        multi[v.property].append(v.value)
    out: dict[str, object] = {}
    for p in props.PROPERTIES.values():
        if p.multi:
            out[p.name] = sorted(multi.get(p.name, []), key=p.sort_key)
        else:
            out[p.name] = getattr(indicator, p.name)
    return out


def hold(session: Session, *where: object) -> None:
    """Hold the indicators `where` selects until the transaction ends, so that changes made at
    the same moment wait for each other: PostgreSQL locks their rows in id order (no two
    writers wait on each other in a circle); SQLite takes its one write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Indicator.id).where(*where).order_by(Indicator.id)
                        .with_for_update())
    else:
        first = select(func.min(Indicator.id)).where(*where).scalar_subquery()
        session.execute(update(Indicator).where(Indicator.id == first).values(id=Indicator.id)
                        .execution_options(synchronize_session=False))


def save_set(session: Session, record: SetRecord, indicators: list[IndicatorRecord], *,
             changed_by: str, batch: ImportBatch | None) -> SaveReport:
    """Create or update a set and its indicators; properties not in a record are left alone.
    The set's indicators are held first, so that an edit at the same moment is not lost."""
    upsert_set(session, record)
    hold(session, Indicator.set_id == record.id)
    existing = {
        i.code: i
        for i in session.scalars(
            select(Indicator).where(Indicator.set_id == record.id)
            .options(selectinload(Indicator.values))
        )
    }
    report = SaveReport()
    new = [r for r in indicators if r.code not in existing]
    _create(session, record.id, new, changed_by, batch)
    report.created = len(new)
    for rec in indicators:
        if rec.code in existing:
            n = update_indicator(session, existing[rec.code], rec.values, changed_by, batch,
                                 uri=rec.uri)
            report.changes += n
            report.updated += bool(n)
            report.unchanged += not n
    bump_catalog_version(session)
    return report


def ensure_indicator(session: Session, set_id: str, code: str, values: dict[str, object], *,
                     by: str) -> tuple[Indicator, bool]:
    """The indicator SET/CODE, made from `values` (its name, unit, source …) when it does not
    exist yet, in a local set made for it when that does not exist either; and whether it was
    made. An indicator that exists is left as it is."""
    found = session.scalar(select(Indicator).where(Indicator.set_id == set_id,
                                                   Indicator.code == code))
    if found is not None:
        return found, False
    if not SET_ID_TEXT.match(set_id) or not CODE_TEXT.match(code):
        raise BadRequest(f"'{set_id[:40]}/{code[:40]}' cannot name a new indicator: a set id "
                         "without '/', '|' or '\\' and a code of up to 200 characters without "
                         "'|', neither with control characters or only dots")
    record = SetRecord(set_id) if session.get(IndicatorSet, set_id) else SetRecord(
        set_id, name_nb=set_id, level="local", description="Made by an import (--create).")
    save_set(session, record, [IndicatorRecord(code, values)], changed_by=by, batch=None)
    return session.scalar(select(Indicator).where(Indicator.set_id == set_id,
                                                  Indicator.code == code)), True


def upsert_set(session: Session, record: SetRecord) -> IndicatorSet:
    row = session.get(IndicatorSet, record.id)
    if row is None:
        row = IndicatorSet(id=record.id)
        session.add(row)
    for name in SET_FIELDS:
        value = getattr(record, name)
        if value is not None:
            setattr(row, name, value)
    row.updated_at = now()
    session.flush()
    return row


def _create(session: Session, set_id: str, records: list[IndicatorRecord], changed_by: str,
            batch: ImportBatch | None) -> None:
    if not records:
        return
    rows = []
    for rec in records:
        row = {"set_id": set_id, "code": rec.code, "uri": rec.uri, "updated_at": now()}
        for p in props.SINGLE:
            row[p.name] = rec.values.get(p.name)
        rows.append(row)
    bulk_insert(session, Indicator.__table__, rows)
    id_of = indicator_ids(session, {(set_id, rec.code) for rec in records})
    ids = [id_of[(set_id, rec.code)] for rec in records]
    values = [
        {"indicator_id": id_, "property": p.name, "value": v}
        for id_, rec in zip(ids, records, strict=True)
        for p in props.MULTI
        for v in rec.values.get(p.name) or []
    ]
    if values:
        bulk_insert(session, IndicatorValue.__table__, values)
    batch_id = batch.id if batch else None
    bulk_insert(session, IndicatorChange.__table__, [
        {"indicator_id": id_, "property": "indicator", "old_value": None,
         "new_value": f"created in {set_id}", "changed_by": changed_by, "changed_at": now(),
         "batch_id": batch_id, "revision": 1}
        for id_ in ids
    ])


def update_indicator(session: Session, indicator: Indicator, values: dict[str, object],
                     changed_by: str, batch: ImportBatch | None, uri: str | None = None) -> int:
    """Apply new property values (only the keys given), record each change; return how many."""
    current = record_values(indicator)
    revision = indicator.revision + 1
    changes = 0
    for name, new in values.items():
        p = props.get(name)
        old = current[name]
        if (sorted(old, key=p.sort_key) if p.multi else old) == new:
            continue
        if p.multi:
            indicator.values = [v for v in indicator.values if v.property != name] + [
                IndicatorValue(property=name, value=v) for v in new  # type: ignore[union-attr]
            ]
        else:
            setattr(indicator, name, new)
        session.add(IndicatorChange(
            indicator_id=indicator.id, property=name, old_value=p.to_text(old) or None,
            new_value=p.to_text(new) or None, changed_by=changed_by,
            batch_id=batch.id if batch else None, revision=revision,
        ))
        changes += 1
    if uri and indicator.uri != uri:
        indicator.uri = uri
    if changes:
        indicator.updated_at, indicator.revision = now(), revision
    session.flush()
    return changes


def indicator_ids(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    if not keys:
        return {}
    sets = {s for s, _ in keys}
    rows = session.execute(
        select(Indicator.set_id, Indicator.code, Indicator.id).where(Indicator.set_id.in_(sets))
    )
    return {(s, c): i for s, c, i in rows if (s, c) in keys}


def save_links(session: Session, links: list[LinkRecord], *, proposed_by: str,
               scope_sets: set[str]) -> list[LinkRecord]:
    """Make the links from `scope_sets` proposed by `proposed_by` exactly `links`.

    Links proposed by anyone else are kept. Returns the links whose ends are not in the catalog.
    """
    ids = indicator_ids(
        session,
        {(lk.from_set, lk.from_code) for lk in links} | {(lk.to_set, lk.to_code) for lk in links},
    )
    wanted, unresolved = set(), []
    for lk in links:
        a, b = ids.get((lk.from_set, lk.from_code)), ids.get((lk.to_set, lk.to_code))
        if a is None or b is None:
            unresolved.append(lk)
        elif a != b:
            wanted.add((a, b, lk.kind))
    scope_ids = select(Indicator.id).where(Indicator.set_id.in_(scope_sets))
    have = {(a, b, k): confirmed for a, b, k, confirmed in session.execute(
        select(IndicatorLink.from_id, IndicatorLink.to_id, IndicatorLink.kind,
               IndicatorLink.confirmed).where(
            IndicatorLink.proposed_by == proposed_by, IndicatorLink.from_id.in_(scope_ids)))}
    # A link a curator confirmed stays when its source no longer names it.
    stale = {link for link, confirmed in have.items() if not confirmed} - wanted
    if stale:
        session.execute(delete(IndicatorLink).where(
            IndicatorLink.proposed_by == proposed_by,
            tuple_(IndicatorLink.from_id, IndicatorLink.to_id, IndicatorLink.kind).in_(stale)))
    others = {(a, b, k) for a, b, k in session.execute(
        select(IndicatorLink.from_id, IndicatorLink.to_id, IndicatorLink.kind)
        .where(IndicatorLink.proposed_by != proposed_by))}
    fresh = wanted - have.keys() - others
    if fresh:
        session.execute(insert(IndicatorLink), [
            {"from_id": a, "to_id": b, "kind": k, "proposed_by": proposed_by, "confirmed": False}
            for a, b, k in sorted(fresh)
        ])
    if stale or fresh:
        bump_catalog_version(session)
    return unresolved


def confirm(session: Session, first: tuple[str, str], second: tuple[str, str], kind: str,
            by: str) -> None:
    """A curator's yes: the indicators (SET, CODE) are linked as `kind`. The stored link of that
    kind (either way round, from any proposer) is marked confirmed, else a confirmed link
    proposed by CROSSWALK is added. Recorded in both indicators' history."""
    if LINK_KINDS.get(kind) is None:
        raise BadRequest(f"'{kind}' is not a link kind; use one of "
                         f"{', '.join(LINK_KINDS.allowed)}")
    a, b = _undecided(session, first, second)
    links = _links_between(session, a, b)
    old = _links_text(links)
    link = next((lk for lk in links if lk.kind == kind), None)
    if link is None:
        session.add(IndicatorLink(from_id=a, to_id=b, kind=kind, proposed_by=CROSSWALK,
                                  confirmed=True))
    else:
        link.confirmed = True
    _decide(session, (a, first), (b, second), by, LinkDecision(decision="confirmed", kind=kind),
            old=old, new=f"{kind} link, confirmed")


def reject(session: Session, first: tuple[str, str], second: tuple[str, str], by: str,
           reason: str | None = None) -> None:
    """A curator's no: the indicators (SET, CODE) are not to be linked, and the crosswalk never
    proposes them again. Stored links stay (their source may publish them again) but are shown
    as rejected. Recorded in both indicators' history."""
    a, b = _undecided(session, first, second)
    _decide(session, (a, first), (b, second), by,
            LinkDecision(decision="rejected", reason=reason or None),
            old=_links_text(_links_between(session, a, b)),
            new="rejected" + (f": {reason}" if reason else ""))


def reopen(session: Session, first: tuple[str, str], second: tuple[str, str], by: str) -> None:
    """Take a curator's decision on two indicators back: the pair is a proposal again. A link
    the curator's confirmation made goes; a source's link is unconfirmed again. Recorded in
    both indicators' history."""
    a, b = _ids(session, first, second)
    done = _decision(session, a, b)
    if done is None:
        raise BadRequest(f"'{'/'.join(first)}' and '{'/'.join(second)}' have no decision to "
                         "take back")
    links = _links_between(session, a, b)
    old = f"{done.decision}" + (f" as {done.kind}" if done.kind else "")
    for link in links:
        if link.proposed_by == CROSSWALK:
            session.delete(link)
        else:
            link.confirmed = False
    session.delete(done)
    session.flush()
    _record(session, (a, first), (b, second), by, old=old, new="reopened: a proposal again")


def _ids(session: Session, first: tuple[str, str], second: tuple[str, str]) -> tuple[int, int]:
    """The ids of two different indicators, or NotFound / BadRequest."""
    ids = indicator_ids(session, {first, second})
    for key in (first, second):
        if key not in ids:
            raise NotFound(f"no indicator '{'/'.join(key)}'; name it as SET/CODE, "
                           "e.g. un-global/13.2.2")
    if ids[first] == ids[second]:
        raise BadRequest(f"'{'/'.join(first)}' cannot be linked to itself")
    return ids[first], ids[second]


def is_decided(session: Session, first: tuple[str, str], second: tuple[str, str]) -> bool:
    """Whether a curator has confirmed or rejected linking the two indicators."""
    return _decision(session, *_ids(session, first, second)) is not None


def _decision(session: Session, a: int, b: int) -> LinkDecision | None:
    return session.scalar(select(LinkDecision).where(
        LinkDecision.from_id == min(a, b), LinkDecision.to_id == max(a, b)))


def _undecided(session: Session, first: tuple[str, str], second: tuple[str, str]
               ) -> tuple[int, int]:
    """The ids of two different indicators no curator has decided on yet."""
    a, b = _ids(session, first, second)
    done = _decision(session, a, b)
    if done is not None:
        raise BadRequest(
            f"'{'/'.join(first)}' and '{'/'.join(second)}' were already {done.decision}"
            + (f" as {done.kind}" if done.kind else "")
            + f" by {done.decided_by} on {done.decided_at:%Y-%m-%d}; take the decision back "
            "(reopen) to decide again")
    return a, b


def _links_between(session: Session, a: int, b: int) -> list[IndicatorLink]:
    return list(session.scalars(select(IndicatorLink).where(
        tuple_(IndicatorLink.from_id, IndicatorLink.to_id).in_([(a, b), (b, a)]))
        .order_by(IndicatorLink.id)))


def _links_text(links: list[IndicatorLink]) -> str:
    return "; ".join(f"{lk.kind} link by {lk.proposed_by}"
                     + (", confirmed" if lk.confirmed else "") for lk in links) or "no link"


def _decide(session: Session, first: tuple[int, tuple[str, str]],
            second: tuple[int, tuple[str, str]], by: str, decision: LinkDecision, *, old: str,
            new: str) -> None:
    """Store the decision on the pair and record it in each indicator's history."""
    (a, _), (b, _) = first, second
    decision.from_id, decision.to_id, decision.decided_by = min(a, b), max(a, b), by
    session.add(decision)
    _record(session, first, second, by, old=old, new=new)


def _record(session: Session, first: tuple[int, tuple[str, str]],
            second: tuple[int, tuple[str, str]], by: str, *, old: str, new: str) -> None:
    """A change to the link between two indicators, in each one's history, naming the other."""
    (a, a_key), (b, b_key) = first, second
    for own, other in ((a, b_key), (b, a_key)):
        ref = "/".join(other)
        session.add(IndicatorChange(indicator_id=own, property="link", old_value=f"{ref}: {old}",
                                    new_value=f"{ref}: {new}", changed_by=by))
    session.flush()
    bump_catalog_version(session)
