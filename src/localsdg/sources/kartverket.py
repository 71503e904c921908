"""Boundaries for maps: the mirrored GeoJSON of Kartverket's municipalities and counties (2024
and 2020 sets), with one property naming the area code the same way in every file."""

from __future__ import annotations

import json
from functools import cache

from localsdg.errors import NotFound
from localsdg.sources.http import fetch

BASE = ("https://raw.githubusercontent.com/robhop/fylker-og-kommuner/"
        "ae8782500090144c2b74d6bb2a89365a7ff2236d/")
FILES = {
    ("municipality", 2024): ("Kommuner-S.geojson", "kommunenummer", 4),
    ("county", 2024): ("Fylker-S.geojson", "fylkesnummer", 2),
    # The small 2020 file lost Kvitsøy and Træna in simplification; the medium one has all 356.
    ("municipality", 2020): ("2020/Kommuner-medium.json", "kommunenummer", 4),
    ("county", 2020): ("2020/Fylker-small.json", "fylkesnummer", 2),
}
CREDIT = "© Kartverket (CC BY 4.0)"


def map_set(year: int) -> int | None:
    """The boundary set that shows the areas of a year, if there is one."""
    return 2024 if year >= 2024 else 2020 if year >= 2020 else None


@cache
def boundaries(level: str, year: int) -> bytes:
    """GeoJSON whose features carry `code` (zero-padded) and `name`."""
    if (level, year) not in FILES:
        raise NotFound(f"no map of {level} borders for {year}; maps exist for "
                       f"{', '.join(f'{lvl} {y}' for lvl, y in FILES)}")
    name, code_field, width = FILES[(level, year)]
    data = json.loads(fetch(BASE + name).content)
    for feature in data["features"]:
        _rewind(feature["geometry"])
        p = feature["properties"]
        feature["properties"] = {"code": str(p[code_field]).zfill(width),
                                 "name": p.get("kommunenavn") or p.get("fylkesnavn")
                                 or p.get("navn") or p.get("name")}
    return json.dumps(data, separators=(",", ":")).encode()


def _rewind(geometry: dict) -> None:
    """Outer rings clockwise, holes counter-clockwise, as d3-geo (inside Vega) reads spherical
    polygons; the files follow GeoJSON's opposite rule, which d3 draws as the whole globe."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else [])
    for polygon in polygons:
        for i, ring in enumerate(polygon):
            if (_signed_area(ring) > 0) == (i == 0):
                ring.reverse()


def _signed_area(ring: list) -> float:
    """Positive for counter-clockwise rings (shoelace formula on longitude/latitude)."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:],
                                                                          strict=False)) / 2
