"""Area profiles: a municipality's, county's or country's SDG status (index, rank with its band,
goal tiles, each goal's indicators), the comparison of areas side by side with a scatter and a
map, the step-by-step explanation of any score, and the report downloads."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from localsdg.areas.store import list_areas
from localsdg.catalog.indicators import indicator_name
from localsdg.db.state import kept, remember
from localsdg.errors import UserError
from localsdg.observations.series import area_overview
from localsdg.present import charts
from localsdg.present.i18n import translations
from localsdg.present.labels import goal_name
from localsdg.reports import document
from localsdg.scoring import explain as explained
from localsdg.scoring.area_profile import build, profile_sets_for
from localsdg.scoring.profiles import list_sets
from localsdg.scoring.run import Run, scored
from localsdg.sources.kartverket import CREDIT, map_set
from localsdg.web.downloads import download
from localsdg.web.i18n import choose
from localsdg.web.params import DB, LoopDB
from localsdg.web.templating import page, render, respond

router = APIRouter(include_in_schema=False)
PATHS = {"municipality": "kommune", "county": "fylke", "country": "land"}
MAX_COMPARED = 10
MUNICIPAL = ("county:", "all:municipality", "size:", "similar:")  # groups of municipalities
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
    page is answered on the event loop; scoring and rendering anew (seconds) in a worker
    thread, so that other readers are not held up meanwhile."""
    key = ("area page", request.url.path, request.url.query, choose(request))
    html = kept(session, key)
    if html is None:
        html = await run_in_threadpool(remember, session, key, lambda: _area_html(
            request, session, level, code, profile_set, group))
    return respond(request, html)


def _area_html(request: Request, session: DB, level: str, code: str, profile_set: str | None,
               group: str | None) -> str:
    versions = list_areas(session, level, code=code)
    if not versions:
        raise UserError(f"there is no {level} with code {code}", status=404)
    lang = choose(request)
    profile = build(session, code, profile_set, group)
    spec = document.goal_chart(profile, lang) if profile else {}
    return page(request, "profile.html", area=versions[-1], versions=versions, level=level,
                paths=PATHS, profile=profile,
                summary=document.summary(profile, lang) if profile else {},
                chart=charts.script_json(spec), chart_text=spec.get("description"),
                choices=profile_sets_for(session, code),
                municipal=_municipal_sets(session, code, level),
                indicators=area_overview(session, level, code))


def _municipal_sets(session: DB, code: str, level: str) -> list[dict]:
    """Profile sets that compare municipalities: a county's own (its group is county:CODE),
    or all of them beside the national page."""
    if level == "municipality" or (level == "country" and code != "NOR"):
        return []
    found = []
    for s in list_sets(session):
        group = s["method"].get("group") or ""
        if group == f"county:{code}" if level == "county" else group.startswith(MUNICIPAL):
            found.append({**s, "group": group})
    return found


@router.get("/rapport/{code}.{fmt}")
def report(request: Request, session: DB, code: str, fmt: Literal["pdf", "html", "xlsx"],
           profil: str | None = None, gruppe: str | None = None):
    lang = choose(request)
    p = build(session, code.upper() if code.isalpha() else code, profil, gruppe)
    if p is None:
        raise UserError(f"no profile set compares the area {code}; choose one with ?profil=",
                        status=404)
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
                  group=r.group.id, back=f"/{PATHS[level]}/{omrade}")


@router.get("/sammenlign")
def compare(request: Request, session: DB, profil: str | None = None,
            gruppe: str | None = None, omrade: Codes = None, x: str | None = None,
            y: str | None = None, kart: str | None = None):
    lang = choose(request)
    sets = list_sets(session)
    if not sets:
        raise UserError("no profile set has been loaded; run localsdg demo load", status=404)
    profile_set = profil or next((s["id"] for s in sets if (s["method"].get("group") or "")
                                  .startswith(MUNICIPAL)), sets[0]["id"])
    r, _u = scored(session, profile_set, gruppe)
    members = r.group.members
    codes = [m.code for m in members]
    chosen = _chosen(omrade, codes, r.scores.rank)
    profiles = [build(session, c, profile_set, gruppe, runs=0) for c in chosen]
    refs = r.refs
    for name, value in (("x", x), ("y", y)):
        if value is not None and value not in refs:
            raise UserError(f"{name} '{value}' is not an indicator of profile set "
                            f"{profile_set}; use one of {', '.join(refs)}")
    x = x or refs[0]
    y = y or refs[min(1, len(refs) - 1)]
    return render(request, "compare.html", sets=sets, profile_set=profile_set, run=r,
                  members=members, chosen=chosen, profiles=profiles, x=x, y=y,
                  scatter=_scatter(r, chosen, x, y, lang), map=_map(r, kart, lang), kart=kart,
                  group=gruppe or r.group.id, paths=PATHS)


