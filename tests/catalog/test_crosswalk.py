"""The crosswalk on the real catalog (UN framework and the KS sets, both engines): proposals with
their evidence, every set covered, curators' decisions kept and recorded, namesakes in a set,
and the overlap between sets."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from localsdg.catalog.analysis import overlaps
from localsdg.catalog.crosswalk import all_proposals, namesakes, similar, un_series_code
from localsdg.catalog.indicators import history, list_sets
from localsdg.catalog.store import (
    CROSSWALK,
    IndicatorRecord,
    LinkRecord,
    SetRecord,
    confirm,
    reject,
    save_links,
    save_set,
)
from localsdg.db.schema import Indicator, IndicatorLink
from localsdg.db.session import session_scope
from localsdg.db.state import catalog_version
from localsdg.errors import BadRequest, NotFound

UN_LIST = "UN-SDG-indicators"  # KS's copy of the UN list, codes at the start of English names
OECD = "OECD-A-Territorial-Approach-to-the-SDGs"  # UN series codes as notations
HEALTH = "Kommunehelsa-statistikkbank"
POVERTY = "Barnefattigdom-kommunemonitor"
RECREATION = "Areal---Rekreasjonsareal-og-nærturterreng"


def _code(session, set_id: str, **where: str) -> str:
    column, value = next(iter(where.items()))
    return session.scalar(select(Indicator.code).where(
        Indicator.set_id == set_id, getattr(Indicator, column).like(value)))


def _proposal(found, set_id: str, code: str):
    return next(p for p in found if (p.set_id, p.code) == (set_id, code))


def test_a_un_code_in_a_name_gives_the_un_indicator_as_exact(catalog_db: str) -> None:
    with session_scope(catalog_db) as s:
        code = _code(s, UN_LIST, name_en="13.2.2 %")
        found = similar(s, UN_LIST, code)
    best = found[0]
    assert (best.set_id, best.code, best.kind) == ("un-global", "13.2.2", "exact")
    assert {"kind": "un_code", "code": "13.2.2", "where": "name_en",
            "where_other": "code"} in best.evidence
    assert best.confidence >= 0.95 and best.status == "open"
    assert {"kind": "shared_targets", "targets": ["13.2"]} in best.evidence


def test_a_un_series_notation_gives_the_un_indicator_a_variant_as_close(catalog_db: str) -> None:
    assert un_series_code("C130202") == ("13.2.2", False)
    assert un_series_code("C110602a") == ("11.6.2", True)
    assert un_series_code("C010b01") == ("1.b.1", False)
    assert un_series_code("13.2.2") is None
    with session_scope(catalog_db) as s:
        variant = similar(s, OECD, _code(s, OECD, notation="C110602a"))
        exact = similar(s, OECD, _code(s, OECD, notation="C090501"))
    un = _proposal(variant, "un-global", "11.6.2")
    assert un.kind == "close"
    assert {"kind": "un_code", "code": "11.6.2", "where": "notation",
            "where_other": "code"} in un.evidence
    assert _proposal(exact, "un-global", "9.5.1").kind == "exact"


def test_a_name_s_code_outweighs_a_notation_one_off(catalog_db: str) -> None:
    """KS's copy of the UN list has notations one indicator off (8.5.1 noted as C080402)."""
    with session_scope(catalog_db) as s:
        code = _code(s, UN_LIST, name_en="8.5.1 %")
        found = similar(s, UN_LIST, code, limit=100)
    exact = [p.ref for p in found if p.kind == "exact" and p.set_id == "un-global"]
    assert exact == ["un-global/8.5.1"]


def test_published_links_across_sets_are_proposals_with_their_evidence(catalog_db: str) -> None:
    with session_scope(catalog_db) as s:
        walk = all_proposals(s)
        rows = s.execute(select(IndicatorLink.kind, Indicator.set_id, Indicator.code,
                                IndicatorLink.to_id)
                         .join(Indicator, Indicator.id == IndicatorLink.from_id)
                         .where(IndicatorLink.proposed_by == "KS taxonomy")).all()
        ends = {i.id: (i.set_id, i.code) for i in s.scalars(select(Indicator))}
    across = [(kind, (s_, c), ends[to]) for kind, s_, c, to in rows if ends[to][0] != s_]
    assert len(across) >= 20 and any(kind == "close" for kind, _, _ in across)
    for kind, own, other in across:
        p = _proposal(walk[own], *other)
        assert {"kind": "link", "by": "KS taxonomy", "link": kind, "confirmed": False} \
            in p.evidence
        if kind == "close":
            assert p.kind in ("exact", "close")


def test_similar_names_in_norwegian_sets_are_proposed_with_the_words(catalog_db: str) -> None:
    with session_scope(catalog_db) as s:
        found = similar(s, HEALTH, _code(s, HEALTH, name_nb="Vedvarende lavinntekt, "
                                         "husholdninger - 0-17 år"))
    p = _proposal(found, POVERTY, _code_of(catalog_db, POVERTY,
                                           "Barn i husholdninger med vedvarende lavinntekt"))
    text = next(e for e in p.evidence if e["kind"] == "similar_text")
    assert text["similarity"] >= 0.8 and "lavinntekt" in text["words"]
    assert p.kind == "close" and 0.5 < p.confidence < 0.95


