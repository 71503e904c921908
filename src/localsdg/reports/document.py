"""The short report of an area's profile (at most four pages) as PDF, HTML and Excel.

One content dictionary is built from the profile in the reader's language, with every number
formatted once; the PDF (Typst, `report.typ` beside this file), the HTML page and the workbook
are all made from it, so they show the same figures as the profile page. Charts are the web's
Vega-Lite specifications rendered to SVG with vl-convert.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import xlsxwriter

from localsdg import taxonomy as tx
from localsdg.present import charts
from localsdg.present.formats import number, score
from localsdg.present.i18n import translations
from localsdg.present.labels import (
    AMONG_THE_BEST,
    ARROWS,
    ESTIMATED,
    N_,
    NO_THRESHOLDS,
    NOT_MEASURED,
    OLDER,
    STATUS,
    STATUS_COLOURS,
    TREND,
    basis_text,
    goal_name,
    group_method,
    group_title,
    status,
)
from localsdg.present.templates import environment
from localsdg.scoring.area_profile import AreaProfile, GoalStatus, Line

TEMPLATE = Path(__file__).with_name("report.typ")
TEMPLATES = Path(__file__).with_name("templates")
NEIGHBOURS = 5  # peers shown above and below the area in the report's rank table
LEVELS = {"municipality": N_("Municipality"), "county": N_("County"), "country": N_("Country")}


def summary(p: AreaProfile, lang: str) -> dict[str, str]:
    """The plain-language sentences on top of the page and the report."""
    _ = translations(lang).gettext
    out = {}
    if p.index is not None:
        out["index"] = _("%(area)s scores %(score)s of 100 and is number %(rank)d of %(count)d "
                         "in %(group)s (data up to %(year)d).") % {
            "area": p.name, "score": score(p.index, lang), "rank": p.rank, "count": p.ranked,
            "group": group_title(p.group, p.group_name, _), "year": p.year}
    elif p.coverage.no_index == "min_goals":
        out["index"] = _("%(area)s has scores for %(goals)d of 17 goals; an index score and a "
                         "rank need at least %(min)d, so none is shown. The goal tiles show "
                         "what is measured.") % {
            "area": p.name, "goals": p.coverage.goals, "min": p.coverage.min_goals}
    else:
        out["index"] = _("%(area)s has too little data for an index score (%(share)d %% of the "
                         "indicators are missing).") % {
            "area": p.name, "share": round(p.missing_share * 100)}
    out["coverage"] = coverage_text(p, lang)
    if p.index is not None and p.index_band and p.rank_band:
        best, worst = p.rank_band
        rank = (_("the rank is %(best)d") if best == worst else
                _("the rank between %(best)d and %(worst)d")) % {"best": best, "worst": worst}
        out["band"] = _("With other reasonable choices of method (%(runs)d runs varying bounds, "
                        "weights, aggregation, missing-data rules and years) the score lies "
                        "between %(low)s and %(high)s and %(rank)s in nine of ten runs.") % {
            "runs": p.runs, "low": score(p.index_band[0], lang),
            "high": score(p.index_band[1], lang), "rank": rank}
    if p.strongest:
        out["strongest"] = _("Strongest goals: %(goals)s.") % {"goals": _goal_list(p.strongest,
                                                                                   lang)}
    if p.weakest:
        out["weakest"] = _("Need most attention: %(goals)s.") % {"goals": _goal_list(p.weakest,
                                                                                     lang)}
    return out


def coverage_text(p: AreaProfile, lang: str) -> str:
    """How many indicators and goals the status rests on, and how old its data may be."""
    _ = translations(lang).gettext
    c = p.coverage
    text = _("The status rests on %(n)d of %(total)d indicators, covering %(goals)d of 17 "
             "goals.") % {"n": c.indicators, "total": c.total, "goals": c.goals}
    if c.window:
        text += " " + _("Values count from %(first)d to %(year)d; older ones are shown as "
                        "older data and not scored.") % {"first": p.year - c.window + 1,
                                                          "year": p.year}
    return text


def _goal_list(goals: list[GoalStatus], lang: str) -> str:
    return ", ".join(f"{g.goal} {goal_name(g.goal, lang)} ({score(g.score, lang)})"
                     for g in goals)


def goal_chart(p: AreaProfile, lang: str) -> dict:
    _ = translations(lang).gettext
    rows = [{"goal": g.goal, "label": f"{g.goal} {goal_name(g.goal, lang)}", "score": g.score,
             "mean": g.group_mean} for g in p.goals if g.measured]
    description = _("Goal scores of %(area)s from 0 to 100, with the mean of %(group)s as a "
                    "black mark; the goal tiles give the same numbers.") % {
        "area": p.name, "group": group_title(p.group, p.group_name, _)}
    return charts.goal_scores(rows, _("Goal scores"), description, _("Score (0–100)"),
                              _("Mean of the group"), lang)


def content(p: AreaProfile, lang: str) -> dict:
    """Everything the report says, translated and formatted."""
    _ = translations(lang).gettext
    chart, peers = goal_chart(p, lang), _peers(p, lang)
    return {
        "lang": lang,
        "title": _("Sustainable Development Goals: %(area)s") % {"area": p.name},
        "subtitle": f"{_(LEVELS[p.level])} {p.code} · {_(p.profile_name)} · "
                    + _("data up to %(year)d") % {"year": p.year},
        "footer": _("localsdg report, made %(day)s. Every number is explained step by step "
                    "on the profile page.") % {"day": date.today().isoformat()},
        "summary": list(summary(p, lang).values()),
        "tiles_heading": _("The 17 goals"),
        "tiles": [_tile(g, lang) for g in p.goals],
        "legend": _("Status: %(states)s. Trend: %(trends)s.") % {
            "states": ", ".join([*(_(STATUS[c]) for c in STATUS), _(AMONG_THE_BEST),
                                 _(NO_THRESHOLDS)]),
            "trends": ", ".join(f"{ARROWS[t]} {_(TREND[t])}" for t in TREND)},
        "chart_heading": _("Goal scores beside the group"),
        "chart_alt": chart["description"],
        "chart": svg(chart),
        "attention_heading": _("The goals that need most attention"),
        "columns": [_("Indicator"), _("Latest value"), _("Score"), _("Status"), _("Trend"),
                    _("Target or optimum"), _("Change needed"), _("Place in the group"),
                    _("Source")],
        "attention": [{"heading": f"{g.goal} {goal_name(g.goal, lang)}: "
                                  f"{score(g.score, lang)} · "
                                  f"{_(status(g.colour, g.score, g.relative))} · "
                                  f"{ARROWS[g.trend]} {_(TREND[g.trend])}",
                       "rows": [_line_row(x, lang) for x in g.lines]} for g in p.weakest],
        "peers_heading": _("Compared with: %(group)s") % {
            "group": group_title(p.group, p.group_name, _)},
        **peers,
        "peers_note": _("%(shown)d of %(count)d areas around %(area)s; the workbook lists all.")
        % {"shown": len(peers["peers"]), "count": len(p.peers), "area": p.name},
        "method_heading": _("Method and sources"),
        "method": [group_method(p.group, p.group_method, _, p.criteria),
                   _("Profile set %(name)s (%(id)s).") % {"name": _(p.profile_name),
                                                          "id": p.profile_set}
                   + (f" {_(p.profile_notes)}" if p.profile_notes else ""),  # ours translated
                   _("Each indicator is scored from 0 (the lower bound) to 100 (the optimum or "
                     "target); goal scores are the mean of their indicators and the index the "
                     "mean of the goal scores. Missing data is shown as missing, never "
                     "guessed.")],
        "sources": [f"{s} ({_('import')} {', '.join(map(str, b))})" for s, b in p.sources],
        "bases_heading": _("What 0, 100 and the colours rest on"),
        "bases": [f"{x.name(lang)}: {basis_text(x.basis, lang)}" for g in p.goals
                  for x in g.lines if x.basis],
    }


def _tile(g: GoalStatus, lang: str) -> dict:
    _ = translations(lang).gettext
    return {"goal": g.goal, "name": goal_name(g.goal, lang), "colour": tx.GOAL_COLOURS[g.goal],
            "measured": g.measured, "missing": _(NOT_MEASURED),
            "score": score(g.score, lang) if g.score is not None else _("no score"),
            "status": _(status(g.colour, g.score, g.relative)),
            "status_colour": STATUS_COLOURS[g.colour],
            "arrow": ARROWS[g.trend], "trend": _(TREND[g.trend])}


def _line_row(x: Line, lang: str) -> list[str]:
    _ = translations(lang).gettext
    if x.value is not None:
        value = number(x.value, lang) + (f" {_(x.unit)}" if x.unit else "") + (
            f" ({_(OLDER)})" if x.older else "") + (
            f" ({_(ESTIMATED)})" if x.derived == "counties" else "")
    else:
        value = _("score published without value") if x.given else _("missing")
    target = ""
    if x.target is not None:
        target = f"{number(x.target, lang)} ({_('local target')})"
    elif x.optimum is not None:
        target = f"{number(x.optimum, lang)} ({_('optimum')})"
    return [x.name(lang), value + (f" ({x.period})" if x.period else ""),
            score(x.score, lang) if x.score is not None else _("missing"),
            _(status(x.colour, x.score, x.relative)), f"{ARROWS[x.trend]} {_(TREND[x.trend])}",
            target,
            "" if x.change is None else ("+" if x.change > 0 else "") + number(x.change, lang),
            _("%(place)d of %(count)d") % {"place": x.position, "count": x.compared}
            if x.position else "", _short(x.source)]


def _short(source: str | None) -> str:
    """A source for a table cell: a web address by its file name (the list of sources at the
    end gives it whole)."""
    if not source or not source.startswith(("http://", "https://")):
        return source or ""
    return unquote(source.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0])


def _peers(p: AreaProfile, lang: str) -> dict:
    """The table of the areas around the area's place: rank, name and index where the group
    has an index, and each measured goal's score (columns, rows of cells, the name's column)."""
    _ = translations(lang).gettext
    ranked = any(x.index is not None for x in p.peers)
    at = next(i for i, peer in enumerate(p.peers) if peer.code == p.code)
    near = p.peers[max(0, at - NEIGHBOURS):at + NEIGHBOURS + 1]
    goals = p.compared_goals
    columns = [*([_("Rank")] if ranked else []), _("Area"), *([_("Index score")] if ranked else []),
               *(_("Goal %(goal)d") % {"goal": g} for g in goals)]
    rows = [{"cells": [*([str(x.rank or "")] if ranked else []), x.name,
                       *([score(x.index, lang) if x.index is not None else ""] if ranked else []),
                       *(score(x.goals.get(g), lang) for g in goals)],
             "self": x.code == p.code} for x in near]
    return {"peers_columns": columns, "peers": rows, "peers_area_column": int(ranked)}


def svg(spec: dict) -> str:
    import vl_convert as vlc  # heavy (a JavaScript engine): loaded only to draw a chart
    fixed = {**spec, "width": 420}
    return vlc.vegalite_to_svg(fixed, vl_version="6.4")


def typeset(template: Path, c: dict) -> bytes:
    """A report's content laid out by its Typst template, as PDF."""
    import typst  # heavy (the Typst compiler): loaded only to write a PDF
    # PDF/UA-1: Typst tags the document and checks its title, language and alternative texts.
    return typst.compile(template.read_bytes(), sys_inputs={"data": json.dumps(c)},
                         ignore_system_fonts=True, pdf_standards=["ua-1"])


