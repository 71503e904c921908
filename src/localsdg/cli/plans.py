"""`localsdg plan ...`: plans in their exchange files (JSON or Excel) in and out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from localsdg.cli.common import (
    By,
    Format,
    Output,
    database,
    emit,
    err,
    user_errors,
    who,
    write_file,
)
from localsdg.errors import UserError
from localsdg.planning import store
from localsdg.sources.plan_files import import_file, write_json, write_workbook

plan_app = typer.Typer(help="Plans: priorities, local targets, measures and budget.",
                       no_args_is_help=True)


@plan_app.command("list")
@user_errors
def plan_list_cmd(area: Annotated[str | None, typer.Option(
        "--area", help="only this area's plans")] = None, fmt: Format = "table") -> None:
    """Plans with their area, number of measures and last change."""
    with database() as s:
        rows = store.listed(s, area)
    emit(rows, fmt, rows, columns=["id", "area", "name", "measures", "example", "updated_at"])


@plan_app.command("import")
@user_errors
def plan_import_cmd(file: Path, by: By = None) -> None:
    """Check a plan file (JSON or Excel workbook) whole and store it; a plan of the same area
    and name is replaced. Any problem is named with its place, and nothing is stored."""
    with database() as s:
        plan_id = import_file(s, file, who(by))
        stored = store.get(s, plan_id)
    err.print(f"plan {plan_id}: {stored.plan.name} ({stored.plan.area}), "
              f"{len(stored.plan.measures)} measures")


@plan_app.command("export")
@user_errors
def plan_export_cmd(
    area: Annotated[str, typer.Argument(help="the area's code, e.g. 1804")],
    plan: Annotated[str | None, typer.Option("--plan", help="the plan's name (needed when the "
                                             "area has several)")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or xlsx")] = "json",
    output: Output = None,
) -> None:
    """Write a plan as JSON or as an Excel workbook (both import again without loss)."""
    if fmt not in ("json", "xlsx"):
        raise UserError(f"--format '{fmt}' unknown; use json or xlsx")
    with database() as s:
        found = store.find(s, area, plan).plan
    if fmt == "json" and output is None:
        sys.stdout.write(write_json(found).decode("utf-8"))
    else:
        write_file(output, write_json(found) if fmt == "json" else write_workbook(found))


@plan_app.command("template")
@user_errors
def plan_template_cmd(output: Annotated[Path, typer.Option(
        "-o", "--output", help="the workbook to write")] = Path("plan.xlsx")) -> None:
    """Write an empty plan workbook with every sheet and a help sheet, to fill in Excel."""
    write_file(output, write_workbook(None))
