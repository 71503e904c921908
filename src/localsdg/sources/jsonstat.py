"""JSON-stat 2.0 datasets, as SSB's statistics bank returns them (PxWeb API v0 and v2).

pyjstat unrolls the cube; this module decides what each dimension means: the geo dimension is
the area, the time dimension the period, the metric dimension says which indicator and unit,
and every other dimension becomes a breakdown. Values SSB leaves out (status ".." not available,
":" confidential, "." not applicable) are kept as missing values with the flag "missing".
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyjstat import pyjstat
from sqlalchemy.orm import Session

from localsdg.areas.lookup import AreaIndex
from localsdg.db.schema import Indicator
from localsdg.errors import UserError
from localsdg.messages import Message, placed
from localsdg.observations.periods import parse_period
from localsdg.observations.store import ImportResult, Obs, Problem, commit, dims_key

GEO_IDS = ("Region", "KOKkommuneregion0000", "region", "geo")
# SSB's statistics bank writes municipalities K-NNNN and counties F-NN; what else follows K- or
# F- is one of its groups (K-Rest, K-21-22 Svalbard, K-23 the continental shelf), not an area.
# A K-NNNN that is no area stays an error: it may be a real municipality on unknown borders.
MAX_SHAPE_PROBLEMS = 20
STATBANK_GROUP = re.compile(r"^(?:K-(?!\d{4}$)|F-(?!\d{2}$))")
TIME_IDS = ("Tid", "time", "year", "år")
METRIC_IDS = ("ContentsCode",)


@dataclass(frozen=True)
class Roles:
    geo: str
    time: str
    metric: str | None
    other: list[str]


def read_dataset(raw: bytes, name: str) -> dict:
    """The dataset, once its shape is known to be JSON-stat 2.0's (every later step relies on
    it): `id` and `size` alike, a category index per dimension of that size, `role` an object of
    lists, and as many values as the sizes make, each a finite number or null. Every
    dimension's category index is then a list of its codes in their order, however the file
    gave it (a list, an object of positions, or only the label of a single category)."""
    try:
        data = json.loads(raw, parse_constant=_no_constant)
    except RecursionError as exc:
        raise UserError(placed(name, Message("nested too deeply to be a JSON-stat dataset"))
                        ) from exc
    except ValueError as exc:
        raise UserError(placed(name, Message("not JSON (%(why)s)", why=str(exc)))) from exc
    if not isinstance(data, dict) or data.get("class") != "dataset" or "dimension" not in data:
        raise UserError(placed(name, Message(
            "not a JSON-stat 2.0 dataset (no class 'dataset' with dimensions); ask SSB's API "
            "for format json-stat2")))
    if problems := list(_shape_problems(data)):
        raise UserError(placed(name, Message(
            "not a valid JSON-stat 2.0 dataset; nothing was imported")),
                        details=problems[:MAX_SHAPE_PROBLEMS])
    for i in data["id"]:
        category = data["dimension"][i]["category"]
        category["index"] = _codes(category.get("index"), category.get("label"))
    return data


def categories(data: dict, dim: str) -> list[str]:
    """The codes of a dimension of a dataset read_dataset gave, in their order; none for a
    dimension the dataset does not have."""
    return data["dimension"][dim]["category"]["index"] if dim in data["id"] else []


def _no_constant(word: str) -> None:
    raise ValueError(f"{word} is not a number JSON allows")


def _shape_problems(data: dict) -> Iterator[str]:
    ids, size, dims = data.get("id"), data.get("size"), data.get("dimension")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        yield "id: a list of dimension names is needed"
        return
    yield from (f"{key}: a text is needed" for key in ("label", "source", "updated")
                if data.get(key) is not None and not isinstance(data[key], str))
    if not isinstance(size, list) or len(size) != len(ids) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in size):
        yield (f"size: {len(ids)} whole numbers above 0 are needed, one per dimension in id "
               "(a dimension without categories holds no data)")
        return
    if not isinstance(dims, dict):
        yield "dimension: an object is needed"
        return
    for i, n in zip(ids, size, strict=True):
        dim = dims.get(i)
        yield from _category_problems(i, n, dim.get("category") if isinstance(dim, dict)
                                      else None)
    role = data.get("role", {})
    if not isinstance(role, dict) or not all(isinstance(v, list) for v in role.values()):
        yield "role: an object of lists of dimension names is needed"
    yield from _value_problems(data.get("value"), math.prod(size))


def _category_problems(dim: str, n: int, category: object) -> Iterator[str]:
    """A dimension's categories: an index (a list of different codes, or an object giving each
    code its position, 0 to n-1 once each), which a dimension of one category may leave out
    for its label; labels an object of texts, a metric's units an object of objects."""
    where = f"dimension {dim}: category"
    if not isinstance(category, dict):
        yield f"{where} needs to be an object with an index of {n} codes (its size)"
        return
    index, label, unit = category.get("index"), category.get("label"), category.get("unit")
    if label is not None and not (isinstance(label, dict) and all(
            isinstance(v, str) for v in label.values())):
        yield f"{where}.label needs to be an object giving each code its text"
    if unit is not None and not (isinstance(unit, dict) and all(
            isinstance(u, dict) and all(isinstance(u.get(k), str | None) for k in ("base", "label"))
            for u in unit.values())):
        yield f"{where}.unit needs to be an object giving each code an object (base, label: texts)"
    codes = _codes(index, label)
    if codes is None or len(codes) != n or len(set(codes)) != n:
        yield (f"{where}.index needs {n} different codes (its size): a list, or an object "
               f"giving each code its position from 0 to {n - 1}")


