"""Trend arrows where a series is too short to measure a change."""

import numpy as np

from localsdg.scoring.engine import Profiles
from localsdg.scoring.trends import ARROWS, assess

YEARS = np.array([2019, 2020, 2021])


def _trend(series: list[float], green_now: bool):
    values = np.array([[series]], dtype=float)  # one area, one indicator, three years
    profiles = Profiles.of([4], [0.0], [100.0], green=[40.0], red=[10.0])
    return assess(values, YEARS, profiles, np.array([2019]), 2021, "sdsn",
                  green_now=np.array([[green_now]]))


def test_a_green_value_of_one_year_is_maintained_with_no_change_measured():
    """SDSN's 'maintaining achievement' needs no series; but no change, projection or start is
    made up from a single year (an explanation read 'from 45 in 2021 to 45 in 2021, nan')."""
    t = _trend([np.nan, np.nan, 45.0], green_now=True)
    assert ARROWS[t.arrow[0, 0]] == "on_track"
    assert t.start_year[0, 0] == 0 and t.end_year[0, 0] == 0
    assert np.isnan([t.start[0, 0], t.observed[0, 0], t.needed[0, 0], t.projection[0, 0]]).all()


def test_one_year_that_is_not_green_has_no_trend():
    t = _trend([np.nan, np.nan, 20.0], green_now=False)
    assert t.arrow[0, 0] == -1 and t.start_year[0, 0] == 0


def test_two_years_measure_the_change_green_or_not():
    for green_now in (True, False):
        t = _trend([30.0, np.nan, 45.0], green_now=green_now)
        assert (t.start_year[0, 0], t.end_year[0, 0]) == (2019, 2021)
        assert t.observed[0, 0] == 7.5 and round(t.projection[0, 0], 6) == 112.5