def test_a_name_in_one_language_meets_one_given_in_both_in_their_shared_language(
        catalog_db: str) -> None:
    """KS's "Totalt klimagassutslipp per år" has only a Norwegian name; the UN's 13.2.2 has a
    Norwegian and an English one (and its code): compared whole they look half alike."""
    with session_scope(catalog_db) as s:
        points = "De-norske-målepunktene"
        found = similar(s, points, _code(s, points, name_nb="Totalt klimagassutslipp per år"))
    p = _proposal(found, "un-global", "13.2.2")
    text = next(e for e in p.evidence if e["kind"] == "similar_text")
    assert text["similarity"] >= 0.8 and "klimagassutslipp" in text["words"]
    assert p.kind == "close" and found.index(p) == 0


def _code_of(url: str, set_id: str, name: str) -> str:
    with session_scope(url) as s:
        return _code(s, set_id, name_nb=name)


def test_the_crosswalk_covers_every_set_in_order(catalog_db: str) -> None:
    with session_scope(catalog_db) as s:
        walk = all_proposals(s)
        sets = {row["id"]: row["indicators"] for row in list_sets(s)}
    covered = {set_id for set_id, _ in walk}
    assert covered == set(sets)
    assert len(walk) / sum(sets.values()) > 0.9
    for own, found in walk.items():
        assert all(p.set_id != own[0] for p in found)
        assert all(0 <= p.confidence <= 1 and p.evidence for p in found)
        ranks = [(-p.confidence) for p in found]
        assert ranks == sorted(ranks), own


def test_unknown_indicators_and_sets_are_not_found(catalog_db: str) -> None:
    with session_scope(catalog_db) as s:
        with pytest.raises(NotFound, match="no indicator set 'nope'"):
            similar(s, "nope", "1")
        with pytest.raises(NotFound, match="no indicator '99.9.9'"):
            similar(s, "un-global", "99.9.9")
        with pytest.raises(NotFound, match="no indicator set 'nope'"):
            namesakes(s, "nope")


def test_namesakes_show_what_tells_them_apart_or_are_flagged(catalog_db: str) -> None:
    with session_scope(catalog_db) as s:
        recreation = {g.codes: g for g in namesakes(s, RECREATION)}
        sewage = namesakes(s, "Forurensning-og-klima---kommunalt-avløp")
    trio = recreation[("3929", "3932", "3935")]
    assert trio.name.startswith("Andel med trygg tilgang til nærturterreng - alle aldere")
    assert trio.differences == {"tbl": {"3929": [], "3932": ["people", "planet"],
                                        "3935": ["people", "planet"]}}
    assert trio.flag == "classification_only"
    assert recreation[("3931", "3937")].flag == "no_difference"
    told = next(g for g in sewage if g.codes == ("4144", "4168"))
    assert told.flag is None
    assert told.differences["source_url"] == {"4144": "https://www.ssb.no/statbank/table/13144",
                                              "4168": "https://www.ssb.no/statbank/table/11786"}


def test_three_sets_measure_the_same_thing_many_times(catalog_db: str) -> None:
    with session_scope(catalog_db) as s:
        three = overlaps(s, ["un-global", UN_LIST, OECD])
    assert three["shared_by_all"] >= 20
    assert {"sets": sorted(["un-global", UN_LIST]), "same": 246, "confirmed": 0} \
        in three["pairs"]
    group = next(g for g in three["groups"] if len(g["sets"]) == 3)
    assert {(i["set_id"], i["code"]) for i in group["indicators"]} >= {("un-global", "1.2.1")}
    assert not group["confirmed"]


# Curators' decisions, in a database of their own on each engine.

LOCAL = SetRecord(id="lokal", name_nb="Lokale indikatorer", level="local")


@pytest.fixture
def local_db(framework_db: str) -> str:
    """The UN framework and a local set whose names carry UN codes."""
    records = [IndicatorRecord("klima", {"name_nb": "Klimagassutslipp (jf. 13.2.2)"}),
               IndicatorRecord("utslipp", {"name_nb": "Utslipp per innbygger, 13.2.2"}),
               IndicatorRecord("luft", {"name_nb": "Svevestøv, 11.6.2"})]
    with session_scope(framework_db) as s:
        save_set(s, LOCAL, records, changed_by="test", batch=None)
    return framework_db


def _refs(group: dict) -> set[tuple[str, str]]:
    return {(i["set_id"], i["code"]) for i in group["indicators"]}


def _walk(url: str, code: str) -> dict:
    with session_scope(url) as s:
        return {p.ref: p for p in similar(s, "lokal", code, limit=100)}


