"""`localsdg score`, `localsdg explain` and `localsdg sdr ...`: scores of areas, how they came
about, and SDSN's SDG Index workbooks that check the method against the published scores."""

from __future__ import annotations

from typing import Annotated

import typer

from localsdg.cli.common import (
    Areas,
    By,
    Format,
    Output,
    Profile,
    Year,
    database,
    emit,
    err,
    out,
    user_errors,
    who,
    write_file,
)
from localsdg.scoring import explain
from localsdg.scoring.run import run, uncertainty
from localsdg.scoring.uncertainty import Spread
from localsdg.sources import sdr, sdr_check, sdr_workbook

sdr_app = typer.Typer(help="SDSN's SDG Index workbooks: import and check.", no_args_is_help=True)


@sdr_app.command("import")
@user_errors
def sdr_import_cmd(workbook: Annotated[str, typer.Argument(
        help="an SDR workbook (.xlsx), or an edition year (2019, 2021) to fetch")],
        by: By = None, fmt: Format = "table") -> None:
    """Import an SDSN SDR workbook: indicators, country data, profile set sdsn-YEAR and area
    group sdr-YEAR."""
    wb = sdr_workbook.load(workbook)
    with database() as s:
        report = sdr.import_workbook(s, wb, who(by))
    obs = report.pop("observations")
    emit({**report, "observations": obs}, fmt, [{**report, "written": obs["written"],
                                                  "unchanged": obs["unchanged"]}])


@sdr_app.command("compare")
@user_errors
def sdr_compare_cmd(workbook: Annotated[str, typer.Argument(
        help="the SDR workbook imported before, or its edition year")],
        fmt: Format = "table") -> None:
    """Score the imported edition from its raw values and compare with SDSN's published
    normalised scores, goal scores, index scores, ranks, colours and trends."""
    wb = sdr_workbook.load(workbook)
    with database() as s:
        result = sdr_check.compare(s, wb).as_dict()
    if fmt == "json":
        emit(result, fmt)
        return
    emit(result, fmt, [{"what": k, "equal": v["equal"], "compared": v["compared"]}
                       for k, v in result["counts"].items()],
         title=f"SDR {wb.edition}: our scores against the published ones")
    if result["differences"] and fmt == "table":
        emit(result, fmt, result["differences"], title="Differences")


@user_errors
def score_cmd(profile: Profile, areas: Areas = None, year: Year = None,
              runs: Annotated[int, typer.Option(
                  "--runs", help="Monte Carlo runs over the method's choices; gives 5–95 % "
                  "bands of index and rank (0: none)")] = 0,
              fmt: Format = "table", output: Output = None) -> None:
    """Index, rank and the 17 goal scores (with colours and trends) per area."""
    with database() as s:
        r = run(s, profile, areas, year)
    u = uncertainty(r, Spread(runs=runs)) if runs > 0 else None
    if fmt == "xlsx":
        write_file(output, explain.xlsx(r, u))
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
    emit(data, fmt, rows, title=f"{profile}, {data['group']}, {data['year']}")


def _short(x: float | None, decimals: int) -> str:
    return "" if x is None else f"{x:.{decimals}f}"


@user_errors
def explain_cmd(profile: Profile,
                area: Annotated[str, typer.Option("--area", help="area code, e.g. NOR or 3806")],
                goal: Annotated[int | None, typer.Option("--goal", help="explain one goal")] = None,
                indicator: Annotated[str | None, typer.Option(
                    "--indicator", help="explain one indicator (SET/CODE or code)")] = None,
                areas: Areas = None, year: Year = None, fmt: Format = "table") -> None:
    """How an area's index, a goal or an indicator score came about, step by step."""
    with database() as s:
        data = explain.explain(run(s, profile, areas, year), area, goal, indicator)
    if fmt == "json":
        emit(data, fmt)
        return
    part = data.get("indicator") or data.get("goal") or data.get("index")
    for step in part["steps"]:
        out.print(f"- {step}", highlight=False, soft_wrap=True)
    for sub in part.get("indicators", []):
        if sub["in_index"]:
            out.print(f"  {sub['indicator']}: {sub['name']}", highlight=False)
            for step in sub["steps"]:
                out.print(f"    - {step}", highlight=False, soft_wrap=True)
