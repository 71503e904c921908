"""The front page, goals and targets, indicator sets and the method page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select

from localsdg import taxonomy as tx
from localsdg.catalog.analysis import statistics
from localsdg.catalog.indicators import list_sets
from localsdg.catalog.search import Selection
from localsdg.db.schema import Goal, Target
from localsdg.errors import UserError
from localsdg.web.i18n import choose
from localsdg.web.params import DB
from localsdg.web.templating import render

router = APIRouter(include_in_schema=False)


def goal_title(goal: Goal, lang: str, short: bool = True) -> str:
    if lang == "en":
        return (goal.short_en if short else goal.title_en) or ""
    return (goal.short_nb if short else goal.title_nb) or ""


def _goals(session: DB, lang: str) -> list[dict]:
    counts = {r["value"]: r["count"] for r in statistics(session, Selection(), lang)
              ["counts"]["goal"]}
    return [{"id": g.id, "title": _goal_label(g, lang), "long": goal_title(g, lang, False),
             "count": counts.get(str(g.id), 0)}
            for g in session.scalars(select(Goal).order_by(Goal.id))]


def _goal_label(goal: Goal, lang: str) -> str:
    """Nynorsk has no official UN titles loaded: the taxonomy's own short names serve."""
    if lang == "nn":
        return tx.GOALS.get(str(goal.id)).nn  # type: ignore[union-attr]
    return goal_title(goal, lang)


@router.get("/")
def front(request: Request, session: DB):
    lang = choose(request)
    return render(request, "front.html", goals=_goals(session, lang), sets=list_sets(session))


@router.get("/mal")
def goals_page(request: Request, session: DB):
    return render(request, "goals.html", goals=_goals(session, choose(request)))


@router.get("/mal/{goal_id}")
def goal_page(request: Request, session: DB, goal_id: int):
    lang = choose(request)
    goal = session.get(Goal, goal_id)
    if goal is None:
        raise UserError(f"there is no goal {goal_id}; goals are 1–17", status=404)
    stats = statistics(session, Selection("", {"goal": [str(goal_id)]}), lang)
    per_target = {r["value"]: r["count"] for r in stats["counts"]["target"]}
    targets = [{"code": t.code, "title": _target_title(t, lang),
                "count": per_target.get(t.code, 0)}
               for t in session.scalars(select(Target).where(Target.goal_id == goal_id)
                                        .order_by(Target.position))]
    return render(request, "goal.html", goal={"id": goal.id, "title": _goal_label(goal, lang),
                                              "long": goal_title(goal, lang, False)},
                  targets=targets, stats=stats)


def _target_title(target: Target, lang: str) -> str:
    return (target.title_en if lang == "en" else target.title_nb) or target.title_en or ""


@router.get("/delmal/{code}")
def target_page(request: Request, session: DB, code: str):
    lang = choose(request)
    target = session.get(Target, code)
    if target is None:
        raise UserError(f"there is no target '{code}'; targets look like 11.6 or 11.a",
                        status=404)
    stats = statistics(session, Selection("", {"target": [code]}), lang)
    return render(request, "target.html", target={"code": code, "goal": target.goal_id,
                                                  "title": _target_title(target, lang)},
                  stats=stats, title_language="nb" if lang != "en" else "en")


@router.get("/sett")
def sets_page(request: Request, session: DB):
    return render(request, "sets.html", sets=list_sets(session))


@router.get("/sett/{set_id}")
def set_page(request: Request, session: DB, set_id: str):
    lang = choose(request)
    found = [s for s in list_sets(session) if s["id"] == set_id]
    if not found:
        raise UserError(f"there is no indicator set '{set_id}'", status=404)
    stats = statistics(session, Selection("", {"set": [set_id]}), lang)
    return render(request, "set.html", set=found[0], stats=stats)


@router.get("/om")
def about(request: Request):
    return render(request, f"about/{choose(request)}.html")
