"""JSON endpoints for plans: an area's plans, a plan as its exchange document, and storing one
(checked whole first: any problem is named with its place, and nothing is stored)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, File, Form, Query, UploadFile
from pydantic import BaseModel

from localsdg.planning import store
from localsdg.planning.model import Plan
from localsdg.scoring.status import find_area
from localsdg.sources.plan_files import import_bytes
from localsdg.web import uploads
from localsdg.web.params import DB

router = APIRouter(tags=["plans"])


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


@router.get("/areas/{code}/plans")
def area_plans(session: DB, code: str) -> list[PlanBrief]:
    """The area's plans, the most recently changed first."""
    area = find_area(session, code)
    return [PlanBrief(**p) for p in store.listed(session, area["code"])]


@router.get("/plans/{plan_id}", response_model_exclude_none=True)
def plan(session: DB, plan_id: int) -> Plan:
    """The plan in the exchange format of docs/plan-format.md."""
    return store.get(session, plan_id).plan


@router.post("/plans", status_code=201)
def save_plan(session: DB, document: Annotated[dict, Body(description=(
        "a plan in the exchange format (docs/plan-format.md)"))],
              by: Annotated[str, Query(min_length=1, description="who stores it")]) -> Stored:
    """Store a plan given as JSON; one of the area's plans with the same name is replaced."""
    plan_id = store.save(session, document, by, label="the plan")
    return Stored(id=plan_id, url=f"/plan/{plan_id}")


@router.post("/plans/import", status_code=201)
def import_plan(session: DB, file: Annotated[UploadFile, File(description=(
        "a plan as JSON or as the Excel workbook of `localsdg plan template`"))],
                by: Annotated[str, Form(min_length=1)]) -> Stored:
    """Store a plan file (JSON or Excel)."""
    name, content = uploads.read(file)
    plan_id = import_bytes(session, content, name, by)
    return Stored(id=plan_id, url=f"/plan/{plan_id}")
