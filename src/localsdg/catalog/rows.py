"""The catalog as rows of the file layout (plain values; lists in multi-valued cells), for
whole sets or a search selection: what every export writes."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from localsdg.catalog.indicators import split_ref
from localsdg.catalog.search import Selection, search
from localsdg.catalog.store import SET_FIELDS, record_values
from localsdg.db.schema import Indicator, IndicatorLink, IndicatorSet
from localsdg.errors import BadRequest, NotFound


def export_rows(session: Session, set_ids: Iterable[str] | None = None,
                codes: set[tuple[str, str]] | None = None) -> list[dict[str, object]]:
    """Rows of the layout (plain values; lists in multi-valued cells) for sets or a selection."""
    query = select(IndicatorSet).order_by(IndicatorSet.id)
    if set_ids is not None:
        set_ids = list(set_ids)
        missing = set(set_ids) - set(session.scalars(select(IndicatorSet.id)
                                                     .where(IndicatorSet.id.in_(set_ids))))
        if missing:
            raise NotFound(f"unknown set(s): {', '.join(sorted(missing))}; "
                           "see `localsdg catalog sets`")
        query = query.where(IndicatorSet.id.in_(set_ids))
    links = _links_by_indicator(session)
    rows = []
    for s in session.scalars(query):
        set_cols = {"set_id": s.id, **{f"set_{n}": getattr(s, n) for n in SET_FIELDS}}
        inds = session.scalars(select(Indicator).where(Indicator.set_id == s.id)
                               .options(selectinload(Indicator.values)).order_by(Indicator.id))
        for ind in inds:
            if codes is not None and (s.id, ind.code) not in codes:
                continue
            rows.append({**set_cols, "code": ind.code, "uri": ind.uri, **record_values(ind),
                         "links": links.get(ind.id, [])})
    return rows


def selection_rows(session: Session, sel: Selection, maximum: int) -> list[dict[str, object]]:
    """Rows of the layout for the indicators of a search selection (at most `maximum`)."""
    found = search(session, sel, limit=maximum, sort="set", facets=False)
    if found["total"] > maximum:
        raise BadRequest(f"the selection has {found['total']} indicators; narrow it to at most "
                         f"{maximum}, or download whole sets")
    keys = {(h["set_id"], h["code"]) for h in found["hits"]}
    return export_rows(session, {s for s, _ in keys}, codes=keys)


def split_link(text: str) -> tuple[str, str, str]:
    """A row's link 'KIND=SET/CODE' → (kind, set id, code)."""
    kind, end = text.split("=", 1)
    return (kind, *split_ref(end))


def _links_by_indicator(session: Session) -> dict[int, list[str]]:
    ends = {i: f"{s}/{c}" for i, s, c in session.execute(
        select(Indicator.id, Indicator.set_id, Indicator.code))}
    out: dict[int, list[str]] = {}
    for link in session.scalars(select(IndicatorLink).order_by(IndicatorLink.id)):
        out.setdefault(link.from_id, []).append(f"{link.kind}={ends[link.to_id]}")
    return {k: sorted(set(v)) for k, v in out.items()}
