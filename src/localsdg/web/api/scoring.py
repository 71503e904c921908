"""JSON endpoints for scoring: profile sets, area groups, scores (with uncertainty bands) and
the step-by-step explanation of any score."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from localsdg.scoring import explain as explained
from localsdg.scoring.groups import list_groups, resolve
from localsdg.scoring.profiles import export_rows, get_set, list_sets
from localsdg.scoring.run import run, uncertainty
from localsdg.scoring.uncertainty import Spread
from localsdg.web.api.models import (
    GoalExplanation,
    GroupBrief,
    GroupDetail,
    IndexExplanation,
    IndicatorExplanation,
    ProfileSetBrief,
    ProfileSetDetail,
    ScoreResult,
    file_formats,
)
from localsdg.web.downloads import csv_download, download
from localsdg.web.params import DB, check_params

router = APIRouter()
MAX_RUNS = 10_000

Group = Annotated[str | None, Query(
    alias="areas", description="sdr-2021, county:40, size:small, all:municipality, "
    "similar:3806 or codes separated by commas (default: the profile set's group)")]
Year = Annotated[int | None, Query(description="score the values up to this year")]


@router.get("/profiles", tags=["scoring"], response_model=list[ProfileSetBrief])
def profiles(session: DB) -> list[dict]:
    return list_sets(session)


@router.get("/profiles/{profile_set}", tags=["scoring"], response_model=ProfileSetDetail)
def profile_set(session: DB, profile_set: str) -> dict:
    ps = get_set(session, profile_set)
    return {"id": ps.id, "name": ps.name, "method": ps.method, "source": ps.source,
            "notes": ps.notes, "profiles": export_rows(session, ps)}


@router.get("/groups", tags=["scoring"], response_model=list[GroupBrief])
def groups(session: DB) -> list[dict]:
    return list_groups(session)


@router.get("/groups/{group:path}", tags=["scoring"],  # a subgroup: ID/SUBGROUP
            response_model=GroupDetail)
def group(session: DB, group: str, year: Year = None) -> dict:
    g = resolve(session, group, year=year)
    return {"id": g.id, "name": g.name, "method": g.method,
            "members": [m.__dict__ for m in g.members]}


@router.get("/score", tags=["scoring"], response_model=ScoreResult,
            response_model_exclude_unset=True, responses=file_formats("csv", "xlsx"))
def score(request: Request, session: DB,
          profile: Annotated[str, Query(description="profile set, e.g. sdsn-2021")],
          areas: Group = None, year: Year = None,
          runs: Annotated[int, Query(ge=0, le=MAX_RUNS, description="Monte Carlo runs for "
                                     "5–95 % bands of index and rank")] = 0,
          format: Literal["json", "csv", "xlsx"] = "json"):  # noqa: A002 - public name
    """Per area: index, rank, the 17 goal scores with colours and trends."""
    check_params(request, "profile", "areas", "year", "runs", "format")
    r = run(session, profile, areas, year)
    u = uncertainty(r, Spread(runs=runs)) if runs else None
    rows = explained.table(r, u)
    name = f"{profile}-{r.group.id}-{r.year}".replace(":", "-").replace(",", "-")
    if format == "csv":
        return csv_download(rows, list(rows[0]) if rows else ["code"], name)
    if format == "xlsx":
        return download(explained.xlsx(r, u), name, "xlsx")
    return {**explained.summary(r), "areas": rows,
            "sensitivity": u.sensitivity if u else None}


@router.get("/explain", tags=["scoring"],
            response_model=IndexExplanation | GoalExplanation | IndicatorExplanation)
def explain(request: Request, session: DB,
            profile: Annotated[str, Query(description="profile set")],
            area: Annotated[str, Query(description="area code, e.g. NOR or 3806")],
            goal: Annotated[int | None, Query(ge=1, le=17)] = None,
            indicator: Annotated[str | None, Query(description="SET/CODE or code")] = None,
            areas: Group = None, year: Year = None) -> dict:
    """How an area's index, one goal or one indicator score came about, step by step."""
    check_params(request, "profile", "area", "goal", "indicator", "areas", "year")
    return explained.explain(run(session, profile, areas, year), area, goal, indicator)
