"""Periods as the real files write them: years, rolling spans, school and fiscal years, halves,
quarters, months, weeks, dates, and ranges of them, and the errors for what is none."""

import pytest

from localsdg.errors import UserError
from localsdg.observations.periods import Period, is_placeholder, parse_period


@pytest.mark.parametrize(("raw", "expected"), [
    ("2022", Period("2022", 2022, 2022)),
    (2022, Period("2022", 2022, 2022)),
    ("2022.0", Period("2022", 2022, 2022)),  # a year read from a spreadsheet number
    (" 2022 ", Period("2022", 2022, 2022)),
    ("2015-01-01", Period("2015", 2015, 2015)),  # FHI's yearly files
    ("2011-02-01", Period("2011-02", 2011, 2011)),  # NAV's months
    ("2004-2010", Period("2004–2010", 2004, 2010)),  # FHI's 7-year rolling life expectancy
    ("2018–2024", Period("2018–2024", 2018, 2024)),
    ("2021 - 2023", Period("2021–2023", 2021, 2023)),
    ("2014/15", Period("2014–2015", 2014, 2015)),
    ("1999/00", Period("1999–2000", 1999, 2000)),
    ("2014/15-2016/17", Period("2014–2017", 2014, 2017)),  # Elevundersøkelsen, 3-year rolling
    ("2024-01", Period("2024-01", 2024, 2024)),
    ("2024M01", Period("2024-01", 2024, 2024)),  # SSB
    ("2024K1", Period("2024Q1", 2024, 2024)),  # SSB
    ("2024Q4", Period("2024Q4", 2024, 2024)),
    # Open SDG repositories and other publishers
    ("2007/08 to 2008/09", Period("2007–2009", 2007, 2009)),
    ("2019 to 2021", Period("2019–2021", 2019, 2021)),
    ("2019 til 2021", Period("2019–2021", 2019, 2021)),
    ("2019 until 2021", Period("2019–2021", 2019, 2021)),
    ("2018/2024", Period("2018–2024", 2018, 2024)),
    ("2018/2019", Period("2018–2019", 2018, 2019)),
    ("2020-21", Period("2020–2021", 2020, 2021)),
    ("2020/21", Period("2020–2021", 2020, 2021)),
    ("2019-20 to 2021-22", Period("2019–2022", 2019, 2022)),
    ("Q1 2020", Period("2020Q1", 2020, 2020)),
    ("q1 2020", Period("2020Q1", 2020, 2020)),
    ("2020 Q1", Period("2020Q1", 2020, 2020)),
    ("2020-Q3", Period("2020Q3", 2020, 2020)),
    ("K2 2021", Period("2021Q2", 2021, 2021)),
    ("1. kvartal 2020", Period("2020Q1", 2020, 2020)),
    ("2020Q1 - 2021Q4", Period("2020Q1–2021Q4", 2020, 2021)),
    ("2024H1", Period("2024H1", 2024, 2024)),
    ("H2 2023", Period("2023H2", 2023, 2023)),
    ("2024-1", Period("2024-01", 2024, 2024)),
    ("2024 M03", Period("2024-03", 2024, 2024)),
    ("03.2024", Period("2024-03", 2024, 2024)),
    ("3/2024", Period("2024-03", 2024, 2024)),
    ("januar 2024", Period("2024-01", 2024, 2024)),
    ("January 2024", Period("2024-01", 2024, 2024)),
    ("Sept. 2023", Period("2023-09", 2023, 2023)),
    ("2023 desember", Period("2023-12", 2023, 2023)),
    ("jan 2020 – mar 2020", Period("2020-01–2020-03", 2020, 2020)),
    ("2024W05", Period("2024W05", 2024, 2024)),
    ("2024U5", Period("2024W05", 2024, 2024)),  # SSB's week (uke)
    ("2024-W52", Period("2024W52", 2024, 2024)),
    ("uke 5 2024", Period("2024W05", 2024, 2024)),
    ("week 12, 2023", Period("2023W12", 2023, 2023)),
    ("2024-01-15", Period("2024-01-15", 2024, 2024)),
    ("15.03.2024", Period("2024-03-15", 2024, 2024)),
    ("26/02/2020-12/10/2020", Period("2020-02-26/2020-10-12", 2020, 2020)),
    ("2019-12-31 to 2020-06-30", Period("2019-12-31/2020-06-30", 2019, 2020)),
    ("2015-2020 ", Period("2015–2020", 2015, 2020)),
    ("2015 — 2020", Period("2015–2020", 2015, 2020)),
])
def test_periods(raw, expected):
    assert parse_period(raw) == expected


def test_january_in_a_monthly_file_is_a_month():
    assert parse_period("2011-01-01", monthly=True) == Period("2011-01", 2011, 2011)
    assert parse_period("2011-01-01") == Period("2011", 2011, 2011)
    assert parse_period("2011", monthly=True) == Period("2011", 2011, 2011)


@pytest.mark.parametrize("raw", ["", "20x4", "2024-13", "2024M13", "2024K5", "22",
                                 "Hele landet", "2024W54", "2024-14", "Q5 2020", "mid 2020",
                                 "2020 to", "2020 - 2021 - 2022", "smarch 2020"])
def test_what_is_not_a_period_says_which_forms_are(raw):
    with pytest.raises(UserError) as err:
        parse_period(raw)
    assert "is not a period" in err.value.message and "2024K1" in err.value.message


@pytest.mark.parametrize(("raw", "reason"), [
    ("2024-2018", "ends before it starts"), ("2020Q3 to 2020Q1", "ends before it starts"),
    ("0001", "outside 1800–2100"), ("9999", "outside 1800–2100"), ("2024-02-30", "day"),
    ("31.04.2024", "day")])
def test_an_impossible_period_says_why(raw, reason):
    with pytest.raises(UserError) as err:
        parse_period(raw)
    assert "is not a period" in err.value.message and reason in err.value.message


@pytest.mark.parametrize(("text", "placeholder"), [
    ("There is no data for this indicator yet", True),
    ("This is a non-statistical indicator", True),
    ("Data ikke tilgjengelig ennå", True),
    ("2020", False), ("Q1 2020", False), ("n/a", False), ("", False),
    ("Target year 2030 not reached", False)])
def test_a_sentence_in_the_period_column_is_a_placeholder(text, placeholder):
    assert is_placeholder(text) is placeholder
