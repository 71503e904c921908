"""The FastAPI application: the web pages, the JSON API under /api/v1, and static assets."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from localsdg.errors import (
    BadRequest,
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
)
from localsdg.web.templating import TEMPLATES, render

API = "/api/v1"
STATUS = {NotFound: 404, BadRequest: 400, TooLarge: 413, SignInNeeded: 401, NotAllowed: 403,
          TooMany: 429}
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


def create_app() -> FastAPI:
    app = FastAPI(title="localsdg", version="0.1.0", openapi_url=f"{API}/openapi.json",
                  docs_url=None, redoc_url=None,
                  description="SDG indicators, taxonomy and analyses for Norwegian "
                              "municipalities and counties.")
    @app.get(f"{API}/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        """Swagger UI from this server (no CDN), so that it works offline and under the CSP."""
        return HTMLResponse((TEMPLATES / "api_docs.html").read_text(encoding="utf-8"))

    forms = [Depends(check_form)]  # a change with the session cookie carries its token
    for api in (catalog_api, data_api, scoring_api, areas_api, plans_api):
        app.include_router(api.router, prefix=API, dependencies=forms)
    for module in (site, catalog, indicator, data, places, plans, profile, analysis, imports,
                   data_upload, account):
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
        if request.url.path.startswith(API):
            return JSONResponse({"detail": exc.message, "problems": exc.details},
                                status_code=status)
        return render(request, "error.html", status=status, error=exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        """Type and range errors in the same shape and plain words as every other error."""
        problems = [f"{' '.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        if request.url.path.startswith(API):
            return JSONResponse({"detail": "the request is not valid: " + "; ".join(problems),
                                 "problems": problems}, status_code=422)
        return render(request, "error.html", status=422,
                      error=UserError("the request is not valid", details=problems))

    app.add_middleware(Guard)
    return app
