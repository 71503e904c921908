"""The FastAPI application: the JSON API under /api/v1 (web pages come with their own issue)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse

from localsdg.errors import UserError
from localsdg.web.api import catalog as catalog_api

API = "/api/v1"


def create_app() -> FastAPI:
    app = FastAPI(title="localsdg", version="0.1.0", openapi_url=f"{API}/openapi.json",
                  docs_url=f"{API}/docs", redoc_url=None,
                  description="SDG indicators, taxonomy and analyses for Norwegian "
                              "municipalities and counties.")
    app.include_router(catalog_api.router, prefix=API)

    @app.exception_handler(UserError)
    async def _user_error(_request: Request, exc: UserError) -> JSONResponse:
        return JSONResponse({"detail": exc.message, "problems": exc.details},
                            status_code=exc.status)

    @app.get("/", include_in_schema=False)
    async def _root() -> RedirectResponse:
        return RedirectResponse(f"{API}/docs")

    return app
