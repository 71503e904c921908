"""What the JSON API and the pages share in reading a request: the database session, a
selection of the catalog, and a posted form read before the work goes to a worker thread."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from functools import partial
from typing import Annotated
from weakref import WeakKeyDictionary

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from localsdg.catalog.index import FACETS
from localsdg.catalog.properties import MAX_FIELD, MAX_TEXT, PROPERTIES, TARGET_PATTERN
from localsdg.catalog.search import Selection
from localsdg.db.session import session_scope
from localsdg.errors import BadRequest

WORD = r"[^\s\x1c-\x1f]"  # a text that is not blank (in an OpenAPI pattern)


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


def facet_values(facet: str) -> dict:
    """The JSON schema of one value of a facet filter, for the OpenAPI document (the catalog
    checks values itself, so that a wrong one is named with the values allowed): a code of the
    property's list, a target (13.2), a set's id or any text that is not blank."""
    prop = PROPERTIES.get(FACETS[facet] or "")
    if prop is None:  # a set: an unknown one is not found (404)
        one: dict = {"minLength": 1, "pattern": WORD}
    elif prop.kind == "code":
        one = {"enum": prop.allowed()}
    elif prop.kind == "target":
        one = {"pattern": TARGET_PATTERN.pattern}
    else:  # a data owner or a tag
        one = {"pattern": r"^[^\x00]*[^\s\x00\x1c-\x1f][^\x00]*$",
               "maxLength": MAX_TEXT if prop.multi else MAX_FIELD}
    return {"type": "string", **one}


def facet_filter(facet: str) -> dict:
    return {"type": "array", "items": facet_values(facet)}


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
                        annotation=Annotated[list[str], Query(
                            json_schema_extra=facet_filter(facet))]) for facet in FACETS),
    inspect.Parameter("unclassified", inspect.Parameter.KEYWORD_ONLY, default=[],
                      annotation=Annotated[list[str], Query(
                          description="facets that must be empty", json_schema_extra={
                              "items": {"type": "string", "enum": list(FACETS)}})]),
], return_annotation=Selection)

Sel = Annotated[Selection, Depends(selection)]
SELECTION_PARAMS = {"q", "unclassified", *FACETS}


def check_params(request: Request, *extra: str, selection: bool = False) -> None:
    """Refuse unknown query parameters (a misspelt filter must not return everything) and, of
    an API request's selection, blank filters (a form's empty choice; a script leaves the
    parameter out)."""
    known = (SELECTION_PARAMS if selection else set()) | set(extra)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        allowed = ", ".join(sorted(known))
        raise BadRequest(f"unknown query parameter(s): {', '.join(unknown)}; allowed: {allowed}")
    blank = sorted({k for k, v in request.query_params.multi_items()
                    if selection and k != "q" and k in SELECTION_PARAMS and not v.strip()})
    if blank:
        raise BadRequest(f"{', '.join(blank)}: a blank value; leave the parameter out instead")


async def in_worker(request: Request, work: Callable, *args: object):
    """Read the form on the event loop, then do `work(request, form, *args)` (database work)
    in a worker thread, so that other requests are not held up meanwhile."""
    form = await request.form()
    return await run_in_threadpool(work, request, form, *args)


HEAVY_AT_ONCE = 2  # one per core: more would only share the interpreter lock with the loop
_heavy: WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = WeakKeyDictionary()


async def in_thread(work: Callable, *args: object):
    """Heavy `work(*args)` (scoring and rendering a page anew, ~0.1 s of Python) in a worker
    thread, at most HEAVY_AT_ONCE at a time, the rest waiting their turn: twenty such requests
    at once would otherwise hold the interpreter lock from the event loop, and every other
    request, however small, would wait behind them."""
    loop = asyncio.get_running_loop()  # one limiter per event loop (tests run several)
    if loop not in _heavy:
        _heavy[loop] = CapacityLimiter(HEAVY_AT_ONCE)
    return await to_thread.run_sync(partial(work, *args), limiter=_heavy[loop])
