"""The data page's map when a planner has figures for one municipality only (Bodø, uploaded as
a CSV of their own): every other municipality is drawn, grey and named missing, as the sentence
above the map says, and the legend of its one value reads 9.2, not 9.200000. The map is drawn
from the page's own Vega-Lite spec and the boundary file the page serves, with vl-convert."""

from __future__ import annotations

import html
import json
import re

import pytest
import vl_convert as vlc

from localsdg.db.session import session_scope
from localsdg.present.charts import MISSING_GREY
from localsdg.sources.area_lists import sync_areas
from tests.helpers import HISTORY

BODO = "1804"
PAGE = "/indikator/lokal/egne-bodo/data"


def _token(page: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', page)[1]


@pytest.fixture
def bodo_only(writable, framework_db):
    """A planner's own figure for Bodø, 9.2 in 2024, loaded through the upload pages."""
    with session_scope(framework_db) as s:
        sync_areas(s, HISTORY)
    own = f"kommunenummer;år;verdi\n{BODO};2024;9,2\n".encode()
    shown = writable.post("/import/data", data={"create": "lokal/egne-bodo"},
                          files={"file": ("egne_bodo.csv", own)})
    form = {"token": _token(shown.text), "create": "lokal/egne-bodo", "area": "kommunenummer",
            "period": "år", "value": "verdi", "by": "Kari"}
    done = writable.post("/import/data/lagre", data=form, follow_redirects=False)
    assert done.headers["location"] == f"{PAGE}?importert=1", done.text[:500]
    return writable


def _map_spec(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="map-spec">(.*?)</script>', page,
                      re.S)
    return json.loads(found[1])


def _shapes(svg: str) -> list[tuple[str, str]]:
    """Each municipality's shape as drawn: its text alternative and its fill (two Herøys, two
    Vålers: a name may come twice)."""
    return [(html.unescape(re.search(r'aria-label="([^"]*)"', tag)[1]),
             re.search(r'fill="([^"]*)"', tag)[1])
            for tag in re.findall(r'<path [^>]*aria-roledescription="geoshape"[^>]*>', svg)]


def _drawn(client, spec: dict) -> str:
    """The map as the browser draws it, with the boundary file the page names put inline."""
    geo = client.get(spec["data"]["url"]).json()
    return vlc.vegalite_to_svg({**spec, "data": {**spec["data"], "url": None, "values": geo}},
                               vl_version="6.4")


@pytest.mark.parametrize("lang, shown, missing", [("en", "9.2", "missing"),
                                                  ("nb", "9,2", "mangler")])
def test_one_municipality_with_a_value_the_others_grey(bodo_only, lang, shown, missing):
    page = bodo_only.get(PAGE, params={"lang": lang}).text
    spec = _map_spec(page)
    geo = bodo_only.get(spec["data"]["url"]).json()
    codes = {f["properties"]["code"] for f in geo["features"]}
    assert len(codes) == 357 and BODO in codes  # the 2024 municipalities
    svg = _drawn(bodo_only, spec)
    shapes = _shapes(svg)
    assert len(shapes) == len(codes)  # Vega-Lite leaves out shapes without a value unless told
    with_value = [(label, fill) for label, fill in shapes if not label.endswith(f": {missing}")]
    assert [label for label, _ in with_value] == [f"Bodø: {shown}"]
    assert with_value[0][1] != MISSING_GREY
    assert {fill for label, fill in shapes if (label, fill) not in with_value} == {MISSING_GREY}
    # the legend of one value: as the table writes it, no padding zeros
    assert f">{shown}</text>" in svg
    # Vega's own descriptions of axes and legends are English: kept on English pages only
    assert (f"values from {shown} to {shown}" in svg) == (lang == "en")
    assert not re.search(r">[\d\s.,\u00a0]*[.,]\d*0</text>", svg)
    assert f'<td class="number">{shown}</td>' in page


def test_the_sentence_above_the_map_counts_one_municipality_in_the_singular(bodo_only):
    page = bodo_only.get(PAGE, params={"lang": "en"}).text
    assert "1 municipality with a value; the others are shown grey as missing." in page
    assert "1 municipalities" not in page
    nb = bodo_only.get(PAGE, params={"lang": "nb"}).text
    assert "1 kommuner" not in nb
