"""A dimension's category index, which JSON-stat 2.0 lets a file give as a list of codes, as an
object giving each code its position, or not at all for a single category named only in its
label: read once into a list of codes in position order, which every reader of the dataset
uses. The datasets are SSB's real PxWeb v2 answer for table 12134 (its index objects as SSB
wrote them), and edits of it named in each test."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from localsdg.areas.lookup import AreaIndex
from localsdg.db.session import session_scope
from localsdg.errors import UserError
from localsdg.observations.store import Obs
from localsdg.sources.jsonstat import categories, read_dataset, rows
from localsdg.sources.national import RECIPES, _answers_the_query
from localsdg.sources.ssb import Selection
from tests.helpers import HISTORY, add_indicators, synced

V2 = HISTORY / "fixtures" / "ssb_12134_kostra_nokkeltall_pxwebv2_jsonstat2_3kommuner.json"
GEO, METRIC = "KOKkommuneregion0000", "ContentsCode"
# The registered recipe for table 12134, asking for the measure the real answer holds.
RECIPE = replace(next(r for r in RECIPES if r.key == "netto-driftsresultat"),
                 query=(Selection(GEO, ("????",)), Selection(METRIC, ("KOSAG110000",)),
                        Selection("Tid", ("top(5)",))))


def _dataset(edit=None) -> dict:
    data = json.loads(V2.read_text(encoding="utf-8"))
    if edit:
        edit(data)
    return read_dataset(json.dumps(data, ensure_ascii=False).encode(), V2.name)


def _label_only(data: dict) -> None:
    """The single content code named only in its label, as JSON-stat 2.0 allows."""
    del data["dimension"][METRIC]["category"]["index"]


def _shuffled(data: dict) -> None:
    """The region index object written with its codes out of their positions."""
    data["dimension"][GEO]["category"]["index"] = {"5001": 2, "0301": 0, "4601": 1}


def test_every_index_becomes_the_list_of_its_codes_in_position_order():
    raw = json.loads(V2.read_text(encoding="utf-8"))
    assert isinstance(raw["dimension"][METRIC]["category"]["index"], dict)  # SSB's own form
    data = _dataset(_shuffled)
    assert {i: data["dimension"][i]["category"]["index"] for i in data["id"]} == {
        GEO: ["0301", "4601", "5001"], METRIC: ["KOSAG110000"], "Tid": ["2024"]}
    assert categories(_dataset(_label_only), METRIC) == ["KOSAG110000"]
    assert categories(data, "Alder") == []  # not a dimension of the dataset


@pytest.mark.parametrize("edit", [None, _shuffled, _label_only],
                         ids=["index-object", "index-object-shuffled", "label-only"])
def test_the_query_check_reads_every_form_of_index(edit):
    _answers_the_query(RECIPE, _dataset(edit))  # holds what was asked: no error


def test_a_single_category_named_only_by_its_label_is_not_taken_for_none():
    other = replace(RECIPE, query=(Selection(METRIC, ("KOSAGD230000",)),))
    with pytest.raises(UserError) as err:
        _answers_the_query(other, _dataset(_label_only))
    assert "the answer holds ContentsCode KOSAG110000, not KOSAGD230000" in str(err.value)


def test_the_refusal_names_the_codes_in_their_positions():
    bodo = replace(RECIPE, query=(Selection(GEO, ("1804",)),))
    with pytest.raises(UserError) as err:
        _answers_the_query(bodo, _dataset(_shuffled))
    assert f"the answer holds {GEO} 0301, 4601, 5001, not 1804" in str(err.value)


def test_values_stay_with_their_codes_whatever_order_the_index_object_lists_them(db_url):
    """Each value is the one at its code's position: Oslo's 81 240 kr stays Oslo's when the
    index object lists Trondheim first."""
    synced(db_url)
    ind = add_indicators(db_url, "frie-inntekter")["frie-inntekter"]
    raw = json.loads(V2.read_text(encoding="utf-8"))
    positions = raw["dimension"][GEO]["category"]["index"]
    expected = {code: float(raw["value"][i]) for code, i in positions.items()}
    with session_scope(db_url) as s:
        items = rows(_dataset(_shuffled), V2.name, ind, AreaIndex(s), None)
    assert {o.area_code: o.value for _, o in items if isinstance(o, Obs)} == expected
    assert expected["0301"] == 81_240
