"""Profile sets: per indicator how it is scored, and the method's rules; stored, read, exported.

A profile gives the lower bound (scored 0: a fixed value, or a percentile of the compared
areas), the upper bound (scored 100: a fixed optimum or target, or the mean of the top N
areas), the green and red thresholds, the weight, a local target and year, whether the
indicator counts in the index, and the justification. A row with an area code is that area's
own override (its local target) of the shared row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, fields

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from localsdg.db.schema import Indicator, ProfileSet, ScoringProfile
from localsdg.db.state import bump_scoring_state
from localsdg.errors import NotFound, UserError
from localsdg.scoring.engine import Method
from localsdg.textfiles import (
    decode,
    open_workbook,
    sheet_values,
    unguarded,
    write_csv_rows,
)

RULE = re.compile(r"^(fixed|percentile:\d+(\.\d+)?|top_mean:\d+)$")
# Settings beside the engine's: trend rule, window (years) for the latest value, the area group
# scored when none is named (and the group its counties are compared in, if they are), whether
# the set is the default for the areas it compares, and the stated basis of each indicator's
# bounds.
METHOD_EXTRA = {"trend": "sdsn", "window": None, "group": None, "county_group": None,
                "default": False, "bases": None}


@dataclass
class Profile:
    indicator_id: int
    goal: int
    lower: float | None = None
    upper: float | None = None
    green: float | None = None
    red: float | None = None
    yellow: float | None = None  # where yellow turns orange; None: half way from red to green
    lower_rule: str = "fixed"
    upper_rule: str = "fixed"
    target_value: float | None = None
    target_year: int | None = None
    weight: float = 1.0
    in_index: bool = True
    impute: bool = False
    trend_from: int | None = None
    direction: str | None = None  # "higher" or "lower" is better; None: the catalog's, or bounds
    only_in: str | None = None  # on the dashboard only of areas in these subgroups
    not_in: str | None = None  # not on the dashboard of areas in these subgroups
    justification: str | None = None
    area_code: str | None = None

    def check(self, where: str) -> None:
        """Refuse a profile the engine could not score, saying which field and why."""
        if not 1 <= self.goal <= 17:
            raise UserError(f"{where}: goal {self.goal} is not 1–17")
        if self.direction not in (None, "higher", "lower"):
            raise UserError(f"{where}: direction '{self.direction}' must be higher or lower")
        for name in ("lower_rule", "upper_rule"):
            if not RULE.match(getattr(self, name)):
                raise UserError(f"{where}: {name} '{getattr(self, name)}' must be fixed, "
                                "percentile:P (e.g. percentile:2.5) or top_mean:N")
        if self.lower_rule == "fixed" and self.lower is None:
            raise UserError(f"{where}: a fixed lower bound needs a value in 'lower'")
        if self.upper_rule == "fixed" and self.upper is None and self.target_value is None:
            raise UserError(f"{where}: a fixed upper bound needs 'upper' or 'target_value'")
        if self.upper is not None and self.lower is not None and self.upper == self.lower:
            raise UserError(f"{where}: lower and upper are both {self.upper}; they must differ")
        if self.weight < 0:
            raise UserError(f"{where}: weight {self.weight} is negative")


def method_of(ps: ProfileSet) -> Method:
    keys = {f.name for f in fields(Method)}
    return Method(**{k: v for k, v in ps.method.items() if k in keys})


def save_set(session: Session, set_id: str, name: str, method: dict, items: list[Profile], *,
             source: str, notes: str | None = None) -> ProfileSet:
    """Create or replace a profile set with exactly these profiles (validated first)."""
    _check_method(method, set_id)
    for n, p in enumerate(items, start=1):
        p.check(f"profile set {set_id}, profile {n}")
    ps = session.get(ProfileSet, set_id)
    if ps is None:
        ps = ProfileSet(id=set_id, name=name, method=method, source=source, notes=notes)
        session.add(ps)
    else:
        ps.name, ps.method, ps.source, ps.notes = name, method, source, notes
        ps.profiles.clear()
        session.flush()
    ps.profiles.extend(ScoringProfile(**asdict(p)) for p in items)
    session.flush()
    bump_scoring_state(session)
    return ps


def _check_method(method: dict, set_id: str) -> None:
    keys = {f.name for f in fields(Method)}
    unknown = set(method) - keys - set(METHOD_EXTRA)
    if unknown:
        raise UserError(f"profile set {set_id}: unknown method settings "
                        f"{', '.join(sorted(unknown))}; known: "
                        f"{', '.join(sorted(keys | set(METHOD_EXTRA)))}")
    try:
        Method(**{k: v for k, v in method.items() if k in keys})
    except (TypeError, ValueError) as exc:
        raise UserError(f"profile set {set_id}: {exc}") from exc


def get_set(session: Session, set_id: str) -> ProfileSet:
    ps = session.scalar(select(ProfileSet).where(ProfileSet.id == set_id)
                        .options(selectinload(ProfileSet.profiles)))
    if ps is None:
        known = ", ".join(session.scalars(select(ProfileSet.id).order_by(ProfileSet.id)))
        raise NotFound(f"no profile set '{set_id}'; known: {known or 'none yet'} "
                       "('localsdg sdr import 2021' makes sdsn-2021)")
    return ps


def list_sets(session: Session) -> list[dict]:
    return [{"id": ps.id, "name": ps.name, "indicators": len(ps.profiles),
             "method": ps.method, "source": ps.source}
            for ps in session.scalars(select(ProfileSet).order_by(ProfileSet.id)
                                      .options(selectinload(ProfileSet.profiles)))]


def profiles_of(ps: ProfileSet) -> list[Profile]:
    names = [f.name for f in fields(Profile)]
    return [Profile(**{n: getattr(p, n) for n in names}) for p in ps.profiles]


# ---------------------------------------------------------------- files

COLUMNS = ["indicator", "area_code", "goal", "direction", "lower", "lower_rule", "upper",
           "upper_rule", "green", "yellow", "red", "target_value", "target_year", "weight",
           "in_index", "impute", "trend_from", "only_in", "not_in", "justification"]


def export_rows(session: Session, ps: ProfileSet) -> list[dict]:
    refs = _refs(session, [p.indicator_id for p in ps.profiles])
    return [{"indicator": refs[p.indicator_id],
             **{c: getattr(p, c) for c in COLUMNS[1:]}} for p in ps.profiles]


def _cells(session: Session, ps: ProfileSet) -> list[list[object]]:
    """The header and a row of text cells per profile (yes/no for flags, '' for none)."""
    return [COLUMNS] + [[
        "" if v is None else ("yes" if v is True else "no" if v is False else v)
        for v in row.values()] for row in export_rows(session, ps)]


def export_file(session: Session, ps: ProfileSet, fmt: str) -> bytes:
    """The profile set as CSV or XLSX (one sheet, the same columns)."""
    cells = _cells(session, ps)
    if fmt == "csv":
        out = io.StringIO()
        write_csv_rows(out, cells)
        return out.getvalue().encode("utf-8")
    if fmt != "xlsx":
        raise UserError(f"format '{fmt}' unknown; use csv or xlsx")
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("profiles")
    for i, row in enumerate(cells):
        sheet.write_row(i, 0, row)
    book.close()
    return buf.getvalue()


def read_file(session: Session, raw: bytes, source: str) -> list[Profile]:
    """Profiles from the exported layout, CSV or XLSX; any bad cell stops with its row and
    column."""
    rows = _xlsx_rows(raw, source) if source.lower().endswith(".xlsx") else \
        [[unguarded(c) for c in row] for row in csv.reader(io.StringIO(decode(raw, source)))]
    header = [str(c or "").strip() for c in (rows[0] if rows else [])]
    missing = [c for c in ("indicator", "goal") if c not in header]
    if missing:
        raise UserError(f"{source}: no column {', '.join(missing)}; the columns are "
                        f"{', '.join(COLUMNS)}")
    records = [{h: "" if v is None else str(v) for h, v in zip(header, row, strict=False)}
               for row in rows[1:] if any(v not in (None, "") for v in row)]
    ids = _ids(session, {r["indicator"] for r in records}, source)
    return [_profile_row(r, ids, f"{source}, row {n}") for n, r in enumerate(records, start=2)]


def _xlsx_rows(raw: bytes, source: str) -> list[tuple]:
    return sheet_values(open_workbook(raw, source), None, source)


def _profile_row(r: dict, ids: dict[str, int], where: str) -> Profile:
    def num(col: str, kind=float):
        v = (r.get(col) or "").strip()
        if not v:
            return None
        try:
            return kind(v.replace(",", ".")) if kind is float else kind(v)
        except ValueError:
            raise UserError(f"{where}, column {col}: '{v}' is not a number") from None

    def flag(col: str, default: bool) -> bool:
        v = (r.get(col) or "").strip().lower()
        if v not in ("", "yes", "no", "true", "false", "1", "0"):
            raise UserError(f"{where}, column {col}: '{v}' must be yes or no")
        return default if not v else v in ("yes", "true", "1")
    p = Profile(indicator_id=ids[r["indicator"]], goal=num("goal", int) or 0,
                lower=num("lower"), upper=num("upper"), green=num("green"), red=num("red"),
                yellow=num("yellow"),
                lower_rule=(r.get("lower_rule") or "fixed").strip(),
                upper_rule=(r.get("upper_rule") or "fixed").strip(),
                target_value=num("target_value"), target_year=num("target_year", int),
                weight=1.0 if num("weight") is None else num("weight"),
                in_index=flag("in_index", True), impute=flag("impute", False),
                trend_from=num("trend_from", int),
                direction=(r.get("direction") or "").strip() or None,
                only_in=(r.get("only_in") or "").strip() or None,
                not_in=(r.get("not_in") or "").strip() or None,
                justification=(r.get("justification") or "").strip() or None,
                area_code=(r.get("area_code") or "").strip() or None)
    p.check(where)
    return p


def _refs(session: Session, ids: list[int]) -> dict[int, str]:
    rows = session.execute(select(Indicator.id, Indicator.set_id, Indicator.code)
                           .where(Indicator.id.in_(set(ids))))
    return {i: f"{s}/{c}" for i, s, c in rows}


def _ids(session: Session, refs: set[str], source: str) -> dict[str, int]:
    out = {}
    for ref in refs:
        set_id, _, code = ref.partition("/")
        i = session.scalar(select(Indicator.id).where(Indicator.set_id == set_id,
                                                      Indicator.code == code))
        if i is None:
            raise UserError(f"{source}: no indicator '{ref}'; name it as SET/CODE")
        out[ref] = i
    return out
