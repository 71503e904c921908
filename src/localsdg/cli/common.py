"""What every command module shares: the option types, the plain error messages, the one way to
open the database, and printing as a table, JSON or CSV.

Command modules import this module and never the package root, so `localsdg.cli` can import them
all and register their commands without a cycle.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from localsdg.config import settings
from localsdg.db.session import session_scope, upgrade
from localsdg.errors import UserError
from localsdg.textfiles import write_csv_rows

out = Console()
err = Console(stderr=True)

Format = Annotated[str, typer.Option("--format", "-f", help="table, json or csv")]
Lang = Annotated[str, typer.Option("--lang", help="nb, nn or en")]
By = Annotated[str | None, typer.Option("--by", help="who makes the change (default: $USER)")]
Profile = Annotated[str, typer.Option("--profile", help="profile set, e.g. sdsn-2021")]
Areas = Annotated[str | None, typer.Option(
    "--areas", help="area group: sdr-2021, county:40, size:small, all:municipality, "
    "similar:3806 or codes 0301,4601 (default: the profile set's own group)")]
Year = Annotated[int | None, typer.Option("--year", help="score the values up to this year "
                                          "(default: the latest)")]
Output = Annotated[Path | None, typer.Option("-o", "--output", help="write to this file")]


# SQLite's and PostgreSQL's words for a table or column the schema does not have yet
MISSING_SCHEMA = re.compile(r"no such (table|column)|(relation|column) .* does not exist")


def user_errors(fn: Callable) -> Callable:
    """Print a UserError plainly and exit 2: users need the message, not a traceback."""
    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except DBAPIError as exc:
            if not MISSING_SCHEMA.search(str(exc.orig)):
                raise
            why = str(exc.orig).splitlines()[0]
            err.print(f"[bold red]error:[/] the database {settings().database_url} is new or "
                      f"older than this localsdg ({why}); run 'localsdg db upgrade'",
                      markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
    return wrapper


def newest_schema() -> None:
    """Bring the schema to the newest migration: the only place a command does (see the rule in
    the docstring of localsdg.cli)."""
    upgrade()


@contextmanager
def database(*, loads: bool = False) -> Iterator[Session]:
    """The database for one command, in one transaction. `loads=True` for a command that loads
    data from outside and so may be the first one run on a new database: the schema is brought
    to the newest migration first. Without it the schema is used as it is."""
    if loads:
        newest_schema()
    with session_scope() as s:
        yield s


def key_value(item: str, option: str, form: str) -> tuple[str, str]:
    """'KEY=VALUE' as an option gives it → (key, value); else say how to write it."""
    key, sep, value = item.partition("=")
    if not sep:
        raise UserError(f"{option} '{item}': write {form}")
    return key.strip(), value.strip()


def who(by: str | None) -> str:
    return by or os.environ.get("LOCALSDG_USER") or getpass.getuser()


def emit(data: object, fmt: str, rows: list[dict] | None = None,
         columns: list[str] | None = None, title: str = "") -> None:
    """`data` as JSON, or `rows` (their `columns`) as CSV or a table."""
    if fmt == "json":
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")
        return
    rows = rows or []
    columns = columns or (list(rows[0]) if rows else [])
    if fmt == "csv":
        write_csv_rows(sys.stdout, [columns, *([_text(r.get(c)) for c in columns] for r in rows)])
        return
    if fmt != "table":
        raise UserError(f"--format '{fmt}' unknown; use table, json or csv")
    table = Table(title=title or None, show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*[_text(r.get(c)) for c in columns])
    out.print(table)


def emit_report(report: dict, fmt: str, title: str, most: int = 50) -> None:
    """An import's report: JSON whole; in a terminal a short vertical summary of its figures,
    then each list (problems, skipped rows, notes) under its own heading, `most` lines each; as
    CSV the figures as key,value rows."""
    figures = [{"figure": k.replace("_", " "), "value": _text(v)} for k, v in report.items()
               if not isinstance(v, list | dict) and v is not None]
    emit(report, fmt, figures, ["figure", "value"], title)
    if fmt != "table":
        return
    for key, items in report.items():
        if isinstance(items, list) and items:
            out.print(f"\n{key.replace('_', ' ')} ({len(items)}):", highlight=False)
            for item in items[:most]:
                line = ": ".join(map(str, item.values())) if isinstance(item, dict) else item
                out.print(f"  {line}", highlight=False, soft_wrap=True)
            if len(items) > most:
                out.print(f"  … and {len(items) - most} more (--format json lists them all)",
                          highlight=False)


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        return "|".join(map(str, value))
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    return "" if value is None else str(value)


def write_file(output: Path | None, content: bytes) -> None:
    """Write to the file -o names; without one, say so: xlsx cannot go to the terminal."""
    if output is None:
        raise UserError("--format xlsx needs -o FILE")
    output.write_bytes(content)
    err.print(f"wrote {output}")
