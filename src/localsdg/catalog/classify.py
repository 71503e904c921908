"""Classification: set, add, remove or clear a property on one indicator or on every indicator
of a selection. Changes are checked before anything is stored, can be previewed, and each
stored change is recorded with who, when, property, old and new value."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from localsdg.catalog import properties as props
from localsdg.catalog.index import get_index
from localsdg.catalog.search import Selection, query_scores, selected
from localsdg.catalog.store import hold, known_targets, record_values, update_indicator
from localsdg.db.schema import Indicator, IndicatorChange
from localsdg.db.state import bump_catalog_version
from localsdg.errors import BadRequest, Conflict, NotFound, UserError
from localsdg.messages import placed

OPERATIONS = ("set", "add", "remove", "clear")
MAX_BULK = 20000


@dataclass
class Change:
    property: str
    op: str = "set"
    value: object = None


def check_changes(session: Session, changes: list[Change]) -> list[tuple[Change, object]]:
    """Validate every change; return each with its parsed value. Raise with all problems."""
    targets = known_targets(session)
    problems, parsed = [], []
    for n, ch in enumerate(changes, start=1):
        where = f"change {n} ({ch.property})"
        if ch.op not in OPERATIONS:
            problems.append(f"{where}: operation '{ch.op}' unknown; use {', '.join(OPERATIONS)}")
            continue
        try:
            prop = props.get(ch.property)
        except ValueError as exc:  # the reason as a message, kept so
            problems.append(placed(where, exc.args[0]))
            continue
        if ch.op in ("add", "remove") and not prop.multi:
            problems.append(f"{where}: '{ch.op}' needs a multi-valued property; "
                            f"{prop.name} holds one value, use 'set' or 'clear'")
            continue
        if ch.op != "clear" and (ch.value is None or ch.value == "" or ch.value == []):
            problems.append(f"{where}: a value is needed for '{ch.op}'; to make the "
                            "property unknown, use 'clear'")
            continue
        try:
            value = None if ch.op == "clear" else prop.parse(ch.value, targets)
        except ValueError as exc:  # the reason as a message, kept so
            problems.append(placed(where, exc.args[0]))
            continue
        parsed.append((ch, value))
    if not changes:
        problems.append("no changes given")
    if problems:
        raise UserError("the classification was not saved", details=problems)
    return parsed


def _new_value(prop: props.Property, current: object, op: str, value: object) -> object:
    if op == "clear":
        return [] if prop.multi else None
    if op == "set":
        return value
    values = set(current)  # type: ignore[arg-type]
    values = values | set(value) if op == "add" else values - set(value)  # type: ignore[arg-type]
    return sorted(values, key=prop.sort_key)


def resolve(session: Session, keys: list[tuple[str, str]] | None, sel: Selection | None
            ) -> list[Indicator]:
    """The indicators named by (set, code) keys, or those matching a selection."""
    if keys is not None:
        wanted = set(keys)
        found = {(i.set_id, i.code): i for i in _load(session, wanted)}
        missing = [f"{s}/{c}" for s, c in keys if (s, c) not in found]
        if missing:
            raise NotFound(f"unknown indicator(s): {', '.join(missing[:20])}")
        return [found[k] for k in keys]
    index = get_index(session)
    norm = (sel or Selection()).normalised(index)
    docs = selected(index, norm, query_scores(index, norm.q))
    if docs.bit_count() > MAX_BULK:
        raise BadRequest(f"the selection has {docs.bit_count()} indicators; narrow it to at most "
                         f"{MAX_BULK}")
    keys = [(index.docs[d].set_id, index.docs[d].code) for d in index.members(docs)]
    return resolve(session, keys, None) if keys else []


def _load(session: Session, keys: set[tuple[str, str]]) -> list[Indicator]:
    sets = {s for s, _ in keys}
    rows = session.scalars(select(Indicator).where(Indicator.set_id.in_(sets))
                           .options(selectinload(Indicator.values)))
    return [i for i in rows if (i.set_id, i.code) in keys]


def plan(session: Session, indicators: list[Indicator], changes: list[Change]) -> list[dict]:
    """What would change: one entry per indicator and property whose value differs."""
    parsed = check_changes(session, changes)
    out = []
    for ind in indicators:
        current = record_values(ind)
        for ch, value in parsed:
            prop = props.PROPERTIES[ch.property]
            new = _new_value(prop, current[ch.property], ch.op, value)
            if new != current[ch.property]:
                out.append({"set_id": ind.set_id, "code": ind.code, "property": ch.property,
                            "old": current[ch.property], "new": new})
                current[ch.property] = new
        if not (current["name_nb"] or current["name_en"]):
            raise UserError("the classification was not saved", details=[
                f"{ind.set_id}/{ind.code}: an indicator needs a name in name_nb or name_en"])
    return out


def _hold(session: Session, indicators: list[Indicator]) -> None:
    """Hold the indicators for this change and read them afresh, so that a change rests on the
    values as they are now and the history chains (each old value the previous new one), however
    many edit at once."""
    hold(session, Indicator.id.in_(sorted(i.id for i in indicators)))
    for indicator in indicators:
        session.expire(indicator)


def _since(session: Session, indicator: Indicator, planned: list[dict], seen: int
           ) -> list[dict]:
    """The planned changes of an edit begun on revision `seen`. A property someone else changed
    since then stays as they left it where the edit gives it the value it had at `seen` (the
    editor did not touch it); where the edit gives it another value, it clashes."""
    if not 1 <= seen <= indicator.revision:
        raise BadRequest(f"revision {seen} of {indicator.set_id}/{indicator.code} does not "
                         f"exist; it is at revision {indicator.revision}")
    later: dict[str, list[IndicatorChange]] = {}
    for c in session.scalars(select(IndicatorChange).where(
            IndicatorChange.indicator_id == indicator.id, IndicatorChange.revision > seen)
            .order_by(IndicatorChange.id)):
        later.setdefault(c.property, []).append(c)
    kept, clashes = [], []
    for p in planned:
        since = later.get(p["property"])
        prop = props.PROPERTIES[p["property"]]
        if not since:
            kept.append(p)
        elif (prop.to_text(p["new"]) or None) != since[0].old_value:
            clashes.append({"field": p["property"], "yours": p["new"], "now": p["old"],
                            "by": since[-1].changed_by, "at": since[-1].changed_at})
    if clashes:
        raise Conflict(f"{indicator.set_id}/{indicator.code} was changed by someone else after "
                       f"revision {seen}; nothing was saved", clashes=clashes,
                       revision=indicator.revision, changed=set(later))
    return kept


def apply(session: Session, indicators: list[Indicator], changes: list[Change], by: str,
          dry_run: bool = False, seen: int | None = None) -> dict:
    """Make the changes (or only plan them, `dry_run`). `seen`: the revision of the one
    indicator the editor started from; changes made by others since then are kept or clash."""
    if not by.strip() or "\x00" in by:
        raise UserError("say who makes the change (--by or 'by'), without control characters")
    if not dry_run and indicators:
        _hold(session, indicators)
    planned = plan(session, indicators, changes)
    if seen is not None:
        if len(indicators) != 1:
            raise BadRequest("a revision can be given for a change of one indicator only")
        planned = _since(session, indicators[0], planned, seen)
    if not dry_run:
        by_ind = {(i.set_id, i.code): i for i in indicators}
        grouped: dict[tuple[str, str], dict[str, object]] = {}
        for p in planned:
            grouped.setdefault((p["set_id"], p["code"]), {})[p["property"]] = p["new"]
        for key, values in grouped.items():
            update_indicator(session, by_ind[key], values, by, None)
        if planned:
            bump_catalog_version(session)
    return {"indicators": len(indicators), "changed_indicators":
            len({(p["set_id"], p["code"]) for p in planned}), "changes": planned,
            "saved": not dry_run}
