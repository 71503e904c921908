"""The Turtle export reads back through the KS importer: it is what KS publishes, in shape."""

import shutil

from localsdg.catalog import export
from localsdg.catalog.indicators import detail
from localsdg.db.session import session_scope
from localsdg.sources import ks_taxonomy
from localsdg.sources.ks_taxonomy import sync_ks_taxonomy
from tests.helpers import KS_DIR, MIRROR

SET = "Utslipp-av-klimagasser-i-kommuner-og-fylker"


def test_turtle_export_is_read_back_by_the_ks_importer(catalog_db, framework_db, tmp_path,
                                                       monkeypatch):
    root = tmp_path / "mirror"
    shutil.copytree(MIRROR / "raw.githubusercontent.com", root / "raw.githubusercontent.com")
    for rel in ks_taxonomy.VOCABULARIES.values():
        (root / KS_DIR / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(MIRROR / KS_DIR / rel, root / KS_DIR / rel)
    with session_scope(catalog_db) as s:
        n = export.export(s, "ttl", root / KS_DIR / f"{SET}.ttl", [SET])
        original = {c: detail(s, SET, c)["values"] for c in ("1001", "1003")}
    assert n == 12
    monkeypatch.setenv("LOCALSDG_MIRROR", str(root))
    with session_scope(framework_db) as s:
        report = sync_ks_taxonomy(s, [SET])
    assert report["created"] == 12 and report["unmapped"] == []
    with session_scope(framework_db) as s:
        for code, values in original.items():
            assert detail(s, SET, code)["values"] == values
