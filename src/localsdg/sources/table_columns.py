"""A tidy table's columns found by their meaning: which holds the areas, the periods, the values
and the breakdowns, from the header's words and from what the cells hold.

A planner's own file ("kommunenummer;år;verdi", "Kommune;Kjønn;År;Andel (%)") then imports
without naming its columns. Each role goes to the column that fits it best: a header word for
the role counts as much as every sampled cell fitting it (area codes or names, periods,
numbers), so "år" with years wins the period even though 1804 is also Bodø's code. A column
is taken only when its cells fit (four in five); two numeric columns with no word to tell them
apart leave the value to the user. Text columns that are neither areas nor periods are the
breakdowns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from localsdg.areas.lookup import NATION_NAMES, AreaIndex, name_key
from localsdg.errors import UserError
from localsdg.messages import Message, placed
from localsdg.observations.periods import parse_period
from localsdg.sources.tables import number
from localsdg.textfiles import file_lines

WORDS = {
    "area": ("kommune", "kommunenummer", "kommunenr", "knr", "fylke", "fylkesnummer", "region",
             "område", "omrade", "geografi", "area", "municipality", "county", "geo", "sted"),
    "period": ("år", "aar", "year", "periode", "period", "tid", "time", "dato", "date",
               "skoleår", "måned", "kvartal", "uke"),
    "value": ("verdi", "value", "andel", "antall", "prosent", "tall", "obs_value", "mengde",
              "rate", "beløp", "sum"),
}
FITS = 0.8  # the share of sampled cells that must fit a role
SAMPLE = 200


@dataclass
class Guess:
    area: str | None = None
    period: str | None = None
    value: str | None = None
    dims: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # the line of column names found
    rows: list[list[str]] = field(default_factory=list)  # the first lines below it


def title(path: Path, *, encoding: str | None = None, sheet: str | None = None) -> str | None:
    """The table's own title: a line of one cell above its column names, as statistics
    offices write one ("Andel med tilfredsstillende drikkevann"), if it has one."""
    lines = file_lines(path, encoding, sheet)
    above = lines[:_header_at(path, lines)]
    return next((" ".join(c.strip() for c in line if c.strip()) for line in above
                 if sum(bool(c.strip()) for c in line) == 1), None)


def _header_at(path: Path, lines: list[list[str]]) -> int:
    """The first line with two or more cells: the column names."""
    at = next((i for i, line in enumerate(lines[:20])
               if sum(bool(c.strip()) for c in line) >= 2), None)
    if at is None:
        raise UserError(placed(path.name, Message(
            "no line with column names in the first 20 lines")))
    return at


def guess_columns(path: Path, areas: AreaIndex, *, encoding: str | None = None,
                  sheet: str | None = None) -> Guess:
    lines = file_lines(path, encoding, sheet)
    at = _header_at(path, lines)
    header = [c.strip() for c in lines[at]]
    body = [row for row in lines[at + 1:at + 1 + SAMPLE] if any(c.strip() for c in row)]
    columns = {name: [row[j].strip() for row in body if j < len(row) and row[j].strip()]
               for j, name in enumerate(header) if name}
    fits = {name: _fits(cells, areas) for name, cells in columns.items()}
    guess = Guess(header=[h for h in header if h], rows=body)
    scored = sorted(((_score(role, name, fits[name]), role, name)
                     for role in WORDS for name in columns if fits[name][role] >= FITS),
                    reverse=True)
    taken: set[str] = set()
    decided: set[str] = set()  # roles given a column, or left to the user on a tie
    for score, role, name in scored:
        if role in decided or name in taken:
            continue
        decided.add(role)
        if not _tied(role, name, score, scored, taken):
            setattr(guess, role, name)
            taken.add(name)
            guess.notes.append(f"{role}: column '{name}'")
    guess.dims = tuple(name for name in columns if name not in taken and fits[name]["text"])
    guess.notes += [f"breakdown: column '{name}'" for name in guess.dims]
    return guess


def _fits(cells: list[str], areas: AreaIndex) -> dict[str, float]:
    """The share of the cells that fit each role."""
    if not cells:
        return dict.fromkeys((*WORDS, "codes", "text"), 0.0)
    def share(test) -> float:
        return sum(1 for c in cells if test(c)) / len(cells)
    # one digit is a sort key or a count, not a code (Excel may drop a code's leading zero)
    codes = share(lambda c: len(c) >= 2 and areas.by_code(c) is not None)
    area = max(codes, share(lambda c: bool(areas.names.get(name_key(c)))
                            or name_key(c) in NATION_NAMES))
    period = share(_is_period)
    value = share(_is_number)
    return {"area": area, "codes": codes, "period": period, "value": value,
            "text": float(area < FITS and period < FITS and value < FITS)}


def _is_number(text: str) -> bool:
    try:
        number(text)  # a missing-value symbol ('..') is a number's place too
    except ValueError:
        return False
    return True


def _is_period(text: str) -> bool:
    try:
        parse_period(text)
    except UserError:
        return False
    return True


def _score(role: str, name: str, fit: dict[str, float]) -> float:
    """How well a column fits a role: its header's word, then its cells; between a column of
    area codes and one of names, the codes (a name may mean several areas)."""
    words = re.findall(r"\w+", name.casefold())
    named = 1.0 if any(w in WORDS[role] for w in words) else 0.0
    return named + fit[role] + (0.01 * fit["codes"] if role == "area" else 0.0)


def _tied(role: str, name: str, score: float, scored: list, taken: set[str]) -> bool:
    """Whether another free column fits the role just as well: then the user must say."""
    return any(other != name and other not in taken and r == role and s == score
               for s, r, other in scored)
