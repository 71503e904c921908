"""Area groups to compare within: stored lists (SDSN's countries, a user's list) and groups made
on the spot from the register and the data: a county's municipalities, a size class, and the
municipalities most similar to one on structural indicators.

A group is named by a string, so the CLI, the API and the pages take the same names:
`sdr-2021` (a stored group), `county:40` (Telemark's municipalities today), `size:small`
(`small` < 5,000 inhabitants, `medium` < 20,000, `large` the rest, as KOSTRA's size bands),
`all:municipality`, `similar:3806` (the ten most like Porsgrunn in population, density, growth
and age), or a list of codes
`0301,4601,5001`. A stored group read from a file with a subgroup column (SSB's KOSTRA groups,
labour-market regions, any classification of areas) is named whole (`kostra`) or by one of its
subgroups (`kostra/13`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from localsdg.areas.lookup import AreaIndex
from localsdg.areas.store import list_areas
from localsdg.config import POPULATION
from localsdg.db.schema import AreaGroup, AreaGroupMember
from localsdg.db.state import bump_scoring_state, remember
from localsdg.errors import NotFound, UserError
from localsdg.messages import Message
from localsdg.observations.borders import current_year
from localsdg.observations.series import latest_values
from localsdg.textfiles import read_table

# Structural figures similar municipalities are chosen by, beside population and density (from
# the area), loaded by `localsdg sync national`.
AREA = "lokal/areal"
STRUCTURE = {"growth": "lokal/befolkningsvekst-5", "aged": "lokal/andel-67-pluss"}
LOG_SCALE = ("population", "density")
SIZE_CLASSES = {"small": (0, 5_000), "medium": (5_000, 20_000), "large": (20_000, None)}
SIMILAR_COUNT = 10


@dataclass(frozen=True)
class Member:
    level: str
    code: str
    name: str
    subgroup: str = ""
    # the figures it was chosen by (similar:), by criterion; not part of its identity
    structure: dict[str, float] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    method: str  # how the members were chosen, in words
    members: tuple[Member, ...]


def save_group(session: Session, group_id: str, name: str, method: str,
               members: list[tuple[str, str, str | None]]) -> AreaGroup:
    """Create or replace a stored group with exactly these (level, code, subgroup) members."""
    g = session.get(AreaGroup, group_id)
    if g is None:
        g = AreaGroup(id=group_id, name=name, method=method)
        session.add(g)
    else:
        g.name, g.method = name, method
        g.members.clear()
        session.flush()
    g.members.extend(AreaGroupMember(area_level=lv, area_code=c, subgroup=s)
                     for lv, c, s in members)
    session.flush()
    bump_scoring_state(session)
    return g


def import_group(session: Session, path: Path, group_id: str, name: str, code_column: str,
                 subgroup_column: str | None = None, level: str = "municipality") -> dict:
    """Store the group a CSV or XLSX file lists, one area a line (its code however written:
    301, 0301, K-0301), with the subgroup each belongs to when a column gives it. Every line
    is checked first; any bad line stores nothing."""
    if not group_id or any(c in group_id for c in ":,/") or group_id.isdigit():
        raise UserError(f"group id '{group_id}': use letters, digits and '-' (':', ',' and '/' "
                        "name groups made on the spot and subgroups)")
    line_no, header, lines = read_table(path, [code_column, *filter(None, [subgroup_column])])
    areas, members, problems, seen = AreaIndex(session), [], [], {}
    for n, line in enumerate(lines, start=line_no + 1):
        row = dict(zip(header, (c.strip() for c in line), strict=False))
        raw = row.get(code_column, "")
        if not any(row.values()):
            continue
        where = f"{path.name}, line {n}, column {code_column}"
        ref = areas.code(raw, level)
        if isinstance(ref, str):
            problems.append(f"{where}: {ref}")
        elif ref.code in seen:
            problems.append(f"{where}: {ref.code} is listed already on line {seen[ref.code]}")
        else:
            seen[ref.code] = n
            members.append((ref.level, ref.code, row.get(subgroup_column or "") or None))
    if problems:
        raise UserError(f"{path.name}: {len(problems)} line(s) name no area; nothing was stored",
                        details=problems)
    if not members:
        raise UserError(f"{path.name}: no area codes under the column {code_column}")
    method = (f"the areas listed in {path.name} (column {code_column}"
              + (f", subgroups from column {subgroup_column})" if subgroup_column else ")"))
    save_group(session, group_id, name, method, members)
    return {"group": group_id, "members": len(members),
            "subgroups": len({s for *_, s in members if s})}


def list_groups(session: Session) -> list[dict]:
    q = select(AreaGroup).order_by(AreaGroup.id).options(selectinload(AreaGroup.members))
    return [{"id": g.id, "name": g.name, "method": g.method, "members": len(g.members)}
            for g in session.scalars(q)]


def resolve(session: Session, name: str, *, year: int | None = None) -> Group:
    """The group a name stands for (see the module's docstring for the forms), kept while the
    data it is made from is unchanged."""
    return remember(session, ("group", name, year), lambda: _resolve(session, name, year), "lookup")


def _resolve(session: Session, name: str, year: int | None) -> Group:
    kind, _, arg = name.partition(":")
    names = _names(session)
    if kind == "county" and arg:
        return _from_register(session, name, names, lambda a: a["parent"] == arg.zfill(2),
                              f"the municipalities of county {arg} today")
    if kind == "all" and arg:
        plural = {"municipality": "municipalities", "county": "counties"}.get(arg, f"{arg}s")
        return _from_register(session, name, names, lambda a: True, f"all {plural} today",
                              level=arg)
    if kind == "size" and arg:
        return _size_class(session, name, arg, names, year)
    if kind == "similar" and arg:
        return similar(session, arg, year=year)
    stored_id, _, subgroup = name.partition("/")
    stored = session.scalar(select(AreaGroup).where(AreaGroup.id == stored_id)
                            .options(selectinload(AreaGroup.members)))
    if stored is not None:
        members = tuple(Member(m.area_level, m.area_code, names.get((m.area_level, m.area_code),
                                                                    m.area_code), m.subgroup or "")
                        for m in stored.members if not subgroup or m.subgroup == subgroup)
        if not members:
            known = sorted({m.subgroup for m in stored.members if m.subgroup})
            raise NotFound(f"group '{stored_id}' has no subgroup '{subgroup}'; subgroups: "
                           f"{', '.join(known) or 'none'}")
        if subgroup:
            return Group(name, f"{stored.name}: {subgroup}",
                         f"{stored.method}; subgroup {subgroup}", members)
        return Group(stored.id, stored.name, stored.method, members)
    if "," in name or name.isdigit():
        return _listed(name, names)
    county = AreaIndex(session).by_name(name, level="county", year=current_year())
    if not isinstance(county, str):  # a county of today by name: its municipalities
        return _resolve(session, f"county:{county.code}", year)
    raise NotFound(Message("no area group '%(name)s'; use a county's name, a stored group "
                           "(%(stored)s), county:NN, size:small|medium|large, "
                           "all:municipality, similar:CODE, or codes separated by commas",
                           name=name, stored=_stored_ids(session)))


def _stored_ids(session: Session) -> str:
    return ", ".join(session.scalars(select(AreaGroup.id).order_by(AreaGroup.id))) or "none yet"


def _names(session: Session) -> dict[tuple[str, str], str]:
    return remember(session, ("area names",), lambda: {
        (a["level"], a["code"]): a["name"] for a in list_areas(session)}, "lookup")


def _current(session: Session, level: str = "municipality") -> list[dict]:
    return [a for a in list_areas(session, level) if a["valid_to"] is None]


def _from_register(session: Session, name: str, names: dict, keep, method: str,
                   level: str = "municipality") -> Group:
    members = tuple(Member(a["level"], a["code"], a["name"], a["parent"] or "")
                    for a in _current(session, level) if keep(a) and not a["code"].endswith("99"))
    if not members:
        raise UserError(f"area group '{name}' has no members; is 'localsdg sync areas' done "
                        "and the code right?")
    return Group(name, method, method, members)


def _listed(name: str, names: dict) -> Group:
    members = []
    for code in (c.strip() for c in name.split(",") if c.strip()):
        level = "municipality" if len(code) == 4 else "county" if len(code) == 2 else "country"
        if (level, code) not in names:
            raise NotFound(f"area '{code}' in the list '{name}' is not known; "
                           "'localsdg areas list' shows the codes")
        members.append(Member(level, code, names[(level, code)]))
    return Group(name, "chosen areas", "a list of areas chosen by the user", tuple(members))


def _population(session: Session, year: int | None) -> dict[str, float]:
    """Latest population per current municipality code, up to `year`."""
    return latest_values(session, POPULATION, year)


def _size_class(session: Session, name: str, size: str, names: dict, year: int | None) -> Group:
    if size not in SIZE_CLASSES:
        raise UserError(f"size class '{size}' is unknown; use {', '.join(SIZE_CLASSES)}")
    low, high = SIZE_CLASSES[size]
    pop = _population(session, year)
    if not pop:
        raise UserError("size classes need population figures (lokal/folkemengde); "
                        "'localsdg demo load' imports them")
    keep = {c for c, p in pop.items() if p >= low and (high is None or p < high)}
    bands = f"{low:,}–{high:,}" if high else f"{low:,} or more"
    return _from_register(session, name, names, lambda a: a["code"] in keep,
                          f"municipalities with {bands} inhabitants (latest population)")


def similar(session: Session, code: str, *, year: int | None = None,
            count: int = SIMILAR_COUNT) -> Group:
    """The `count` municipalities nearest to `code` on their structure: population and density
    (on a logarithmic scale), growth over five years and the share aged 67 or older (latest
    values; a criterion without figures is left out), each standardised to mean 0 and spread 1
    over all municipalities; the distance is Euclidean. The area itself is the first member,
    and every member carries its figures."""
    criteria = structure(session, year)
    codes = sorted(set.intersection(*(set(v) for v in criteria.values())))
    if code not in codes:
        raise UserError(f"municipality {code} lacks figures for {', '.join(criteria)}; similar "
                        "municipalities need all of them")
    x = np.array([[np.log(v[c]) if key in LOG_SCALE else v[c] for key, v in criteria.items()]
                  for c in codes])
    z = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    dist = np.sqrt(((z - z[codes.index(code)]) ** 2).sum(axis=1))
    nearest = [codes[i] for i in np.argsort(dist, kind="stable")[:count + 1]]
    names = _names(session)
    method = (f"the {count} municipalities nearest to {code} on {', '.join(criteria)} (latest "
              "values, population and density on a log scale, standardised; Euclidean distance)")
    return Group(f"similar:{code}", f"like {names.get(('municipality', code), code)}", method,
                 tuple(Member("municipality", c, names.get(("municipality", c), c),
                              structure={k: v[c] for k, v in criteria.items()})
                       for c in nearest))


def structure(session: Session, year: int | None = None) -> dict[str, dict[str, float]]:
    """Criterion → municipality code → latest figure: population, density (population per
    km² of area), growth over five years and share aged 67 or older, those with figures."""
    population = latest_values(session, POPULATION, year)
    area = latest_values(session, AREA, year)
    found = {"population": population,
             "density": {c: p / area[c] for c, p in population.items() if area.get(c)},
             **{key: latest_values(session, ref, year) for key, ref in STRUCTURE.items()}}
    return {k: v for k, v in found.items() if v}
