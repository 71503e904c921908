"""JSON endpoints for scoring: profile sets, area groups, scores (with uncertainty bands) and
the step-by-step explanation of any score."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session

from localsdg.errors import TooMany
from localsdg.scoring import explain as explained
from localsdg.scoring.groups import list_groups, resolve
from localsdg.scoring.profiles import export_rows, get_set, list_sets
from localsdg.scoring.run import Run, is_scored, scored
from localsdg.scoring.uncertainty import Uncertainty
from localsdg.web.api.models import (
    YEAR,
    GoalExplanation,
    GroupBrief,
    GroupDetail,
    IndexExplanation,
    IndicatorExplanation,
    ProfileSetBrief,
    ProfileSetDetail,
    ScoreResult,
    errors,
    file_formats,
)
from localsdg.web.auth import user_of
from localsdg.web.downloads import csv_download, download
from localsdg.web.params import DB, check_params

router = APIRouter()
MAX_RUNS = 10_000
# What one client may have computed afresh per minute (per server process). A scoring of a
# profile set on a group takes up to seconds, 10,000 Monte Carlo runs as long again; answers
# already computed for the same data are kept and cost nothing.
FRESH_PER_MINUTE = 6
RUNS_PER_MINUTE = 2 * MAX_RUNS
MAX_CLIENTS = 10_000  # the least recently seen are forgotten beyond this
LIMITS = (f"A client (a signed-in user, else an address) may have at most {FRESH_PER_MINUTE} "
          f"scorings computed afresh and {RUNS_PER_MINUTE:,} Monte Carlo runs per minute; "
          "beyond that the answer is 429 with `Retry-After`. An answer already computed for the "
          "same data (profile set, areas, year and runs) is kept and costs nothing.")

Group = Annotated[str | None, Query(
    alias="areas", description="sdr-2021, county:40, size:small, all:municipality, "
    "similar:3806 or codes separated by commas (default: the profile set's group)")]
Year = Annotated[int | None, Query(description="score the values up to this year", **YEAR)]


@router.get("/profiles", tags=["scoring"], response_model=list[ProfileSetBrief])
def profiles(session: DB) -> list[dict]:
    return list_sets(session)


@router.get("/profiles/{profile_set}", tags=["scoring"], response_model=ProfileSetDetail,
            responses=errors(404, 422))
def profile_set(session: DB, profile_set: str) -> dict:
    ps = get_set(session, profile_set)
    return {"id": ps.id, "name": ps.name, "method": ps.method, "source": ps.source,
            "notes": ps.notes, "profiles": export_rows(session, ps)}


@router.get("/groups", tags=["scoring"], response_model=list[GroupBrief])
def groups(session: DB) -> list[dict]:
    return list_groups(session)


@router.get("/groups/{group:path}", tags=["scoring"],  # a subgroup: ID/SUBGROUP
            response_model=GroupDetail, responses=errors(404, 422))
def group(session: DB, group: str, year: Year = None) -> dict:
    g = resolve(session, group, year=year)
    return {"id": g.id, "name": g.name, "method": g.method,
            "members": [m.__dict__ for m in g.members]}


class Budget:
    """What each client may still have computed afresh: per kind (scorings, Monte Carlo runs)
    a bucket that holds a minute's allowance and refills evenly over the minute."""

    def __init__(self, **per_minute: int) -> None:
        self.per_minute = per_minute
        self._left: OrderedDict[str, tuple[float, dict[str, float]]] = OrderedDict()
        self._lock = threading.Lock()

    def spend(self, client: str, **cost: int) -> None:
        """Take `cost` from the client's buckets, or refuse (TooMany) with the seconds to wait
        and take nothing."""
        now = time.monotonic()
        with self._lock:
            then, left = self._left.pop(client, (now, dict(self.per_minute)))
            left = {k: min(size, left[k] + (now - then) * size / 60)
                    for k, size in self.per_minute.items()}
            self._left[client] = (now, left)
            while len(self._left) > MAX_CLIENTS:
                self._left.popitem(last=False)
            wait = max((need - left[k]) * 60 / self.per_minute[k] for k, need in cost.items())
            if wait > 0:
                raise TooMany(f"too many scores computed afresh for this client (at most "
                              f"{FRESH_PER_MINUTE} scorings and {RUNS_PER_MINUTE:,} Monte Carlo "
                              f"runs a minute); try again in {math.ceil(wait)} s",
                              retry_after=math.ceil(wait))
            for k, need in cost.items():
                left[k] -= need


def budget() -> Budget:
    """The scoring budget of one app (`create_app` keeps it in `app.state.scoring`)."""
    return Budget(fresh=FRESH_PER_MINUTE, runs=RUNS_PER_MINUTE)


def _scored(request: Request, session: Session, profile: str, areas: str | None,
            year: int | None, runs: int = 0) -> tuple[Run, Uncertainty | None]:
    """The run (and its uncertainty analysis), kept; computing it afresh spends the client's
    budget. An unknown profile set is refused first, for nothing (a kept run's set exists)."""
    if not is_scored(session, profile, areas, year, runs):
        get_set(session, profile)
        user = user_of(request)
        client = f"user {user.name}" if user else f"address {getattr(request.client, 'host', '')}"
        request.app.state.scoring.spend(client, fresh=1, runs=runs)
    return scored(session, profile, areas, year, runs)


@router.get("/score", tags=["scoring"], response_model=ScoreResult,
            response_model_exclude_unset=True,
            responses=file_formats("csv", "xlsx") | errors(400, 404, 422, 429),
            description="Per area: index, rank, the 17 goal scores with colours and trends; "
                        f"with `runs`, 5–95 % bands of index and rank.\n\n{LIMITS}")
def score(request: Request, session: DB,
          profile: Annotated[str, Query(description="profile set, e.g. sdsn-2021",
                                        examples=["sdsn-2021"])],
          areas: Group = None, year: Year = None,
          runs: Annotated[int, Query(ge=0, le=MAX_RUNS, description="Monte Carlo runs for "
                                     "5–95 % bands of index and rank")] = 0,
          format: Literal["json", "csv", "xlsx"] = "json"):  # noqa: A002 - public name
    check_params(request, "profile", "areas", "year", "runs", "format")
    r, u = _scored(request, session, profile, areas, year, runs)
    rows = explained.table(r, u)
    name = f"{profile}-{r.group.id}-{r.year}".replace(":", "-").replace(",", "-")
    if format == "csv":
        return csv_download(rows, list(rows[0]) if rows else ["code"], name)
    if format == "xlsx":
        return download(explained.xlsx(r, u), name, "xlsx")
    return {**explained.summary(r), "areas": rows,
            "sensitivity": u.sensitivity if u else None}


@router.get("/explain", tags=["scoring"],
            response_model=IndexExplanation | GoalExplanation | IndicatorExplanation,
            responses=errors(400, 404, 422, 429),
            description="How an area's index, one goal or one indicator score came about, step "
                        f"by step.\n\n{LIMITS}")
def explain(request: Request, session: DB,
            profile: Annotated[str, Query(description="profile set", examples=["sdsn-2021"])],
            area: Annotated[str, Query(description="area code, e.g. NOR or 3806",
                                       examples=["NOR"])],
            goal: Annotated[int | None, Query(ge=1, le=17)] = None,
            indicator: Annotated[str | None, Query(description="SET/CODE or code")] = None,
            areas: Group = None, year: Year = None) -> dict:
    check_params(request, "profile", "area", "goal", "indicator", "areas", "year")
    r, _u = _scored(request, session, profile, areas, year)
    return explained.explain(r, area, goal, indicator)
