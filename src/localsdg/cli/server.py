"""`localsdg serve` and `localsdg db upgrade`: the web server and the database schema."""

from __future__ import annotations

import gc
from typing import Annotated

import typer
import uvicorn

from localsdg.cli.common import err, newest_schema, user_errors

db_app = typer.Typer(help="The database.", no_args_is_help=True)


@db_app.command("upgrade")
@user_errors
def db_upgrade_cmd() -> None:
    """Create or upgrade the schema to the newest migration."""
    newest_schema()
    err.print("database schema is up to date")


@user_errors
def serve_cmd(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    load: Annotated[bool, typer.Option("--load/--no-load",
                                       help="load reference data first if missing")] = True,
) -> None:
    """Serve the JSON API (/api/v1, OpenAPI at /api/v1/openapi.json)."""
    from localsdg.sources.reference import ensure_reference_data  # heavy: loads pandas (~1 s)
    from localsdg.web.app import create_app  # heavy: FastAPI, every page, pandas (~1.5 s)
    newest_schema()
    if load:
        for line in ensure_reference_data():
            err.print(line)
    app = create_app()
    gc.freeze()  # keep start-up objects out of collections: a data read makes many small ones
    uvicorn.run(app, host=host, port=port, log_level="info")
