"""Data pages: an indicator's figures as a line chart, a table and a map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from localsdg.areas.store import list_areas
from localsdg.catalog.indicators import get_indicator, indicator_name
from localsdg.db.schema import Indicator
from localsdg.observations.borders import parse_borders
from localsdg.observations.series import flat_row, get_data, headline, missing_rows
from localsdg.observations.store import dims_key
from localsdg.present import charts
from localsdg.present.i18n import translations
from localsdg.sources.kartverket import CREDIT, boundaries, map_set
from localsdg.web.downloads import csv_download
from localsdg.web.i18n import choose
from localsdg.web.params import DB
from localsdg.web.templating import render

router = APIRouter(include_in_schema=False)
Areas = Annotated[list[str] | None, Query(description="area codes to show")]
DEFAULT_AREAS = 3
TABLE_FIELDS = ["area_code", "area_name", "period", "dims", "value", "unit", "flags", "note",
                "source", "batch"]


@dataclass
class View:
    indicator: Indicator
    rows: list[dict]
    breakdowns: list[str]
    breakdown: str
    areas: list[str]
    borders: int | None


def _view(session: DB, set_id: str, code: str, areas: list[str], breakdown: str | None,
          borders: str) -> View:
    year = parse_borders(borders, "grenser")
    ind = get_indicator(session, set_id, code)
    rows = get_data(session, ind, borders=year)
    keys = sorted({dims_key(r["dims"]) for r in rows})
    chosen = breakdown if breakdown in keys else headline(keys)
    rows = [r for r in rows if dims_key(r["dims"]) == chosen]
    municipalities = sorted({r["area_code"] for r in rows if r["area_level"] == "municipality"})
    picked = areas or _default_areas(municipalities, {r["area_code"] for r in rows})
    return View(ind, rows, keys, chosen, picked, year)


def _shown(session: DB, view: View) -> list[dict]:
    """The rows of the chosen areas, with a row without a value where one of them has no figure
    for a period the others have."""
    shown = [r for r in view.rows if r["area_code"] in view.areas]
    missing = [r for r in missing_rows(session, view.indicator, shown, view.areas,
                                       borders=view.borders)
               if dims_key(r["dims"]) == view.breakdown]
    return sorted(shown + missing, key=lambda r: (r["area_level"], r["area_code"],
                                                  r["start_year"], r["end_year"], r["period"]))


def _default_areas(municipalities: list[str], present: set[str]) -> list[str]:
    """A few municipalities, their county and the country, when the reader has not chosen;
    else the first areas with data."""
    first = municipalities[:DEFAULT_AREAS]
    counties = sorted({m[:2] for m in first} & present)
    chosen = first + counties + (["NOR"] if "NOR" in present else [])
    return chosen or sorted(present)[:DEFAULT_AREAS]  # e.g. a city outside Norway


@router.get("/indikator/{set_id}/{code}/data")
def data_page(request: Request, session: DB, set_id: str, code: str,
              omrade: Areas = None, brudd: str | None = None,
              grenser: str = "current", ar: int | None = None):
    lang = choose(request)
    _ = translations(lang).gettext
    view = _view(session, set_id, code, omrade or [], brudd, grenser)
    ind = view.indicator
    name = indicator_name(ind, lang)
    shown = _shown(session, view)
    unit = next((r["unit"] for r in view.rows if r["unit"]), None) or _("value")
    description = _("%(name)s for %(areas)s.") % {
        "name": name, "areas": ", ".join(sorted({r["area_name"] or r["area_code"]
                                                 for r in shown}))}
    line = charts.line(shown, name, description, unit, lang)
    return render(request, "indicator_data.html", ind=ind, name=name, view=view, rows=shown,
                  unit=unit, line=charts.script_json(line), description=description,
                  choices=_area_choices(view.rows), map=_map(session, view, ar, name, unit, lang),
                  borders=grenser)


def _area_choices(rows: list[dict]) -> list[dict]:
    seen: dict[str, dict] = {}
    for r in rows:
        seen.setdefault(r["area_code"], {"code": r["area_code"], "level": r["area_level"],
                                         "name": r["area_name"] or r["area_code"]})
    order = {"country": 0, "county": 1, "municipality": 2}
    return sorted(seen.values(), key=lambda a: (order.get(a["level"], 3), a["name"]))


def _map(session: DB, view: View, year: int | None, name: str, unit: str, lang: str
         ) -> dict | None:
    """The latest year (or the chosen one) across all municipalities, if a boundary set fits;
    its table lists every municipality of the map, those without a value as missing."""
    rows = [r for r in view.rows if r["area_level"] == "municipality"]
    years = sorted({r["end_year"] for r in rows})
    if not years:
        return None
    year = year if year in years else years[-1]
    boundary = map_set(view.borders or year)
    if boundary is None:
        return None
    _ = translations(lang).gettext
    values = [r for r in rows if r["end_year"] == year]
    with_value = [r for r in values if r["value"] is not None]
    by_code = {r["area_code"]: r["value"] for r in with_value}
    table = [{"area_code": a["code"], "area_name": a["name"], "value": by_code.get(a["code"])}
             for a in list_areas(session, "municipality", f"{boundary}-01-01")]
    title = _("%(name)s, %(year)d, all municipalities") % {"name": name, "year": year}
    description = _("%(n)d municipalities with a value; the others are shown grey as missing. "
                    "Map: %(credit)s.") % {"n": len(with_value), "credit": CREDIT}
    spec = charts.choropleth(values, f"/kart/municipality-{boundary}.json", title,
                             description, unit, _("missing"), lang)
    return {"year": year, "years": years, "spec": charts.script_json(spec), "title": title,
            "description": description, "rows": table}


@router.get("/indikator/{set_id}/{code}/data.csv")
def data_csv(session: DB, set_id: str, code: str, omrade: Areas = None,
             brudd: str | None = None, grenser: str = "current"):
    view = _view(session, set_id, code, omrade or [], brudd, grenser)
    rows = [flat_row(r) for r in (_shown(session, view) if omrade else view.rows)]
    return csv_download(rows, TABLE_FIELDS, f"{set_id}-{code}")


@router.get("/kart/{level}-{year}.json")
def boundary_file(level: str, year: int):
    return Response(boundaries(level, year), media_type="application/geo+json",
                    headers={"Cache-Control": "public, max-age=86400"})
