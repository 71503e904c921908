"""Vega-Lite specifications for the analysis charts, built from the catalog statistics.

One definition serves the browser (vega-embed) and, later, paper (vl-convert). Every chart
carries a description used as its text alternative; the pages also show the numbers as tables.
"""

from __future__ import annotations

import json

from localsdg import taxonomy as tx

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
ACCENT = "#1E6C9C"  # dark enough for 3:1 against white (WCAG 1.4.11 non-text contrast)
MISSING_GREY = "#d9d9d9"  # a map's areas without a value


def bar(rows: list[dict], title: str, description: str, count_title: str,
        colours: dict[str, str] | None = None, lang: str | None = None) -> dict:
    """A horizontal bar per value, in the order given; unclassified included as its own bar."""
    data = [{"label": r["label"], "count": r["count"], "value": r["value"] or "-"} for r in rows]
    colour: dict = {"value": ACCENT}
    if colours:
        colour = {"field": "value", "type": "nominal", "legend": None,
                  "scale": {"domain": list(colours), "range": list(colours.values())}}
    return {
        "$schema": SCHEMA, "title": title, "description": description,
        "data": {"values": data}, "width": "container",
        "height": {"step": 22}, **({"config": _locale(lang)} if lang else {}),
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": None, "title": None,
                  "axis": {"labelLimit": 320}},
            "x": {"field": "count", "type": "quantitative", "title": count_title},
            "color": colour,
        },
    }


def script_json(spec: dict) -> str:
    """JSON safe to place inside <script>: no '</' can close the element early."""
    return json.dumps(spec, ensure_ascii=False).replace("</", "<\\/")


def goal_colours() -> dict[str, str]:
    return {str(goal): colour for goal, colour in tx.GOAL_COLOURS.items()}


def heatmap(matrix: dict, title: str, description: str, count_title: str,
            column_title: str) -> dict:
    """Sets down, goals or targets across, shaded by the number of indicators; 0 is a gap."""
    data = [{"set": r["name"], "column": c, "count": matrix["counts"][r["set_id"]].get(c, 0)}
            for r in matrix["rows"] for c in matrix["columns"]]
    return {
        "$schema": SCHEMA, "title": title, "description": description,
        "data": {"values": data},
        "width": {"step": 22 if matrix["column"] == "goal" else 9}, "height": {"step": 18},
        "mark": {"type": "rect", "tooltip": True, "stroke": "#ffffff"},
        "encoding": {
            "x": {"field": "column", "type": "ordinal", "sort": matrix["columns"],
                  "title": column_title},
            "y": {"field": "set", "type": "nominal", "title": None,
                  "axis": {"labelLimit": 260}},
            "color": {"condition": {"test": "datum.count === 0", "value": "#C30000"},
                      "field": "count", "type": "quantitative", "title": count_title,
                      "scale": {"scheme": "blues"}},
        },
    }


# d3-format for a figure as the pages write it (present.formats.number, "#,##0.###"): grouped,
# at most three decimals and no trailing zeros, so a legend of one value reads 9,2, not 9,200000
NUMBER_FORMAT = ",.3~f"
NUMBER_LOCALES = {  # d3-format locales, so axes and tooltips read 5 425 270 and 12,5 in Norwegian
    "nb": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", " kr"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", ""]},
}


def _locale(lang: str) -> dict:
    """Numbers the reader's way. Vega describes axes and legends to screen readers in English
    only ("X-axis titled …"), so on Norwegian pages they are left to the chart's own text
    alternative (its description and table)."""
    if lang == "en":
        return {"locale": {"number": NUMBER_LOCALES["en"]}}
    return {"locale": {"number": NUMBER_LOCALES["nb"]}, "axis": {"aria": False},
            "legend": {"aria": False}}


