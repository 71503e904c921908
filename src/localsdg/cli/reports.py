"""`localsdg status` and `localsdg report`: an area's SDG status in the terminal, as a short PDF
or HTML report, or its numbers as Excel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from localsdg.cli.common import (
    Areas,
    Format,
    Lang,
    Output,
    Year,
    database,
    emit,
    err,
    out,
    user_errors,
)
from localsdg.errors import UserError
from localsdg.reports import document
from localsdg.scoring.area_profile import build
from localsdg.scoring.status import area_status, as_data


@user_errors
def report_cmd(area: Annotated[str, typer.Argument(help="area code, e.g. 4003 or NOR")],
               lang: Lang = "nb",
               fmt: Annotated[str, typer.Option("--format", help="pdf, html or xlsx")] = "pdf",
               output: Output = None,
               profile: Annotated[str | None, typer.Option(
                   "--profile", help="profile set (default: one that compares the area)")] = None,
               areas: Areas = None, year: Year = None) -> None:
    """A short report of an area's SDG status (at most four pages), or its numbers as Excel."""
    if lang not in ("nb", "nn", "en"):
        raise UserError(f"--lang '{lang}': use nb, nn or en")
    makers = {"pdf": document.pdf, "html": document.html, "xlsx": document.xlsx}
    if fmt not in makers:
        raise UserError(f"--format '{fmt}': use pdf, html or xlsx")
    with database() as s:
        p = build(s, area.upper() if area.isalpha() else area, profile, areas, year)
    if p is None:
        raise UserError(f"no profile set compares the area {area}; name one with --profile "
                        "(localsdg profiles list)")
    content = makers[fmt](p, lang)
    target = output or Path(f"localsdg-{area}-{lang}.{fmt}")
    target.write_bytes(content)
    err.print(f"wrote {target} ({len(content):,} bytes): {p.name}, {p.profile_set}, "
              f"{p.group}, {p.year}")


@user_errors
def status_cmd(area: Annotated[str, typer.Argument(help="area code, e.g. 1804, 18 or NOR")],
               profile: Annotated[str | None, typer.Option(
                   "--profile", help="profile set (default: the area's default)")] = None,
               areas: Areas = None, fmt: Format = "table") -> None:
    """An area's status as its page shows it: coverage, index and rank or why there is none,
    and per goal its indicators with value, period, source and score."""
    with database() as s:
        status = area_status(s, area, profile, areas)
    data, p = as_data(status), status.profile
    if fmt == "json" or p is None:
        emit(data, "json")
        return
    c = data["coverage"]
    out.print(f"{p.name} ({p.code}) · {p.profile_name} · data up to {p.year}")
    out.print(f"{c['indicators']} of {c['of']} indicators with recent values, "
              f"{c['goals']} of 17 goals scored" + (
                  f"; index {p.index:.1f}, rank {p.rank} of {p.ranked}" if p.index is not None
                  else f"; no index ({c['no_index'] or 'too little data'})"))
    rows = [{"goal": g["goal"], "indicator": x["name_nb"] or x["ref"],
             "value": f"{x['value']:g} {x['unit'] or ''}" if x["value"] is not None else "",
             "period": (x["period"] or "") + (" (older)" if x["older"] else "") + (
                 " (estimated)" if x["source"]["derived"] else ""),
             "score": "" if x["score"] is None else f"{x['score']:.1f}",
             "status": x["colour"] or "", "source": x["source"]["agency"] or ""}
            for g in data["goals"] for x in g["indicators"]]
    emit(data, fmt, rows)
