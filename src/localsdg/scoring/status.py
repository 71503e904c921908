"""An area's status, the one use case behind the area page, its report, `GET /api/v1/areas/
{code}/status` and `localsdg status CODE`: the area's profile under its default profile set (or
one asked for), and the same as plain data for the API and the command line."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from localsdg.areas.store import list_areas
from localsdg.config import POPULATION
from localsdg.errors import NotFound, UserError
from localsdg.observations.series import latest_values
from localsdg.scoring.area_profile import AreaProfile, Line, build, profile_sets_for
from localsdg.scoring.groups import SIZE_CLASSES, resolve
from localsdg.scoring.profiles import get_set

LEVELS = ("municipality", "county", "country")


@dataclass
class Status:
    area: dict  # the area's newest version
    profile: AreaProfile | None  # None when no profile set compares the area
    groups: list[str]  # comparison groups offered under the default profile, most like first
    refused: str | None = None  # a group asked for that is not offered (the first is used)


def area_status(session: Session, code: str, profile_set: str | None = None,
                group: str | None = None, *, level: str | None = None,
                runs: int | None = None) -> Status:
    """The area's status under the profile set asked for, else its default. Under the default
    profile a municipality is compared within a group it is offered, the most similar by
    default; a group not offered is refused and the first used. NotFound when there is no
    such area (of that level)."""
    area = find_area(session, code, level)
    sets = profile_sets_for(session, area["code"])
    chosen = profile_set or (sets[0] if sets else None)
    default = chosen is not None and bool(get_set(session, chosen).method.get("default"))
    groups = group_choices(session, area) if default else []
    refused = group if groups and group and group not in groups and not profile_set else None
    if groups and (group is None or refused):
        group = groups[0]
    kw = {} if runs is None else {"runs": runs}
    return Status(area, build(session, area["code"], chosen, group, **kw), groups, refused)


def find_area(session: Session, code: str, level: str | None = None) -> dict:
    """The area's newest version; NotFound when there is no such area (of that level)."""
    code = code.upper() if code.isalpha() else code
    versions = [v for lv in ([level] if level else LEVELS)
                for v in list_areas(session, lv, code=code)]
    if not versions:
        raise NotFound(f"there is no {level or 'area'} with code {code}; 'localsdg areas "
                       "list' shows the codes")
    return versions[-1]


def group_choices(session: Session, area: dict) -> list[str]:
    """The comparison groups offered to a municipality of today: the most similar in size and
    its size class (where its population is known), its county, and all municipalities."""
    if area["level"] != "municipality" or area.get("valid_to"):
        return []
    population = latest_values(session, POPULATION).get(area["code"])
    size = None if population is None else next(
        k for k, (low, high) in SIZE_CLASSES.items()
        if population >= low and (high is None or population < high))
    return [*([f"similar:{area['code']}"] if size and _has_peers(session, area) else []),
            *([f"county:{area['parent']}"] if area.get("parent") else []),
            *([f"size:{size}"] if size else []), "all:municipality"]


def _has_peers(session: Session, area: dict) -> bool:
    """Whether the municipality has every figure similar municipalities are chosen by (a new
    one, such as Haram since 2024, has no growth over five years yet)."""
    try:
        resolve(session, f"similar:{area['code']}")
    except UserError:
        return False
    return True


def as_data(status: Status) -> dict:
    """The status as plain data: what the area page shows, number for number."""
    area, p = status.area, status.profile
    out = {"area": {k: area[k] for k in ("level", "code", "name")}, "why": None}
    if p is None:
        return {**out, "profile": None, "why": "no profile set compares this area"}
    c = p.coverage
    return {
        **out,
        "profile": {"id": p.profile_set, "name": p.profile_name, "default": p.default,
                    "year": p.year, "window_years": c.window,
                    "group": {"id": p.group, "name": p.group_name, "method": p.group_method}},
        "coverage": {"indicators": c.indicators, "of": c.total, "older_only": c.older,
                     "goals": c.goals, "goals_measured": c.measured, "min_goals": c.min_goals,
                     "max_missing": c.max_missing, "no_index": c.no_index},
        "index": p.index, "rank": p.rank, "ranked": p.ranked,
        "index_band": list(p.index_band) if p.index_band else None,
        "rank_band": list(p.rank_band) if p.rank_band else None,
        "peers": [{"code": x.code, "name": x.name, "index": x.index, "rank": x.rank,
                   "goals": x.goals, "structure": x.structure} for x in p.self_first],
        "goals": [{"goal": g.goal, "score": g.score, "colour": g.colour, "trend": g.trend,
                   "measured": g.measured, "group_mean": g.group_mean,
                   "indicators": [_line(x) for x in g.lines]} for g in p.goals],
    }


def _line(x: Line) -> dict:
    return {"ref": x.ref, "name_nb": x.name_nb, "name_en": x.name_en, "value": x.value,
            "unit": x.unit, "period": x.period, "year": x.year, "older": x.older,
            "score": x.score, "colour": x.colour, "trend": x.trend,
            "counted": x.score is not None and not x.older,
            "target": x.target, "optimum": x.optimum, "change": x.change,
            "position": x.position, "compared": x.compared,
            "source": {"agency": x.source, "dataset": x.dataset, "link": x.link,
                       "batch": x.batch, "derived": x.derived},
            "basis": x.basis}
