"""The checks of a plan that need the database: the area, every goal and target named, and every
indicator named exist. With `model.parse` they decide whether a plan is stored at all; they read
the document as given, so a file with a wrong number is also told of its unknown names."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from localsdg.db.schema import Indicator, Target
from localsdg.errors import NotFound, UserError
from localsdg.planning.model import Plan, Problem, parse
from localsdg.scoring.status import find_area


def checked(session: Session, document: object, label: str = "the plan",
            where: Callable[[str], str] | None = None) -> tuple[Plan, dict]:
    """The plan and its area, or a UserError naming every problem (`label` says which file or
    form, `where` turns a place in the document into one in the file); nothing is stored
    either way."""
    plan, problems = parse(document)
    area = None
    if isinstance(document, dict):
        area, found = _area(session, document.get("area"))
        problems += found + _references(session, document)
    if problems:
        raise UserError(f"{label}: {len(problems)} problem(s); nothing was stored",
                        details=[str(p if where is None else Problem(
                            place=where(p.place), message=p.message)) for p in problems])
    return plan, area  # type: ignore[return-value]


def _area(session: Session, code: object) -> tuple[dict | None, list[Problem]]:
    if not isinstance(code, str) or not code:
        return None, []  # the model names a missing or mistyped area
    try:
        area = find_area(session, code)
    except NotFound as exc:
        return None, [Problem(place="area", message=str(exc))]
    if area["level"] not in ("municipality", "county"):
        return None, [Problem(place="area", message=f"{code} is a {area['level']}; a plan "
                                                    "belongs to a municipality or a county")]
    if area.get("valid_to"):
        return None, [Problem(place="area", message=f"{code} ({area['name']}) no longer exists "
                                                    f"(until {area['valid_to']})")]
    return area, []


def _items(document: dict, part: str) -> list[tuple[int, dict]]:
    items = document.get(part)
    return [(i, x) for i, x in enumerate(items, 1) if isinstance(x, dict)] \
        if isinstance(items, list) else []


def _references(session: Session, document: dict) -> list[Problem]:
    targets = set(session.scalars(select(Target.code)))
    goals_or_targets = targets | {str(g) for g in range(1, 18)}
    named = [(f"priorities[{i}].target", p["target"]) for i, p in _items(document, "priorities")
             if isinstance(p.get("target"), str)]
    named += [(f"measures[{i}].targets[{j}]", t) for i, m in _items(document, "measures")
              if isinstance(m.get("targets"), list)
              for j, t in enumerate(m["targets"], 1) if isinstance(t, str)]
    problems = [Problem(place=at, message=f"no SDG target '{code}' (write it as 11.2 or 11.a)")
                for at, code in named if code not in targets]
    problems += [Problem(place=f"interactions[{i}].{end}", message=f"'{x[end]}' is neither a "
                         "goal (1–17) nor an SDG target (e.g. 11.2)")
                 for i, x in _items(document, "interactions") for end in ("from", "to")
                 if isinstance(x.get(end), str | int) and str(x[end]) not in goals_or_targets]
    return problems + _indicators(session, document)


def _indicators(session: Session, document: dict) -> list[Problem]:
    named = [(f"targets[{i}].indicator", t["indicator"]) for i, t in _items(document, "targets")
             if isinstance(t.get("indicator"), str)]
    named += [(f"measures[{i}].indicators[{j}].indicator", x["indicator"])
              for i, m in _items(document, "measures")
              if isinstance(m.get("indicators"), list)
              for j, x in enumerate(m["indicators"], 1)
              if isinstance(x, dict) and isinstance(x.get("indicator"), str)]
    sets = {ref.partition("/")[0] for _, ref in named}
    known = {f"{s}/{c}" for s, c in session.execute(
        select(Indicator.set_id, Indicator.code).where(Indicator.set_id.in_(sets)))}
    return [Problem(place=at, message=f"no indicator '{ref}'; name it as SET/CODE, e.g. "
                    "un-global/13.2.2")
            for at, ref in named if ref not in known]
