"""The text model and target suggestions on the real catalog (both engines)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from localsdg.catalog.similarity import MAX_TEXT, text_model
from localsdg.catalog.suggest import suggest_for_indicator, suggest_targets
from localsdg.db.session import session_scope
from localsdg.db.state import bump_catalog_version
from localsdg.errors import BadRequest, NotFound

ROAD_TRAFFIC = [
    "Kommunen skal redusere klimagassutslippene fra veitrafikken med 50 prosent innen 2030. Vi "
    "vil bygge ut ladepunkter for elbiler og gjøre det lettere å velge kollektivtransport, sykkel "
    "og gange framfor bil.",
    "Kommunen vil redusere utslipp av klimagasser fra vegtrafikk ved å fremme elbiler, "
    "kollektivtransport og sykkel.",
]


def _targets(db: str, text: str, **kw) -> list[str]:
    with session_scope(db) as s:
        return [x.code for x in suggest_targets(s, text, **kw)]


@pytest.mark.parametrize("text", ROAD_TRAFFIC)
def test_a_norwegian_plan_paragraph_on_road_emissions_is_climate_and_transport(catalog_db, text):
    assert {"13.2", "11.2", "11.6"} & set(_targets(catalog_db, text, limit=3))
    assert _targets(catalog_db, text, level="goal")[0] == "13"


def test_children_in_low_income_families_is_poverty_or_inequality(catalog_db):
    top = _targets(catalog_db, "andel barn i lavinntektsfamilier", limit=3)
    assert top[0] in {"1.2", "1.3"} or top[0].startswith("10.")
    assert _targets(catalog_db, "andel barn i lavinntektsfamilier", level="goal")[0] == "1"


def test_an_english_text_works(catalog_db):
    text = "Access to safe drinking water for all households"
    assert _targets(catalog_db, text)[0] == "6.1"
    assert _targets(catalog_db, text, level="goal")[0] == "6"


def test_a_suggestion_gives_its_reasons_as_plain_data(catalog_db):
    with session_scope(catalog_db) as s:
        first = suggest_targets(s, "andel barn i lavinntektsfamilier")[0]
    assert first.goal == "1" and 0 < first.score <= 1
    assert first.neighbours[0].set_id and first.neighbours[0].similarity > 0.5
    assert "lavinntektsfamilier" in first.words
    data = json.loads(json.dumps(first.as_data()))
    assert data["code"] == first.code and data["neighbours"][0]["shared"]


def test_an_indicator_is_suggested_its_targets_without_voting_for_itself(catalog_db):
    with session_scope(catalog_db) as s:
        found = suggest_for_indicator(s, "un-global", "13.2.2")
    assert found[0].code == "13.2"
    assert all((n.set_id, n.code) != ("un-global", "13.2.2")
               for x in found for n in x.neighbours)


def test_a_ks_indicator_naming_a_un_code_finds_that_un_indicator(catalog_db):
    with session_scope(catalog_db) as s:
        model = text_model(s)
        (code,) = [c for set_id, c in model.keys if set_id == "UN-SDG-indicators"
                   and c == "1959"]  # "13.2.2 Total greenhouse gas emissions per year"
        nearest = model.nearest("UN-SDG-indicators", code, k=3)
    assert (nearest[0].set_id, nearest[0].code) == ("un-global", "13.2.2")
    assert {"greenhouse", "emissions"} <= set(nearest[0].shared)
    assert all(n.set_id != "UN-SDG-indicators" for n in nearest)


def test_nearest_in_every_set_never_gives_the_indicator_itself(catalog_db):
    with session_scope(catalog_db) as s:
        nearest = text_model(s).nearest("Barnevern-kommunemonitor", "1059", k=5,
                                        other_sets=False)
    keys = [(n.set_id, n.code) for n in nearest]
    assert ("Barnevern-kommunemonitor", "1059") not in keys
    assert keys[0] == ("Barnevern-kommunemonitor", "1066")  # its twin, same name
    assert [n.similarity for n in nearest] == sorted((n.similarity for n in nearest),
                                                     reverse=True)


def test_compounds_meet_their_parts(catalog_db):
    with session_scope(catalog_db) as s:
        model = text_model(s)
        whole = model.nearest_to_text("klimagassutslipp", k=10)
        parts = model.nearest_to_text("klimagass", k=10)
    # "Utslipp av klimagasser ..." has no compound, yet the compound finds it by its parts.
    assert any(n.set_id == "Utslipp-av-klimagasser-i-kommuner-og-fylker" for n in whole)
    assert ("un-global", "13.2.2") in {(n.set_id, n.code) for n in whole}
    assert any("klimagassutslipp" in n.shared for n in parts)


def test_nonsense_finds_nothing(catalog_db):
    with session_scope(catalog_db) as s:
        assert text_model(s).nearest_to_text("qzxwvj") == []
        assert suggest_targets(s, "qzxwvj") == []


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda s: suggest_targets(s, "  "), BadRequest, "empty"),
    (lambda s: suggest_targets(s, "vann " * (MAX_TEXT // 4)), BadRequest, "at most 20,000"),
    (lambda s: suggest_targets(s, "vann", limit=0), BadRequest, "1 to 50"),
    (lambda s: suggest_targets(s, "vann", level="delmål"), BadRequest, "'target' or 'goal'"),
    (lambda s: suggest_for_indicator(s, "un-global", "99.9.9"), NotFound, "un-global/99.9.9"),
    (lambda s: text_model(s).nearest("nope", "1"), NotFound, "nope/1"),
])
def test_bad_input_is_told_clearly(catalog_db, call, error, message):
    with session_scope(catalog_db) as s, pytest.raises(error, match=message):
        call(s)


def test_the_un_set_alone_is_enough_and_a_catalog_change_rebuilds_the_model(framework_db):
    with ThreadPoolExecutor(4) as pool:
        models = list(pool.map(lambda _: _model(framework_db), range(4)))
    assert all(m is models[0] for m in models)
    with session_scope(framework_db) as s:
        assert suggest_targets(s, "greenhouse gas emissions")[0].code == "13.2"
        bump_catalog_version(s)
    assert _model(framework_db) is not models[0]


def _model(db: str):
    with session_scope(db) as s:
        return text_model(s)
