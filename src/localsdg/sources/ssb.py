"""Queries to SSB's statistics bank (PxWeb API v0 by POST, v2 by GET), answered as JSON-stat 2.0
and imported with the JSON-stat importer (`sync_table` does both, for any interface).

A selection names a dimension, the codes wanted and, optionally, a grouping or value set (v0
`filter`, e.g. `agg:KommSummer` for municipalities summed to one border set; v2 `codelist`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.orm import Session

from localsdg.catalog.indicators import indicator_by_ref
from localsdg.errors import UserError
from localsdg.observations.store import ImportResult
from localsdg.sources.http import Fetched, fetch, post_json
from localsdg.sources.jsonstat import import_dataset

V0 = "https://data.ssb.no/api/v0/no/table/{table}"
V2 = "https://data.ssb.no/api/pxwebapi/v2/tables/{table}/data"
TABLE = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class Selection:
    code: str
    values: tuple[str, ...]
    filter: str = "item"  # v0: item, all, top, agg:…, vs:…; v2: a codelist id or item


def parse_selection(text: str) -> Selection:
    """'Tid=2022', 'Region=agg:KommSummer:K-3001,K-3002' or 'Alder=vs:AlleAldre00B:' ."""
    code, sep, rest = text.partition("=")
    if not sep or not code.strip():
        raise UserError(f"--select '{text}': write DIMENSION=VALUES, e.g. Tid=2022 or "
                        "Region=agg:KommSummer:K-3001,K-3002")
    group, values = "item", rest
    if rest.startswith(("agg:", "vs:", "agg_", "vs_")) and rest.count(":") >= 2:
        group, _, values = rest.rpartition(":")
    elif rest in ("all", "*"):
        group, values = "all", "*"
    return Selection(code.strip(), tuple(v.strip() for v in values.split(",") if v.strip()),
                     group)


def _check_table(table: str) -> None:
    if not TABLE.match(table):
        raise UserError(f"'{table}' is not an SSB table number; they have five digits (07459)")


def v0_query(selections: list[Selection]) -> dict:
    """The body SSB's v0 API expects (as the statbank's 'API query' button shows it)."""
    return {"query": [{"code": s.code, "selection": {"filter": s.filter,
                                                    "values": list(s.values)}}
                      for s in selections],
            "response": {"format": "json-stat2"}}


def v2_url(table: str, selections: list[Selection], lang: str = "no") -> str:
    """The GET address of SSB's v2 API for the same selection."""
    _check_table(table)
    params = [f"lang={lang}", "outputFormat=json-stat2"]
    for s in selections:
        params.append(f"valueCodes[{quote(s.code)}]={quote(','.join(s.values) or '*', safe=',*')}")
        if s.filter not in ("item", "all"):
            params.append(f"codelist[{quote(s.code)}]={quote(s.filter.replace(':', '_'))}")
    return V2.format(table=table) + "?" + "&".join(params)


def fetch_table(table: str, selections: list[Selection], api: str = "v0") -> Fetched:
    _check_table(table)
    if api == "v0":
        return post_json(V0.format(table=table), v0_query(selections))
    if api == "v2":
        return fetch(v2_url(table, selections))
    raise UserError(f"--api '{api}': use v0 or v2")


def sync_table(session: Session, table: str, selections: list[Selection], *, indicator: str,
               by: str, api: str = "v0", measure: str | None = None,
               borders: int | None = None, skip_bad: bool = False,
               save: Path | None = None) -> ImportResult:
    """Fetch the selection of a table and import it into the indicator `indicator` (SET/CODE),
    all or nothing unless `skip_bad`; the batch's source is the query's address. With `save`
    the answer is also kept in that file."""
    fetched = fetch_table(table, selections, api)
    if save is not None:
        save.write_bytes(fetched.content)
    return import_dataset(session, fetched.content, save.name if save else f"{table}.json",
                          indicator=indicator_by_ref(session, indicator), by=by,
                          source=fetched.url, measure=measure, skip_bad=skip_bad,
                          borders=borders)
