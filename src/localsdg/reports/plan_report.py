"""The follow-up report of a plan for the council (at most four pages) as PDF, HTML and Excel:
priorities, local targets and how far each is, measures and their status, budget per goal,
interactions and the gaps in each measure's evaluation chain.

As with the area report, one content dictionary is built in the reader's language with every
number formatted once, and the three formats are made from it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from localsdg import taxonomy as tx
from localsdg.catalog.indicators import indicator_name
from localsdg.planning.progress import WINDOW, Overview, TargetProgress, Value
from localsdg.present import charts
from localsdg.present.formats import change, estimate, number
from localsdg.present.i18n import translations
from localsdg.present.labels import goal_name
from localsdg.reports.document import LEVELS, svg, typeset, web_page, workbook

TEMPLATE = Path(__file__).with_name("plan.typ")
# Rows each table of the PDF and HTML report shows at most, so that it keeps to four pages
# (the workbook lists all): the most important priorities, the measures in their plan order.
SHOWN = {"priorities": 15, "targets": 12, "measures": 25, "interactions": 10}


def clip(text: str | None, limit: int = 160) -> str:
    """A free text cut to fit a table cell of the report (the workbook has it whole)."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def label(o: Overview, key: str, lang: str) -> str:
    """A goal ('13') or target ('11.2') with its name or title."""
    if "." not in key:
        return f"{key} {goal_name(int(key), lang)}"
    nb, en = o.titles.get(key, (None, None))
    return f"{key} {(en if lang == 'en' else nb) or ''}".strip()


def value_text(v: Value, lang: str) -> str:
    _ = translations(lang).gettext
    if v.value is None:
        return _("no value for this area yet")
    return f"{number(v.value, lang)}" + (f" {_(v.unit)}" if v.unit else "") + \
        (f" ({v.period})" if v.period else "")


def assumption(v: Value, lang: str) -> str:
    """What a projection assumes, in words."""
    _ = translations(lang).gettext
    if v.slope is None:
        return _("No projection: fewer than two values in the last %(n)d years.") % {
            "n": WINDOW}
    return _("Projection: from the latest value (%(year)d), the yearly change of the straight "
             "line through the %(points)d values from %(first)d to %(year)d "
             "(%(slope)s a year), continued unchanged.") % {
        "year": v.year, "points": v.points, "first": v.first_year,
        "slope": change(v.slope, lang)}


def on_track_text(t: TargetProgress, lang: str) -> str:
    _ = translations(lang).gettext
    if t.on_track is None:
        return _("cannot tell")
    return _("on track") if t.on_track else _("not on track")


def target_row(o: Overview, t: TargetProgress, lang: str) -> list[str]:
    _ = translations(lang).gettext
    decided = f" ({clip(t.target.decision, 80)})" if t.target.decision else ""
    return [indicator_name(t.now, lang) + decided, value_text(t.now, lang),
            f"{number(t.target.value, lang)} ({t.target.year})",
            change(t.distance, lang), change(t.needed, lang), change(t.now.slope, lang),
            estimate(t.at_target_year, lang),
            on_track_text(t, lang), t.now.source or ""]


def summary(o: Overview, lang: str) -> list[str]:
    _ = translations(lang).gettext
    p = o.plan
    known = [t for t in o.targets if t.on_track is not None]
    out = [_("Priorities: %(priorities)d. Local targets: %(targets)d. Measures: %(measures)d.")
           % {"priorities": len(p.priorities), "targets": len(p.targets),
              "measures": len(p.measures)}]
    if p.targets:
        out.append(_("Local targets on track if the recent trend goes on: %(on)d of %(n)d (not "
                     "known yet: %(unknown)d).") % {
            "on": sum(t.on_track for t in known), "n": len(p.targets),
            "unknown": len(p.targets) - len(known)})
    if o.budget.total:
        out.append(_("Budget: NOK %(total)s, of which %(share)s %% is tied to goals and NOK "
                     "%(external)s comes from others.") % {
            "total": number(o.budget.total, lang),
            "share": number(round((o.budget.share_tagged or 0) * 100), lang),
            "external": number(o.budget.external, lang)})
    gaps = sum(bool(c.gaps) for c in o.chains)
    if gaps:
        out.append(_("Measures with steps of the evaluation chain that no indicator shows: "
                     "%(n)d of %(total)d.") % {"n": gaps, "total": len(o.chains)})
    return out