def _chosen(asked: list[str] | None, codes: list[str], rank: np.ndarray) -> list[str]:
    if not asked:
        order = sorted(range(len(codes)), key=lambda i: (np.isnan(rank[i]), rank[i]))
        return [codes[i] for i in order[:MAX_COMPARED]]
    unknown = [c for c in asked if c not in codes]
    if unknown:
        raise UserError(f"omrade: {', '.join(unknown)} not in the group; choose from "
                        f"{', '.join(codes[:12])}{' …' if len(codes) > 12 else ''}")
    asked = list(dict.fromkeys(asked))
    if not 2 <= len(asked) <= MAX_COMPARED:
        raise UserError(f"omrade: choose two to {MAX_COMPARED} different areas, not "
                        f"{len(asked)}")
    return asked


def _label(r: Run, ref: str, lang: str) -> str:
    return indicator_name(r.indicators[r.refs.index(ref)], lang)


def _scatter(r: Run, chosen: list[str], x: str, y: str, lang: str) -> dict:
    _ = translations(lang).gettext
    cx, cy = r.refs.index(x), r.refs.index(y)
    rows = [{"name": m.name, "code": m.code, "x": float(r.values[a, cx]),
             "y": float(r.values[a, cy]), "chosen": m.code in chosen}
            for a, m in enumerate(r.group.members)
            if not np.isnan(r.values[a, cx]) and not np.isnan(r.values[a, cy])]
    x_title, y_title = _label(r, x, lang), _label(r, y, lang)
    description = _("%(n)d of %(total)d areas have both values; the areas chosen are named.") % {
        "n": len(rows), "total": len(r.group.members)}
    return {"rows": rows, "x_title": x_title, "y_title": y_title, "description": description,
            "spec": charts.script_json(charts.scatter(rows, f"{y_title} / {x_title}",
                                                      description, x_title, y_title, lang))}


def _map(r: Run, kart: str | None, lang: str) -> dict | None:
    """A goal score (`goal:N`), the index (`index`) or an indicator's score on the map of the
    group's municipalities."""
    _ = translations(lang).gettext
    municipal = [a for a, m in enumerate(r.group.members) if m.level == "municipality"]
    boundary = map_set(r.year)
    if not municipal or boundary is None:
        return None
    kart = kart or "index"
    refs = r.refs
    if kart == "index":
        column, title = r.scores.index, _("Index score")
    elif kart.startswith("goal:") and kart[5:].isdigit() and 1 <= int(kart[5:]) <= 17:
        g = int(kart[5:])
        column, title = r.scores.goal[:, g - 1], f"{g} {goal_name(g, lang)}"
    elif kart in refs:
        column, title = r.scores.indicator[:, refs.index(kart)], _label(r, kart, lang)
    else:
        raise UserError(f"kart '{kart}': use index, goal:1 … goal:17 or an indicator of the "
                        "profile set")
    rows = [{"area_code": r.group.members[a].code, "area_name": r.group.members[a].name,
             "value": None if np.isnan(column[a]) else round(float(column[a]), 1)}
            for a in municipal]
    with_value = sum(row["value"] is not None for row in rows)
    description = _("%(n)d of %(total)d municipalities with a score (0–100); the others are "
                    "grey. Map: %(credit)s.") % {"n": with_value, "total": len(rows),
                                                  "credit": CREDIT}
    spec = charts.choropleth(rows, f"/kart/municipality-{boundary}.json", title, description,
                             _("Score (0–100)"), _("missing"), lang)
    return {"title": title, "description": description, "rows": rows,
            "spec": charts.script_json(spec)}
