"""Periods as the real files write them: years, rolling spans, school years, months, quarters."""

import pytest

from localsdg.errors import UserError
from localsdg.observations.periods import Period, parse_period


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
])
def test_periods(raw, expected):
    assert parse_period(raw) == expected


def test_january_in_a_monthly_file_is_a_month():
    assert parse_period("2011-01-01", monthly=True) == Period("2011-01", 2011, 2011)
    assert parse_period("2011-01-01") == Period("2011", 2011, 2011)
    assert parse_period("2011", monthly=True) == Period("2011", 2011, 2011)


@pytest.mark.parametrize("raw", ["", "20x4", "2024-13", "2024M13", "2024K5", "2024-2018",
                                 "2024-01-15", "22", "Hele landet"])
def test_what_is_not_a_period_says_which_forms_are(raw):
    with pytest.raises(UserError) as err:
        parse_period(raw)
    assert "is not a period" in err.value.message and "2024K1" in err.value.message
