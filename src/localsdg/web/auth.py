"""Who is asking and whether they may change what they ask to change, for every request, as one
plain ASGI middleware in front of the app:

- the user, from an API token (`Authorization: Bearer …`) or the browser's session cookie, is
  put on `request.state.user` (None for a reader);
- a change (POST, PUT, PATCH, DELETE) from another site is refused in every mode: a browser
  names the page's site in `Origin` (or `Referer`), and it must be this one;
- in server mode (PostgreSQL, or `localsdg serve --server`) a change needs a signed-in user
  whose role covers it (`accounts.permissions`): 401 without one, 403 with the wrong one;
- every answer carries the security headers (a content security policy with assets from this
  server only, no framing, no sniffing, no referrer to other sites) and the server's own time
  (`Server-Timing`, for the load benchmarks and browsers).

Plain ASGI: Starlette's BaseHTTPMiddleware costs more than a kept page does.
"""

from __future__ import annotations

import hmac
import re
import time
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from localsdg.accounts.permissions import may
from localsdg.accounts.users import User, by_session, by_token
from localsdg.config import settings
from localsdg.db.schema import Observation
from localsdg.db.session import reading
from localsdg.errors import NotAllowed, SignInNeeded, TooLarge, UserError
from localsdg.observations.borders import borders_of
from localsdg.planning import store as plans
from localsdg.present.i18n import translations
from localsdg.present.labels import N_
from localsdg.web import uploads
from localsdg.web.i18n import choose
from localsdg.web.templating import render
from localsdg.web.tokens import CSRF, SESSION_COOKIE, csrf_token

SAFE = ("GET", "HEAD", "OPTIONS")
MAX_BODY = uploads.MAX_UPLOAD + 1024 * 1024  # the largest upload and the form around it
API = "/api/v1"
# The action each kind of change is (first match); any change not listed needs an admin.
RULES: list[tuple[re.Pattern, str]] = [(re.compile(p), a) for p, a in [
    (r"^/(api/v1/suggest|foresla|logg-inn|logg-ut)$", "read"),  # computes or signs in only
    (r"^/(api/v1/data/batches/\d+/rollback|import/data/angre)$", "admin"),
    (r"^/(api/v1/data/import|import/data(/sjekk|/lagre)?)$", "data"),
    (r"^/(api/v1/plans(/import)?|planer/(ny|importer)|plan/\d+/.+|velg/lagre)$", "plan"),
    (r"^/(api/v1/(links/decisions|sets/.+|classify|import)|indikator/.+/(kobling|endre)"
     r"|katalog/endre|import(/lagre)?)$", "catalog"),
]]
PLAN_PAGE = re.compile(r"^/plan/(\d+)/")
# What a refused change is told (message ids: pages say them in the reader's language)
FOREIGN = N_("A change must come from this site's own pages; the request came from another "
             "site.")
SIGN_IN = N_("Sign in first: on this server every change needs a signed-in user.")
FORGED = N_("The form is out of date or not from this site; load the page again and repeat.")
NOT_YOURS = N_("Your role or areas do not cover this change; ask an administrator.")
# Everything from this server; Vega compiles its chart expressions with Function, hence
# 'unsafe-eval'; a few elements carry style attributes.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
           (b"x-frame-options", b"DENY")]


def action_for(path: str) -> str:
    return next((action for pattern, action in RULES if pattern.match(path)), "admin")


def user_of(request: Request) -> User | None:
    return request.scope.get("state", {}).get("user")


def require(request: Request, action: str, area: str | None = None) -> None:
    """Refuse the change in server mode unless the signed-in user may take it (on the area)."""
    user = user_of(request)
    if settings().server and not may(user, action, area):
        raise NotAllowed(_said(request, _refusal(user, action, area),
                               SIGN_IN if user is None else NOT_YOURS))


async def check_form(request: Request) -> None:
    """A change sent with the session cookie carries the session's token: a form its hidden
    field, a script (not a token holder) the X-CSRF-Token header. Signing in and out is not a
    change another site could profit from, and the origin check covers it."""
    expected = csrf_token(request)
    if request.method in SAFE or not expected or request.headers.get("authorization") or \
            request.url.path in ("/logg-inn", "/logg-ut"):
        return
    given = request.headers.get("x-csrf-token") or (
        "" if request.url.path.startswith(API) else str((await request.form()).get(CSRF) or ""))
    if not hmac.compare_digest(given, expected):
        raise NotAllowed(_said(request, FORGED, FORGED))