def content(o: Overview, lang: str) -> dict:
    _ = translations(lang).gettext
    p = o.plan
    steps = {c.code: c.label(lang) for c in tx.EVALUATION_STEPS.codes}
    chart = budget_chart(o, lang)
    sources = sorted({(t.now.source, t.now.batches) for t in o.targets if t.now.source} | {
        (x.now.source, x.now.batches) for c in o.chains for links in c.steps.values()
        for x in links if x.now.source})
    return {
        "lang": lang,
        "title": _("Follow-up: %(plan)s") % {"plan": p.name},
        "subtitle": f"{o.area['name']} · {_(LEVELS[o.area['level']])} {o.area['code']}"
                    + (f" · {p.start}–{p.end}" if p.start and p.end else ""),
        "example": _("A worked example, not a plan adopted by the municipality.")
        if p.example else "",
        "footer": _("localsdg follow-up report, made %(day)s.") % {
            "day": date.today().isoformat()},
        "summary": summary(o, lang),
        "priorities_heading": _("Priorities"),
        "priorities_columns": [_("Goal or target"), _("Importance"), _("Influence"),
                               _("Reason")],
        "priorities": [[clip(label(o, x.key, lang)), str(x.importance), str(x.influence),
                        clip(x.reason)] for x in sorted(
            p.priorities, key=lambda x: (-x.importance, -x.influence))][:SHOWN["priorities"]],
        "targets_heading": _("Local targets and how far each is"),
        "targets_columns": [_("Indicator"), _("Latest value"), _("Target (year)"),
                            _("Distance"), _("Change needed a year"), _("Change a year so far"),
                            _("Projection in the target year"), _("On track?"), _("Source")],
        "targets": [target_row(o, t, lang) for t in o.targets][:SHOWN["targets"]],
        "assumptions": [f"{indicator_name(t.now, lang)}: {assumption(t.now, lang)}"
                        for t in o.targets][:SHOWN["targets"]],
        "measures_heading": _("Measures"),
        "measures_columns": [_("Measure"), _("Status"), _("Kind"), _("Responsible"),
                             _("Targets"), _("Budget (NOK)"), _("Steps without indicator")],
        "measures": [[clip(f"{c.measure.id} {c.measure.title}", 100),
                      tx.MEASURE_STATUS.get(c.measure.status).label(lang),
                      tx.MEASURE_KINDS.get(c.measure.kind).label(lang),
                      clip(c.measure.responsible, 60), ", ".join(c.measure.targets),
                      number(sum(b.amount for b in c.measure.budget), lang)
                      if c.measure.budget else "",
                      ", ".join(steps[s] for s in c.gaps)] for c in o.chains][:SHOWN["measures"]],
        "budget_heading": _("Budget per goal"),
        "budget_columns": [_("Goal"), _("NOK"), _("Share")],
        "budget": [[f"{g} {goal_name(g, lang)}", number(round(v), lang),
                    f"{number(round(v / o.budget.total * 100), lang)} %"]
                   for g, v in o.budget.by_goal.items()],
        "budget_chart": svg(chart["spec"]) if chart else "",
        "budget_alt": chart["text"] if chart else "",
        "interactions_heading": _("Interactions"),
        "interactions": [f"{label(o, x.source, lang)} → {label(o, x.to, lang)}: "
                         f"{tx.INTERACTIONS.get(str(x.score)).label(lang)}"
                         + (f" ({clip(x.reason)})" if x.reason else "")
                         for x in p.interactions][:SHOWN["interactions"]],
        "conflicts": [f"{label(o, x.source, lang)} → {label(o, x.to, lang)}"
                      for x in p.interactions if x.score < 0],
        "conflicts_heading": _("Goal conflicts"),
        "method_heading": _("Method and sources"),
        "method": [_("A local target is on track when its projection reaches the target by the "
                     "target's year. Values are the area's latest totals as imported; a missing "
                     "value is shown as missing.")],
        "sources": [f"{s} ({_('import')} {b})" for s, b in sources],
        "more": {part: _("%(n)d more in the Excel workbook.") % {"n": n - SHOWN[part]}
                 for part, n in (("priorities", len(p.priorities)), ("targets", len(p.targets)),
                                 ("measures", len(p.measures)),
                                 ("interactions", len(p.interactions))) if n > SHOWN[part]},
    }


