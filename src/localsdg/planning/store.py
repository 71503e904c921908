"""Storing plans: all writes go through `save`, which checks the whole plan first and records
who changed which part from what to what, whether the change came from a file, the browser or
the API."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from localsdg.db.schema import Plan as PlanRow
from localsdg.db.schema import PlanChange, now
from localsdg.db.state import bump_planning_state
from localsdg.errors import BadRequest, Conflict, NotFound, UserError
from localsdg.planning.check import checked
from localsdg.planning.model import Plan

# The parts of a plan edited one item at a time, and how an item is named in its section.
KEYS: dict[str, Callable[[dict], str]] = {
    "priorities": lambda d: str(d.get("target") or d.get("goal")),
    "interactions": lambda d: f"{d.get('from')} → {d.get('to')}",
    "targets": lambda d: f"{d.get('indicator')} {d.get('year')}",
    "measures": lambda d: str(d.get("id")),
}


@dataclass
class Stored:
    id: int
    level: str
    plan: Plan
    revision: int = 1


def save(session: Session, document: object, by: str, *, action: str = "import",
         label: str = "the plan", where: Callable[[str], str] | None = None) -> int:
    """Store a whole plan (new, or replacing the area's plan of the same name); its id."""
    _who(by)
    plan, area = checked(session, document, label, where)
    found = session.scalar(select(PlanRow.id).where(PlanRow.area_code == area["code"],
                                                    PlanRow.name == plan.name))
    row = _held(session, found) if found else _new(session, area, plan.name)
    _write(session, row, plan, by, action, "plan", row.document or None, plan.document(),
           first=not found)
    return row.id


def _new(session: Session, area: dict, name: str) -> PlanRow:
    """A new plan's row, or a refusal when another has just been made with the same name."""
    row = PlanRow(area_level=area["level"], area_code=area["code"], name=name, document={})
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise UserError(f"the area already has a plan called '{name}'") from None
    return row


def edit(session: Session, plan_id: int, by: str, action: str, part: str,
         change: Callable[[dict], tuple[object, object]], seen: int | None = None,
         touches: tuple[str, ...] = ()) -> None:
    """Apply `change` to a copy of the stored document (it returns the part before and after)
    and store the result if the whole plan still passes every check. The plan is held for the
    change, so that editors at the same moment each build on the other's change. `seen`: the
    revision the editor started from; a change since then to the same part (or to the parts
    named in `touches`) clashes."""
    _who(by)
    row = _held(session, plan_id)
    document = copy.deepcopy(row.document)
    old, new = change(document)
    if seen is not None:
        _since(session, row, seen, {part, *touches}, old, new)
    plan, _area = checked(session, document)
    if plan.area != row.area_code:
        raise UserError("a plan stays with its area; export it and import it for another area")
    other = session.scalar(select(PlanRow.id).where(PlanRow.area_code == row.area_code,
                                                    PlanRow.name == plan.name,
                                                    PlanRow.id != row.id))
    if other:
        raise UserError(f"the area already has a plan called '{plan.name}'")
    _write(session, row, plan, by, action, part, old, new)


def put(session: Session, plan_id: int, section: str, item: dict, by: str,
        replaces: str | None = None, seen: int | None = None) -> None:
    """Add an item to a section, or replace the one named `replaces` (or with the same key)."""
    key = KEYS[section]
    touches = (f"{section}: {replaces}",) if replaces else ()

    def change(document: dict) -> tuple[object, object]:
        items = document.setdefault(section, [])
        # an item to replace that was renamed or removed meanwhile is never brought back
        at = _at(items, section, replaces) if replaces else _find(items, section, key(item))
        old = items[at] if at is not None else None
        if at is None:
            items.append(item)
        else:
            items[at] = item
        return old, item

    edit(session, plan_id, by, "change" if replaces else "add", f"{section}: {key(item)}",
         change, seen, touches)


def change_item(session: Session, plan_id: int, section: str, name: str,
                change: Callable[[dict], None], by: str, seen: int | None = None) -> None:
    """Change one item in place, as it is stored when the plan is held (`change` edits it)."""

    def changed(document: dict) -> tuple[object, object]:
        items = document.get(section, [])
        at = _at(items, section, name)
        old, new = items[at], copy.deepcopy(items[at])
        change(new)
        items[at] = new
        return old, new

    edit(session, plan_id, by, "change", f"{section}: {name}", changed, seen)


def remove(session: Session, plan_id: int, section: str, name: str, by: str,
           seen: int | None = None) -> None:

    def change(document: dict) -> tuple[object, object]:
        items = document.get(section, [])
        return items.pop(_at(items, section, name)), None

    edit(session, plan_id, by, "remove", f"{section}: {name}", change, seen)


def _find(items: list[dict], section: str, name: str) -> int | None:
    """Where the item of that name is in its section, or None."""
    return next((i for i, x in enumerate(items) if KEYS[section](x) == name), None)


def _at(items: list[dict], section: str, name: str) -> int:
    """Where the item of that name is in its section; NotFound when it is not (any more)."""
    if (at := _find(items, section, name)) is None:
        raise NotFound(f"the plan has no {section} item '{name}' (any more: load the page "
                       "again)")
    return at


def set_fields(session: Session, plan_id: int, fields: dict, by: str,
               seen: int | None = None) -> None:
    """Change the plan's own fields (name, years, description)."""

    def change(document: dict) -> tuple[object, object]:
        old = {k: document.get(k) for k in fields}
        document.update(fields)
        for k in [k for k, v in document.items() if v is None]:
            del document[k]
        return old, fields

    edit(session, plan_id, by, "change", "plan", change, seen)


def _write(session: Session, row: PlanRow, plan: Plan, by: str, action: str, part: str,
           old: object, new: object, first: bool = False) -> None:
    row.revision = 1 if first else row.revision + 1
    row.name, row.document, row.updated_at = plan.name, plan.document(), now()
    session.flush()
    session.add(PlanChange(plan_id=row.id, action=action, part=part, old_value=old,
                           new_value=new, changed_by=by.strip(), revision=row.revision))
    bump_planning_state(session)
    session.flush()


def _who(by: str) -> None:
    if not by.strip():
        raise UserError("write your name so the change can be traced")


def _held(session: Session, plan_id: int) -> PlanRow:
    """The plan, read afresh under a lock held until the transaction ends: its row on
    PostgreSQL, SQLite's one write lock (taken before reading) elsewhere."""
    rows = select(PlanRow).where(PlanRow.id == plan_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        row = session.scalar(rows.with_for_update())
    else:
        session.execute(update(PlanRow).where(PlanRow.id == plan_id).values(id=PlanRow.id)
                        .execution_options(synchronize_session=False))
        row = session.scalar(rows)
    if row is None:
        raise NotFound(f"there is no plan {plan_id}; 'localsdg plan list' shows them")
    return row


def _since(session: Session, row: PlanRow, seen: int, parts: set[str], old: object,
           new: object) -> None:
    """Refuse a change begun on revision `seen` when someone has since changed one of `parts`
    or replaced the whole plan (an import)."""
    if not 1 <= seen <= row.revision:
        raise BadRequest(f"revision {seen} of plan {row.id} does not exist; it is at revision "
                         f"{row.revision}")
    later = session.scalars(select(PlanChange).where(
        PlanChange.plan_id == row.id, PlanChange.revision > seen,
        PlanChange.part.in_(parts) | (PlanChange.action == "import"))
        .order_by(PlanChange.id.desc())).first()
    if later is not None:
        raise Conflict(f"plan {row.id}: '{later.part}' was changed by someone else after "
                       f"revision {seen}; nothing was saved", revision=row.revision, clashes=[
                           {"field": later.part, "yours": new, "now": old,
                            "by": later.changed_by, "at": later.changed_at}])


def _row(session: Session, plan_id: int) -> PlanRow:
    row = session.get(PlanRow, plan_id)
    if row is None:
        raise NotFound(f"there is no plan {plan_id}; 'localsdg plan list' shows them")
    return row


def get(session: Session, plan_id: int) -> Stored:
    row = _row(session, plan_id)
    return Stored(row.id, row.area_level, Plan.model_validate(row.document), row.revision)


def find(session: Session, area: str, name: str | None = None) -> Stored:
    """The area's plan of that name, or its only plan."""
    rows = listed(session, area)
    chosen = [r for r in rows if name is None or r["name"] == name]
    if len(chosen) != 1:
        names = ", ".join(f"'{r['name']}'" for r in rows) or "none"
        raise NotFound(f"area {area}: " + (f"no plan called '{name}'" if name else
                                           "several plans; name one with --plan")
                       + f" (its plans: {names})")
    return get(session, chosen[0]["id"])


def listed(session: Session, area: str | None = None) -> list[dict]:
    """Plans (of one area, or all) in brief, newest change first within an area."""
    q = select(PlanRow).order_by(PlanRow.area_code, PlanRow.updated_at.desc())
    if area is not None:
        q = q.where(PlanRow.area_code == area)
    return [{"id": r.id, "area": r.area_code, "level": r.area_level, "name": r.name,
             "example": bool(r.document.get("example")),
             "measures": len(r.document.get("measures", [])),
             "updated_at": r.updated_at.isoformat()} for r in session.scalars(q)]


def history(session: Session, plan_id: int) -> list[PlanChange]:
    return list(session.scalars(select(PlanChange).where(PlanChange.plan_id == plan_id)
                                .order_by(PlanChange.id.desc())))