def line(rows: list[dict], title: str, description: str, value_title: str, lang: str) -> dict:
    """One line per area over the periods; a missing value breaks the line instead of being
    bridged, so a gap in the data stays visible."""
    data = [{"area": r["area_name"] or r["area_code"], "year": r["end_year"],
             "period": r["period"], "value": r["value"]} for r in rows]
    return {
        "$schema": SCHEMA, "title": title, "description": description,
        "data": {"values": data}, "width": "container", "height": 320, "config": _locale(lang),
        "mark": {"type": "line", "point": True, "tooltip": True,
                 "invalid": "break-paths-show-domains"},
        "encoding": {
            "x": {"field": "year", "type": "quantitative", "title": None,
                  "scale": {"nice": False}, "axis": {"format": "d", "tickMinStep": 1}},
            "y": {"field": "value", "type": "quantitative", "title": value_title,
                  "scale": {"zero": False}},
            "color": {"field": "area", "type": "nominal", "title": None,
                      "scale": {"scheme": "dark2"}},
            "tooltip": [{"field": "area"}, {"field": "period"}, {"field": "value"}],
        },
    }


def choropleth(rows: list[dict], geo_url: str, title: str, description: str,
               value_title: str, missing_label: str, lang: str) -> dict:
    """Municipalities shaded by value; those without a value grey and named missing. Every
    shape of the boundary file is drawn: Vega-Lite would leave out those the lookup finds no
    value for (a mark's invalid values are filtered by default), the grey ones."""
    values = [{"code": r["area_code"], "value": r["value"]} for r in rows
              if r["value"] is not None]
    return {
        "$schema": SCHEMA, "title": title, "description": description,
        "width": "container", "height": 560, "config": _locale(lang),
        "data": {"url": geo_url, "format": {"type": "json", "property": "features"}},
        "projection": {"type": "mercator"},
        "transform": [
            {"lookup": "properties.code",
             "from": {"data": {"values": values}, "key": "code", "fields": ["value"]}},
            {"calculate": "datum.properties.name", "as": "name"},
            {"calculate": f"isValid(datum.value) ? format(datum.value, '{NUMBER_FORMAT}') "
                          f": '{missing_label}'", "as": "shown"},
            {"calculate": "datum.name + ': ' + datum.shown", "as": "label"},
        ],
        "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.3,
                 "tooltip": True, "invalid": "show"},
        "encoding": {
            "color": {"condition": {"test": "!isValid(datum.value)", "value": MISSING_GREY},
                      "field": "value", "type": "quantitative", "title": value_title,
                      "scale": {"scheme": "blues"}, "legend": {"format": NUMBER_FORMAT}},
            "tooltip": [{"field": "name", "title": " "}, {"field": "shown", "title": value_title}],
            "description": {"field": "label"},  # each shape's text alternative, even missing
        },
    }


def goal_scores(rows: list[dict], title: str, description: str, score_title: str,
                mean_title: str, lang: str) -> dict:
    """A bar per goal in its colour (0–100), the group's mean as a black tick beside it."""
    data = [{"goal": r["label"], "colour": str(r["goal"]), "score": r["score"],
             "mean": r["mean"]} for r in rows]
    y = {"field": "goal", "type": "nominal", "sort": None, "title": None,
         "axis": {"labelLimit": 260}}
    return {
        "$schema": SCHEMA, "title": title, "description": description,
        "data": {"values": data}, "width": "container", "height": {"step": 20},
        "config": _locale(lang),
        "layer": [
            {"mark": {"type": "bar", "tooltip": True},
             "encoding": {"y": y, "x": {"field": "score", "type": "quantitative",
                                        "title": score_title, "scale": {"domain": [0, 100]}},
                          "color": {"field": "colour", "type": "nominal", "legend": None,
                                    "scale": {"domain": list(goal_colours()),
                                              "range": list(goal_colours().values())}},
                          "tooltip": [{"field": "goal", "title": " "},
                                      {"field": "score", "title": score_title,
                                       "format": ".1f"}]}},
            {"mark": {"type": "tick", "color": "#000000", "thickness": 2},
             "encoding": {"y": y, "x": {"field": "mean", "type": "quantitative"},
                          "tooltip": [{"field": "mean", "title": mean_title,
                                       "format": ".1f"}]}},
        ],
    }


