"""Periods as statistics publish them: a year, a rolling span, a school year, a month."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from localsdg.errors import UserError

YEAR = re.compile(r"^(\d{4})$")
SPAN = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})$")  # 2018-2024, 2018–2024
SCHOOL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")  # 2014/15
SCHOOL_SPAN = re.compile(r"^(\d{4})/\d{2}\s*[-–]\s*\d{4}/(\d{2})$")  # 2014/15-2016/17
MONTH = re.compile(r"^(\d{4})(?:-|M)(\d{2})$")  # 2024-01, 2024M01 (SSB)
DATE = re.compile(r"^(\d{4})-(\d{2})-01$")  # 2015-01-01: a year, as FHI and NAV write it
QUARTER = re.compile(r"^(\d{4})(?:K|Q)([1-4])$")  # 2024K1 (SSB), 2024Q1


@dataclass(frozen=True)
class Period:
    label: str
    start_year: int
    end_year: int


@lru_cache(maxsize=8192)  # a file repeats a few dozen periods over many rows
def parse_period(text: object, *, monthly: bool = False) -> Period:
    """Read a period; raise a UserError that says which forms are understood. `monthly`: the
    file's dates are months, so 2011-01-01 is January rather than the year 2011."""
    raw = str(text).strip().removesuffix(".0")  # .0: a year read from a spreadsheet number
    if m := DATE.match(raw):
        raw = m.group(1) if m.group(2) == "01" and not monthly else f"{m.group(1)}-{m.group(2)}"
    if YEAR.match(raw):
        return Period(raw, int(raw), int(raw))
    if (m := SPAN.match(raw)) and int(m.group(1)) <= int(m.group(2)):
        return Period(f"{m.group(1)}–{m.group(2)}", int(m.group(1)), int(m.group(2)))
    if m := SCHOOL_YEAR.match(raw) or SCHOOL_SPAN.match(raw):
        start = int(m.group(1))
        end = start // 100 * 100 + int(m.group(2))
        end += 100 if end <= start else 0
        return Period(f"{start}–{end}", start, end)
    if (m := MONTH.match(raw)) and 1 <= int(m.group(2)) <= 12:
        return Period(f"{m.group(1)}-{m.group(2)}", int(m.group(1)), int(m.group(1)))
    if m := QUARTER.match(raw):
        return Period(f"{m.group(1)}Q{m.group(2)}", int(m.group(1)), int(m.group(1)))
    raise UserError(f"'{raw}' is not a period; write a year (2022), a span (2018-2024 or "
                    "2014/15), a month (2024-01) or a quarter (2024K1)")
