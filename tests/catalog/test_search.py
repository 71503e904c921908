import pytest

from localsdg.catalog.files import IndicatorRecord, SetRecord
from localsdg.catalog.search import Selection, search
from localsdg.catalog.store import LinkRecord, confirm, reject, save_links, save_set
from localsdg.db.session import session_scope
from localsdg.errors import UserError


def _keys(db, q, **kw):
    with session_scope(db) as s:
        result = search(s, Selection(q, kw.pop("filters", {})), limit=1000, **kw)
    return [(h["set_id"], h["code"]) for h in result["hits"]], result


@pytest.mark.parametrize("q", ["klimagass", "utslipp", "klimagasutslipp", "Klimagassutslippene",
                               "greenhouse", "greenhouse gas emission", "13.2.2"])
def test_compounds_inflection_typos_and_english_find_13_2_2(catalog_db, q):
    keys, _ = _keys(catalog_db, q)
    assert ("un-global", "13.2.2") in keys


def test_the_closest_match_ranks_first(catalog_db):
    keys, _ = _keys(catalog_db, "klimagass")
    assert ("un-global", "13.2.2") in keys[:3]
    keys, _ = _keys(catalog_db, "bostedsløse")
    assert keys[0][0] != "un-global" and len(keys) >= 2
    keys, _ = _keys(catalog_db, "Utslipp fra veitrafikk")
    assert keys[0] == ("Utslipp-av-klimagasser-i-kommuner-og-fylker", "1001")


def test_a_word_finds_its_inflected_forms_without_the_e(catalog_db):
    """sykkel (bicycle): sykler, syklende and sykling drop its e and one k."""
    keys, _ = _keys(catalog_db, "sykkel")
    assert {("De-norske-målepunktene", "2351"), ("De-norske-målepunktene", "2543")} <= set(keys)


def test_nonsense_finds_nothing(catalog_db):
    keys, result = _keys(catalog_db, "qzxwvj")
    assert keys == [] and result["total"] == 0


def test_filters_combine_with_the_query_and_facets_count_the_rest(catalog_db):
    keys, result = _keys(catalog_db, "klimagass",
                         filters={"set": ["De-norske-målepunktene"], "goal": ["13"]})
    assert keys and all(k[0] == "De-norske-målepunktene" for k in keys)
    facets = result["facets"]
    # the set facet ignores its own filter, so other sets show how many they would add
    by_set = {f["value"]: f["count"] for f in facets["set"]}
    assert by_set["De-norske-målepunktene"] == result["total"]
    assert by_set.get("un-global", 0) >= 1
    assert sum(f["count"] for f in facets["evaluation_step"] if f["value"] is None) + sum(
        f["count"] for f in facets["evaluation_step"] if f["value"]) >= result["total"]


def test_values_may_be_given_as_labels_and_unclassified_is_a_filter(catalog_db):
    _, by_code = _keys(catalog_db, "", filters={"evaluation_step": ["impact"]})
    label = "5 Impact (effect on society)"
    _, by_label = _keys(catalog_db, "", filters={"evaluation_step": [label]})
    assert by_code["total"] == by_label["total"] > 0
    with session_scope(catalog_db) as s:
        none = search(s, Selection("", {"set": ["De-norske-målepunktene"]}, ["development_area"]))
    assert none["total"] == 2
    assert all(h["set_id"] == "De-norske-målepunktene" for h in none["hits"])


def test_bad_filters_are_clear_errors(catalog_db):
    with session_scope(catalog_db) as s:
        with pytest.raises(UserError, match="unknown filter 'colour'"):
            search(s, Selection("", {"colour": ["red"]}))
        with pytest.raises(UserError, match=r"tbl: 'Peple' is not an allowed value; "
                                            r"allowed: people, planet, prosperity"):
            search(s, Selection("", {"tbl": ["Peple"]}))
        with pytest.raises(UserError, match="sort"):
            search(s, Selection(""), sort="colour")


def test_paging_and_sorting(catalog_db):
    with session_scope(catalog_db) as s:
        page1 = search(s, Selection("", {"set": ["un-global"]}), limit=10, sort="code")
        page2 = search(s, Selection("", {"set": ["un-global"]}), limit=10, offset=10, sort="code")
    assert page1["total"] == 252
    assert [h["code"] for h in page1["hits"]][:3] == ["1.1.1", "1.2.1", "1.2.2"]
    assert not {h["code"] for h in page1["hits"]} & {h["code"] for h in page2["hits"]}


def test_an_indicator_is_found_by_the_names_of_its_confirmed_twin(framework_db):
    """A local indicator with a Norwegian name only, once a curator confirms it is the UN's
    11.6.2, is found by the UN's English words; a published link a curator rejected lends
    nothing."""
    records = [IndicatorRecord("pm", {"name_nb": "Svevestøv i byluft"}),
               IndicatorRecord("pm10", {"name_nb": "Svevestøv ved veier"})]
    with session_scope(framework_db) as s:
        save_set(s, SetRecord(id="lokal", name_nb="Lokale"), records, changed_by="t", batch=None)
        save_links(s, [LinkRecord("lokal", "pm10", "exact", "un-global", "11.6.2")],
                   proposed_by="import lokal.csv", scope_sets={"lokal"})
    query = "particulate matter"
    assert [k for k in _keys(framework_db, query)[0] if k[0] == "lokal"] == [("lokal", "pm10")]
    with session_scope(framework_db) as s:
        confirm(s, ("lokal", "pm"), ("un-global", "11.6.2"), "exact", "Kari")
        reject(s, ("lokal", "pm10"), ("un-global", "11.6.2"), "Kari")
    assert [k for k in _keys(framework_db, query)[0] if k[0] == "lokal"] == [("lokal", "pm")]


def test_hits_with_the_same_name_in_a_set_name_each_other(catalog_db):
    """Three indicators of one set called 'Andel med trygg tilgang til nærturterreng - alle
    aldere' (3929, 3932, 3935) each point to the other two."""
    _, result = _keys(catalog_db, "trygg tilgang nærturterreng alle aldere",
                      filters={"set": ["Areal---Rekreasjonsareal-og-nærturterreng"]})
    marked = {h["code"]: h["namesakes"] for h in result["hits"] if h["namesakes"]}
    assert marked["3929"] == ["3932", "3935"] and marked["3935"] == ["3929", "3932"]
    assert all(not h["namesakes"] for h in result["hits"] if h["code"] not in marked)
