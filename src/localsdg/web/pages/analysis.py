"""The analysis page: what a selection measures, as charts with tables and CSV downloads."""

from __future__ import annotations

from fastapi import APIRouter, Request

from localsdg.catalog.analysis import coverage_matrix, matrix_rows, overlaps, statistics
from localsdg.catalog.index import get_index
from localsdg.catalog.search import set_names
from localsdg.errors import NotFound
from localsdg.present import charts
from localsdg.present.i18n import translations
from localsdg.web.downloads import csv_download
from localsdg.web.i18n import choose
from localsdg.web.pages.catalog import chips
from localsdg.web.params import DB, Sel
from localsdg.web.templating import render

router = APIRouter(include_in_schema=False)
BARS = ["set", "goal", "evaluation_step", "tbl", "quality_class", "development_area",
        "geography_level"]
MATRICES = ["goal", "target"]


@router.get("/analyse")
def analysis_page(request: Request, session: DB, sel: Sel):
    lang = choose(request)
    _ = translations(lang).gettext
    stats = statistics(session, sel, lang)
    titles = {"set": _("Indicators per indicator set"), "goal": _("Indicators per goal"),
              "evaluation_step": _("Indicators per evaluation step"),
              "tbl": _("Indicators per triple bottom line"),
              "quality_class": _("Indicators per quality class"),
              "development_area": _("Indicators per development area"),
              "geography_level": _("Indicators per geography level")}
    count_title = _("Number of indicators")
    figures = []
    for dim in BARS:
        rows = stats["counts"][dim]
        description = "; ".join(f"{r['label']}: {r['count']}" for r in rows)
        spec = charts.bar(rows, titles[dim], f"{titles[dim]}. {description}", count_title,
                          charts.goal_colours() if dim == "goal" else None)
        figures.append({"id": dim, "title": titles[dim], "spec": charts.script_json(spec),
                        "rows": rows, "description": description})
    matrices = []
    for column in MATRICES:
        matrix = coverage_matrix(session, sel, column, lang)
        title = _("Sets and goals") if column == "goal" else _("Sets and targets")
        description = _("Number of indicators per set and %(what)s; %(n)d without any "
                        "indicator.") % {"what": _("goal") if column == "goal" else _("target"),
                                         "n": len(matrix["gaps"])}
        spec = charts.heatmap(matrix, title, description, count_title,
                              _("Goal") if column == "goal" else _("Target"))
        matrices.append({"id": f"set-{column}", "column": column, "title": title,
                         "spec": charts.script_json(spec), "matrix": matrix, "gaps": matrix["gaps"],
                         "description": description})
    result = {"selection": stats["selection"], "facets": {}}
    chosen = stats["selection"]["filters"].get("set", [])
    return render(request, "analysis.html", stats=stats, figures=figures, matrices=matrices,
                  chips=chips(request, result, lang),
                  overlap=overlaps(session, chosen if len(chosen) > 1 else None),
                  set_names=set_names(get_index(session), lang))


@router.get("/analyse/csv")
def analysis_csv(session: DB, sel: Sel, dimension: str = "goal"):
    """The numbers behind one chart, as CSV."""
    if dimension.startswith("set-"):
        column = dimension.removeprefix("set-")
        if column not in MATRICES:
            raise NotFound(f"unknown table '{dimension}'")
        rows = matrix_rows(coverage_matrix(session, sel, column))
        fields = ["set_id", column, "count"]
    elif dimension in BARS:
        rows = statistics(session, sel)["counts"][dimension]
        fields = ["value", "label", "count", "share"]
    else:
        raise NotFound(f"unknown table '{dimension}'; tables: {', '.join(BARS)}, set-goal, "
                       "set-target")
    return csv_download(rows, fields, dimension)
