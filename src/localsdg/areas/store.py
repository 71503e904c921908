"""Areas in the database: the loaded code versions and their changes, areas added by users,
and listing them."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from localsdg.areas.history import Loaded, change_kinds, in_force
from localsdg.db.schema import Area, AreaChange
from localsdg.db.session import bulk_insert
from localsdg.db.state import bump_scoring_state
from localsdg.errors import UserError

LEVELS = ("municipality", "county", "country", "city")  # city: outside Norway, added by users
USER = "added by a user"


def add_area(session: Session, level: str, code: str, name: str, parent: str | None = None
             ) -> Area:
    """An area outside Norway's code lists (a foreign city, a district); kept on re-sync."""
    if level not in LEVELS:
        raise UserError(f"level '{level}' is unknown; use {', '.join(LEVELS)}")
    existing = session.scalar(select(Area).where(Area.level == level, Area.code == code))
    if existing is not None:
        if existing.source != USER:
            raise UserError(f"{level} {code} is {existing.name} from {existing.source}; "
                            "choose another code")
        existing.name, existing.parent_code = name, parent
        bump_scoring_state(session)
        return existing
    area = Area(level=level, code=code, name=name, parent_code=parent, source=USER)
    session.add(area)
    session.flush()
    bump_scoring_state(session)
    return area


def _is_date(text: str) -> bool:
    try:
        return bool(date.fromisoformat(text))
    except ValueError:
        return False


def list_areas(session: Session, level: str | None = None, at: str | None = None,
               code: str | None = None) -> list[dict]:
    """Areas as plain rows; `at` (YYYY-MM-DD) keeps those valid on that day, `code` the
    versions of one code."""
    if level is not None and level not in LEVELS:
        raise UserError(f"--level '{level}' is unknown; use {', '.join(LEVELS)}")
    year = None
    if at is not None:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", at) or not _is_date(at):
            raise UserError(f"--at '{at}': write a date as YYYY-MM-DD")
        year = int(at[:4])
    q = select(Area).order_by(Area.level, Area.code, Area.valid_from.nulls_first())
    if level:
        q = q.where(Area.level == level)
    if code:
        q = q.where(Area.code == code)
    return [{"level": a.level, "code": a.code, "name": a.name, "short_name": a.short_name,
             "name_en": a.name_en, "parent": a.parent_code, "valid_from": a.valid_from,
             "valid_to": a.valid_to, "source": a.source}
            for a in session.scalars(q) if year is None or in_force(a, year)]


def store(session: Session, loaded: Loaded) -> None:
    """Replace the areas and their changes with those loaded; areas added by users stay."""
    session.execute(delete(AreaChange))
    session.execute(delete(Area).where(Area.source != USER))
    session.flush()
    bulk_insert(session, Area.__table__, [
        {"level": v.level, "code": v.code, "name": v.name, "short_name": v.short_name,
         "name_en": v.name_en, "parent_code": v.parent_code, "valid_from": v.valid_from,
         "valid_to": v.valid_to, "notes": v.notes, "source": v.source}
        for v in loaded.versions.values()])
    ids = {(a.level, a.code, a.valid_from): a.id for a in session.scalars(select(Area))}
    bulk_insert(session, AreaChange.__table__, [
        {"from_id": ids[e.source], "to_id": ids[e.target], "year": e.year, "weight": e.weight,
         "kind": kind, "source": e.origin}
        for e, kind in zip(loaded.edges, change_kinds(loaded.edges), strict=True)])
    bump_scoring_state(session)
