"""What an indicator's data page shows, for the page and its CSV alike: the rows of one
breakdown on the chosen borders, the areas shown (chosen, or a few by default), the rows of the
chosen areas with gaps shown as rows, and the values of one year across all municipalities."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from localsdg.areas.store import list_areas
from localsdg.catalog.indicators import get_indicator
from localsdg.db.schema import Indicator
from localsdg.observations.borders import parse_borders
from localsdg.observations.series import get_data, headline, missing_rows
from localsdg.observations.store import dims_key

DEFAULT_AREAS = 3
LEVEL_ORDER = {"country": 0, "county": 1, "municipality": 2}


@dataclass
class IndicatorView:
    indicator: Indicator
    rows: list[dict]
    breakdowns: list[str]
    breakdown: str
    areas: list[str]
    borders: int | None


@dataclass
class YearMap:
    """One year's values across all municipalities on a boundary set, for a map and its table
    (every municipality of the set, those without a value as missing)."""
    year: int
    years: list[int]
    boundary: int
    values: list[dict]
    table: list[dict]


def indicator_view(session: Session, set_id: str, code: str, areas: list[str],
                   breakdown: str | None, borders: str) -> IndicatorView:
    year = parse_borders(borders, "grenser")
    ind = get_indicator(session, set_id, code)
    rows = get_data(session, ind, borders=year)
    keys = sorted({dims_key(r["dims"]) for r in rows})
    chosen = breakdown if breakdown in keys else headline(keys)
    rows = [r for r in rows if dims_key(r["dims"]) == chosen]
    municipalities = sorted({r["area_code"] for r in rows if r["area_level"] == "municipality"})
    picked = areas or _default_areas(municipalities, {r["area_code"] for r in rows})
    return IndicatorView(ind, rows, keys, chosen, picked, year)


def shown_rows(session: Session, view: IndicatorView) -> list[dict]:
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


def area_choices(rows: list[dict]) -> list[dict]:
    """Every area with data, the country first, then counties, then municipalities."""
    seen: dict[str, dict] = {}
    for r in rows:
        seen.setdefault(r["area_code"], {"code": r["area_code"], "level": r["area_level"],
                                         "name": r["area_name"] or r["area_code"]})
    return sorted(seen.values(), key=lambda a: (LEVEL_ORDER.get(a["level"], 3), a["name"]))


def year_map(session: Session, view: IndicatorView, year: int | None,
             boundary_for: Callable[[int], int | None]) -> YearMap | None:
    """The latest year (or the chosen one) across all municipalities, if `boundary_for` has a
    boundary set for its borders."""
    rows = [r for r in view.rows if r["area_level"] == "municipality"]
    years = sorted({r["end_year"] for r in rows})
    if not years:
        return None
    year = year if year in years else years[-1]
    boundary = boundary_for(view.borders or year)
    if boundary is None:
        return None
    values = [r for r in rows if r["end_year"] == year]
    by_code = {r["area_code"]: r["value"] for r in values if r["value"] is not None}
    table = [{"area_code": a["code"], "area_name": a["name"], "value": by_code.get(a["code"])}
             for a in list_areas(session, "municipality", f"{boundary}-01-01")]
    return YearMap(year, years, boundary, values, table)