def scatter(rows: list[dict], title: str, description: str, x_title: str, y_title: str,
            lang: str) -> dict:
    """One point per area; the areas chosen are drawn larger and named."""
    data = [{"area": r["name"], "x": r["x"], "y": r["y"], "chosen": r["chosen"]} for r in rows]
    enc = {"x": {"field": "x", "type": "quantitative", "title": x_title,
                 "scale": {"zero": False}},
           "y": {"field": "y", "type": "quantitative", "title": y_title,
                 "scale": {"zero": False}}}
    return {
        "$schema": SCHEMA, "title": title, "description": description,
        "data": {"values": data}, "width": "container", "height": 360,
        "config": _locale(lang),
        "layer": [
            {"mark": {"type": "point", "filled": True, "tooltip": True},
             "encoding": {**enc, "size": {"condition": {"test": "datum.chosen", "value": 120},
                                          "value": 40},
                          "color": {"condition": {"test": "datum.chosen", "value": ACCENT},
                                    "value": "#767676"},
                          "tooltip": [{"field": "area"}, {"field": "x", "title": x_title},
                                      {"field": "y", "title": y_title}]}},
            {"transform": [{"filter": "datum.chosen"}],
             "mark": {"type": "text", "align": "left", "dx": 8, "fontSize": 12},
             "encoding": {**enc, "text": {"field": "area"}}},
        ],
    }


def priority_matrix(rows: list[dict], title: str, description: str, x_title: str,
                    y_title: str, lang: str) -> dict:
    """The plan's priorities by importance (across) and influence (up), 1–5 each, named."""
    scale = {"domain": [0.5, 5.5], "nice": False}
    axis = {"values": [1, 2, 3, 4, 5], "tickMinStep": 1}
    enc = {"x": {"field": "importance", "type": "quantitative", "title": x_title,
                 "scale": scale, "axis": axis},
           "y": {"field": "influence", "type": "quantitative", "title": y_title,
                 "scale": scale, "axis": axis}}
    return {
        "$schema": SCHEMA, "title": title, "description": description,
        "data": {"values": rows}, "width": "container", "height": 320,
        "config": _locale(lang),
        "layer": [
            {"mark": {"type": "circle", "size": 160, "tooltip": True},
             "encoding": {**enc, "color": {"field": "colour", "type": "nominal", "scale": None},
                          "tooltip": [{"field": "label"}, {"field": "importance"},
                                      {"field": "influence"}]}},
            {"mark": {"type": "text", "align": "left", "dx": 10, "fontSize": 12},
             "encoding": {**enc, "text": {"field": "key"}}},
        ],
    }


def projection(observed: list[tuple[int, float]], projected: list[tuple[int, float]],
               target: tuple[int, float], names: dict[str, str], title: str, description: str,
               value_title: str, lang: str) -> dict:
    """A local target: the values so far (solid), where the trend leads (dashed) and the
    target (a diamond); `names` words the three for the legend."""
    data = [{"year": y, "value": v, "kind": names["observed"]} for y, v in observed]
    data += [{"year": y, "value": v, "kind": names["projected"]} for y, v in projected]
    kinds = [names["observed"], names["projected"]]
    # padded, so that the first and last points and the target are not cut at the edges
    enc = {"x": {"field": "year", "type": "quantitative", "title": None,
                 "scale": {"nice": False, "padding": 14},
                 "axis": {"format": "d", "tickMinStep": 1}},
           "y": {"field": "value", "type": "quantitative", "title": value_title,
                 "scale": {"zero": False, "padding": 14}}}
    return {
        "$schema": SCHEMA, "title": title, "description": description, "width": "container",
        "height": 220, "config": _locale(lang),
        "layer": [
            {"data": {"values": data}, "mark": {"type": "line", "point": True, "tooltip": True},
             "encoding": {**enc, "color": {"field": "kind", "type": "nominal", "title": None,
                                           "legend": {"orient": "bottom"},
                                           "scale": {"domain": kinds,
                                                     "range": [ACCENT, "#595959"]}},
                          "strokeDash": {"field": "kind", "type": "nominal", "legend": None,
                                         "scale": {"domain": kinds, "range": [[1, 0], [6, 4]]}},
                          "tooltip": [{"field": "kind"}, {"field": "year"},
                                      {"field": "value"}]}},
            {"data": {"values": [{"year": target[0], "value": target[1],
                                  "kind": names["target"]}]},
             "mark": {"type": "point", "shape": "diamond", "size": 140, "filled": True,
                      "color": "#C62828", "tooltip": True},
             "encoding": {**enc, "tooltip": [{"field": "kind"}, {"field": "year"},
                                             {"field": "value"}]}},
        ],
    }