def web_page(name: str, c: dict) -> bytes:
    """A report's content as a standalone HTML page (template `name` in templates/)."""
    return environment(TEMPLATES, c["lang"]).get_template(name).render(
        lang=c["lang"], c=c).encode("utf-8")


def workbook(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    """Sheets of rows under their column names, as an Excel workbook."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    for name, (columns, rows) in sheets.items():
        ws = book.add_worksheet(name[:31])
        ws.write_row(0, 0, columns)
        for i, row in enumerate(rows, start=1):
            ws.write_row(i, 0, row)
    book.close()
    return buf.getvalue()


def pdf(p: AreaProfile, lang: str) -> bytes:
    return typeset(TEMPLATE, content(p, lang))


def html(p: AreaProfile, lang: str) -> bytes:
    return web_page("report.html", content(p, lang))


# The workbook's columns, in the reader's language like its sheets' names
SUMMARY = [N_("Area code"), N_("Name"), N_("Profile set"), N_("Group compared within"),
           N_("Year"), N_("Index score"), N_("Rank"), N_("Areas ranked"),
           N_("Index score, 5th percentile"), N_("Index score, 95th percentile"),
           N_("Rank, 5th percentile"), N_("Rank, 95th percentile"),
           N_("Runs of the uncertainty analysis")]
GOALS = [N_("Goal"), N_("Name"), N_("Score"), N_("Status"), N_("Trend"), N_("Group mean"),
         N_("Share of weight with data"), N_("Filled from the group"), N_("Measured")]
INDICATORS = [N_("Goal"), N_("Indicator"), N_("Name"), N_("Value"), N_("Unit"), N_("Period"),
              N_("Year"), N_("Score"), N_("Status"), N_("Trend"), N_("Local target"),
              N_("Target year"), N_("Optimum"), N_("Change needed"), N_("Place in the group"),
              N_("Areas compared"), N_("Source"), N_("Import batch"),
              N_("Score published by the source"),
              N_("Group mean used")]
PEERS = [N_("Rank"), N_("Area code"), N_("Name"), N_("Index score")]


def xlsx(p: AreaProfile, lang: str) -> bytes:
    """Every number of the report with its source: the summary, the goals, each indicator
    (value, period, unit, score, status, trend, target, place, source and import batch) and
    every area compared; columns, statuses and trends in the reader's language."""
    _ = translations(lang).gettext

    def labelled(x: GoalStatus | Line) -> list[str]:  # its status and trend, in words
        return [_(status(x.colour, x.score, x.relative)), _(TREND[x.trend])]
    return workbook({
        _("summary"): ([_(c) for c in SUMMARY],
                       [[p.code, p.name, _(p.profile_name), group_title(p.group, p.group_name, _),
                         p.year, p.index, p.rank, p.ranked, *(p.index_band or (None, None)),
                         *(p.rank_band or (None, None)), p.runs]]),
        _("goals"): ([_(c) for c in GOALS],
                     [[g.goal, goal_name(g.goal, lang), g.score, *labelled(g), g.group_mean,
                       g.share, g.filled, g.measured] for g in p.goals]),
        _("indicators"): ([_(c) for c in INDICATORS],
                          [[x.goal, x.ref, x.name(lang), x.value, x.unit, x.period, x.year,
                            x.score, *labelled(x), x.target, x.target_year, x.optimum,
                            x.change, x.position, x.compared, x.source, x.batch, x.given,
                            x.imputed] for g in p.goals for x in g.lines]),
        _("compared"): ([_(c) for c in PEERS],
                        [[x.rank, x.code, x.name, x.index] for x in p.peers]),
    })
