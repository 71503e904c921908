"""The 17 goals and 169 targets, with how many indicators of the catalog measure each: what the
goal, target and set pages show and the API gives."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from localsdg import taxonomy as tx
from localsdg.catalog.analysis import statistics
from localsdg.catalog.indicators import list_sets
from localsdg.catalog.search import Selection
from localsdg.db.schema import Goal, Target
from localsdg.errors import NotFound


def goal_title(goal: Goal, lang: str, short: bool = True) -> str:
    if lang == "en":
        return (goal.short_en if short else goal.title_en) or ""
    return (goal.short_nb if short else goal.title_nb) or ""


def goal_label(goal: Goal, lang: str) -> str:
    """Nynorsk has no official UN titles loaded: the taxonomy's own short names serve."""
    if lang == "nn":
        return tx.GOALS.get(str(goal.id)).nn  # type: ignore[union-attr]
    return goal_title(goal, lang)


def target_title(target: Target, lang: str) -> str:
    return (target.title_en if lang == "en" else target.title_nb) or target.title_en or ""


def target_titles(session: Session, codes: list[str], lang: str) -> dict[str, str]:
    """The titles of some targets by code (Bokmål for Nynorsk, which has no official ones)."""
    return {t.code: target_title(t, lang)
            for t in session.scalars(select(Target).where(Target.code.in_(codes)))}


def goals_with_targets(session: Session) -> list[dict]:
    """The 17 goals with their targets (official titles in Bokmål and English)."""
    targets: dict[int, list[dict]] = {}
    for t in session.scalars(select(Target).order_by(Target.goal_id, Target.position)):
        targets.setdefault(t.goal_id, []).append(
            {"code": t.code, "title_nb": t.title_nb, "title_en": t.title_en})
    return [{"id": g.id, "short_nb": g.short_nb, "short_en": g.short_en,
             "title_nb": g.title_nb, "title_en": g.title_en,
             "colour": tx.GOAL_COLOURS[g.id], "targets": targets.get(g.id, [])}
            for g in session.scalars(select(Goal).order_by(Goal.id))]


def goal_counts(session: Session, lang: str) -> list[dict]:
    """Each goal's title in the reader's language and how many indicators measure it."""
    counts = {r["value"]: r["count"] for r in statistics(session, Selection(), lang)
              ["counts"]["goal"]}
    return [{"id": g.id, "title": goal_label(g, lang), "long": goal_title(g, lang, False),
             "count": counts.get(str(g.id), 0)}
            for g in session.scalars(select(Goal).order_by(Goal.id))]


def goal_detail(session: Session, goal_id: int, lang: str) -> dict:
    """A goal, its targets with their indicator counts, and the statistics of its indicators."""
    goal = session.get(Goal, goal_id)
    if goal is None:
        raise NotFound(f"there is no goal {goal_id}; goals are 1–17")
    stats = statistics(session, Selection("", {"goal": [str(goal_id)]}), lang)
    per_target = {r["value"]: r["count"] for r in stats["counts"]["target"]}
    targets = [{"code": t.code, "title": target_title(t, lang),
                "count": per_target.get(t.code, 0)}
               for t in session.scalars(select(Target).where(Target.goal_id == goal_id)
                                        .order_by(Target.position))]
    return {"goal": {"id": goal.id, "title": goal_label(goal, lang),
                     "long": goal_title(goal, lang, False)},
            "targets": targets, "stats": stats}


def target_detail(session: Session, code: str, lang: str) -> dict:
    """A target and the statistics of the indicators that measure it."""
    target = session.get(Target, code)
    if target is None:
        raise NotFound(f"there is no target '{code}'; targets look like 11.6 or 11.a")
    return {"target": {"code": code, "goal": target.goal_id,
                       "title": target_title(target, lang)},
            "stats": statistics(session, Selection("", {"target": [code]}), lang)}


def set_detail(session: Session, set_id: str, lang: str) -> dict:
    """An indicator set and the statistics of its indicators."""
    found = [s for s in list_sets(session) if s["id"] == set_id]
    if not found:
        raise NotFound(f"there is no indicator set '{set_id}'")
    return {"set": found[0],
            "stats": statistics(session, Selection("", {"set": [set_id]}), lang)}