def _codes(index: object, label: object) -> list | None:
    """A dimension's codes in their order, or None when the index cannot be read."""
    if index is None:
        return list(label) if isinstance(label, dict) and len(label) == 1 else None
    if isinstance(index, list):
        return index if all(isinstance(c, str) for c in index) else None
    if isinstance(index, dict) and all(type(p) is int for p in index.values()):
        # in the order of their positions, which need not be the order the object lists them in
        return sorted(index, key=index.__getitem__) \
            if sorted(index.values()) == list(range(len(index))) else None
    return None


def _value_problems(values: object, cells: int) -> Iterator[str]:
    if isinstance(values, dict):  # sparse: position → value
        keys = list(values)
        if not all(str(k).isdigit() and int(k) < cells for k in keys):
            yield f"value: positions must be whole numbers below {cells}"
        values = list(values.values())
    elif not isinstance(values, list) or len(values) != cells:
        yield f"value: {cells} values are needed (the product of size)"
        return
    if bad := [v for v in values if v is not None and not finite_number(v)]:
        yield f"value: {len(bad)} values are not finite numbers or null (e.g. {bad[0]!r})"


def finite_number(value: object) -> bool:
    """A number as JSON gives it, and finite: not a boolean, NaN or infinity, nor an integer
    too large to be a float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) if isinstance(value, float) else abs(value) <= sys.float_info.max


def roles(data: dict, name: str) -> Roles:
    ids: list[str] = data["id"]
    role = data.get("role") or {}

    def pick(kind: str, known: tuple[str, ...], required: bool) -> str | None:
        found = [i for i in role.get(kind, []) if i in ids] or [i for i in ids if i in known]
        if not found and required:
            raise UserError(placed(name, Message(
                "no %(kind)s dimension among %(ids)s; the dataset needs a role '%(kind)s'",
                kind=kind, ids=", ".join(ids))))
        return found[0] if found else None

    geo, time = pick("geo", GEO_IDS, True), pick("time", TIME_IDS, True)
    metric = pick("metric", METRIC_IDS, False)
    return Roles(geo, time, metric, [i for i in ids if i not in (geo, time, metric)])


def import_jsonstat(session: Session, path: Path, *, indicator: Indicator, by: str,
                    measure: str | None = None, skip_bad: bool = False,
                    borders: int | None = None, source: str | None = None,
                    on_duplicate: str = "refuse") -> ImportResult:
    """Import every value of the dataset file into one indicator (all or nothing). `source`
    names where the file came from when that is not its path (an API query)."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    return import_dataset(session, path.read_bytes(), path.name, indicator=indicator, by=by,
                          measure=measure, skip_bad=skip_bad, borders=borders,
                          source=source or str(path), on_duplicate=on_duplicate)


def import_dataset(session: Session, raw: bytes, name: str, *, indicator: Indicator, by: str,
                   source: str, measure: str | None = None, skip_bad: bool = False,
                   borders: int | None = None, on_duplicate: str = "refuse") -> ImportResult:
    """Import a JSON-stat dataset given as bytes; `name` stands for it in messages."""
    data = read_dataset(raw, name)
    areas = AreaIndex(session)
    items = rows(data, name, indicator.id, areas, measure, borders)
    groups = statbank_groups(data, name, areas)
    return commit(session, items, source=source, by=by,
                  checksum=hashlib.sha256(raw).hexdigest(), skip_bad=skip_bad,
                  details={"format": "JSON-stat 2.0", "label": data.get("label"),
                           "publisher": data.get("source"), "updated": data.get("updated")},
                  left_out=groups, on_duplicate=on_duplicate, name=name)


