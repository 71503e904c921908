"""Results as rows, and every number explained step by step back to its observations.

`table` gives one row per area (index, rank, 17 goal scores with colour and trend);
`explain` gives, for one area, the steps behind its index, one goal or one indicator: the
value with its year, source and import batch, the bounds and why, the formula, the colour
rule, the trend, and the aggregation with the rule for missing data.
"""

from __future__ import annotations

import io
from dataclasses import asdict

import numpy as np
import xlsxwriter

from localsdg.errors import NotFound, UserError
from localsdg.scoring.engine import GOALS, colour_name
from localsdg.scoring.run import Run
from localsdg.scoring.trends import END, PROJECTION
from localsdg.scoring.uncertainty import Uncertainty


def _num(x: float) -> float | None:
    return None if x is None or np.isnan(x) else float(x)


def table(r: Run, u: Uncertainty | None = None) -> list[dict]:
    """One row per area, best first; with `u`, the 5–95 % bands of index and rank."""
    rows = []
    for a, m in enumerate(r.group.members):
        row = {"code": m.code, "name": m.name, "group": m.subgroup or None,
               "index": _num(r.scores.index[a]), "rank": _num(r.scores.rank[a]),
               "missing_share": _num(r.scores.missing_share[a])}
        if u is not None:
            for what, band in (("index", u.index[a]), ("rank", u.rank[a])):
                row.update({f"{what}_p5": _num(band[0]), f"{what}_median": _num(band[1]),
                            f"{what}_p95": _num(band[2])})
        for g in range(1, GOALS + 1):
            row[f"goal_{g}"] = _num(r.scores.goal[a, g - 1])
            row[f"goal_{g}_filled"] = bool(r.scores.goal_filled[a, g - 1])
            row[f"goal_{g}_colour"] = colour_name(r.scores.goal_colour[a, g - 1])
            row[f"goal_{g}_trend"] = r.trend.name(r.trend.goal[a, g - 1])
        rows.append(row)
    rows.sort(key=lambda x: (x["rank"] is None, x["rank"] or 0, x["code"]))
    return rows


def summary(r: Run) -> dict:
    return {"profile_set": r.profile_set, "group": r.group.id, "group_method": r.group.method,
            "year": r.year, "method": asdict(r.method),
            "trend_method": r.trend.method, "areas": len(r.group.members),
            "indicators": len(r.indicators)}


