"""Query parameters shared by the JSON API and the pages: a selection of the catalog."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from localsdg.catalog.index import FACETS
from localsdg.catalog.search import Selection
from localsdg.db.session import session_scope
from localsdg.errors import UserError


def db():
    with session_scope() as session:
        yield session


# Commit before the response leaves: a redirect after a save must find the change stored, and a
# failed commit must reach the user as an error, not vanish after a "saved" answer.
DB = Annotated[Session, Depends(db, scope="function")]


async def loop_db():
    with session_scope() as session:
        yield session


# For the few read-only handlers that run on the event loop (the catalog page, kept profile
# pages): their work is a short read and bounded work in memory, and in one process a worker
# thread would add nothing but GIL handoffs, which under load cost more than the page itself.
LoopDB = Annotated[Session, Depends(loop_db, scope="function")]


async def selection(  # async: reading parameters needs no worker thread
    q: Annotated[str, Query(description="words in Bokmål or English")] = "",
    set_: Annotated[list[str], Query(alias="set")] = [],  # noqa: B006 - FastAPI reads defaults
    goal: Annotated[list[str], Query()] = [],  # noqa: B006
    target: Annotated[list[str], Query()] = [],  # noqa: B006
    tbl: Annotated[list[str], Query()] = [],  # noqa: B006
    development_area: Annotated[list[str], Query()] = [],  # noqa: B006
    evaluation_step: Annotated[list[str], Query()] = [],  # noqa: B006
    distribution: Annotated[list[str], Query()] = [],  # noqa: B006
    quality_class: Annotated[list[str], Query()] = [],  # noqa: B006
    geography_level: Annotated[list[str], Query()] = [],  # noqa: B006
    data_owner: Annotated[list[str], Query()] = [],  # noqa: B006
    priority_tag: Annotated[list[str], Query()] = [],  # noqa: B006
    periodicity: Annotated[list[str], Query()] = [],  # noqa: B006
    unclassified: Annotated[list[str], Query(description="facets that must be empty")] = [],  # noqa: B006
) -> Selection:
    filters = {"set": set_, "goal": goal, "target": target, "tbl": tbl,
               "development_area": development_area, "evaluation_step": evaluation_step,
               "distribution": distribution, "quality_class": quality_class,
               "geography_level": geography_level, "data_owner": data_owner,
               "priority_tag": priority_tag, "periodicity": periodicity}
    return Selection(q, {k: [x for x in v if x] for k, v in filters.items() if any(v)},
                     [u for u in unclassified if u])


Sel = Annotated[Selection, Depends(selection)]
SELECTION_PARAMS = {"q", "set", "unclassified", *(f for f in FACETS if f != "set")}


def check_params(request: Request, *extra: str) -> None:
    """Refuse unknown query parameters: a misspelt filter must not return everything."""
    unknown = sorted(set(request.query_params) - SELECTION_PARAMS - set(extra))
    if unknown:
        allowed = ", ".join(sorted(SELECTION_PARAMS | set(extra)))
        raise UserError(f"unknown query parameter(s): {', '.join(unknown)}; allowed: {allowed}",
                        status=400)
