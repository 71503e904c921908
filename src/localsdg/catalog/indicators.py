"""Reading single indicators and sets: every property with its label, links and history."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from localsdg.catalog import properties as props
from localsdg.catalog.store import record_values
from localsdg.db.schema import Indicator, IndicatorChange, IndicatorLink, IndicatorSet, Target
from localsdg.errors import NotFound, UserError


def indicator_name(ind: object, lang: str) -> str:
    """An indicator's name in the reader's language, else the other one, else its code (for
    rows and objects with name_nb, name_en and code or ref)."""
    get = ind.get if isinstance(ind, dict) else lambda key: getattr(ind, key, None)
    nb, en = get("name_nb"), get("name_en")
    return (en if lang == "en" else nb) or nb or en or get("code") or get("ref") or ""


def split_ref(ref: str) -> tuple[str, str]:
    """'SET/CODE' → (set, code), at the first '/': a set id never holds one, a code may."""
    set_id, sep, code = ref.partition("/")
    if not sep or not set_id or not code:
        raise UserError(f"'{ref}': name an indicator as SET_ID/CODE, e.g. un-global/13.2.2")
    return set_id, code


def indicator_by_ref(session: Session, ref: str) -> Indicator:
    """'SET/CODE' or the numeric id → the indicator, or a UserError saying how to name one."""
    if ref.isdigit() and (ind := session.get(Indicator, int(ref))):
        return ind
    set_id, _, code = ref.partition("/")
    ind = session.scalar(select(Indicator).where(Indicator.set_id == set_id,
                                                 Indicator.code == code)) if code else None
    if ind is None:
        raise NotFound(f"no indicator '{ref}'; name it as SET/CODE, e.g. un-global/13.2.2 "
                       "('localsdg catalog search' finds them)")
    return ind


def get_indicator(session: Session, set_id: str, code: str) -> Indicator:
    ind = session.scalar(select(Indicator).where(Indicator.set_id == set_id,
                                                  Indicator.code == code)
                         .options(selectinload(Indicator.values)))
    if ind is None:
        if session.get(IndicatorSet, set_id) is None:
            raise NotFound(f"there is no indicator set '{set_id}'; see `localsdg catalog sets`")
        raise NotFound(f"no indicator '{code}' in set '{set_id}'")
    return ind


def detail(session: Session, set_id: str, code: str, lang: str = "nb") -> dict:
    ind = get_indicator(session, set_id, code)
    values = record_values(ind)
    title = Target.title_en if lang == "en" else Target.title_nb
    titles = {code: text for code, text in session.execute(
        select(Target.code, title).where(Target.code.in_(values["targets"])))}
    return {
        "set_id": ind.set_id, "code": ind.code, "uri": ind.uri,
        "set_name": ind.set.name_en if lang == "en" and ind.set.name_en else ind.set.name_nb,
        "values": values,
        "labels": {name: _labels(props.PROPERTIES[name], v, lang) for name, v in values.items()},
        "target_titles": titles,
        "links": links(session, ind.id),
        "updated_at": ind.updated_at.isoformat() if ind.updated_at else None,
        "revision": ind.revision,
    }


def _labels(prop: props.Property, value: object, lang: str) -> object:
    if prop.codelist is None or value in (None, []):
        return None
    items = value if isinstance(value, list) else [value]
    labels = [(c.label(lang) if (c := prop.codelist.get(v)) else v) for v in items]
    return labels if prop.multi else labels[0]


def links(session: Session, indicator_id: int) -> list[dict]:
    rows = session.execute(
        select(IndicatorLink, Indicator.set_id, Indicator.code, Indicator.name_nb,
               Indicator.name_en)
        .join(Indicator, or_(
            (IndicatorLink.from_id == indicator_id) & (Indicator.id == IndicatorLink.to_id),
            (IndicatorLink.to_id == indicator_id) & (Indicator.id == IndicatorLink.from_id)))
        .where(or_(IndicatorLink.from_id == indicator_id, IndicatorLink.to_id == indicator_id))
        .order_by(IndicatorLink.id))
    return [{"kind": lk.kind, "direction": "out" if lk.from_id == indicator_id else "in",
             "set_id": s, "code": c, "name_nb": nb, "name_en": en,
             "proposed_by": lk.proposed_by, "confirmed": lk.confirmed}
            for lk, s, c, nb, en in rows]


def history(session: Session, set_id: str, code: str) -> list[dict]:
    ind = get_indicator(session, set_id, code)
    rows = session.scalars(select(IndicatorChange).where(IndicatorChange.indicator_id == ind.id)
                           .order_by(IndicatorChange.id.desc()))
    return [{"at": r.changed_at.isoformat(), "by": r.changed_by, "property": r.property,
             "old": r.old_value, "new": r.new_value, "batch": r.batch_id,
             "revision": r.revision} for r in rows]


def list_sets(session: Session) -> list[dict]:
    counts = {set_id: n for set_id, n in session.execute(
        select(Indicator.set_id, func.count()).group_by(Indicator.set_id))}
    return [{"id": s.id, "name_nb": s.name_nb, "name_en": s.name_en, "publisher": s.publisher,
             "version": s.version, "level": s.level, "url": s.url,
             "indicators": counts.get(s.id, 0)}
            for s in session.scalars(select(IndicatorSet).order_by(IndicatorSet.id))]
