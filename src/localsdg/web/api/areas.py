"""JSON endpoint for an area's status: what its page shows, typed so that the OpenAPI document
describes the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from localsdg.scoring.status import area_status, as_data
from localsdg.web.api.models import errors
from localsdg.web.params import DB, check_params

router = APIRouter()


class Area(BaseModel):
    level: str
    code: str
    name: str


class Group(BaseModel):
    id: str
    name: str
    method: str


class ProfileInfo(BaseModel):
    id: str
    name: str
    default: bool
    year: int
    window_years: int | None
    group: Group


class Coverage(BaseModel):
    indicators: int
    of: int
    older_only: int
    goals: int
    goals_measured: int
    min_goals: int | None
    max_missing: float | None
    no_index: str | None  # min_goals or max_missing: why there is no index and rank


class Source(BaseModel):
    agency: str | None
    dataset: str | None
    link: str | None
    batch: int | None
    derived: str | None = None  # "counties": estimated from the municipalities' figures


class Indicator(BaseModel):
    ref: str
    name_nb: str | None
    name_en: str | None
    value: float | None
    unit: str | None
    period: str | None
    year: int | None
    older: bool  # the value is older than the profile's window: shown, not scored
    score: float | None
    colour: str | None
    trend: str | None
    counted: bool
    target: float | None
    optimum: float | None
    change: float | None
    position: int | None
    compared: int
    source: Source
    basis: dict | None  # what 0, 100 and the colour thresholds rest on


class Goal(BaseModel):
    goal: int
    score: float | None
    colour: str | None
    trend: str | None
    measured: bool
    group_mean: float | None
    indicators: list[Indicator]


class Peer(BaseModel):
    code: str
    name: str
    index: float | None
    rank: int | None
    goals: dict[int, float | None]  # the measured goals' scores
    # what a group of similar municipalities was chosen by: population, density (per km²),
    # growth (per cent over five years), aged (per cent aged 67 or older)
    structure: dict[str, float] = {}


class AreaStatus(BaseModel):
    area: Area
    profile: ProfileInfo | None
    why: str | None = None
    coverage: Coverage | None = None
    index: float | None = None
    rank: int | None = None
    ranked: int | None = None
    index_band: list[float] | None = None
    rank_band: list[int] | None = None
    peers: list[Peer] = []  # the comparison group, the area first, then by rank
    goals: list[Goal] = []


@router.get("/areas/{code}/status", tags=["scoring"], response_model=AreaStatus,
            responses=errors(400, 404, 422))
def status(request: Request, session: DB, code: str,
           profile: Annotated[str | None, Query(description="profile set (default: the "
                                                "area's default, the national profile)")] = None,
           areas: Annotated[str | None, Query(description="comparison group (default: the "
                                              "profile set's)")] = None) -> dict:
    """The area's status: profile, coverage, index and rank or why there is none; per goal
    score, colour, trend and indicators; per indicator value, unit, period, source, score and
    whether it counted."""
    check_params(request, "profile", "areas")
    return as_data(area_status(session, code, profile, areas))
