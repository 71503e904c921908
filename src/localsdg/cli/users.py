"""`localsdg users`: the accounts of a shared server (server mode) — add, token, password,
list, remove."""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer

from localsdg.accounts import users
from localsdg.areas.lookup import AreaIndex
from localsdg.cli.common import By, Format, database, emit, out, user_errors, who
from localsdg.errors import UserError

users_app = typer.Typer(help="Accounts for server mode: editors, curators, administrators.",
                        no_args_is_help=True)
PASSWORD_ENV = "LOCALSDG_PASSWORD"  # read instead of asking, for scripts


@users_app.command("add")
@user_errors
def add_cmd(
    name: Annotated[str, typer.Argument(help="user name (lower case, e.g. kari.nordmann)")],
    role: Annotated[str, typer.Option("--role", help="editor, curator or admin")],
    area: Annotated[list[str] | None, typer.Option(
        "--area", help="an area an editor edits (code, e.g. 1804 or 18); repeatable")] = None,
    password: Annotated[bool, typer.Option(
        "--password/--no-password", help=f"ask for a password for the browser (or read "
                                         f"${PASSWORD_ENV}); scripts use tokens")] = True,
    by: By = None,
) -> None:
    """Add a user with a role (and, for an editor, the areas they edit)."""
    secret = _password() if password else None
    with database(loads=True) as s:
        index = AreaIndex(s)
        areas = []
        for code in area or []:
            found = index.code(code)
            if isinstance(found, str):
                raise UserError(f"--area {code}: {found}")
            areas.append((found.level, found.code))
        user = users.add_user(s, name, role, areas, by=who(by), password=secret)
    out.print(f"added {user.name} ({user.role}"
              + (f", areas {', '.join(sorted(user.areas))})" if user.areas else ")"))


@users_app.command("token")
@user_errors
def token_cmd(name: Annotated[str, typer.Argument(help="user name")]) -> None:
    """A new API token for scripts (Authorization: Bearer TOKEN), printed once on the last
    line."""
    with database() as s:
        token = users.new_token(s, name)
    out.print(f"new token for {name}; keep it secret, it is not shown again:")
    print(token)


@users_app.command("password")
@user_errors
def password_cmd(name: Annotated[str, typer.Argument(help="user name")]) -> None:
    """Set a user's password (signs them out everywhere)."""
    secret = _password()
    with database() as s:
        users.set_password(s, name, secret)
    out.print(f"password set for {name}")


@users_app.command("list")
@user_errors
def list_cmd(fmt: Format = "table") -> None:
    """The users with role, areas, whether they have a password, and their tokens."""
    with database() as s:
        found = users.list_users(s)
    emit(found, fmt, [{**u, "areas": " ".join(u["areas"])} for u in found])


@users_app.command("remove")
@user_errors
def remove_cmd(name: Annotated[str, typer.Argument(help="user name")]) -> None:
    """Remove a user with their tokens and sessions (the history keeps their name)."""
    with database() as s:
        users.remove_user(s, name)
    out.print(f"removed {name}")


def _password() -> str:
    given = os.environ.get(PASSWORD_ENV)
    if given:
        return given
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise UserError("the two passwords differ; nothing was changed")
    return first
