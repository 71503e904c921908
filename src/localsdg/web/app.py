"""The FastAPI application: the web pages, the JSON API under /api/v1, and static assets."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import iter_route_contexts
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from localsdg.errors import (
    BadRequest,
    Conflict,
    NotAllowed,
    NotFound,
    SignInNeeded,
    TooLarge,
    TooMany,
    UserError,
)
from localsdg.web.api import areas as areas_api
from localsdg.web.api import catalog as catalog_api
from localsdg.web.api import data as data_api
from localsdg.web.api import plans as plans_api
from localsdg.web.api import scoring as scoring_api
from localsdg.web.auth import Guard, check_form
from localsdg.web.pages import (
    account,
    analysis,
    catalog,
    data,
    data_upload,
    imports,
    indicator,
    places,
    plans,
    profile,
    site,
    sso,
)
from localsdg.web.templating import TEMPLATES, render

API = "/api/v1"
MAX_PROBLEMS = 100  # the problems an error answer lists
STATUS = {NotFound: 404, BadRequest: 400, TooLarge: 413, SignInNeeded: 401, NotAllowed: 403,
          TooMany: 429, Conflict: 409}
DESCRIPTION = """SDG indicators, taxonomy and analyses for Norwegian municipalities and counties.

Every refusal is JSON of one shape, `Error`: `detail` says what is wrong and what to do,
`problems` lists each problem found with its place (at most 100, then how many more). A change
(POST, PATCH) from another site's page is refused (403). On a server (PostgreSQL, or `localsdg
serve --server`) every change needs a signed-in user: send `Authorization: Bearer TOKEN` (401
without one, 403 when the user's role or areas do not cover it); in the open, embedded mode a
change names who makes it in `by` (401 without). Scores computed afresh are limited per client
(429 with `Retry-After`, see `GET /score`)."""
ROOT = Path(__file__).resolve().parents[3]
NODE_MODULES = ROOT / "node_modules"
VENDOR = {  # URL folder -> folder inside node_modules (installed by `npm ci`, see Makefile)
    "ds-theme": "@digdir/designsystemet-theme/brand",
    "ds-css": "@digdir/designsystemet-css/dist/src",
    "htmx": "htmx.org/dist",
    "vega": "vega/build",
    "vega-lite": "vega-lite/build",
    "vega-embed": "vega-embed/build",
    "swagger-ui": "swagger-ui-dist",
}


def http_status(exc: UserError) -> int:
    """The answer's status for a user's mistake: its kind decides, else 422."""
    return next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 422)


def api_error(status: int, message: str, problems: list[str],
              headers: dict[str, str] | None = None) -> JSONResponse:
    """An API refusal in its one documented shape (`api.models.Error`): at most MAX_PROBLEMS
    problems, and then a line saying how many more there are (as the importers' reports)."""
    if len(problems) > MAX_PROBLEMS + 1:
        problems = [*problems[:MAX_PROBLEMS], f"… and {len(problems) - MAX_PROBLEMS} more"]
    return JSONResponse({"detail": message, "problems": problems}, status_code=status,
                        headers=headers)


def refusal_headers(status: int, exc: UserError) -> dict[str, str]:
    """How to get past a refusal: the scheme to sign in with, or the seconds to wait."""
    if status == 401:
        return {"WWW-Authenticate": "Bearer"}
    if status == 429:
        wait = exc.retry_after if isinstance(exc, TooMany) else None
        return {"Retry-After": str(wait or 60)}
    return {}


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods of every route whose path matches `path` (included routers' routes too)."""
    return sorted({m for route in iter_route_contexts(app.routes) if route.methods
                   and (pattern := getattr(route, "path_regex", None)) and pattern.match(path)
                   for m in route.methods})


def create_app() -> FastAPI:
    app = FastAPI(title="localsdg", version="0.1.0", openapi_url=f"{API}/openapi.json",
                  docs_url=None, redoc_url=None,
                  description=DESCRIPTION)
    @app.get(f"{API}/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        """Swagger UI from this server (no CDN), so that it works offline and under the CSP."""
        return HTMLResponse((TEMPLATES / "api_docs.html").read_text(encoding="utf-8"))

    app.state.scoring = scoring_api.budget()  # what each client may have computed afresh
    forms = [Depends(check_form)]  # a change with the session cookie carries its token
    for api in (catalog_api, data_api, scoring_api, areas_api, plans_api):
        app.include_router(api.router, prefix=API, dependencies=forms)
    for module in (site, catalog, indicator, data, places, plans, profile, analysis, imports,
                   data_upload, account, sso):
        app.include_router(module.router, dependencies=forms)
    for name, folder in VENDOR.items():  # before /static, which would shadow them
        path = NODE_MODULES / folder
        if not path.is_dir():
            raise UserError(f"front-end assets are missing ({path}); run `make setup` "
                            "(npm ci) in the project folder")
        app.mount(f"/static/vendor/{name}", StaticFiles(directory=path), name)
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), "static")

    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError) -> Response:
        status = http_status(exc)
        headers = refusal_headers(status, exc)
        if request.url.path.startswith(API):
            return api_error(status, exc.message, exc.details, headers)
        page = render(request, "error.html", status=status, error=exc)
        page.headers.update(headers)
        return page

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        """Type and range errors in the same shape and plain words as every other error."""
        problems = [f"{' '.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        if request.url.path.startswith(API):
            return api_error(422, "the request is not valid: " + "; ".join(problems[:5]) + (
                f"; … ({len(problems)} problems)" if len(problems) > 5 else ""), problems)
        return render(request, "error.html", status=422,
                      error=UserError("the request is not valid", details=problems))

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        """What the router answers itself (no such path, a method the path does not take), in
        the API's one shape; a 405 lists every method the path takes (Starlette names only
        those of the first route that matches the path). A body the guard stopped at the size
        limit while FastAPI read a form is the 413 it was, not FastAPI's 400."""
        if isinstance(exc.__cause__, UserError):
            return await _user_error(request, exc.__cause__)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
        if request.url.path.startswith(API):
            return api_error(exc.status_code, str(exc.detail), [], headers)
        return await http_exception_handler(request, HTTPException(exc.status_code, exc.detail,
                                                                   headers))

    app.add_middleware(Guard)
    return app