def describe(data: dict) -> dict[str, object]:
    """A new indicator's properties from the dataset's own metadata: its label (with its one
    measure's, if it has one), unit, source and when it was updated."""
    metric = [m for m in (data.get("role") or {}).get("metric") or [] if m in data["id"]]
    category = data["dimension"][metric[0]]["category"] if metric else {}
    measures = list((category.get("label") or {}).values())
    units = {u.get("base") or u.get("label") for u in (category.get("unit") or {}).values()}
    extension = data.get("extension")
    px = extension.get("px") if isinstance(extension, dict) else None
    table = px.get("tableid") if isinstance(px, dict) else None
    name = str(data.get("label") or table or "JSON-stat dataset")
    return {"name_nb": f"{name} – {measures[0]}" if len(measures) == 1 else name,
            "unit": units.pop() if len(units) == 1 else None,
            "data_owner": data.get("source"),
            "source_note": ", ".join(str(part) for part in (
                data.get("source"), table and f"table {table}",
                data.get("updated") and f"updated {data['updated']}") if part) or None}


def statbank_groups(data: dict, name: str, areas: AreaIndex) -> list[str]:
    """The codes of the statistics bank's groups in the dataset (K-Rest, K-21-22 Svalbard, K-23
    the continental shelf): not areas, so their values are left out, each said in a line."""
    geo = roles(data, name).geo
    labels = data["dimension"][geo]["category"].get("label") or {}
    return [placed(f"{code} ({labels.get(code, code)})", Message(
        "a statistics-bank group, not an area; left out"))
            for code in categories(data, geo) if _is_group(code, areas)]


def _is_group(code: object, areas: AreaIndex) -> bool:
    return bool(STATBANK_GROUP.match(str(code))) and areas.by_code(str(code)) is None


def rows(data: dict, name: str, indicator_id: int, areas: AreaIndex, measure: str | None,
         borders: int | None = None) -> list[tuple[str, Obs | Problem]]:
    r = roles(data, name)
    units = _units(data, r.metric)
    # pyjstat reads a dataset without `version` (or with another) as 1.0 and fails; the
    # indexes are lists already (read_dataset), which it reads whatever the file gave
    frame = pyjstat.Dataset.read(json.dumps({**data, "version": "2.0"})).write(
        "dataframe", naming="id")
    out: list[tuple[str, Obs | Problem]] = []
    for i, rec in enumerate(frame.to_dict("records")):
        if _is_group(rec[r.geo], areas):
            continue  # said once per group by `statbank_groups`
        where = f"{name}, value {i + 1} ({r.geo}={rec[r.geo]}, {r.time}={rec[r.time]})"
        obs = _obs(rec, r, where, indicator_id, areas, units, measure)
        if isinstance(obs, Obs):
            obs.borders = borders
        out.append((where, obs))
    return out


def _obs(rec: dict, r: Roles, where: str, indicator_id: int, areas: AreaIndex,
         units: dict[str, str], measure: str | None) -> Obs | Problem:
    area = areas.by_code(rec[r.geo])
    if area is None:
        return Problem(where, Message("'%(code)s' is not a municipality, county or country code",
                                      code=rec[r.geo]))
    try:
        period = parse_period(rec[r.time])
    except UserError as exc:
        return Problem(where, exc.message)
    value = rec["value"]
    missing = value is None or value != value  # NaN from pyjstat
    dims = {d: str(rec[d]) for d in r.other}
    if r.metric and len(units) > 1:
        dims[r.metric] = str(rec[r.metric])
    return Obs(indicator_id, area.level, area.code, period.label, period.start_year,
               period.end_year, None if missing else float(value), dims_key(dims),
               units.get(str(rec[r.metric])) if r.metric else None, measure,
               "missing" if missing else "")


def _units(data: dict, metric: str | None) -> dict[str, str]:
    if not metric:
        return {}
    unit = data["dimension"][metric]["category"].get("unit") or {}
    return {code: u.get("base") or u.get("label") or "" for code, u in unit.items()}