def test_a_confirmed_proposal_is_a_confirmed_link_with_history(local_db: str) -> None:
    assert _walk(local_db, "klima")["un-global/13.2.2"].status == "open"
    with session_scope(local_db) as s:
        before = catalog_version(s)
        confirm(s, ("lokal", "klima"), ("un-global", "13.2.2"), "exact", by="kari")
    with session_scope(local_db) as s:
        assert catalog_version(s) == before + 1
        link = s.scalar(select(IndicatorLink))
        assert (link.kind, link.proposed_by, link.confirmed) == ("exact", CROSSWALK, True)
        own, theirs = history(s, "lokal", "klima")[0], history(s, "un-global", "13.2.2")[0]
        three = overlaps(s, ["lokal", "un-global"])
    p = _walk(local_db, "klima")["un-global/13.2.2"]
    assert (p.status, p.kind, p.confidence, p.decision.by) == ("confirmed", "exact", 1.0, "kari")
    shown = json.loads(json.dumps(p.as_dict()))
    assert shown["decision"]["status"] == "confirmed" and shown["evidence"] == list(p.evidence)
    assert (own["property"], own["by"]) == ("link", "kari")
    assert own["old"] == "un-global/13.2.2: no link"
    assert own["new"] == "un-global/13.2.2: exact link, confirmed"
    assert theirs["new"] == "lokal/klima: exact link, confirmed"
    group = next(g for g in three["groups"] if ("lokal", "klima") in _refs(g))
    assert _refs(group) == {("lokal", "klima"), ("lokal", "utslipp"), ("un-global", "13.2.2")}
    assert not group["confirmed"]  # utslipp's exact proposal is still open
    with session_scope(local_db) as s, pytest.raises(BadRequest, match="already confirmed"):
        reject(s, ("un-global", "13.2.2"), ("lokal", "klima"), by="ola")


def test_a_rejected_proposal_never_comes_back_open(local_db: str) -> None:
    with session_scope(local_db) as s:
        reject(s, ("lokal", "utslipp"), ("un-global", "13.2.2"), by="ola",
               reason="per innbygger, not in total")
    with session_scope(local_db) as s:
        save_links(s, [LinkRecord("lokal", "utslipp", "exact", "un-global", "13.2.2")],
                   proposed_by="some source", scope_sets={"lokal"})
        row = history(s, "lokal", "utslipp")[0]
    found = _walk(local_db, "utslipp")
    p = found["un-global/13.2.2"]
    assert p.status == "rejected" and p.decision.reason == "per innbygger, not in total"
    assert list(found.values())[-1] is p
    assert row["new"] == "un-global/13.2.2: rejected: per innbygger, not in total"
    with session_scope(local_db) as s:
        group = next(g for g in overlaps(s)["groups"] if ("lokal", "klima") in _refs(g))
        assert _refs(group) == {("lokal", "klima"), ("un-global", "13.2.2")}
        with pytest.raises(BadRequest, match="already rejected by ola"):
            confirm(s, ("lokal", "utslipp"), ("un-global", "13.2.2"), "close", by="kari")


def test_confirming_a_stored_link_keeps_its_proposer_and_outlives_a_new_sync(local_db: str
                                                                               ) -> None:
    link = LinkRecord("lokal", "luft", "close", "un-global", "11.6.2")
    with session_scope(local_db) as s:
        save_links(s, [link], proposed_by="KS taxonomy", scope_sets={"lokal"})
    with session_scope(local_db) as s:
        confirm(s, ("un-global", "11.6.2"), ("lokal", "luft"), "close", by="kari")
    with session_scope(local_db) as s:
        save_links(s, [], proposed_by="KS taxonomy", scope_sets={"lokal"})
    with session_scope(local_db) as s:
        rows = s.execute(select(IndicatorLink.proposed_by, IndicatorLink.confirmed)).all()
        assert history(s, "lokal", "luft")[0]["old"] == "un-global/11.6.2: close link by KS " \
            "taxonomy"
    assert rows == [("KS taxonomy", True)]
    assert _walk(local_db, "luft")["un-global/11.6.2"].kind == "close"


def test_decisions_on_unknown_or_equal_indicators_or_kinds_are_refused(local_db: str) -> None:
    with session_scope(local_db) as s:
        with pytest.raises(NotFound, match="no indicator 'lokal/nope'"):
            confirm(s, ("lokal", "nope"), ("un-global", "13.2.2"), "exact", by="kari")
        with pytest.raises(NotFound, match="no indicator 'un-global/99.9.9'"):
            reject(s, ("lokal", "klima"), ("un-global", "99.9.9"), by="kari")
        with pytest.raises(BadRequest, match="to itself"):
            reject(s, ("lokal", "klima"), ("lokal", "klima"), by="kari")
        with pytest.raises(BadRequest, match="'same' is not a link kind"):
            confirm(s, ("lokal", "klima"), ("un-global", "13.2.2"), "same", by="kari")
