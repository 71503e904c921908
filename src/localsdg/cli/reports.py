"""`localsdg report`: an area's SDG status as a short PDF or HTML report, or its numbers as
Excel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from localsdg.cli.common import Areas, Lang, Output, Year, database, err, user_errors
from localsdg.errors import UserError
from localsdg.reports import document
from localsdg.scoring.area_profile import build


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