def xlsx(r: Run, u: Uncertainty | None = None) -> bytes:
    """The score table and, per area and indicator, the value, its source and the score."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                     "nan_inf_to_errors": True})
    rows = table(r, u)
    _sheet(book, "scores", list(rows[0]) if rows else [], rows)
    _sheet(book, "indicators", INDICATOR_COLUMNS, indicator_rows(r))
    _sheet(book, "method", ["setting", "value"],
           [{"setting": k, "value": str(v)} for k, v in summary(r).items()])
    book.close()
    return buf.getvalue()


def _sheet(book, name: str, columns: list[str], rows: list[dict]) -> None:
    ws = book.add_worksheet(name)
    ws.write_row(0, 0, columns)
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, [row.get(c) for c in columns])


INDICATOR_COLUMNS = ["area", "indicator", "goal", "value", "year", "score", "colour", "trend",
                     "given", "imputed", "source", "batch"]


def indicator_rows(r: Run) -> list[dict]:
    out = []
    for a, m in enumerate(r.group.members):
        for col, ind in enumerate(r.indicators):
            cell = r.cells.get((a, col))
            s = _num(r.scores.indicator[a, col])
            if cell is None and s is None:
                continue
            out.append({"area": m.code, "indicator": f"{ind.set_id}/{ind.code}",
                        "goal": int(r.profiles.goal[col]),
                        "value": cell.value if cell else None, "year": cell.year if cell else None,
                        "score": s, "colour": colour_name(r.scores.indicator_colour[a, col]),
                        "trend": r.trend.name(r.trend.arrow[a, col]),
                        "given": bool(r.scores.given[a, col]),
                        "imputed": bool(r.scores.imputed[a, col]),
                        "source": cell.source if cell else None,
                        "batch": cell.batch if cell else None})
    return out


# ---------------------------------------------------------------- explanations


def explain(r: Run, area: str, goal: int | None = None, indicator: str | None = None) -> dict:
    codes = [m.code for m in r.group.members]
    if area not in codes:
        raise NotFound(f"area {area} is not in the group {r.group.id}; it has "
                       f"{', '.join(codes[:10])}{' …' if len(codes) > 10 else ''}")
    a = codes.index(area)
    head = {"area": area, "name": r.group.members[a].name, **summary(r)}
    if indicator is not None:
        return {**head, "indicator": explain_indicator(r, a, _column(r, indicator))}
    if goal is not None:
        if not 1 <= goal <= GOALS:
            raise UserError(f"--goal {goal}: goals are 1–17")
        return {**head, "goal": explain_goal(r, a, goal)}
    return {**head, "index": explain_index(r, a)}


def _column(r: Run, ref: str) -> int:
    for col, ind in enumerate(r.indicators):
        if ref in (f"{ind.set_id}/{ind.code}", ind.code, str(ind.id)):
            return col
    raise NotFound(f"indicator '{ref}' is not in profile set {r.profile_set}")


def explain_indicator(r: Run, a: int, col: int) -> dict:
    ind, p, s = r.indicators[col], r.profiles, r.scores
    cell = r.cells.get((a, col))
    lower, upper = _at(p.lower, a, col), _at(p.upper, a, col)
    score = _num(s.indicator[a, col])
    steps = []
    if cell is None:
        steps.append("no value up to the year scored" + (
            f"; the score is the mean of the area's group ({r.group.members[a].subgroup})"
            if s.imputed[a, col] else ": information unavailable"))
    elif cell.given:
        steps.append(f"the source published the score {cell.value:g} for {cell.period} without "
                     "the value behind it; it is used as given")
    else:
        steps.append(f"value {cell.value:g} for {cell.period} (import batch {cell.batch}, "
                     f"{cell.source})")
        steps.append(f"bounds: {r.rules[col]}")
        rounding = f", rounded to {r.method.decimals} decimals" if r.method.decimals is not None \
            else ""
        steps.append(f"score = ({cell.value:g} − {lower:g}) / ({upper:g} − {lower:g}) × 100, "
                     f"kept within 0–100{rounding} = {score:g}")
    colour = colour_name(s.indicator_colour[a, col])
    if colour:
        split = p.red[col] + p.split()[col] * (p.green[col] - p.red[col])
        steps.append(f"colour {colour}: green from {p.green[col]:g}, yellow from {split:g}, "
                     f"orange before it, red beyond {p.red[col]:g}")
    steps.append(_trend_step(r, a, col))
    return {"indicator": f"{ind.set_id}/{ind.code}", "name": ind.name_nb or ind.name_en,
            "goal": int(p.goal[col]), "value": cell.value if cell else None,
            "year": cell.year if cell else None, "source": cell.source if cell else None,
            "batch": cell.batch if cell else None, "lower": lower, "upper": upper,
            "score": score, "colour": colour, "trend": r.trend.name(r.trend.arrow[a, col]),
            "weight": float(p.weight[col]), "in_index": bool(p.in_index[col]), "steps": steps}


def _at(bounds: np.ndarray, a: int, col: int) -> float:
    """A bound: shared per indicator, or per area where an area has its own target."""
    return float(bounds[col] if bounds.ndim == 1 else bounds[a, col])


def _trend_step(r: Run, a: int, col: int) -> str:
    t = r.trend
    arrow = t.name(t.arrow[a, col])
    if arrow is None:
        return "trend unavailable: fewer than two years of data in the trend window"
    if t.start_year[a, col] == 0:
        return f"trend {arrow}: the value scored is green already (maintaining achievement)"
    rate = "growth rate" if t.method == "cagr" else "change in score points"
    needed = "" if np.isnan(t.needed[a, col]) else f" against {t.needed[a, col]:.3g} needed"
    return (f"trend {arrow}: from {t.start[a, col]:g} in {t.start_year[a, col]} to "
            f"{t.end[a, col]:g} in {t.end_year[a, col]}, a yearly {rate} of "
            f"{t.observed[a, col]:.3g}{needed} to reach it by {END}; projected "
            f"{t.projection[a, col]:.4g} in {END} ({PROJECTION})")


def explain_goal(r: Run, a: int, g: int) -> dict:
    p, s = r.profiles, r.scores
    cols = [c for c in range(len(r.indicators)) if p.goal[c] == g]
    parts = [explain_indicator(r, a, c) for c in cols]
    used = [x for x in parts if x["in_index"] and x["score"] is not None]
    share = float(s.goal_share[a, g - 1])
    steps = [f"{len(used)} of {sum(x['in_index'] for x in parts)} index indicators have a score "
             f"(share of weight with data {share:.0%}; the minimum is "
             f"{r.method.min_share:.0%})"]
    goal = _num(s.goal[a, g - 1])
    if goal is not None:
        kind = "weighted geometric" if r.method.aggregation == "geometric" else "weighted"
        terms = " + ".join(f"{x['weight']:g}×{x['score']:g}" for x in used)
        steps.append(f"goal score = {kind} mean of ({terms}) = {goal:g}")
    elif s.goal_filled[a, g - 1]:
        steps.append("too little data: the goal takes the mean goal score of the area's group "
                     f"({r.group.members[a].subgroup})")
    else:
        steps.append("too little data: no goal score (information unavailable)")
    colour = colour_name(s.goal_colour[a, g - 1])
    steps.append(f"colour {colour or 'unavailable'}: from the two worst-rated indicators; "
                 "green only if both are green")
    goal_trend = r.trend.name(r.trend.goal[a, g - 1])
    steps.append(f"trend {goal_trend or 'unavailable'}: the mean of the indicators' arrows")
    return {"goal": g, "score": goal, "filled_from_group": bool(s.goal_filled[a, g - 1]),
            "colour": colour, "trend": goal_trend, "steps": steps,
            "indicators": parts}


def explain_index(r: Run, a: int) -> dict:
    s = r.scores
    goals = [{"goal": g, "score": _num(s.goal[a, g - 1]) if not s.goal_filled[a, g - 1] else None,
              "used": _used_goal(r, a, g), "filled_from_group": bool(s.goal_filled[a, g - 1])}
             for g in range(1, GOALS + 1)]
    index = _num(s.index[a])
    steps = [f"{sum(x['used'] is not None for x in goals)} goals count; "
             + ("missing goals take their group's mean" if r.method.missing_goal == "group"
                else "missing goals are left out")]
    if index is None:
        steps.append(f"no index: {s.missing_share[a]:.0%} of the indicators lack data "
                     f"(limit {r.method.max_missing:.0%})" if r.method.max_missing is not None
                     else "no index: no goal has a score")
    else:
        steps.append(f"index = mean of the goal scores = {index:g}")
        rank = int(s.rank[a])
        steps.append(f"rank {rank} of {int(np.sum(~np.isnan(s.index)))} in {r.group.id} "
                     "(higher index first; equal scores share a rank)")
    return {"score": index, "rank": _num(s.rank[a]), "missing_share": _num(s.missing_share[a]),
            "goals": goals, "steps": steps}


def _used_goal(r: Run, a: int, g: int) -> float | None:
    s = r.scores
    if s.goal_filled[a, g - 1]:
        return _num(s.group_goal[r.group.members[a].subgroup][g - 1])
    return _num(s.goal[a, g - 1])
