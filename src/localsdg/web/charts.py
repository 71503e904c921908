"""Vega-Lite specifications for the analysis charts, built from the catalog statistics.

One definition serves the browser (vega-embed) and, later, paper (vl-convert). Every chart
carries a description used as its text alternative; the pages also show the numbers as tables.
"""

from __future__ import annotations

from localsdg import taxonomy as tx

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
ACCENT = "#1E6C9C"  # dark enough for 3:1 against white (WCAG 1.4.11 non-text contrast)


def bar(rows: list[dict], title: str, description: str, count_title: str,
        colours: dict[str, str] | None = None) -> dict:
    """A horizontal bar per value, in the order given; unclassified included as its own bar."""
    data = [{"label": r["label"], "count": r["count"], "value": r["value"] or "-"} for r in rows]
    colour: dict = {"value": ACCENT}
    if colours:
        colour = {"field": "value", "type": "nominal", "legend": None,
                  "scale": {"domain": list(colours), "range": list(colours.values())}}
    return {
        "$schema": SCHEMA, "title": title, "description": description,
        "data": {"values": data}, "width": "container",
        "height": {"step": 22},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": None, "title": None,
                  "axis": {"labelLimit": 320}},
            "x": {"field": "count", "type": "quantitative", "title": count_title},
            "color": colour,
        },
    }


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
