"""Finding your place: the picker's form lands on the municipality's or county's page (a plain
GET form, so it works without JavaScript); several or no matches give a page to choose from."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from localsdg.areas.places import find_places, place_options
from localsdg.db.state import remember
from localsdg.web.params import DB
from localsdg.web.templating import render, url_with

router = APIRouter(include_in_schema=False)
PATHS = {"municipality": "kommune", "county": "fylke"}


@router.get("/sted")
def find_place(request: Request, session: DB, q: str = ""):
    found = find_places(session, q[:200])
    if len(found) == 1:
        p = found[0]
        return RedirectResponse(url_with(request, path=f"/{PATHS[p.level]}/{p.code}", q=None),
                                status_code=303)
    return render(request, "places.html", q=q[:200], found=found, paths=PATHS)


@router.get("/sted/liste")
def place_list(session: DB) -> HTMLResponse:
    """The options of the picker's list ('Bodø (1804)'), fetched once a page has loaded."""
    options = remember(session, ("place options",), lambda: place_options(session))
    html = "".join(f'<option value="{escape(o)}"></option>' for o in options)
    return HTMLResponse(html, headers={"Cache-Control": "public, max-age=3600"})
