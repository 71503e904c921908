"""Search quality over the judged query set (search_judgements.json): the gains of the BM25F
ranking, compounds and Nynorsk/English equivalents are kept. Before them the set measured
nDCG@10 0.41 and recall@20 0.25, no set was shown by its name and no place first."""

import pytest

from localsdg.catalog.index import get_index
from localsdg.db.session import session_scope
from localsdg.sources.area_lists import sync_areas
from localsdg.sources.ks_taxonomy import sync_ks_taxonomy
from localsdg.sources.un_framework import sync_framework
from tests.catalog.judgements import judged_queries, measure, ndcg, recall, summary
from tests.helpers import ENGINES, HISTORY, MIRROR, new_database


@pytest.fixture(scope="module", params=ENGINES)
def judged_db(request, tmp_path_factory):
    """The real catalog and the areas (for the place queries), on each engine."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOCALSDG_MIRROR", str(MIRROR))
        gen = new_database(request.param, tmp_path_factory.mktemp("judged"))
        url = next(gen)
        for load in (sync_framework, sync_ks_taxonomy, lambda s: sync_areas(s, HISTORY)):
            with session_scope(url) as s:
                load(s)
    yield url
    next(gen, None)


def test_the_judged_indicators_and_sets_are_in_the_catalog(catalog_db):
    queries = judged_queries()
    assert len(queries) >= 60
    with session_scope(catalog_db) as s:
        index = get_index(s)
    for j in queries:
        for key in j.relevant:
            set_id, code = key.split("/", 1)
            assert (set_id, code) in index.by_key, f"{j.q!r}: {key} is not in the catalog"
        assert set(j.sets) <= index.set_names.keys(), j.q


def test_the_measures_are_right_on_small_cases():
    relevant = {"a": 3, "b": 1}
    assert ndcg(["a", "b"], relevant) == pytest.approx(1.0)
    log3 = 1.584962500721156  # the discount of the second place, log2(3)
    assert ndcg(["b", "a"], relevant) == pytest.approx((1 + 7 / log3) / (7 + 1 / log3))
    assert ndcg(["x"], relevant) == 0.0
    assert recall(["x", "a"], relevant) == 0.5
    assert recall([str(i) for i in range(20)], {str(i): 1 for i in range(40)}) == 1.0


def test_the_judged_queries_keep_their_gains(judged_db):
    with session_scope(judged_db) as s:
        results = [measure(s, j) for j in judged_queries()]
    figures = summary(results)["all"]
    assert figures["ndcg10"] >= 0.55, figures
    assert figures["recall20"] >= 0.42, figures
    assert figures["sets_found"] >= 0.8, figures
    assert figures["place_first"] == 1.0, figures
