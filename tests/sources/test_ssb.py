"""Queries to SSB's statistics bank: the query sent is the one SSB's own query button gives
(the real body stored beside the real answer), and offline machines get a clear answer."""

import json

import pytest

from localsdg.errors import UserError
from localsdg.sources import ssb
from tests.helpers import SHARED

FIXTURES = SHARED / "data" / "norway" / "fixtures"


def test_v0_query_equals_the_real_query_behind_the_fixture():
    stored = json.loads((FIXTURES / "ssb_07459_query-body.json").read_text())
    regions = stored["queryObj"]["query"][0]["selection"]["values"]
    selections = [ssb.parse_selection("Region=agg:KommSummer:" + ",".join(regions)),
                  ssb.parse_selection("Alder=vs:AlleAldre00B:"),
                  ssb.parse_selection("Tid=2022")]
    assert ssb.v0_query(selections) == stored["queryObj"]
    assert ssb.V0.format(table=stored["tableIdForQuery"]) == stored["postUrl"]


def test_v2_address_asks_for_the_fixture_selection():
    answer = json.loads((FIXTURES / "ssb_12134_kostra_nokkeltall_pxwebv2_jsonstat2_3kommuner"
                                     ".json").read_text())
    wanted = [f"{d}={','.join(answer['dimension'][d]['category']['index'])}"
              for d in answer["id"]]
    url = ssb.v2_url("12134", [ssb.parse_selection(w) for w in wanted])
    assert url.startswith("https://data.ssb.no/api/pxwebapi/v2/tables/12134/data?")
    assert "valueCodes[KOKkommuneregion0000]=0301,4601,5001" in url
    assert "valueCodes[ContentsCode]=KOSAG110000" in url and "outputFormat=json-stat2" in url


@pytest.mark.parametrize("bad", ["Tid", "=2022"])
def test_a_bad_selection_says_how_to_write_it(bad):
    with pytest.raises(UserError, match="DIMENSION=VALUES"):
        ssb.parse_selection(bad)


def test_offline_a_post_query_is_refused_plainly():
    with pytest.raises(UserError, match="offline mirror cannot hold"):
        ssb.fetch_table("07459", [ssb.parse_selection("Tid=2022")])
    with pytest.raises(UserError, match="five digits"):
        ssb.fetch_table("7459", [], api="v2")
    with pytest.raises(UserError, match="not in the offline mirror"):
        ssb.fetch_table("12134", [ssb.parse_selection("Tid=2024")], api="v2")
