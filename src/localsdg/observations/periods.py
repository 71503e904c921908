"""Periods as statisticians write them, read by a small grammar.

    period := single | single SEP single            a range: "2019 to 2021", "2007/08–2008/09"
    single := year                                  2022, 2022.0 (a spreadsheet number)
            | school or fiscal year                 2014/15, 2020-21, 1999/00
            | half-year                             2024H1
            | quarter                               2024K1 (SSB), 2024Q1, Q1 2024, 1. kvartal 2024
            | month                                 2024-01, 2024M01 (SSB), 01.2024, januar 2024
            | week                                  2024W05, 2024U05 (SSB), uke 5 2024
            | day                                   2024-03-15, 15.03.2024, 15/03/2024
    SEP    := to | til | until | – | — | - | /      with or without spaces

A day on the first of a month is the month (NAV writes months so), and 1 January the year (FHI
writes years so) unless the file is monthly. A range of years, school years or half-years is a
span of years (2014/15-2016/17 is 2014–2017); a range of days keeps both dates as an ISO
interval (2020-02-26/2020-10-12); other ranges keep both ends (2020Q1–2021Q4). Years outside
1800–2100 are refused, a range must not end before it starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from localsdg.errors import UserError
from localsdg.messages import Message

MIN_YEAR, MAX_YEAR = 1800, 2100
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")  # ISO dates: a monthly file's are 1sts
MONTHS = {name: n for n, names in enumerate((
    "jan januar january", "feb febr februar february", "mar mars march", "apr april",
    "mai may", "jun juni june", "jul juli july", "aug august", "sep sept september",
    "okt oct oktober october", "nov november", "des dec desember december"), start=1)
    for name in names.split()}
_Y = r"(\d{4})"
_MONTH_NAME = r"([a-zæøå]+)\.?"
FORMS: list[tuple[str, re.Pattern]] = [(kind, re.compile(f"^{pattern}$")) for kind, pattern in (
    ("year", _Y),
    ("school", _Y + r"\s*[/-]\s*(\d{2})"),
    ("half", _Y + r"\s*-?\s*h([12])"),
    ("half", r"h([12])\s*-?\s*" + _Y),
    ("quarter", _Y + r"\s*-?\s*[qk]([1-4])"),
    ("quarter", r"(?:[qk]([1-4])|([1-4])\.\s*kvartal)\s*,?\s*" + _Y),
    ("month", _Y + r"\s*(?:-|m)\s*(\d{1,2})"),
    ("month", r"(\d{1,2})\s*[./]\s*" + _Y),
    ("month", _MONTH_NAME + r"\s*,?\s*" + _Y),
    ("month", _Y + r"\s+" + _MONTH_NAME),
    ("week", _Y + r"\s*-?\s*[wu]\s*(\d{1,2})"),
    ("week", r"(?:uke|veke|week|w)\s*(\d{1,2})\s*,?\s*" + _Y),
    ("day", r"(\d{4})-(\d{2})-(\d{2})"),
    ("day", r"(\d{1,2})[./](\d{1,2})[./]" + _Y),
)]
SEPARATORS = re.compile(r"\s+(?:to|til|until|-|–|—)\s+|\s*[–—]\s*|-|/")
FORMS_TEXT = ("write a year (2022), a span (2018-2024, 2014/15), a half-year (2024H1), a quarter "
              "(2024K1, Q1 2024), a month (2024-01, januar 2024), a week (2024W05), a date "
              "(2024-03-15) or a range of them (2019 to 2021)")


@dataclass(frozen=True)
class Period:
    label: str
    start_year: int
    end_year: int


@dataclass(frozen=True)
class _Single:
    period: Period
    kind: str  # year, school, half, quarter, month, week, day


@lru_cache(maxsize=8192)  # a file repeats a few dozen periods over many rows
def parse_period(text: object, *, monthly: bool = False) -> Period:
    """Read a period; raise a UserError that says which forms are understood. `monthly`: the
    file's dates are months, so 2011-01-01 is January rather than the year 2011."""
    raw = " ".join(str(text).split()).removesuffix(".0")  # .0: a year from a spreadsheet
    key = raw.casefold()
    try:
        if (single := _single(key, monthly)) is not None:
            return single.period
        if (span := _range(key, monthly)) is not None:
            return span
    except ValueError as exc:
        raise UserError(Message("'%(cell)s' is not a period: %(why)s", cell=raw,
                                why=exc.args[0])) from None
    raise UserError(Message("'%(cell)s' is not a period; %(forms)s", cell=raw,
                            forms=Message(FORMS_TEXT)))