def require_areas(request: Request, session: Session, result: dict) -> dict:
    """Refuse an import whose figures are for areas the user does not edit (an editor's areas,
    under any code they had), before it is committed; else give the result back."""
    user = user_of(request)
    if not settings().server or user is None or user.role != "editor" or not result.get(
            "batch_id"):
        return result
    found = set(session.scalars(select(Observation.area_code).distinct().where(
        Observation.batch_id == result["batch_id"])))
    own = set().union(*(borders_of(session, lv).related(sorted(user.areas))
                        for lv in ("municipality", "county")))
    if outside := sorted(found - own):
        raise NotAllowed(f"{user.name} edits {', '.join(sorted(user.areas))}; the file has "
                         f"figures for {', '.join(outside[:10])}"
                         f"{' …' if len(outside) > 10 else ''}; nothing was imported")
    return result


def _said(request: Request, api: str, page: str) -> str:
    """A refusal's words: the API's in English, a page's (a message id) in its language."""
    return api if request.url.path.startswith(API) else translations(choose(request)).gettext(
        page)


def _refusal(user: User | None, action: str, area: str | None) -> str:
    if user is None:
        return SIGN_IN
    where = f" for area {area}" if area else ""
    return f"{user.name} ({user.role}) may not make this change{where} ({action})"


class Guard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request = Request(scope)
        signed = request.headers.get("authorization") or request.cookies.get(SESSION_COOKIE)
        user = await run_in_threadpool(_identify, request) if signed else None  # else a reader
        scope.setdefault("state", {})["user"] = user

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = f"app;dur={(time.perf_counter() - start) * 1000:.1f}".encode()
                message["headers"] = [*message.get("headers", []), *HEADERS,
                                      (b"content-security-policy", CSP.encode()),
                                      (b"server-timing", took)]
            await send(message)

        if request.method not in SAFE:
            refused = _foreign(request) or _oversized(request) or await run_in_threadpool(
                _refused, request, user)
            if refused is not None:
                await refused(scope, receive, secured)
                return
        await self.app(scope, _bounded(receive), secured)


def _oversized(request: Request) -> Response | None:
    """A body longer than any upload may be, refused before it is read."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        return _refuse(request, 413, TooLarge(
            f"the request is larger than {uploads.MAX_UPLOAD_MB} MB; send a smaller file"))
    return None


def _bounded(receive: Receive) -> Receive:
    """`receive`, stopping a body sent without its length (chunked) once it passes the limit:
    the handler reading it answers 413."""
    seen = 0

    async def bounded() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > MAX_BODY:
            raise TooLarge(f"the request is larger than {uploads.MAX_UPLOAD_MB} MB; send a "
                           "smaller file")
        return message
    return bounded


def _identify(request: Request) -> User | None:
    bearer = request.headers.get("authorization", "")
    token = bearer[7:].strip() if bearer.lower().startswith("bearer ") else ""
    sid = request.cookies.get(SESSION_COOKIE, "")
    if not token and not sid:
        return None
    with reading() as s:
        return by_token(s, token) if token else by_session(s, sid)


def _foreign(request: Request) -> Response | None:
    """A change asked for by a page of another site (cross-site request forgery)."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if source is None:
        return None  # not a browser: scripts carry a token in server mode
    if source != "null" and urlsplit(source).netloc == request.headers.get("host"):
        return None
    return _refuse(request, 403, NotAllowed(_said(request, FOREIGN, FOREIGN)))


def _refused(request: Request, user: User | None) -> Response | None:
    if not settings().server:
        return None
    action = action_for(request.url.path)
    area = _plan_area(request) if action == "plan" else None
    if action == "read" or may(user, action, area):
        return None
    if user is None and not request.url.path.startswith(API):
        back = request.headers.get("referer", "")
        back = urlsplit(back).path if urlsplit(back).netloc == request.headers.get("host") \
            else "/"
        return RedirectResponse(f"/logg-inn?neste={quote(back or '/')}", status_code=303)
    kind = SignInNeeded if user is None else NotAllowed
    return _refuse(request, 401 if user is None else 403, kind(_said(
        request, _refusal(user, action, area), SIGN_IN if user is None else NOT_YOURS)))


def _plan_area(request: Request) -> str | None:
    """The area of the plan a plan page changes (its editors may change it)."""
    found = PLAN_PAGE.match(request.url.path)
    if not found:
        return None
    with reading() as s:
        try:
            return plans.get(s, int(found.group(1))).plan.area
        except UserError:
            return None


def _refuse(request: Request, status: int, error: UserError) -> Response:
    if request.url.path.startswith(API):
        headers = {"www-authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"detail": error.message, "problems": []}, status_code=status,
                            headers=headers)
    return render(request, "error.html", status=status, error=error)
