"""Data pages: an indicator's figures as a line chart, a table and a map."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from localsdg.catalog.indicators import indicator_name
from localsdg.observations.series import flat_row
from localsdg.observations.views import (
    IndicatorView,
    area_choices,
    indicator_view,
    shown_rows,
    year_map,
)
from localsdg.present import charts
from localsdg.present.i18n import translations
from localsdg.sources.kartverket import CREDIT, boundaries, map_set
from localsdg.web.downloads import csv_download
from localsdg.web.i18n import choose
from localsdg.web.params import DB
from localsdg.web.templating import render

router = APIRouter(include_in_schema=False)
Areas = Annotated[list[str] | None, Query(description="area codes to show")]
TABLE_FIELDS = ["area_code", "area_name", "period", "dims", "value", "unit", "flags", "note",
                "source", "batch"]


@router.get("/indikator/{set_id}/{code}/data")
def data_page(request: Request, session: DB, set_id: str, code: str,
              omrade: Areas = None, brudd: str | None = None,
              grenser: str = "current", ar: int | None = None, importert: int | None = None):
    lang = choose(request)
    _ = translations(lang).gettext
    view = indicator_view(session, set_id, code, omrade or [], brudd, grenser)
    ind = view.indicator
    name = indicator_name(ind, lang)
    shown = shown_rows(session, view)
    unit = next((r["unit"] for r in view.rows if r["unit"]), None) or _("value")
    description = _("%(name)s for %(areas)s.") % {
        "name": name, "areas": ", ".join(sorted({r["area_name"] or r["area_code"]
                                                 for r in shown}))}
    line = charts.line(shown, name, description, unit, lang)
    return render(request, "indicator_data.html", ind=ind, name=name, view=view, rows=shown,
                  unit=unit, line=charts.script_json(line), description=description,
                  choices=area_choices(view.rows), map=_map(session, view, ar, name, unit, lang),
                  borders=grenser, imported=importert)


def _map(session: DB, view: IndicatorView, year: int | None, name: str, unit: str, lang: str
         ) -> dict | None:
    found = year_map(session, view, year, map_set)
    if found is None:
        return None
    _, ngettext = translations(lang).gettext, translations(lang).ngettext
    title = _("%(name)s, %(year)d, all municipalities") % {"name": name, "year": found.year}
    with_value = sum(r["value"] is not None for r in found.values)
    description = ngettext(
        "%(num)d municipality with a value; the others are shown grey as missing. "
        "Map: %(credit)s.",
        "%(num)d municipalities with a value; the others are shown grey as missing. "
        "Map: %(credit)s.", with_value) % {"num": with_value, "credit": CREDIT}
    spec = charts.choropleth(found.values, f"/kart/municipality-{found.boundary}.json", title,
                             description, unit, _("missing"), lang)
    return {"year": found.year, "years": found.years, "spec": charts.script_json(spec),
            "title": title, "description": description, "rows": found.table}


@router.get("/indikator/{set_id}/{code}/data.csv")
def data_csv(session: DB, set_id: str, code: str, omrade: Areas = None,
             brudd: str | None = None, grenser: str = "current"):
    view = indicator_view(session, set_id, code, omrade or [], brudd, grenser)
    rows = [flat_row(r) for r in (shown_rows(session, view) if omrade else view.rows)]
    return csv_download(rows, TABLE_FIELDS, f"{set_id}-{code}")


@router.get("/kart/{level}-{year}.json")
def boundary_file(level: str, year: int):
    return Response(boundaries(level, year), media_type="application/geo+json",
                    headers={"Cache-Control": "public, max-age=86400"})
