"""Area profiles: a municipality's, county's or country's SDG status (index, rank with its band,
goal tiles, each goal's indicators), the comparison of areas side by side with a scatter and a
map, the step-by-step explanation of any score, and the report downloads."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from localsdg.catalog.index import get_index
from localsdg.catalog.indicators import indicator_name
from localsdg.catalog.search import set_names
from localsdg.db.state import kept, planning_version, remember
from localsdg.errors import NotFound
from localsdg.observations.series import area_overview
from localsdg.planning import store as plans
from localsdg.present import charts
from localsdg.present.i18n import translations
from localsdg.present.labels import goal_name
from localsdg.reports import document
from localsdg.scoring import explain as explained
from localsdg.scoring.area_profile import build, profile_sets_for
from localsdg.scoring.compare import (
    axes,
    chosen_areas,
    default_profile_set,
    map_scores,
    municipal_sets,
    scatter_rows,
)
from localsdg.scoring.profiles import get_set
from localsdg.scoring.run import Run, scored
from localsdg.scoring.status import area_status, find_area
from localsdg.sources.kartverket import CREDIT, map_set
from localsdg.web.auth import user_of
from localsdg.web.downloads import download
from localsdg.web.i18n import choose
from localsdg.web.params import DB, LoopDB, in_thread
from localsdg.web.templating import page, render, respond

router = APIRouter(include_in_schema=False)
AREA_PARAMS = {"profil", "gruppe", "lang"}  # what an area page reads from its address
PATHS = {"municipality": "kommune", "county": "fylke", "country": "land"}
Codes = Annotated[list[str] | None, Query(description="area codes")]


@router.get("/kommune/{code}")
async def municipality_page(request: Request, session: LoopDB, code: str,
                            profil: str | None = None, gruppe: str | None = None):
    return await _area_page(request, session, "municipality", code, profil, gruppe)


@router.get("/fylke/{code}")
async def county_page(request: Request, session: LoopDB, code: str, profil: str | None = None,
                      gruppe: str | None = None):
    return await _area_page(request, session, "county", code, profil, gruppe)


@router.get("/land/{code}")
async def country_page(request: Request, session: LoopDB, code: str, profil: str | None = None,
                       gruppe: str | None = None):
    return await _area_page(request, session, "country", code.upper(), profil, gruppe)


async def _area_page(request: Request, session: Session, level: str, code: str,
                     profile_set: str | None, group: str | None):
    """A public page read by many: kept rendered while the data behind it is unchanged. A kept
    page is answered on the event loop; scoring and rendering anew (~0.1 s) in a worker
    thread, a few at a time, so that other readers are not held up meanwhile (however many
    ask for new pages at once). Parameters the page does not use
    are sent away to the page without them, so that they cannot make it render anew."""
    if unused := set(request.query_params) - AREA_PARAMS:
        clean = [(k, v) for k, v in request.query_params.multi_items() if k not in unused]
        return RedirectResponse(f"{request.url.path}?{urlencode(clean)}" if clean
                                else request.url.path, status_code=301)
    user = user_of(request)  # the header names a signed-in user
    key = ("area page", request.url.path, request.url.query, choose(request),
           planning_version(session), user.name if user else "")
    html = kept(session, key)
    if html is None:
        session.close()  # no connection held while waiting: the worker thread takes its own
        html = await in_thread(remember, session, key, lambda: _area_html(
            request, session, level, code, profile_set, group))
    return respond(request, html)


def _area_html(request: Request, session: DB, level: str, code: str, profile_set: str | None,
               group: str | None) -> str:
    lang = choose(request)
    status = area_status(session, code, profile_set, group, level=level)
    profile = status.profile
    spec = document.goal_chart(profile, lang) if profile else {}
    parent = status.area.get("parent") if level == "municipality" else None
    return page(request, "profile.html", area=status.area, level=level,
                county=find_area(session, parent, "county") if parent else None,
                paths=PATHS, profile=profile,
                summary=document.summary(profile, lang) if profile else {},
                chart=charts.script_json(spec), chart_text=spec.get("description"),
                choices=[(c, get_set(session, c).name) for c in profile_sets_for(session, code)],
                groups=status.groups,
                refused=status.refused, municipal=municipal_sets(session, code, level),
                indicators=area_overview(session, level, code),
                set_names=set_names(get_index(session), lang),
                plans=plans.listed(session, status.area["code"]) if level != "country" else None)


@router.get("/rapport/{code}.{fmt}")
def report(request: Request, session: DB, code: str, fmt: Literal["pdf", "html", "xlsx"],
           profil: str | None = None, gruppe: str | None = None):
    lang = choose(request)
    p = area_status(session, code, profil, gruppe).profile
    if p is None:
        raise NotFound(f"no profile set compares the area {code}; choose one with ?profil=")
    content = {"pdf": document.pdf, "html": document.html, "xlsx": document.xlsx}[fmt](p, lang)
    return download(content, f"localsdg-{code}-{lang}", fmt)


@router.get("/forklaring")
def explanation(request: Request, session: DB, profil: str, omrade: str,
                gruppe: str | None = None, mal: int | None = None,
                indikator: str | None = None):
    r, _u = scored(session, profil, gruppe)
    trace = explained.explain(r, omrade, mal, indikator)
    level = next(m.level for m in r.group.members if m.code == omrade)
    return render(request, "explanation.html", trace=trace, profile_set=profil,
                  set_name=get_set(session, profil).name, group=r.group.id,
                  group_name=r.group.name, back=f"/{PATHS[level]}/{omrade}")


@router.get("/sammenlign")
def compare(request: Request, session: DB, profil: str | None = None,
            gruppe: str | None = None, omrade: Codes = None, x: str | None = None,
            y: str | None = None, kart: str | None = None, fra_gruppe: str | None = None):
    """`fra_gruppe`: the group the form was shown with; when the reader typed another, the
    areas chosen outside the new group are let go (the two best ranked when too few stay)."""
    lang = choose(request)
    profile_set, sets = default_profile_set(session, profil)
    r, _u = scored(session, profile_set, gruppe)
    if omrade and fra_gruppe is not None and fra_gruppe != (gruppe or r.group.id):
        members = {m.code for m in r.group.members}
        omrade = [c for c in omrade if c in members]
        omrade = omrade if len(omrade) >= 2 else None
    chosen = chosen_areas(omrade, r)
    profiles = [build(session, c, profile_set, gruppe, runs=0) for c in chosen]
    x, y = axes(r, x, y)
    set_name = next((s["name"] for s in sets if s["id"] == profile_set), profile_set)
    return render(request, "compare.html", sets=sets, profile_set=profile_set, run=r,
                  set_name=set_name,
                  members=r.group.members, chosen=chosen, profiles=profiles, x=x, y=y,
                  scatter=_scatter(r, chosen, x, y, lang), map=_map(r, kart, lang), kart=kart,
                  group=gruppe or r.group.id, paths=PATHS)


def _label(r: Run, ref: str, lang: str) -> str:
    return indicator_name(r.indicators[r.refs.index(ref)], lang)


def _scatter(r: Run, chosen: list[str], x: str, y: str, lang: str) -> dict:
    _ = translations(lang).gettext
    rows = scatter_rows(r, chosen, x, y)
    x_title, y_title = _label(r, x, lang), _label(r, y, lang)
    description = _("%(n)d of %(total)d areas have both values; the areas chosen are named.") % {
        "n": len(rows), "total": len(r.group.members)}
    return {"rows": rows, "x_title": x_title, "y_title": y_title, "description": description,
            "spec": charts.script_json(charts.scatter(rows, f"{y_title} / {x_title}",
                                                      description, x_title, y_title, lang))}


def _map(r: Run, kart: str | None, lang: str) -> dict | None:
    _ = translations(lang).gettext
    found, boundary = map_scores(r, kart), map_set(r.year)
    if found is None or boundary is None:
        return None
    title = (_("Index score") if found.kind == "index" else
             f"{found.item} {goal_name(found.item, lang)}" if found.kind == "goal" else
             _label(r, found.item, lang))
    with_value = sum(row["value"] is not None for row in found.rows)
    description = _("%(n)d of %(total)d municipalities with a score (0–100); the others are "
                    "grey. Map: %(credit)s.") % {"n": with_value, "total": len(found.rows),
                                                  "credit": CREDIT}
    spec = charts.choropleth(found.rows, f"/kart/municipality-{boundary}.json", title,
                             description, _("Score (0–100)"), _("missing"), lang)
    return {"title": title, "description": description, "rows": found.rows,
            "spec": charts.script_json(spec)}