def is_placeholder(text: object) -> bool:
    """Whether a period cell holds a sentence instead ("There is no data for this indicator
    yet", "This is a non-statistical indicator"): a row that says there is no data."""
    words = str(text).split()
    return len(words) >= 3 and not any(ch.isdigit() for ch in str(text))


def _single(key: str, monthly: bool) -> _Single | None:
    for kind, pattern in FORMS:
        if m := pattern.match(key):
            found = _READ[kind](*(g for g in m.groups() if g is not None), monthly=monthly)
            if found is not None:
                return found
    return None


def _range(key: str, monthly: bool) -> Period | None:
    """Two singles joined by a separator, the first split that reads on both sides."""
    for sep in SEPARATORS.finditer(key):
        first, last = key[:sep.start()], key[sep.end():]
        a, b = _single(first, monthly), _single(last, monthly)
        if a is None or b is None:
            continue
        if b.period.end_year < a.period.start_year or (
                a.kind == b.kind and b.period.label < a.period.label):
            raise ValueError(Message("the range ends before it starts"))
        return _joined(a, b)
    return None


def _joined(a: _Single, b: _Single) -> Period:
    start, end = a.period.start_year, b.period.end_year
    if a.kind == b.kind == "day":
        return Period(f"{a.period.label}/{b.period.label}", start, end)
    if {a.kind, b.kind} <= {"year", "school", "half"} or a.kind != b.kind:
        return Period(f"{start}–{end}", start, end)
    return Period(f"{a.period.label}–{b.period.label}", start, end)


def _year(text: str) -> int:
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(Message("the year %(year)s is outside %(first)d–%(last)d", year=text,
                                 first=MIN_YEAR, last=MAX_YEAR))
    return year


def _read_year(y: str, *, monthly: bool) -> _Single:
    year = _year(y)
    return _Single(Period(str(year), year, year), "year")


def _read_school(y: str, end: str, *, monthly: bool) -> _Single | None:
    start = _year(y)
    if int(end) != (start + 1) % 100:
        return None  # 2024-13 is neither a month nor a school year
    return _Single(Period(f"{start}–{start + 1}", start, start + 1), "school")


def _read_half(*parts: str, monthly: bool) -> _Single:
    y, h = parts if len(parts[0]) == 4 else parts[::-1]
    year = _year(y)
    return _Single(Period(f"{year}H{h}", year, year), "half")


def _read_quarter(*parts: str, monthly: bool) -> _Single:
    y, q = parts if len(parts[0]) == 4 else parts[::-1]
    year = _year(y)
    return _Single(Period(f"{year}Q{q}", year, year), "quarter")


def _read_month(*parts: str, monthly: bool) -> _Single | None:
    y, month = parts if len(parts[0]) == 4 and parts[0].isdigit() else parts[::-1]
    number = MONTHS.get(month) if not month.isdigit() else int(month)
    if number is None or not 1 <= number <= 12:
        return None  # 2020-21 is a school year; "hele 2020" nothing
    year = _year(y)
    return _Single(Period(f"{year}-{number:02d}", year, year), "month")


def _read_week(*parts: str, monthly: bool) -> _Single | None:
    y, week = parts if len(parts[0]) == 4 else parts[::-1]
    if not 1 <= int(week) <= 53:
        return None
    year = _year(y)
    return _Single(Period(f"{year}W{int(week):02d}", year, year), "week")


def _read_day(*parts: str, monthly: bool) -> _Single:
    y, m, d = parts if len(parts[0]) == 4 else parts[::-1]
    try:
        day = date(_year(y), int(m), int(d))
    except ValueError as exc:  # 2024-02-30, 2024-13-01
        if isinstance(exc.args[0], Message):
            raise
        raise ValueError(Message("there is no such day in the calendar")) from None
    if day.day == 1 and (day.month != 1 or monthly):
        return _Single(Period(f"{day.year}-{day.month:02d}", day.year, day.year), "month")
    if day.day == 1:
        return _Single(Period(str(day.year), day.year, day.year), "year")
    return _Single(Period(day.isoformat(), day.year, day.year), "day")


_READ = {"year": _read_year, "school": _read_school, "half": _read_half,
         "quarter": _read_quarter, "month": _read_month, "week": _read_week, "day": _read_day}
