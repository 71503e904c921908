"""The `localsdg` command line. It only parses arguments and prints; domain code does the work."""

from __future__ import annotations

import gc
import getpass
import json
import os
import re
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import DBAPIError

from localsdg import taxonomy as tx
from localsdg.catalog import analysis, classify, export, files, indicators
from localsdg.catalog.index import FACETS
from localsdg.catalog.search import Selection, search
from localsdg.config import settings
from localsdg.db.session import session_scope, upgrade
from localsdg.errors import UserError
from localsdg.textfiles import write_csv_rows

app = typer.Typer(help="localsdg: SDG indicators for municipalities and counties.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
sync_app = typer.Typer(help="Load official reference data.", no_args_is_help=True)
catalog_app = typer.Typer(help="The indicator catalog.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
areas_app = typer.Typer(help="Municipalities, counties and countries.", no_args_is_help=True)
data_app = typer.Typer(help="Observations: import, read, roll back.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo datasets.", no_args_is_help=True)
sdr_app = typer.Typer(help="SDSN's SDG Index workbooks: import and check.", no_args_is_help=True)
profiles_app = typer.Typer(help="Scoring profile sets.", no_args_is_help=True)
groups_app = typer.Typer(help="Area groups to compare within.", no_args_is_help=True)
app.add_typer(sync_app, name="sync")
app.add_typer(areas_app, name="areas")
app.add_typer(data_app, name="data")
app.add_typer(demo_app, name="demo")
app.add_typer(sdr_app, name="sdr")
app.add_typer(profiles_app, name="profiles")
app.add_typer(groups_app, name="groups")
app.add_typer(catalog_app, name="catalog")
app.add_typer(db_app, name="db")
out = Console()
err = Console(stderr=True)

Format = Annotated[str, typer.Option("--format", "-f", help="table, json or csv")]
Lang = Annotated[str, typer.Option("--lang", help="nb, nn or en")]
By = Annotated[str | None, typer.Option("--by", help="who makes the change (default: $USER)")]
Filters = Annotated[list[str] | None, typer.Option(
    "--filter", help=f"FACET=VALUE, repeatable; facets: {', '.join(FACETS)}")]
Unclassified = Annotated[list[str] | None, typer.Option(
    "--unclassified", help="only indicators without a value for this facet; repeatable")]


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


def _who(by: str | None) -> str:
    return by or os.environ.get("LOCALSDG_USER") or getpass.getuser()


def _selection(q: str = "", filters: list[str] | None = None, sets: list[str] | None = None,
               unclassified: list[str] | None = None) -> Selection:
    parsed: dict[str, list[str]] = {}
    for item in filters or []:
        facet, sep, value = item.partition("=")
        if not sep:
            raise UserError(f"--filter '{item}': write FACET=VALUE, e.g. goal=13")
        parsed.setdefault(facet.strip(), []).append(value.strip())
    if sets:
        parsed.setdefault("set", []).extend(sets)
    return Selection(q or "", parsed, list(unclassified or []))


def _emit(data: object, fmt: str, rows: list[dict] | None = None,
          columns: list[str] | None = None, title: str = "") -> None:
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


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        return "|".join(map(str, value))
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    return "" if value is None else str(value)


# ---------------------------------------------------------------- sync


@sync_app.command("framework")
@user_errors
def sync_framework_cmd(fmt: Format = "table") -> None:
    """Load the 17 goals, 169 targets and UN global indicators (set un-global)."""
    from localsdg.sources.un_framework import sync_framework
    upgrade()
    with session_scope() as s:
        summary = sync_framework(s)
    _emit(summary, fmt, [summary], title="UN framework")


@sync_app.command("ks-taxonomy")
@user_errors
def sync_ks_cmd(
    sets: Annotated[list[str] | None, typer.Option("--set", help="only this set; repeatable")]
    = None,
    fmt: Format = "table",
) -> None:
    """Load the indicator sets KS publishes as SKOS/Turtle, with every taxonomy property."""
    from localsdg.sources.ks_taxonomy import sync_ks_taxonomy
    upgrade()
    with session_scope() as s:
        summary = sync_ks_taxonomy(s, sets)
    if fmt == "json":
        _emit(summary, fmt)
        return
    _emit(summary, fmt, [{"set": k, **v} for k, v in summary["sets"].items()],
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
    from localsdg.sources.area_lists import sync_areas
    reference = settings().reference_data
    history = history or (reference / "norway" if reference else None)
    upgrade()
    with session_scope() as s:
        summary = sync_areas(s, history)
    if fmt == "json":
        _emit(summary, fmt)
        return
    _emit(summary, fmt, [{"level": k, "versions": v, "current": summary["current"].get(k)}
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
    import tempfile

    from localsdg.catalog.indicators import indicator_by_ref
    from localsdg.sources import ssb
    from localsdg.sources.jsonstat import import_jsonstat
    selections = [ssb.parse_selection(s) for s in select]
    if show_query:
        _emit({"v0": {"url": ssb.V0.format(table=table), "body": ssb.v0_query(selections)},
               "v2": ssb.v2_url(table, selections)}, "json")
        return
    fetched = ssb.fetch_table(table, selections, api)
    with tempfile.TemporaryDirectory() as tmp:
        path = save or Path(tmp) / f"{table}.json"
        path.write_bytes(fetched.content)
        upgrade()
        with session_scope() as s:
            result = import_jsonstat(s, path, indicator=indicator_by_ref(s, indicator),
                                     by=_who(by), measure=measure, skip_bad=skip_bad_rows,
                                     borders=borders, source=fetched.url)
    _emit(result.as_dict(), fmt, [{k: v for k, v in result.as_dict().items() if k != "skipped"}],
          title=f"SSB {table}")


# ---------------------------------------------------------------- taxonomy


@app.command("taxonomy")
@user_errors
def taxonomy_cmd(fmt: Format = "table", lang: Lang = "nb") -> None:
    """Print the taxonomy's code lists with Bokmål, Nynorsk and English labels."""
    data = {cl.id: {"label": {l_: cl.label(l_) for l_ in tx.LANGUAGES},
                    "codes": [{"code": c.code, "nb": c.nb, "nn": c.nn, "en": c.en}
                              for c in cl.codes]}
            for cl in tx.CODE_LISTS.values()}
    rows = [{"list": k, "code": c["code"], "nb": c["nb"], "nn": c["nn"], "en": c["en"]}
            for k, v in data.items() for c in v["codes"]]
    _emit(data, fmt, rows, title="Taxonomy code lists")


# ---------------------------------------------------------------- catalog


@catalog_app.command("sets")
@user_errors
def sets_cmd(fmt: Format = "table") -> None:
    """List the indicator sets with their number of indicators."""
    with session_scope() as s:
        data = indicators.list_sets(s)
    _emit(data, fmt, data, ["id", "name_nb", "level", "version", "indicators"], "Indicator sets")


@catalog_app.command("search")
@user_errors
def search_cmd(
    query: Annotated[str, typer.Argument(help="words in Bokmål or English; may be empty")] = "",
    limit: Annotated[int, typer.Option(help="hits to show")] = 20,
    offset: int = 0,
    sets: Annotated[list[str] | None, typer.Option("--set", help="only this set")] = None,
    filters: Filters = None,
    unclassified: Unclassified = None,
    sort: Annotated[str, typer.Option(help="relevance, code, name or set")] = "relevance",
    fmt: Format = "table",
    lang: Lang = "nb",
) -> None:
    """Search the catalog across all sets, with filters on any facet."""
    with session_scope() as s:
        result = search(s, _selection(query, filters, sets, unclassified), limit=limit,
                        offset=offset, sort=sort, lang=lang, facets=fmt == "json")
    _emit(result, fmt, result["hits"], ["set_id", "code", "name", "goals", "targets", "score"],
          f"{result['total']} indicators")


@catalog_app.command("show")
@user_errors
def show_cmd(set_id: str, code: str, fmt: Format = "table", lang: Lang = "nb") -> None:
    """Show one indicator: every property, its links and its change history."""
    with session_scope() as s:
        data = indicators.detail(s, set_id, code, lang)
        data["history"] = indicators.history(s, set_id, code)
    rows = [{"property": k, "value": v, "label": data["labels"].get(k)}
            for k, v in data["values"].items()]
    rows += [{"property": f"link ({lk['kind']}, {lk['direction']})",
              "value": f"{lk['set_id']}/{lk['code']}", "label": lk["proposed_by"]}
             for lk in data["links"]]
    _emit(data, fmt, rows, ["property", "value", "label"], f"{set_id} / {code}")
    if fmt == "table":
        _emit(None, "table", data["history"], ["at", "by", "property", "old", "new"], "History")


@catalog_app.command("history")
@user_errors
def history_cmd(set_id: str, code: str, fmt: Format = "table") -> None:
    """List every recorded change of one indicator (who, when, property, old → new)."""
    with session_scope() as s:
        rows = indicators.history(s, set_id, code)
    _emit(rows, fmt, rows, ["at", "by", "property", "old", "new"], f"History of {set_id}/{code}")


@catalog_app.command("stats")
@user_errors
def stats_cmd(
    sets: Annotated[list[str] | None, typer.Option("--set", help="only this set")] = None,
    query: Annotated[str, typer.Option("--query", "-q")] = "",
    filters: Filters = None,
    unclassified: Unclassified = None,
    fmt: Format = "table",
    lang: Lang = "nb",
) -> None:
    """Counts per set, goal, target, TBL, evaluation step, quality class, development area and
    geography level, with the unclassified share of each, and the set-by-set comparison."""
    with session_scope() as s:
        data = analysis.statistics(s, _selection(query, filters, sets, unclassified), lang)
    if fmt != "table":
        _emit(data, fmt, analysis.statistics_rows(data),
              ["dimension", "value", "label", "count", "share"])
        return
    out.print(f"[bold]{data['total']}[/] indicators")
    for dim in analysis.DIMENSIONS:
        if dim == "target":
            continue
        rows = [{"value": r["label"], "count": r["count"], "share": f"{r['share']:.0%}"}
                for r in data["counts"][dim]]
        _emit(None, "table", rows, ["value", "count", "share"], dim.replace("_", " "))
    _print_comparison(data)


def _print_comparison(data: dict) -> None:
    rows = [{"set": r["set_id"], "indicators": r["indicators"], "goals": r["goals_covered"],
             "targets": r["targets_covered"],
             "no evaluation step": f"{r['unclassified_share']['evaluation_step']:.0%}",
             "no quality class": f"{r['unclassified_share']['quality_class']:.0%}"}
            for r in data["sets"]]
    _emit(None, "table", rows, title="Sets compared")
    t = data["targets"]
    out.print(f"targets covered: {t['covered']} of {t['total']}; by several sets: "
              f"{len(t['covered_by_several_sets'])}")
    out.print(f"targets with no indicator: {', '.join(t['without_indicator']) or 'none'}")
    out.print("targets with no quality class 1 indicator: "
              f"{', '.join(t['without_quality_class_1']) or 'none'}")


@catalog_app.command("export")
@user_errors
def export_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="file to write")],
    sets: Annotated[list[str] | None, typer.Option("--set", help="set id; repeatable; "
                                                   "default all")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, xlsx, json or ttl")] = "csv",
) -> None:
    """Export whole indicator sets in the catalog layout, or as SKOS/Turtle."""
    with session_scope() as s:
        n = export.export(s, fmt, output, sets)
    err.print(f"wrote {n} indicators to {output}")


@catalog_app.command("import")
@user_errors
def import_cmd(file: Path, by: By = None, fmt: Format = "table") -> None:
    """Import indicator sets from CSV, XLSX or JSON; all or nothing."""
    upgrade()
    with session_scope() as s:
        summary = files.import_file(s, file, _who(by))
    _emit(summary, fmt, [summary], title=f"Imported {file.name}")


@catalog_app.command("template")
@user_errors
def template_cmd(
    output: Annotated[Path, typer.Option("--output", "-o")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="xlsx, csv or json")] = "xlsx",
) -> None:
    """Write an empty import file with every column (and, in Excel, the allowed values)."""
    if fmt not in files.FORMATS:
        raise UserError(f"--format '{fmt}' unknown; use xlsx, csv or json")
    export.write_rows([], fmt, output)
    err.print(f"wrote template {output}")


@catalog_app.command("classify")
@user_errors
def classify_cmd(
    targets: Annotated[list[str] | None, typer.Argument(
        help="indicators as SET_ID/CODE; or use --query/--filter for a selection")] = None,
    query: Annotated[str, typer.Option("--query", "-q")] = "",
    filters: Filters = None,
    unclassified: Unclassified = None,
    assign: Annotated[list[str] | None, typer.Option(
        "--assign", help="PROPERTY=VALUE: set the value (several values: a|b)")] = None,
    add: Annotated[list[str] | None, typer.Option("--add", help="PROPERTY=VALUE")] = None,
    remove: Annotated[list[str] | None, typer.Option("--remove", help="PROPERTY=VALUE")] = None,
    clear: Annotated[list[str] | None, typer.Option("--clear", help="PROPERTY")] = None,
    by: By = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show, do not save")] = False,
    fmt: Format = "table",
) -> None:
    """Set, add, remove or clear a property on indicators; every change is recorded."""
    changes = [_change(op, item) for op, items in (("set", assign), ("add", add),
                                                    ("remove", remove)) for item in items or []]
    changes += [classify.Change(p, "clear") for p in clear or []]
    keys = [indicators.split_ref(t) for t in targets] if targets else None
    if keys is not None and (query or filters or unclassified):
        raise UserError("name indicators as SET_ID/CODE or select them with --query/--filter, "
                        "not both")
    if keys is None and not (query or filters or unclassified):
        raise UserError("name indicators as SET_ID/CODE, or select with --query/--filter")
    with session_scope() as s:
        inds = classify.resolve(s, keys, None if keys else
                                _selection(query, filters, None, unclassified))
        result = classify.apply(s, inds, changes, _who(by), dry_run=dry_run)
    _emit(result, fmt, result["changes"], ["set_id", "code", "property", "old", "new"],
          f"{result['changed_indicators']} of {result['indicators']} indicators "
          f"{'would change' if dry_run else 'changed'}")


def _change(op: str, item: str) -> classify.Change:
    prop, sep, value = item.partition("=")
    if not sep:
        raise UserError(f"'{item}': write PROPERTY=VALUE, e.g. evaluation_steps=output")
    return classify.Change(prop.strip(), op, value.strip())


# ---------------------------------------------------------------- server and database


@db_app.command("upgrade")
@user_errors
def db_upgrade_cmd() -> None:
    """Create or upgrade the schema to the newest migration."""
    upgrade()
    err.print("database schema is up to date")


@app.command("serve")
@user_errors
def serve_cmd(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    load: Annotated[bool, typer.Option("--load/--no-load",
                                       help="load reference data first if missing")] = True,
) -> None:
    """Serve the JSON API (/api/v1, OpenAPI at /api/v1/openapi.json)."""
    import uvicorn

    from localsdg.sources.reference import ensure_reference_data
    from localsdg.web.app import create_app
    upgrade()
    if load:
        for line in ensure_reference_data():
            err.print(line)
    app = create_app()
    gc.freeze()  # keep start-up objects out of collections: a data read makes many small ones
    uvicorn.run(app, host=host, port=port, log_level="info")


# ---------------------------------------------------------------- areas and data


@areas_app.command("list")
@user_errors
def areas_list_cmd(
    level: Annotated[str | None, typer.Option(help="municipality, county or country")] = None,
    at: Annotated[str | None, typer.Option(help="only areas valid on this date (YYYY-MM-DD)")]
    = None,
    fmt: Format = "table",
) -> None:
    """List areas, optionally only those valid on a date."""
    from localsdg.areas.store import list_areas
    with session_scope() as s:
        rows = list_areas(s, level, at)
    _emit(rows, fmt, rows, title="Areas")


@areas_app.command("add")
@user_errors
def areas_add_cmd(level: str, code: str, name: str,
                  parent: Annotated[str | None, typer.Option(help="parent area code")] = None
                  ) -> None:
    """Add an area outside Norway's code lists (e.g. a foreign city for its Open SDG data)."""
    from localsdg.areas.store import add_area
    upgrade()
    with session_scope() as s:
        add_area(s, level, code, name, parent)
    err.print(f"{level} {code} {name} is stored")


@data_app.command("import")
@user_errors
def data_import_cmd(
    path: Path,
    indicator: Annotated[str | None, typer.Option(help="SET/CODE the data belongs to")] = None,
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
    by: By = None,
    fmt: Format = "table",
) -> None:
    """Import observations from a JSON-stat file, an Open SDG repository or a CSV/XLSX file."""
    from localsdg.sources import data_import as imports
    table = {"area": area, "value": value, "period": period, "period_value": period_value,
             "dims": tuple(dim or ()), "where": _pairs(where, "--where", "COLUMN=VALUE"),
             "county": county, "indicator_column": indicator_column,
             "indicators": _pairs(map_, "--map", "VALUE=SET/CODE"), "unit": unit,
             "measure": measure, "encoding": encoding, "sheet": sheet, "sum_rows": sum_rows,
             "wide": wide, "header_rows": header_rows, "level": level, "borders": borders}
    request = imports.Request(path=path, indicator=indicator, table=table, set_id=set_id,
                              area_code=area_code, publisher=publisher, skip_bad=skip_bad_rows)
    upgrade()
    with session_scope() as s:
        result = imports.run(s, request, _who(by))
    _emit(result, fmt, [{k: v for k, v in result.items() if not isinstance(v, list | dict)}],
          title="Import")
    if fmt == "table":
        for line in result.get("skipped", [])[:50]:
            out.print(f"  skipped: {line}", highlight=False)


def _pairs(items: list[str] | None, option: str, form: str) -> dict[str, str]:
    pairs = {}
    for item in items or []:
        key, sep, val = item.partition("=")
        if not sep:
            raise UserError(f"{option} '{item}': write {form}")
        pairs[key.strip()] = val.strip()
    return pairs


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
    from localsdg.catalog.indicators import indicator_by_ref
    from localsdg.observations.borders import parse_borders
    from localsdg.observations.series import COLUMNS, flat_row, get_data
    year = parse_borders(borders, "--borders")
    with session_scope() as s:
        rows = get_data(s, indicator_by_ref(s, indicator),
                        areas=[a.strip() for a in areas.split(",")] if areas else None,
                        start=from_, end=to, borders=year)
    _emit(rows, fmt, [flat_row(r) for r in rows], columns=COLUMNS, title=indicator)


@data_app.command("batches")
@user_errors
def data_batches_cmd(fmt: Format = "table") -> None:
    """Data imports: source, who, when, counts, and whether rolled back."""
    from localsdg.observations.store import batches
    with session_scope() as s:
        rows = batches(s)
    _emit(rows, fmt, rows, columns=["id", "source", "by", "at", "rows", "written",
                                    "unchanged", "rolled_back_at"], title="Data imports")


@data_app.command("rollback")
@user_errors
def data_rollback_cmd(batch: int) -> None:
    """Remove everything one import brought; values it replaced come back."""
    from localsdg.observations.store import rollback
    with session_scope() as s:
        removed = rollback(s, batch)
    err.print(f"batch {batch} rolled back: {removed} observations removed")


@demo_app.command("load")
@user_errors
def demo_load_cmd(folder: Path, by: By = None, fmt: Format = "table") -> None:
    """Load areas, Norwegian demo statistics and Barcelona's Open SDG data from a folder laid
    out like ../shared/data."""
    from localsdg.sources.demo import load_demo
    from localsdg.sources.reference import ensure_reference_data
    upgrade()
    for line in ensure_reference_data():
        err.print(line)
    with session_scope() as s:
        report = load_demo(s, folder, _who(by))
    if fmt == "json":
        _emit(report, fmt)
        return
    _emit(report, fmt, [{k: d[k] for k in ("file", "indicator", "rows", "written", "batch_id")}
                        for d in report["datasets"]], title="Demo data")
    b = report["barcelona"]
    out.print(f"Barcelona: {b.get('written')} observations written", highlight=False)
    out.print(f"Profile set {report['profiles']['profile_set']} for Telemark's municipalities; "
              + (f"SDSN SDR {report['sdr']['edition']} as profile set "
                 f"{report['sdr']['profile_set']}" if "edition" in report["sdr"]
                 else f"SDR not loaded: {report['sdr']['skipped']}"), highlight=False)


# ---------------------------------------------------------------- scoring

Profile = Annotated[str, typer.Option("--profile", help="profile set, e.g. sdsn-2021")]
Areas = Annotated[str | None, typer.Option(
    "--areas", help="area group: sdr-2021, county:40, size:small, all:municipality, "
    "similar:3806 or codes 0301,4601 (default: the profile set's own group)")]
Year = Annotated[int | None, typer.Option("--year", help="score the values up to this year "
                                          "(default: the latest)")]
Output = Annotated[Path | None, typer.Option("-o", "--output", help="write to this file")]


@sdr_app.command("import")
@user_errors
def sdr_import_cmd(workbook: Annotated[str, typer.Argument(
        help="an SDR workbook (.xlsx), or an edition year (2019, 2021) to fetch")],
        by: By = None, fmt: Format = "table") -> None:
    """Import an SDSN SDR workbook: indicators, country data, profile set sdsn-YEAR and area
    group sdr-YEAR."""
    from localsdg.sources import sdr
    wb = sdr.load(workbook)
    with session_scope() as s:
        report = sdr.import_workbook(s, wb, _who(by))
    obs = report.pop("observations")
    _emit({**report, "observations": obs}, fmt, [{**report, "written": obs["written"],
                                                   "unchanged": obs["unchanged"]}])


@sdr_app.command("compare")
@user_errors
def sdr_compare_cmd(workbook: Annotated[str, typer.Argument(
        help="the SDR workbook imported before, or its edition year")],
        fmt: Format = "table") -> None:
    """Score the imported edition from its raw values and compare with SDSN's published
    normalised scores, goal scores, index scores, ranks, colours and trends."""
    from localsdg.sources import sdr
    wb = sdr.load(workbook)
    with session_scope() as s:
        result = sdr.compare(s, wb).as_dict()
    if fmt == "json":
        _emit(result, fmt)
        return
    _emit(result, fmt, [{"what": k, "equal": v["equal"], "compared": v["compared"]}
                        for k, v in result["counts"].items()],
          title=f"SDR {wb.edition}: our scores against the published ones")
    if result["differences"] and fmt == "table":
        _emit(result, fmt, result["differences"], title="Differences")


@app.command("score")
@user_errors
def score_cmd(profile: Profile, areas: Areas = None, year: Year = None,
              runs: Annotated[int, typer.Option(
                  "--runs", help="Monte Carlo runs over the method's choices; gives 5–95 % "
                  "bands of index and rank (0: none)")] = 0,
              fmt: Format = "table", output: Output = None) -> None:
    """Index, rank and the 17 goal scores (with colours and trends) per area."""
    from localsdg.scoring import explain
    from localsdg.scoring.run import run, uncertainty
    from localsdg.scoring.uncertainty import Spread
    with session_scope() as s:
        r = run(s, profile, areas, year)
    u = uncertainty(r, Spread(runs=runs)) if runs > 0 else None
    if fmt == "xlsx":
        _write(output, explain.xlsx(r, u))
        return
    rows = explain.table(r, u)
    data = {**explain.summary(r), "areas": rows,
            "sensitivity": u.sensitivity if u else None}
    if u is not None and fmt == "table":
        err.print("median width of the 5–95 % rank band when one choice varies alone: " +
                  ", ".join(f"{k} {v:g}" for k, v in u.sensitivity.items()))
    if fmt == "table":  # goal scores as whole numbers under the goal's number, to fit
        rows = [{"code": x["code"], "name": x["name"], "index": _short(x["index"], 1),
                 "rank": _short(x["rank"], 0) + (
                     f" ({_short(x['rank_p5'], 0)}–{_short(x['rank_p95'], 0)})"
                     if "rank_p5" in x else ""),
                 **{str(g): _short(x[f"goal_{g}"], 0) for g in range(1, 18)}} for x in rows]
    _emit(data, fmt, rows, title=f"{profile}, {data['group']}, {data['year']}")


def _short(x: float | None, decimals: int) -> str:
    return "" if x is None else f"{x:.{decimals}f}"


def _write(output: Path | None, content: bytes) -> None:
    if output is None:
        raise UserError("--format xlsx needs -o FILE")
    output.write_bytes(content)
    err.print(f"wrote {output}")


@app.command("explain")
@user_errors
def explain_cmd(profile: Profile,
                area: Annotated[str, typer.Option("--area", help="area code, e.g. NOR or 3806")],
                goal: Annotated[int | None, typer.Option("--goal", help="explain one goal")] = None,
                indicator: Annotated[str | None, typer.Option(
                    "--indicator", help="explain one indicator (SET/CODE or code)")] = None,
                areas: Areas = None, year: Year = None, fmt: Format = "table") -> None:
    """How an area's index, a goal or an indicator score came about, step by step."""
    from localsdg.scoring import explain
    from localsdg.scoring.run import run
    with session_scope() as s:
        data = explain.explain(run(s, profile, areas, year), area, goal, indicator)
    if fmt == "json":
        _emit(data, fmt)
        return
    part = data.get("indicator") or data.get("goal") or data.get("index")
    for step in part["steps"]:
        out.print(f"- {step}", highlight=False, soft_wrap=True)
    for sub in part.get("indicators", []):
        if sub["in_index"]:
            out.print(f"  {sub['indicator']}: {sub['name']}", highlight=False)
            for step in sub["steps"]:
                out.print(f"    - {step}", highlight=False, soft_wrap=True)


@app.command("report")
@user_errors
def report_cmd(area: Annotated[str, typer.Argument(help="area code, e.g. 4003 or NOR")],
               lang: Lang = "nb",
               fmt: Annotated[str, typer.Option("--format", help="pdf, html or xlsx")] = "pdf",
               output: Output = None,
               profile: Annotated[str | None, typer.Option(
                   "--profile", help="profile set (default: one that compares the area)")] = None,
               areas: Areas = None, year: Year = None) -> None:
    """A short report of an area's SDG status (at most four pages), or its numbers as Excel."""
    from localsdg.reports import document
    from localsdg.scoring.area_profile import build
    if lang not in ("nb", "nn", "en"):
        raise UserError(f"--lang '{lang}': use nb, nn or en")
    makers = {"pdf": document.pdf, "html": document.html, "xlsx": document.xlsx}
    if fmt not in makers:
        raise UserError(f"--format '{fmt}': use pdf, html or xlsx")
    with session_scope() as s:
        p = build(s, area.upper() if area.isalpha() else area, profile, areas, year)
    if p is None:
        raise UserError(f"no profile set compares the area {area}; name one with --profile "
                        "(localsdg profiles list)")
    content = makers[fmt](p, lang)
    target = output or Path(f"localsdg-{area}-{lang}.{fmt}")
    target.write_bytes(content)
    err.print(f"wrote {target} ({len(content):,} bytes): {p.name}, {p.profile_set}, "
              f"{p.group}, {p.year}")


@profiles_app.command("list")
@user_errors
def profiles_list_cmd(fmt: Format = "table") -> None:
    """Profile sets with their number of indicators and source."""
    from localsdg.scoring.profiles import list_sets
    with session_scope() as s:
        rows = list_sets(s)
    _emit(rows, fmt, rows, columns=["id", "name", "indicators", "source"])


@profiles_app.command("export")
@user_errors
def profiles_export_cmd(profile: Annotated[str, typer.Argument(help="profile set id")],
                        fmt: Annotated[str, typer.Option("--format", "-f",
                                                         help="csv or xlsx")] = "csv",
                        output: Output = None) -> None:
    """Write a profile set as CSV or XLSX (one row per indicator, and per area's own target)."""
    from localsdg.scoring.profiles import export_file, get_set
    with session_scope() as s:
        content = export_file(s, get_set(s, profile), fmt)
    if output is None and fmt == "csv":
        sys.stdout.write(content.decode())
    else:
        _write(output, content)


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
    from localsdg.scoring.profiles import get_set, read_file, save_set
    with session_scope() as s:
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
    from localsdg.scoring.presets import make_set
    with session_scope() as s:
        report = make_set(s, kind, source, profile)
    err.print(f"profile set {report['profile_set']}: {report['profiles']} profiles; "
              f"{report['without_target']} left out for want of a target")


@groups_app.command("list")
@user_errors
def groups_list_cmd(fmt: Format = "table") -> None:
    """Stored area groups (the made-on-the-spot ones are described in 'score --help')."""
    from localsdg.scoring.groups import list_groups
    with session_scope() as s:
        rows = list_groups(s)
    _emit(rows, fmt, rows, columns=["id", "name", "members", "method"])


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
    from localsdg.scoring.groups import import_group
    with session_scope() as s:
        report = import_group(s, path, group_id, name, code, subgroup, level)
    err.print(f"group {report['group']}: {report['members']} areas in {report['subgroups']} "
              "subgroups" if report["subgroups"] else
              f"group {report['group']}: {report['members']} areas")


@groups_app.command("show")
@user_errors
def groups_show_cmd(group: str, year: Year = None, fmt: Format = "table") -> None:
    """The members of a group and how they were chosen."""
    from localsdg.scoring.groups import resolve
    with session_scope() as s:
        g = resolve(s, group, year=year)
    rows = [{"level": m.level, "code": m.code, "name": m.name, "subgroup": m.subgroup}
            for m in g.members]
    _emit({"id": g.id, "name": g.name, "method": g.method, "members": rows}, fmt, rows,
          title=f"{g.name}: {g.method}")
