"""`localsdg areas ...`, `localsdg data ...` and `localsdg demo load`: the areas, the observations
and the demo datasets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from localsdg.areas.store import add_area, list_areas
from localsdg.catalog.indicators import indicator_by_ref
from localsdg.cli.common import (
    By,
    Format,
    database,
    emit,
    emit_report,
    err,
    key_value,
    newest_schema,
    out,
    user_errors,
    who,
)
from localsdg.observations.borders import parse_borders
from localsdg.observations.series import COLUMNS, flat_row, get_data
from localsdg.observations.store import batches, rollback

areas_app = typer.Typer(help="Municipalities, counties and countries.", no_args_is_help=True)
data_app = typer.Typer(help="Observations: import, read, roll back.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo datasets.", no_args_is_help=True)


@areas_app.command("list")
@user_errors
def areas_list_cmd(
    level: Annotated[str | None, typer.Option(help="municipality, county or country")] = None,
    at: Annotated[str | None, typer.Option(help="only areas valid on this date (YYYY-MM-DD)")]
    = None,
    fmt: Format = "table",
) -> None:
    """List areas, optionally only those valid on a date."""
    with database() as s:
        rows = list_areas(s, level, at)
    emit(rows, fmt, rows, title="Areas")


@areas_app.command("add")
@user_errors
def areas_add_cmd(level: str, code: str, name: str,
                  parent: Annotated[str | None, typer.Option(help="parent area code")] = None
                  ) -> None:
    """Add an area outside Norway's code lists (e.g. a foreign city for its Open SDG data)."""
    with database(loads=True) as s:
        add_area(s, level, code, name, parent)
    err.print(f"{level} {code} {name} is stored")


@data_app.command("import")
@user_errors
def data_import_cmd(
    path: Path,
    indicator: Annotated[str | None, typer.Option(help="SET/CODE the data belongs to")] = None,
    create: Annotated[str | None, typer.Option(
        help="SET/CODE of an indicator to make from the file's own label, unit and source "
             "when it does not exist yet")] = None,
    area: Annotated[str | None, typer.Option(help="column with area codes or names")] = None,
    period: Annotated[str | None, typer.Option(help="column with the period")] = None,
    period_value: Annotated[str | None, typer.Option(
        help="one period for the whole file, e.g. 2024")] = None,
    value: Annotated[str | None, typer.Option(help="column with the values")] = None,
    dim: Annotated[list[str] | None, typer.Option(help="breakdown column; repeatable")] = None,
    where: Annotated[list[str] | None, typer.Option(
        help="COLUMN=VALUE: only these rows; repeatable")] = None,
    county: Annotated[str | None, typer.Option(
        help="column with the county name, to tell apart municipalities with the same name")]
    = None,
    indicator_column: Annotated[str | None, typer.Option(
        help="column whose value says the indicator (with --map)")] = None,
    map_: Annotated[list[str] | None, typer.Option(
        "--map", help="VALUE=SET/CODE for --indicator-column; repeatable")] = None,
    unit: Annotated[str | None, typer.Option(help="unit of the values")] = None,
    measure: Annotated[str | None, typer.Option(
        help="count (summed when areas merge) or rate (population-weighted)")] = None,
    encoding: Annotated[str | None, typer.Option(help="e.g. cp1252 (default: detect)")] = None,
    sheet: Annotated[str | None, typer.Option(help="Excel sheet (default: the first)")] = None,
    sum_rows: Annotated[bool, typer.Option(help="add up rows with the same key")] = False,
    wide: Annotated[bool, typer.Option(
        help="values spread over columns; their headers give period (--period names the "
             "header key, e.g. År) and breakdowns")] = False,
    header_rows: Annotated[int, typer.Option(
        help="wide tables: header lines above the first data line")] = 1,
    level: Annotated[str | None, typer.Option(
        help="municipality, county or country, when names are ambiguous")] = None,
    set_id: Annotated[str | None, typer.Option(
        "--set", help="Open SDG: the indicator set to create")] = None,
    area_code: Annotated[str | None, typer.Option(
        help="Open SDG: LEVEL:CODE of the area the repository covers")] = None,
    publisher: Annotated[str | None, typer.Option(help="who published the data")] = None,
    borders: Annotated[int | None, typer.Option(
        help="the year whose areas the file's codes and names mean (default: each period's)")]
    = None,
    skip_bad_rows: Annotated[bool, typer.Option(
        help="import the good rows and list the bad ones")] = False,
    on_duplicate: Annotated[str, typer.Option(
        help="refuse (a key given twice with two values stops the import) or last (the later "
             "row kept, said in the report)")] = "refuse",
    by: By = None,
    fmt: Format = "table",
) -> None:
    """Import observations from a JSON-stat file, an Open SDG repository or a CSV/XLSX file."""
    from localsdg.sources import data_import as imports  # heavy: loads pandas (~1 s)
    table = {"area": area, "value": value, "period": period, "period_value": period_value,
             "dims": tuple(dim or ()), "where": _pairs(where, "--where", "COLUMN=VALUE"),
             "county": county, "indicator_column": indicator_column,
             "indicators": _pairs(map_, "--map", "VALUE=SET/CODE"), "unit": unit,
             "measure": measure, "encoding": encoding, "sheet": sheet, "sum_rows": sum_rows,
             "wide": wide, "header_rows": header_rows, "level": level, "borders": borders}
    request = imports.Request(path=path, indicator=indicator, table=table, set_id=set_id,
                              area_code=area_code, publisher=publisher, skip_bad=skip_bad_rows,
                              on_duplicate=on_duplicate, create=create)
    with database(loads=True) as s:
        result = imports.run(s, request, who(by))
    emit_report(result, fmt, "Import")


