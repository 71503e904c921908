"""`localsdg sync ...`: load official reference data, the national sources, and a table from
SSB's statistics bank."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from localsdg.cli.common import By, Format, database, emit, err, out, user_errors, who
from localsdg.config import settings
from localsdg.sources.area_lists import sync_areas
from localsdg.sources.ks_taxonomy import sync_ks_taxonomy
from localsdg.sources.un_framework import sync_framework

sync_app = typer.Typer(help="Load official reference data.", no_args_is_help=True)


@sync_app.command("framework")
@user_errors
def sync_framework_cmd(fmt: Format = "table") -> None:
    """Load the 17 goals, 169 targets and UN global indicators (set un-global)."""
    with database(loads=True) as s:
        summary = sync_framework(s)
    emit(summary, fmt, [summary], title="UN framework")


@sync_app.command("ks-taxonomy")
@user_errors
def sync_ks_cmd(
    sets: Annotated[list[str] | None, typer.Option("--set", help="only this set; repeatable")]
    = None,
    fmt: Format = "table",
) -> None:
    """Load the indicator sets KS publishes as SKOS/Turtle, with every taxonomy property."""
    with database(loads=True) as s:
        summary = sync_ks_taxonomy(s, sets)
    if fmt == "json":
        emit(summary, fmt)
        return
    emit(summary, fmt, [{"set": k, **v} for k, v in summary["sets"].items()],
         title="KS taxonomy")
    out.print(f"quirks handled: {summary['quirks_handled']}")
    for key in ("unmapped", "unresolved_links", "no_longer_published"):
        out.print(f"{key.replace('_', ' ')}: {len(summary[key])}")
        for line in summary[key][:30]:
            out.print(f"  - {line}", highlight=False)


@sync_app.command("areas")
@user_errors
def sync_areas_cmd(
    history: Annotated[Path | None, typer.Option(
        help="folder laid out like ../shared/data/norway with the older code lists and "
             "correspondences (default: $LOCALSDG_REFERENCE_DATA/norway)")] = None,
    fmt: Format = "table",
) -> None:
    """Load municipalities and counties with their code versions, and the countries."""
    reference = settings().reference_data
    history = history or (reference / "norway" if reference else None)
    with database(loads=True) as s:
        summary = sync_areas(s, history)
    if fmt == "json":
        emit(summary, fmt)
        return
    emit(summary, fmt, [{"level": k, "versions": v, "current": summary["current"].get(k)}
                        for k, v in summary["versions"].items()], title="Areas")
    out.print(f"changes between versions: {summary['changes']}")
    for note in summary["notes"]:
        out.print(f"  - {note}", highlight=False)


@sync_app.command("ssb")
@user_errors
def sync_ssb_cmd(
    table: Annotated[str, typer.Argument(help="SSB table number, e.g. 07459")],
    indicator: Annotated[str, typer.Option(help="SET/CODE the data belongs to")],
    select: Annotated[list[str], typer.Option(
        help="DIMENSION=VALUES, repeatable: Tid=2022, Region=agg:KommSummer:K-3001,K-3002")],
    api: Annotated[str, typer.Option(help="v0 (POST) or v2 (GET)")] = "v0",
    measure: Annotated[str | None, typer.Option(help="count or rate")] = None,
    borders: Annotated[int | None, typer.Option(help="the year whose areas the codes mean")]
    = None,
    save: Annotated[Path | None, typer.Option(help="also keep the response in this file")]
    = None,
    show_query: Annotated[bool, typer.Option(help="print the query and stop")] = False,
    skip_bad_rows: Annotated[bool, typer.Option(help="import the rest, list the bad")] = False,
    by: By = None,
    fmt: Format = "table",
) -> None:
    """Ask SSB's statistics bank for a table as JSON-stat and import it."""
    from localsdg.sources import ssb  # heavy: its JSON-stat reader loads pandas (~1 s)
    selections = [ssb.parse_selection(s) for s in select]
    if show_query:
        emit({"v0": {"url": ssb.V0.format(table=table), "body": ssb.v0_query(selections)},
              "v2": ssb.v2_url(table, selections)}, "json")
        return
    with database(loads=True) as s:
        result = ssb.sync_table(s, table, selections, indicator=indicator, by=who(by), api=api,
                                measure=measure, borders=borders, skip_bad=skip_bad_rows,
                                save=save)
    emit(result.as_dict(), fmt, [{k: v for k, v in result.as_dict().items() if k != "skipped"}],
         title=f"SSB {table}")


@sync_app.command("national")
@user_errors
def sync_national_cmd(
    source: Annotated[list[str] | None, typer.Option(
        "--source", help="only this source (e.g. valgdeltakelse); repeatable")] = None,
    by: By = None,
    fmt: Format = "table",
) -> None:
    """Load the national sources for every municipality and write the national profile.
    A source that cannot be reached is reported and skipped."""
    from localsdg.sources import national  # heavy: its SSB reader loads pandas (~1 s)
    with database(loads=True) as s, Progress(console=err, transient=True) as bar:
        task = bar.add_task("national sources", total=len(source or national.RECIPES))

        def step(recipe: national.Recipe) -> None:
            bar.update(task, advance=1, description=recipe.source)
        report = national.sync_national(s, who(by), source, progress=step)
    if fmt == "json":
        emit(report, fmt)
        return
    emit(report, fmt, [*({"source": r["source"], "rows": r["rows"], "written": r["written"],
                          "batch": r["batch"], "note": ""} for r in report["loaded"]),
                       *({"source": r["source"], "rows": 0, "written": 0, "batch": None,
                          "note": "skipped: " + r["why"]} for r in report["skipped"])],
         title="National sources")
    p = report["profile"]
    out.print(f"profile set {p['profile_set']}: {p.get('indicators', 0)} indicators, "
              f"{p.get('goals', 0)} goals" if p["profile_set"] else p["why"])
