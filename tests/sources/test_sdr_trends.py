"""How many of SDSN's trend arrows `localsdg sdr compare` reproduces, per edition: pinned, so a
change to the trend rule or the import that moves one arrow shows up (docs/scoring.md has the
same table). Each edition is read, imported into SQLite and compared once for the module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localsdg.db.session import session_scope
from localsdg.sources import sdr, sdr_check, sdr_workbook
from tests.helpers import MIRROR, module_database

# edition → [equal, compared], as sdr_check.compare counts them
INDICATOR_TRENDS = {2019: [6075, 8198], 2021: [9591, 9910]}
GOAL_TRENDS = {2019: [1229, 2064], 2021: [1623, 2412]}


@pytest.fixture(scope="module", params=sorted(INDICATOR_TRENDS))
def compared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[sdr_workbook.Workbook, sdr_check.Comparison]]:
    """One edition from the mirror, imported into a new SQLite database and compared."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOCALSDG_MIRROR", str(MIRROR))
        wb = sdr_workbook.load(str(request.param))
    gen = module_database("sqlite", tmp_path_factory)
    url = next(gen)
    with session_scope(url) as s:
        sdr.import_workbook(s, wb, "test")
    with session_scope(url) as s:
        result = sdr_check.compare(s, wb)
    yield wb, result
    next(gen, None)


def test_indicator_trend_arrows_reproduced(compared):
    wb, result = compared
    assert result.counts["indicator trends"] == INDICATOR_TRENDS[wb.edition]


def test_every_published_arrow_of_a_ranked_country_is_compared(compared):
    """The denominator is all of SDSN's indicator arrows for the countries it ranked (arrows of
    unranked countries are not compared), so a reader that drops arrows shows up here."""
    wb, result = compared
    published = sum(len(c.trends) for c in wb.countries.values() if c.index is not None)
    assert result.counts["indicator trends"][1] == published


def test_goal_trend_arrows_reproduced(compared):
    wb, result = compared
    assert result.counts["goal trends"] == GOAL_TRENDS[wb.edition]
