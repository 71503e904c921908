"""JSON endpoints for plans: an area's plans, a plan as its exchange document, storing one
(checked whole first: any problem is named with its place, and nothing is stored), and the
smallest indicator set for a list of priorities."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Body, File, Form, Path, Query, Request, UploadFile
from pydantic import BaseModel

from localsdg.errors import BadRequest
from localsdg.planning import selection, store
from localsdg.planning.model import Plan
from localsdg.scoring.status import find_area
from localsdg.sources.plan_files import import_bytes
from localsdg.web import uploads
from localsdg.web.api.models import CHANGE, ID, by_field, errors
from localsdg.web.auth import require
from localsdg.web.params import DB
from localsdg.web.who import recorded

router = APIRouter(tags=["plans"])
_PRIORITY = r"(1[0-7]|[1-9])(\.([1-9][0-9]?|[a-j]))?"  # a goal or a target
PRIORITIES = re.compile(rf"^ *{_PRIORITY}( *, *{_PRIORITY})* *$")


class PlanBrief(BaseModel):
    id: int
    area: str
    level: str
    name: str
    example: bool  # a worked example, not an adopted plan
    measures: int
    updated_at: str


class Stored(BaseModel):
    id: int
    url: str


@router.get("/areas/{code}/plans", responses=errors(404, 422))
def area_plans(session: DB, code: str) -> list[PlanBrief]:
    """The area's plans, the most recently changed first."""
    area = find_area(session, code)
    return [PlanBrief(**p) for p in store.listed(session, area["code"])]


@router.get("/plans/{plan_id:int}", response_model_exclude_none=True, responses=errors(404, 422))
def plan(session: DB, plan_id: Annotated[int, Path(**ID)]) -> Plan:
    """The plan in the exchange format of docs/plan-format.md."""
    return store.get(session, plan_id).plan


@router.post("/plans", status_code=201, responses=errors(*CHANGE, 400, 404, 422),
             # the document is read by planning.store (every problem named by its place), and
             # described by the model it is checked with
             openapi_extra={"requestBody": {"content": {"application/json": {
                 "schema": {"$ref": "#/components/schemas/Plan"}}}}})
def save_plan(request: Request, session: DB, document: Annotated[dict, Body(description=(
        "a plan in the exchange format (docs/plan-format.md)"))],
              by: Annotated[str, Query(**by_field("stores it"))] = "") -> Stored:
    """Store a plan given as JSON; one of the area's plans with the same name is replaced."""
    plan_id = store.save(session, document, recorded(request, by), label="the plan")
    return _stored(request, session, plan_id)


@router.post("/plans/import", status_code=201, responses=errors(*CHANGE, 400, 422))
def import_plan(request: Request, session: DB, file: Annotated[UploadFile, File(description=(
        "a plan as JSON or as the Excel workbook of `localsdg plan template`"))],
                by: Annotated[str, Form(**by_field("stores it"))] = "") -> Stored:
    """Store a plan file (JSON or Excel)."""
    name, content = uploads.read(file)
    plan_id = import_bytes(session, content, name, recorded(request, by))
    return _stored(request, session, plan_id)


def _stored(request: Request, session: DB, plan_id: int) -> Stored:
    """The stored plan's address, once the user is known to edit its area (else nothing is
    stored)."""
    require(request, "plan", store.get(session, plan_id).plan.area)
    return Stored(id=plan_id, url=f"/plan/{plan_id}")


class Chosen(BaseModel):
    indicator: str  # SET/CODE
    name_nb: str | None
    name_en: str | None
    covers: list[str]  # the priorities it covers
    steps: list[str]  # its steps of the evaluation chain among outcome and impact
    quality_class: str
    geography_level: str | None
    has_data: bool | None  # for the area asked for; None: no area asked for
    penalty: int  # what made it less preferred, added up (0: data, municipal, class 1)


class IndicatorChoice(BaseModel):
    priorities: list[str]
    area: str | None
    chosen: list[Chosen]
    gaps: list[str]  # priorities no outcome or impact indicator of class 1 or 2 covers
    candidates: int
    seconds: float


@router.get("/choose", tags=["catalog"], responses=errors(400, 404, 422))
def choose_indicators(session: DB, priorities: Annotated[str, Query(
        description="goals or targets, comma-separated, e.g. 11.2,13.2,3",
        json_schema_extra={"pattern": PRIORITIES.pattern})],
                      area: Annotated[str | None, Query(
                          description="prefer indicators with data for this area")] = None
                      ) -> IndicatorChoice:
    """The smallest set of good indicators with at least one for each priority (exact), and
    the priorities none covers."""
    if not PRIORITIES.match(priorities):
        raise BadRequest(f"priorities '{priorities}': name goals (1–17) or targets (e.g. 11.2) "
                         "separated by commas")
    found = selection.choose(session, selection.parse_priorities(session, [priorities]), area)
    return IndicatorChoice(**selection.as_data(found))
