"""Areas side by side under one profile set: which set and areas a comparison shows, the values
of two indicators for a scatter, and the scores of the group's municipalities for a map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from localsdg.errors import NotFound, UserError
from localsdg.scoring.profiles import list_sets
from localsdg.scoring.run import Run

MAX_COMPARED = 10
MUNICIPAL = ("county:", "all:municipality", "size:", "similar:")  # groups of municipalities


def default_profile_set(session: Session, asked: str | None) -> tuple[str, list[dict]]:
    """The profile set asked for, else the first that compares municipalities; and all sets."""
    sets = list_sets(session)
    if not sets:
        raise NotFound("no profile set has been loaded; run localsdg demo load")
    return asked or next((s["id"] for s in sets if (s["method"].get("group") or "")
                          .startswith(MUNICIPAL)), sets[0]["id"]), sets


def municipal_sets(session: Session, code: str, level: str) -> list[dict]:
    """Profile sets that compare municipalities: a county's own (its group is county:CODE) and
    the default profile within the county, or all of them beside the national page."""
    if level == "municipality" or (level == "country" and code != "NOR"):
        return []
    found = []
    for s in list_sets(session):
        group = s["method"].get("group") or ""
        if level == "county" and s["method"].get("default") and group == "all:municipality":
            found.append({**s, "group": f"county:{code}"})  # the national profile, in the county
        elif group == f"county:{code}" if level == "county" else group.startswith(MUNICIPAL):
            found.append({**s, "group": group})
    return found


def chosen_areas(asked: list[str] | None, r: Run) -> list[str]:
    """The areas asked for (two to MAX_COMPARED of the group), else the best ranked."""
    codes, rank = [m.code for m in r.group.members], r.scores.rank
    if not asked:
        order = sorted(range(len(codes)), key=lambda i: (np.isnan(rank[i]), rank[i]))
        return [codes[i] for i in order[:MAX_COMPARED]]
    unknown = [c for c in asked if c not in codes]
    if unknown:
        raise UserError(f"omrade: {', '.join(unknown)} not in the group; choose from "
                        f"{', '.join(codes[:12])}{' …' if len(codes) > 12 else ''}")
    asked = list(dict.fromkeys(asked))
    if not 2 <= len(asked) <= MAX_COMPARED:
        raise UserError(f"omrade: choose two to {MAX_COMPARED} different areas, not "
                        f"{len(asked)}")
    return asked


def axes(r: Run, x: str | None, y: str | None) -> tuple[str, str]:
    """The two indicators of a scatter: those asked for, else the profile set's first two."""
    for name, value in (("x", x), ("y", y)):
        if value is not None and value not in r.refs:
            raise UserError(f"{name} '{value}' is not an indicator of profile set "
                            f"{r.profile_set}; use one of {', '.join(r.refs)}")
    return x or r.refs[0], y or r.refs[min(1, len(r.refs) - 1)]


def scatter_rows(r: Run, chosen: list[str], x: str, y: str) -> list[dict]:
    """The group's areas that have both values, the chosen ones marked."""
    cx, cy = r.refs.index(x), r.refs.index(y)
    return [{"name": m.name, "code": m.code, "x": float(r.values[a, cx]),
             "y": float(r.values[a, cy]), "chosen": m.code in chosen}
            for a, m in enumerate(r.group.members)
            if not np.isnan(r.values[a, cx]) and not np.isnan(r.values[a, cy])]


@dataclass
class MapScores:
    kind: str  # index, goal or indicator
    item: int | str | None  # the goal's number or the indicator's SET/CODE
    rows: list[dict]  # every municipality of the group with its score (None: missing)


def map_scores(r: Run, kart: str | None) -> MapScores | None:
    """A goal score (`goal:N`), the index (`index`, the default) or an indicator's score for
    each of the group's municipalities; None when the group has none, or none has a score."""
    municipal = [a for a, m in enumerate(r.group.members) if m.level == "municipality"]
    if not municipal:
        return None
    kart = kart or "index"
    if kart == "index":
        column, kind, item = r.scores.index, "index", None
    elif kart.startswith("goal:") and kart[5:].isdigit() and 1 <= int(kart[5:]) <= 17:
        g = int(kart[5:])
        column, kind, item = r.scores.goal[:, g - 1], "goal", g
    elif kart in r.refs:
        column, kind, item = r.scores.indicator[:, r.refs.index(kart)], "indicator", kart
    else:
        raise UserError(f"kart '{kart}': use index, goal:1 … goal:17 or an indicator of the "
                        "profile set")
    rows = [{"area_code": r.group.members[a].code, "area_name": r.group.members[a].name,
             "value": None if np.isnan(column[a]) else round(float(column[a]), 1)}
            for a in municipal]
    if all(row["value"] is None for row in rows):
        return None  # an all-grey map says nothing (e.g. no area has an index)
    return MapScores(kind, item, rows)
