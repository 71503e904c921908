"""JSON endpoints for areas and observations: list areas, read data (on chosen borders),
import, list and roll back import batches."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from localsdg.areas.store import list_areas
from localsdg.catalog.indicators import indicator_by_ref
from localsdg.errors import BadRequest
from localsdg.observations.borders import parse_borders
from localsdg.observations.series import COLUMNS, flat_row, get_data
from localsdg.observations.store import batches, rollback
from localsdg.observations.views import indicator_view, shown_rows, year_map
from localsdg.sources import data_import as imports
from localsdg.sources.kartverket import map_set
from localsdg.web import uploads
from localsdg.web.api.models import (
    CHANGE,
    ID,
    YEAR,
    AreaVersion,
    DataBatch,
    DataImport,
    DataRow,
    DataView,
    Rollback,
    by_field,
    errors,
    file_formats,
)
from localsdg.web.auth import require_areas
from localsdg.web.downloads import csv_download
from localsdg.web.params import DB, check_params
from localsdg.web.who import recorded

router = APIRouter()
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
INDICATOR = r"^([^/]+/.+|[0-9]+)$"  # SET/CODE or the indicator's number
Borders = Annotated[str, Query(description="a year, 'current' or 'none'",
                               json_schema_extra={"pattern": r"^([0-9]{4}|current|none)$"})]


@router.get("/areas", tags=["areas"], response_model=list[AreaVersion],
            responses=errors(400, 422))
def areas(request: Request, session: DB,
          level: Annotated[Literal["municipality", "county", "country", "city"] | None,
                           Query()] = None,
          at: Annotated[str | None, Query(description="valid on this date, YYYY-MM-DD",
                                          json_schema_extra={"format": "date",
                                                             "pattern": DATE})] = None
          ) -> list[dict]:
    check_params(request, "level", "at")
    return list_areas(session, level, at)


@router.get("/data", tags=["data"], response_model=list[DataRow],
            response_model_exclude_unset=True,
            responses=file_formats("csv") | errors(400, 404, 422))
def data(request: Request, session: DB,
         indicator: Annotated[str, Query(description="SET/CODE (or the indicator's number)",
                                         json_schema_extra={"pattern": INDICATOR})],
         areas: Annotated[str | None, Query(description="area codes, comma-separated")] = None,
         start: Annotated[int | None, Query(alias="from", **YEAR)] = None,
         end: Annotated[int | None, Query(alias="to", **YEAR)] = None,
         borders: Borders = "current",
         format: Literal["json", "csv"] = "json"):  # noqa: A002 - the public parameter name
    """Values with unit, flags, notes, source and import batch; on the borders of a year."""
    check_params(request, "indicator", "areas", "from", "to", "borders", "format")
    year = parse_borders(borders)
    ind = indicator_by_ref(session, indicator)
    rows = get_data(session, ind, areas=areas.split(",") if areas else None, start=start,
                    end=end, borders=year)
    if format == "csv":
        return csv_download([flat_row(r) for r in rows], COLUMNS, indicator.replace("/", "-"))
    return rows


@router.get("/indicators/{set_id}/{code}/view", tags=["data"], response_model=DataView,
            response_model_exclude_unset=True, responses=errors(400, 404, 422))
def data_view(request: Request, session: DB, set_id: str, code: str,
              areas: Annotated[list[str] | None, Query(description="area codes to show")] = None,
              breakdown: Annotated[str | None, Query(description="'key=value;…'")] = None,
              borders: Borders = "current",
              year: Annotated[int | None, Query(description="the map's year", **YEAR)] = None
              ) -> dict:
    """What the indicator's data page (/indikator/SET/CODE/data) shows, from the same
    functions: the rows of the areas shown, the breakdowns and the map's year."""
    check_params(request, "areas", "breakdown", "borders", "year")
    view = indicator_view(session, set_id, code, areas or [], breakdown, borders)
    found = year_map(session, view, year, map_set)
    return {"indicator": f"{set_id}/{code}", "breakdowns": view.breakdowns,
            "breakdown": view.breakdown, "areas": view.areas, "borders": view.borders,
            "rows": shown_rows(session, view),
            "map": None if found is None else {"year": found.year, "years": found.years,
                                               "boundary": found.boundary,
                                               "table": found.table}}


@router.get("/data/batches", tags=["data"], response_model=list[DataBatch])
def data_batches(session: DB) -> list[dict]:
    return batches(session)


class RollbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    by: str = Field("", **by_field("rolls back"))


@router.post("/data/batches/{batch_id:int}/rollback", tags=["data"], response_model=Rollback,
             responses=errors(*CHANGE, 400, 404, 422))
def data_rollback(request: Request, session: DB, batch_id: Annotated[int, Path(**ID)],
                  body: RollbackIn) -> dict:
    """Remove everything one import brought; values it replaced come back."""
    by = recorded(request, body.by)
    return {"batch": batch_id, "removed": rollback(session, batch_id, by), "by": by}


@router.post("/data/import", tags=["data"], response_model=DataImport,
             response_model_exclude_unset=True, responses=errors(*CHANGE, 400, 422))
def data_import(request: Request, session: DB, file: Annotated[UploadFile, File()],
                by: Annotated[str, Form(**by_field("imports"))] = "",
                options: Annotated[str, Form(description=(
                    "JSON object with the import options of `localsdg data import`: indicator, "
                    "area, period, period_value, value, dims, where, county, indicator_column, "
                    "indicators, unit, measure, encoding, sheet, sum_rows, wide, header_rows, "
                    "level, publisher, borders, skip_bad, on_duplicate, create"))] = "{}") -> dict:
    """Import a JSON-stat, CSV or XLSX file: checked whole, stored all or nothing."""
    try:
        given = json.loads(options)
        if not isinstance(given, dict):
            raise ValueError("not an object")
    except ValueError as exc:
        raise BadRequest(f"options: not a JSON object ({exc})") from exc
    asked = {k: given.pop(k) for k in ("indicator", "publisher", "skip_bad", "on_duplicate",
                                         "create") if k in given}
    with uploads.as_path(file) as path:
        return require_areas(request, session, imports.run(
            session, imports.Request(path=path, table=given, source=path.name, **asked),
            recorded(request, by)))
