"""`localsdg profiles ...` and `localsdg groups ...`: what areas are scored against (profile
sets) and whom they are compared with (area groups)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from localsdg.cli.common import Format, Output, Year, database, emit, err, user_errors, write_file
from localsdg.scoring.groups import import_group, list_groups, resolve
from localsdg.scoring.presets import make_set
from localsdg.scoring.profiles import export_file, get_set, list_sets, read_file, save_set

profiles_app = typer.Typer(help="Scoring profile sets.", no_args_is_help=True)
groups_app = typer.Typer(help="Area groups to compare within.", no_args_is_help=True)


@profiles_app.command("list")
@user_errors
def profiles_list_cmd(fmt: Format = "table") -> None:
    """Profile sets with their number of indicators and source."""
    with database() as s:
        rows = list_sets(s)
    emit(rows, fmt, rows, columns=["id", "name", "indicators", "source"])


@profiles_app.command("export")
@user_errors
def profiles_export_cmd(profile: Annotated[str, typer.Argument(help="profile set id")],
                        fmt: Annotated[str, typer.Option("--format", "-f",
                                                         help="csv or xlsx")] = "csv",
                        output: Output = None) -> None:
    """Write a profile set as CSV or XLSX (one row per indicator, and per area's own target)."""
    with database() as s:
        content = export_file(s, get_set(s, profile), fmt)
    if output is None and fmt == "csv":
        sys.stdout.write(content.decode())
    else:
        write_file(output, content)


@profiles_app.command("import")
@user_errors
def profiles_import_cmd(
    file: Path,
    profile: Annotated[str, typer.Option("--id", help="the profile set's id")],
    name: Annotated[str | None, typer.Option(help="its name")] = None,
    like: Annotated[str | None, typer.Option(
        help="take the method's rules from this profile set")] = None,
) -> None:
    """Create or replace a profile set from CSV or XLSX in the exported layout; any bad cell
    stops the import with its row and column, and nothing is stored."""
    with database() as s:
        items = read_file(s, file.read_bytes(), str(file))
        method = dict(get_set(s, like).method) if like else {}
        save_set(s, profile, name or profile, method, items, source=str(file))
    err.print(f"profile set {profile}: {len(items)} profiles")


@profiles_app.command("preset")
@user_errors
def profiles_preset_cmd(
    kind: Annotated[str, typer.Argument(help="u4ssc or distance-2030")],
    source: Annotated[str, typer.Option("--from", help="profile set whose targets to use")],
    profile: Annotated[str, typer.Option("--id", help="the new profile set's id")],
) -> None:
    """Make a profile set by a known method from the targets of another."""
    with database() as s:
        report = make_set(s, kind, source, profile)
    err.print(f"profile set {report['profile_set']}: {report['profiles']} profiles; "
              f"{report['without_target']} left out for want of a target")


@groups_app.command("list")
@user_errors
def groups_list_cmd(fmt: Format = "table") -> None:
    """Stored area groups (the made-on-the-spot ones are described in 'score --help')."""
    with database() as s:
        rows = list_groups(s)
    emit(rows, fmt, rows, columns=["id", "name", "members", "method"])


@groups_app.command("import")
@user_errors
def groups_import_cmd(
    path: Annotated[Path, typer.Argument(help="CSV or XLSX file, one area a line")],
    group_id: Annotated[str, typer.Option("--id", help="its name in commands, e.g. kostra")],
    name: Annotated[str, typer.Option(help="what readers see, e.g. 'KOSTRA-grupper 2024'")],
    code: Annotated[str, typer.Option(help="the column with the area codes")],
    subgroup: Annotated[str | None, typer.Option(
        help="a column giving each area's subgroup (e.g. the KOSTRA group); compare within one "
             "with --areas ID/SUBGROUP")] = None,
    level: Annotated[str, typer.Option(help="municipality, county or country")] = "municipality",
) -> None:
    """Store an area group listed in a file: your own list, SSB's KOSTRA groups, or any other
    grouping of areas. Replaces a stored group with the same id."""
    with database() as s:
        report = import_group(s, path, group_id, name, code, subgroup, level)
    err.print(f"group {report['group']}: {report['members']} areas in {report['subgroups']} "
              "subgroups" if report["subgroups"] else
              f"group {report['group']}: {report['members']} areas")


@groups_app.command("show")
@user_errors
def groups_show_cmd(group: str, year: Year = None, fmt: Format = "table") -> None:
    """The members of a group and how they were chosen."""
    with database() as s:
        g = resolve(s, group, year=year)
    rows = [{"level": m.level, "code": m.code, "name": m.name, "subgroup": m.subgroup}
            for m in g.members]
    emit({"id": g.id, "name": g.name, "method": g.method, "members": rows}, fmt, rows,
         title=f"{g.name}: {g.method}")