def _pairs(items: list[str] | None, option: str, form: str) -> dict[str, str]:
    return dict(key_value(item, option, form) for item in items or [])


@data_app.command("get")
@user_errors
def data_get_cmd(
    indicator: Annotated[str, typer.Option(help="SET/CODE")],
    areas: Annotated[str | None, typer.Option(help="area codes, comma-separated")] = None,
    from_: Annotated[int | None, typer.Option("--from", help="first year")] = None,
    to: Annotated[int | None, typer.Option(help="last year")] = None,
    borders: Annotated[str, typer.Option(
        help="YYYY: on the borders of that year; 'current' (default) or 'none' (as imported)")]
    = "current",
    fmt: Format = "table",
) -> None:
    """Values of an indicator for areas and years, with flags, notes and sources."""
    year = parse_borders(borders, "--borders")
    with database() as s:
        rows = get_data(s, indicator_by_ref(s, indicator),
                        areas=[a.strip() for a in areas.split(",")] if areas else None,
                        start=from_, end=to, borders=year)
    emit(rows, fmt, [flat_row(r) for r in rows], columns=COLUMNS, title=indicator)


@data_app.command("batches")
@user_errors
def data_batches_cmd(fmt: Format = "table") -> None:
    """Data imports: source, who, when, counts, and whether rolled back."""
    with database() as s:
        rows = batches(s)
    emit(rows, fmt, rows, columns=["id", "source", "by", "at", "rows", "written",
                                   "unchanged", "rolled_back_at"], title="Data imports")


@data_app.command("rollback")
@user_errors
def data_rollback_cmd(batch: int, by: By = None) -> None:
    """Remove everything one import brought; values it replaced come back."""
    with database() as s:
        removed = rollback(s, batch, who(by))
    err.print(f"batch {batch} rolled back: {removed} observations removed")


@demo_app.command("load")
@user_errors
def demo_load_cmd(folder: Path, by: By = None, fmt: Format = "table") -> None:
    """Load areas, Norwegian demo statistics and Barcelona's Open SDG data from a folder laid
    out like ../shared/data."""
    from localsdg.sources.demo import load_demo  # heavy: loads pandas (~1 s)
    from localsdg.sources.reference import ensure_reference_data  # heavy: loads pandas
    newest_schema()  # before the reference data, which the demo builds on, is loaded
    for line in ensure_reference_data():
        err.print(line)
    with database() as s:
        report = load_demo(s, folder, who(by))
    if fmt == "json":
        emit(report, fmt)
        return
    emit(report, fmt, [{k: d[k] for k in ("file", "indicator", "rows", "written", "batch_id")}
                       for d in report["datasets"]], title="Demo data")
    b = report["barcelona"]
    out.print(f"Barcelona: {b.get('written')} observations written", highlight=False)
    out.print(f"Profile set {report['profiles']['profile_set']} for Telemark's municipalities; "
              + (f"SDSN SDR {report['sdr']['edition']} as profile set "
                 f"{report['sdr']['profile_set']}" if "edition" in report["sdr"]
                 else f"SDR not loaded: {report['sdr']['skipped']}"), highlight=False)