def budget_chart(o: Overview, lang: str) -> dict | None:
    """The bar chart of the budget per goal, with its text alternative."""
    _ = translations(lang).gettext
    if not o.budget.by_goal:
        return None
    rows = [{"label": f"{g} {goal_name(g, lang)}", "count": round(v), "value": str(g)}
            for g, v in o.budget.by_goal.items()]
    text = _("Budget per goal in NOK, from each budget line's amount and the shares it gives "
             "the goals; the table has the numbers.")
    return {"spec": charts.bar(rows, _("Budget per goal"), text, _("NOK"),
                               charts.goal_colours(), lang), "text": text}


def projection_chart(t: TargetProgress, lang: str) -> dict | None:
    """The chart of a local target: its values so far, the projection and the target, with
    the text alternative."""
    _ = translations(lang).gettext
    v = t.now
    if v.value is None or v.year is None:
        return None
    end = max(t.target.year, v.year)
    projected = [(v.year, v.value)] + ([(end, v.at(end))] if v.slope is not None and
                                       end > v.year else [])
    name = indicator_name(v, lang)
    text = _("%(indicator)s: values %(first)d–%(last)d, latest %(value)s; target %(target)s by "
             "%(year)d; %(projection)s") % {
        "indicator": name, "first": v.series[0][0], "last": v.year,
        "value": number(v.value, lang), "target": number(t.target.value, lang),
        "year": t.target.year, "projection": assumption(v, lang)}
    names = {"observed": _("values so far"), "projected": _("projection"),
             "target": _("local target")}
    return {"spec": charts.projection(v.series, projected, (t.target.year, t.target.value),
                                      names, "", text, _(v.unit) if v.unit else "", lang),
            "text": text}


def pdf(o: Overview, lang: str) -> bytes:
    return typeset(TEMPLATE, content(o, lang))


def html(o: Overview, lang: str) -> bytes:
    return web_page("plan.html", content(o, lang))


def xlsx(o: Overview, lang: str) -> bytes:
    """Every number of the report with its source, one sheet per part."""
    _ = translations(lang).gettext
    return workbook({
        _("targets"): (["indicator", "value", "year", "period", "unit", "target", "target_year",
                        "distance", "needed_per_year", "change_per_year", "projection_at_target",
                        "projection_2030", "on_track", "source", "import_batch"],
                       [[t.target.indicator, t.now.value, t.now.year, t.now.period, t.now.unit,
                         t.target.value, t.target.year, t.distance, t.needed, t.now.slope,
                         t.at_target_year, t.in_2030, t.on_track, t.now.source, t.now.batches]
                        for t in o.targets]),
        _("measures"): (["id", "title", "status", "kind", "responsible", "start", "end",
                         "targets", "budget_nok", "steps_without_indicator"],
                        [[c.measure.id, c.measure.title, c.measure.status, c.measure.kind,
                          c.measure.responsible, c.measure.start, c.measure.end,
                          ", ".join(c.measure.targets),
                          sum(b.amount for b in c.measure.budget), ", ".join(c.gaps)]
                         for c in o.chains]),
        _("chain"): (["measure", "step", "indicator", "value", "year", "period", "source",
                      "import_batch"],
                     [[c.measure.id, s, x.now.ref, x.now.value, x.now.year, x.now.period,
                       x.now.source, x.now.batches] for c in o.chains
                      for s, links in c.steps.items() for x in links]),
        _("budget"): (["goal", "nok"], [[g, v] for g, v in o.budget.by_goal.items()]),
        _("priorities"): (["goal_or_target", "importance", "influence", "reason"],
                          [[x.key, x.importance, x.influence, x.reason]
                           for x in o.plan.priorities]),
        _("interactions"): (["from", "to", "score", "reason"],
                            [[x.source, x.to, x.score, x.reason] for x in o.plan.interactions]),
    })
