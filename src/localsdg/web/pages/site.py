"""The front page, goals and targets, indicator sets and the method page."""

from __future__ import annotations

from fastapi import APIRouter, Request

from localsdg.catalog import goals
from localsdg.catalog.indicators import list_sets
from localsdg.web.i18n import choose
from localsdg.web.params import DB
from localsdg.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def front(request: Request, session: DB):
    return render(request, "front.html", goals=goals.goal_counts(session, choose(request)),
                  sets=list_sets(session))


@router.get("/mal")
def goals_page(request: Request, session: DB):
    return render(request, "goals.html", goals=goals.goal_counts(session, choose(request)))


@router.get("/mal/{goal_id}")
def goal_page(request: Request, session: DB, goal_id: int):
    return render(request, "goal.html", **goals.goal_detail(session, goal_id, choose(request)))


@router.get("/delmal/{code}")
def target_page(request: Request, session: DB, code: str):
    lang = choose(request)
    return render(request, "target.html", **goals.target_detail(session, code, lang),
                  title_language="nb" if lang != "en" else "en")


@router.get("/sett")
def sets_page(request: Request, session: DB):
    return render(request, "sets.html", sets=list_sets(session))


@router.get("/sett/{set_id}")
def set_page(request: Request, session: DB, set_id: str):
    return render(request, "set.html", **goals.set_detail(session, set_id, choose(request)))


@router.get("/om")
def about(request: Request):
    return render(request, f"about/{choose(request)}.html")
