"""`localsdg serve` and `localsdg db upgrade`: the web server and the database schema."""

from __future__ import annotations

import gc
import os
from typing import Annotated

import typer
import uvicorn

from localsdg.accounts.users import list_users
from localsdg.cli.common import err, newest_schema, user_errors
from localsdg.config import settings
from localsdg.db.session import session_scope
from localsdg.errors import UserError

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")

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
    server: Annotated[bool, typer.Option(
        "--server", help="server mode: every change needs a signed-in user (always on with "
                         "PostgreSQL)")] = False,
) -> None:
    """Serve the web app and the JSON API (/api/v1, OpenAPI at /api/v1/openapi.json)."""
    from localsdg.sources.reference import ensure_reference_data  # heavy: loads pandas (~1 s)
    from localsdg.web.app import create_app  # heavy: FastAPI, every page, pandas (~1.5 s)
    if server:
        os.environ["LOCALSDG_SERVER"] = "1"
    if not settings().server and host not in LOCAL_HOSTS:
        raise UserError(f"--host {host}: without sign-in (the embedded default) localsdg "
                        "listens on 127.0.0.1 only; add --server (or use PostgreSQL) so that "
                        "every change needs a signed-in user")
    newest_schema()
    if load:
        for line in ensure_reference_data():
            err.print(line)
    app = create_app()
    gc.freeze()  # keep start-up objects out of collections: a data read makes many small ones
    if settings().server:
        err.print(f"server mode: changes need a signed-in user ({_users()})")
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


def _users() -> str:
    with session_scope() as s:
        found = list_users(s)
    admins = sum(1 for u in found if u["role"] == "admin")
    return (f"{len(found)} users, {admins} admins" if admins else
            "no administrator yet: add one with 'localsdg users add NAME --role admin'")
