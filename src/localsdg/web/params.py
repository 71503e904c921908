"""What the JSON API and the pages share in reading a request: the database session, a
selection of the catalog, and a posted form read before the work goes to a worker thread."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from localsdg.catalog.index import FACETS
from localsdg.catalog.search import Selection
from localsdg.db.session import session_scope
from localsdg.errors import BadRequest


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


async def selection(**params: list[str] | str) -> Selection:  # async: no worker thread needed
    """The selection the query asks for: words, a list per facet, and facets that must be empty."""
    q, unclassified = params.pop("q"), params.pop("unclassified")
    return Selection(q, {k: [x for x in v if x] for k, v in params.items() if any(v)},
                     [u for u in unclassified if u])


# One query parameter per facet of the search index, so a new facet is a new filter at once.
selection.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
    inspect.Parameter("q", inspect.Parameter.KEYWORD_ONLY, default="", annotation=Annotated[
        str, Query(description="words in Bokmål or English")]),
    *(inspect.Parameter(facet, inspect.Parameter.KEYWORD_ONLY, default=[],
                        annotation=Annotated[list[str], Query()]) for facet in FACETS),
    inspect.Parameter("unclassified", inspect.Parameter.KEYWORD_ONLY, default=[],
                      annotation=Annotated[list[str], Query(
                          description="facets that must be empty")]),
], return_annotation=Selection)

Sel = Annotated[Selection, Depends(selection)]
SELECTION_PARAMS = {"q", "unclassified", *FACETS}


def check_params(request: Request, *extra: str) -> None:
    """Refuse unknown query parameters: a misspelt filter must not return everything."""
    unknown = sorted(set(request.query_params) - SELECTION_PARAMS - set(extra))
    if unknown:
        allowed = ", ".join(sorted(SELECTION_PARAMS | set(extra)))
        raise BadRequest(f"unknown query parameter(s): {', '.join(unknown)}; allowed: {allowed}")


async def in_worker(request: Request, work: Callable, *args: object):
    """Read the form on the event loop, then do `work(request, form, *args)` (database work)
    in a worker thread, so that other requests are not held up meanwhile."""
    form = await request.form()
    return await run_in_threadpool(work, request, form, *args)
