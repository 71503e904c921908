"""Hypothesis: export → import → export is identical for arbitrary valid catalogs."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localsdg import taxonomy as tx
from localsdg.catalog import export, files
from localsdg.catalog import properties as props
from localsdg.catalog.store import CODE_TEXT
from localsdg.db.session import session_scope
from tests.helpers import reset_catalog

TARGETS = ["1.1", "3.4", "11.6", "11.a", "13.2", "17.19"]
ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"),
                         include_characters="æøåÆØÅ")
# Text a spreadsheet would run as a formula, guarded in CSV, must come back as it was.
FORMULAS = st.sampled_from(["=SUM(A1)", "+47 22", "-", "@x", "'=x", "''-y", "-5", "'abc"])
text = (st.text(ALPHABET, min_size=1, max_size=30) | FORMULAS).map(
    lambda t: " ".join(t.split())).filter(lambda t: t and "|" not in t)
maybe = st.none() | text


def codes(code_list: tx.CodeList):
    return st.lists(st.sampled_from(code_list.allowed), unique=True, max_size=3)


def one(code_list: tx.CodeList):
    return st.none() | st.sampled_from(code_list.allowed)


indicator = st.fixed_dictionaries({
    "name_nb": text, "name_en": maybe, "description_nb": maybe, "unit": maybe,
    "direction": one(tx.DIRECTIONS), "data_owner": st.none() | st.sampled_from(
        tx.DATA_OWNERS.allowed) | text.filter(lambda t: tx.DATA_OWNERS.normalise(t) is None),
    "source_url": st.none() | st.just("https://www.ssb.no/statbank/table/12345"),
    "periodicity": one(tx.PERIODICITY), "goals": codes(tx.GOALS),
    "targets": st.lists(st.sampled_from(TARGETS), unique=True, max_size=3),
    "tbl": codes(tx.TBL), "priority_tags": st.lists(text, unique=True, max_size=2),
    "development_areas": codes(tx.DEVELOPMENT_AREAS),
    "evaluation_steps": codes(tx.EVALUATION_STEPS), "distribution": codes(tx.DISTRIBUTION),
    "quality_class": one(tx.QUALITY_CLASSES), "ess_relevance": st.none() | st.booleans(),
    "ess_timeliness": st.none() | st.booleans(), "geography_level": one(tx.GEOGRAPHY_LEVELS),
    "notes": maybe,
})
catalog = st.dictionaries(
    st.text(st.sampled_from("abcæøå-Å1"), min_size=1, max_size=8).filter(
        lambda s: files.SET_ID.match(s)),
    st.dictionaries(st.text(st.sampled_from("0123456789.xæ"), min_size=1, max_size=5).filter(
        lambda s: CODE_TEXT.match(s)), indicator, min_size=1, max_size=4),
    min_size=1, max_size=3)


def _document(sets: dict, link: bool) -> dict:
    out = []
    keys = [(s, c) for s, inds in sets.items() for c in inds]
    for set_id, inds in sets.items():
        items = []
        for code, values in inds.items():
            links = [{"kind": "close", "set_id": keys[0][0], "code": keys[0][1]}] if (
                link and (set_id, code) != keys[0]) else []
            items.append({"code": code, **values, "links": links})
        out.append({"id": set_id, "name_nb": f"Sett {set_id}", "level": "local",
                    "indicators": items})
    return {"format": files.FORMAT_NAME, "version": 1, "sets": out}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sets=catalog, fmt=st.sampled_from(files.FORMATS), link=st.booleans())
def test_export_import_export_is_identical(framework_db, tmp_path, sets, fmt, link):
    reset_catalog(framework_db)
    source = tmp_path / "source.json"
    source.write_text(json.dumps(_document(sets, link), ensure_ascii=False), encoding="utf-8")
    ids = sorted(sets)
    with session_scope(framework_db) as s:
        files.import_file(s, source, "hypothesis")
    first, second = tmp_path / f"first.{fmt}", tmp_path / f"second.{fmt}"
    with session_scope(framework_db) as s:
        export.export(s, fmt, first, ids)
    reset_catalog(framework_db)
    with session_scope(framework_db) as s:
        files.import_file(s, first, "hypothesis")
    with session_scope(framework_db) as s:
        export.export(s, fmt, second, ids)
    assert files.read_rows(first) == files.read_rows(second)
    if fmt != "xlsx":
        assert first.read_bytes() == second.read_bytes()
    # and nothing generated was lost on the way in
    header, rows = files.read_rows(first)
    got = {(str(r["set_id"]), str(r["code"])): r for _, r in rows}
    for set_id, inds in sets.items():
        for code, values in inds.items():
            row = got[(set_id, code)]
            for name, value in values.items():
                prop = props.PROPERTIES[name]
                if fmt == "json":
                    expected = prop.parse(value, TARGETS)
                    assert row[name] == expected, name
                else:
                    assert row[name] == prop.to_text(prop.parse(value, TARGETS)), name
