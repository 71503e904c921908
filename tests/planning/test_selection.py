"""The smallest good indicator set on the real catalog: every priority covered by an outcome or
impact indicator of class 1 (class 2 only where no class 1 exists), no smaller set exists
(checked by brute force), among the smallest the least penalty, never two indicators the
catalog calls the same, gaps named; saved as a profile set; CLI, API and page."""

from __future__ import annotations

import itertools
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from localsdg.cli import app as cli
from localsdg.db.schema import IndicatorLink, Target
from localsdg.db.session import session_scope
from localsdg.errors import BadRequest
from localsdg.planning.selection import SAME, _candidates, choose, parse_priorities, save
from localsdg.scoring.profiles import get_set
from tests.helpers import app_client

# Priorities with few candidates, so that brute force can check the solver; goals beside their
# own targets, so that one indicator can cover several and the smallest set is not trivial.
CASES = [["7.3", "9.4", "15.1", "11.4", "3.1", "16.5"], ["7", "7.2", "7.3", "12.5", "12.6"],
         ["14", "14.1", "15.2", "15.1", "15"], ["16.9", "17.16", "17.18", "17", "16.3"]]


def _covers_all(chosen, priorities) -> bool:
    return set(priorities) <= {p for c in chosen for p in c.covers}


@pytest.mark.parametrize("priorities", CASES, ids=["-".join(c) for c in CASES])
def test_the_choice_covers_every_priority_and_none_smaller_does(use_catalog, priorities):
    with session_scope(use_catalog) as s:
        found = choose(s, priorities)
        pool = _candidates(s, priorities, None)
        same = {frozenset(p) for p in s.execute(select(IndicatorLink.from_id, IndicatorLink.to_id)
                                                .where(IndicatorLink.kind.in_(SAME)))}
    wanted = [p for p in priorities if p not in found.gaps]
    assert _covers_all(found.chosen, wanted)
    assert all(set(c.steps) <= {"outcome", "impact"} and c.steps for c in found.chosen)
    for c in found.chosen:  # class 2 only for a priority without any class-1 candidate
        if c.quality_class == "2":
            assert not any(o.quality_class == "1" and set(c.covers) & set(o.covers)
                           for o in pool)
    k = len(found.chosen)
    assert not any(_covers_all(combo, wanted)
                   for combo in itertools.combinations(pool, k - 1))  # exact: none smaller
    best = min(sum(c.penalty for c in combo) for combo in itertools.combinations(pool, k)
               if _covers_all(combo, wanted)
               and not any(frozenset((a.id, b.id)) in same
                           for a, b in itertools.combinations(combo, 2)))
    assert sum(c.penalty for c in found.chosen) == best
    assert not any(frozenset((a.id, b.id)) in same
                   for a, b in itertools.combinations(found.chosen, 2))


def test_a_priority_nothing_measures_is_a_gap(use_catalog):
    with session_scope(use_catalog) as s:
        targets = list(s.scalars(select(Target.code)))
        covered = {p for c in _candidates(s, targets, None) for p in c.covers}
        uncovered = sorted(set(targets) - covered)
        found = choose(s, ["11.2", uncovered[0]])
    assert found.gaps == [uncovered[0]] and _covers_all(found.chosen, ["11.2"])


@pytest.mark.parametrize("typed", [["99.9"], ["18"], [""], [" , "]])
def test_an_unknown_priority_is_refused(use_catalog, typed):
    with session_scope(use_catalog) as s, pytest.raises(BadRequest):
        parse_priorities(s, typed)


def test_with_an_area_indicators_with_its_data_are_preferred_and_saved(demo, monkeypatch):
    with session_scope(demo) as s:
        found = choose(s, ["11.2", "13.2", "3"], "4003")
        assert all(c.has_data is not None for c in found.chosen)
        pool = _candidates(s, ["11.2", "13.2", "3"], "4003")
        for c in found.chosen:  # a chosen one without data only where no peer with data covers
            if not c.has_data:
                assert not any(o.has_data and set(c.covers) <= set(o.covers) and
                               o.penalty < c.penalty for o in pool)
        assert save(s, found, "valgt-skien", "Valgt for Skien", "test") == len(found.chosen)
    with session_scope(demo) as s:
        ps = get_set(s, "valgt-skien")
        assert len(ps.profiles) == len(found.chosen)
        assert all(p.justification.startswith("covers ") for p in ps.profiles)
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", demo)
    page = app_client().get("/kommune/4003", params={"profil": "valgt-skien"})
    assert page.status_code == 200


def test_cli_api_and_page(demo, monkeypatch):
    monkeypatch.setenv("LOCALSDG_DATABASE_URL", demo)
    r = CliRunner().invoke(cli, ["catalog", "choose", "--targets", "11.2,13.2", "--area",
                                 "4003", "-f", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    client = app_client()
    api = client.get("/api/v1/choose", params={"priorities": "11.2,13.2", "area": "4003"})
    assert [c["indicator"] for c in api.json()["chosen"]] == [
        c["indicator"] for c in data["chosen"]]
    assert client.get("/api/v1/choose", params={"priorities": "99.9"}).status_code == 400
    page = client.get("/velg", params={"mal": "11.2,13.2", "omrade": "4003"})
    assert page.status_code == 200 and data["chosen"][0]["indicator"] in page.text
    assert "Velg indikatorer for prioriteringene dine" in page.text
