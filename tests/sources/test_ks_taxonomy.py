import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from localsdg.catalog.indicators import detail, history, list_sets
from localsdg.db.schema import ImportBatch, Indicator, IndicatorLink
from localsdg.db.session import session_scope
from localsdg.errors import UserError
from localsdg.sources import ks_taxonomy
from localsdg.sources.ks_taxonomy import sync_ks_taxonomy
from tests.helpers import KS_DIR, MIRROR


def test_all_33_sets_and_2092_indicators_are_loaded(catalog_db):
    with session_scope(catalog_db) as s:
        sets = {x["id"]: x for x in list_sets(s)}
        batch = s.scalars(select(ImportBatch).where(ImportBatch.kind == "ks-taxonomy")).one()
    ks = {k: v for k, v in sets.items() if k != "un-global"}
    assert len(ks) == 33
    assert sum(v["indicators"] for v in ks.values()) == 2092
    assert ks["De-norske-målepunktene"]["indicators"] == 459
    assert ks["De-norske-målepunktene"]["name_nb"] == "De norske målepunktene"
    assert ks["UN-SDG-indicators"]["indicators"] == 248
    assert batch.summary["unmapped"] == []  # everything in the files found a place
    assert batch.summary["quirks_handled"]["Norwegian title tagged @en"] == 459


def test_every_property_of_an_indicator_is_mapped(catalog_db):
    with session_scope(catalog_db) as s:
        v = detail(s, "De-norske-målepunktene", "2262")["values"]
        road = detail(s, "Utslipp-av-klimagasser-i-kommuner-og-fylker", "1003")["values"]
    assert v["name_nb"] == "Antall personer uten inntekt" and v["name_en"] is None
    assert v["goals"] == ["1"] and v["targets"] == ["1.1"]
    assert v["evaluation_steps"] == ["output", "impact"]
    assert v["tbl"] == ["people", "prosperity"]
    assert v["development_areas"] == ["economy", "health_and_social_services_and_welfare"]
    assert v["quality_class"] == "1" and v["geography_level"] == "national"
    assert v["periodicity"] == "other"
    assert road["goals"] == ["7", "13"] and road["targets"] == ["7.2", "7.3", "13.2"]
    assert road["unit"] == "Tonn CO2-ekvivalenter"
    assert road["periodicity"] == "yearly"  # published as "12" (months)
    assert road["data_owner"] == "miljodirektoratet"
    assert road["source_url"].startswith("https://www.miljodirektoratet.no/")


def test_cross_links_and_un_set_linked_to_un_global(catalog_db):
    with session_scope(catalog_db) as s:
        un = detail(s, "UN-SDG-indicators", "1787")
        closes = s.scalar(select(func.count()).select_from(IndicatorLink)
                          .where(IndicatorLink.kind == "close"))
        global_side = detail(s, "un-global", "1.1.1")
    assert {"kind": "exact", "set_id": "un-global", "code": "1.1.1"}.items() <= {
        **next(lk for lk in un["links"] if lk["set_id"] == "un-global")}.items()
    assert any(lk["set_id"] == "UN-SDG-indicators" and lk["direction"] == "in"
               for lk in global_side["links"])
    assert closes >= 20


def _small_mirror(tmp_path: Path, set_id: str) -> Path:
    root = tmp_path / "mirror"
    for rel in [f"{set_id}.ttl", *ks_taxonomy.VOCABULARIES.values()]:
        (root / KS_DIR / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(MIRROR / KS_DIR / rel, root / KS_DIR / rel)
    shutil.copytree(MIRROR / "raw.githubusercontent.com", root / "raw.githubusercontent.com")
    return root


def test_resync_is_idempotent_and_records_changes_of_a_changed_file(framework_db, tmp_path,
                                                                      monkeypatch):
    set_id = "Utslipp-av-klimagasser-i-kommuner-og-fylker"
    root = _small_mirror(tmp_path, set_id)
    monkeypatch.setenv("LOCALSDG_MIRROR", str(root))
    with session_scope(framework_db) as s:
        first = sync_ks_taxonomy(s, [set_id])
    with session_scope(framework_db) as s:
        second = sync_ks_taxonomy(s, [set_id])
    assert first["created"] == 12 and second["created"] == 0 and second["changes"] == 0
    path = root / KS_DIR / f"{set_id}.ttl"
    text = path.read_text(encoding="utf-8")
    text = text.replace('"Utslipp fra veitrafikk"@no', '"Utslipp fra vegtrafikk"@no')
    path.write_text(text, encoding="utf-8")
    with session_scope(framework_db) as s:
        third = sync_ks_taxonomy(s, [set_id], by="test re-sync")
    assert third["updated"] == 1 and third["changes"] == 1
    with session_scope(framework_db) as s:
        changes = history(s, set_id, "1001")
    assert changes[0]["property"] == "name_nb" and changes[0]["by"] == "test re-sync"
    assert (changes[0]["old"], changes[0]["new"]) == ("Utslipp fra veitrafikk",
                                                      "Utslipp fra vegtrafikk")


def test_broken_turtle_is_reported_with_the_file_and_nothing_is_written(framework_db, tmp_path,
                                                                         monkeypatch):
    set_id = "Ungdata"
    root = _small_mirror(tmp_path, set_id)
    (root / KS_DIR / f"{set_id}.ttl").write_text("<a> <b> ", encoding="utf-8")
    monkeypatch.setenv("LOCALSDG_MIRROR", str(root))
    with pytest.raises(UserError, match=r"Ungdata\.ttl: not valid Turtle"), \
            session_scope(framework_db) as s:
        sync_ks_taxonomy(s, [set_id])
    with session_scope(framework_db) as s:
        assert s.scalar(select(func.count()).select_from(Indicator)
                        .where(Indicator.set_id == set_id)) == 0


def test_unknown_set_and_missing_framework_are_clear_errors(db_url):
    with pytest.raises(UserError, match="unknown KS set"), session_scope(db_url) as s:
        sync_ks_taxonomy(s, ["No-such-set"])
    with pytest.raises(UserError, match="sync framework"), session_scope(db_url) as s:
        sync_ks_taxonomy(s, ["Ungdata"])


def test_a_byte_order_mark_is_read_and_an_empty_file_is_refused(framework_db, tmp_path,
                                                                 monkeypatch):
    set_id = "Ungdata"
    root = _small_mirror(tmp_path, set_id)
    path = root / KS_DIR / f"{set_id}.ttl"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # as Windows editors save it
    monkeypatch.setenv("LOCALSDG_MIRROR", str(root))
    with session_scope(framework_db) as s:
        assert sync_ks_taxonomy(s, [set_id])["created"] > 0
    path.write_bytes(b"")
    with pytest.raises(UserError, match=r"Ungdata\.ttl: the Turtle file holds no statements"), \
            session_scope(framework_db) as s:
        sync_ks_taxonomy(s, [set_id])
