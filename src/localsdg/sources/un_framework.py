"""The UN framework: 17 goals, 169 targets and the global indicators, from Open SDG translations.

Titles in English and Bokmål come from open-sdg/sdg-translations 2.4.0. The global indicators
form the indicator set `un-global`; each is linked to its target and goal.
"""

from __future__ import annotations

import hashlib
import re

import yaml
from sqlalchemy.orm import Session

from localsdg.catalog import properties as props
from localsdg.catalog.store import IndicatorRecord, SaveReport, SetRecord, save_set, start_batch
from localsdg.db.schema import Goal, Target
from localsdg.errors import UserError
from localsdg.sources.http import fetch

BASE = "https://raw.githubusercontent.com/open-sdg/sdg-translations/2.4.0/translations"
LANGS = {"en": "en", "nb": "nb_NO"}
SET_ID = "un-global"
SYNC_BY = "sync framework (Open SDG translations 2.4.0)"
INDICATOR_KEY = re.compile(r"^(\d+)-([0-9a-z]+)-(\d+)-title$")
TARGET_KEY = re.compile(r"^(\d+)-([0-9a-z]+)-title$")


def _load(kind: str) -> tuple[dict[str, dict[str, str]], list[str], str]:
    """Return {lang: {key: text}}, the URLs read, and a checksum over all files."""
    texts, urls, digest = {}, [], hashlib.sha256()
    for lang, folder in LANGS.items():
        url = f"{BASE}/{folder}/global_{kind}.yml"
        fetched = fetch(url)
        digest.update(fetched.content)
        try:
            data = yaml.safe_load(fetched.content)
        except yaml.YAMLError as exc:
            raise UserError(f"{fetched.location}: not valid YAML ({exc})") from exc
        texts[lang] = {str(k): str(v).strip() for k, v in data.items()}
        urls.append(url)
    return texts, urls, digest.hexdigest()


def sync_framework(session: Session, by: str = SYNC_BY) -> dict:
    goals, u1, c1 = _load("goals")
    targets, u2, c2 = _load("targets")
    indicators, u3, c3 = _load("indicators")
    checksum = hashlib.sha256((c1 + c2 + c3).encode()).hexdigest()
    batch = start_batch(session, "framework", " ".join(u1 + u2 + u3), by, checksum)
    for n in range(1, 18):
        row = session.get(Goal, n) or Goal(id=n)
        row.short_en, row.short_nb = goals["en"].get(f"{n}-short"), goals["nb"].get(f"{n}-short")
        row.title_en, row.title_nb = goals["en"].get(f"{n}-title"), goals["nb"].get(f"{n}-title")
        session.merge(row)
    target_codes = []
    for position, key in enumerate(sorted(targets["en"], key=_target_key_sort)):
        m = TARGET_KEY.match(key)
        if not m:
            raise UserError(f"{u2[0]}: unexpected key '{key}'; expected like '11-6-title'")
        code = f"{m[1]}.{m[2]}"
        target_codes.append(code)
        session.merge(Target(code=code, goal_id=int(m[1]), position=position,
                             title_en=targets["en"][key], title_nb=targets["nb"].get(key)))
    session.flush()
    records = _indicator_records(indicators, set(target_codes), u3[0])
    report: SaveReport = save_set(session, SetRecord(
        id=SET_ID, name_nb="FNs globale bærekraftsindikatorer",
        name_en="UN global SDG indicators", publisher="United Nations (UN Statistical Commission)",
        version="Open SDG translations 2.4.0", level="global",
        url="https://unstats.un.org/sdgs/indicators/indicators-list/",
    ), records, changed_by=by, batch=batch)
    summary = {"goals": 17, "targets": len(target_codes), "indicators": len(records),
               **report.__dict__}
    batch.summary = summary
    return summary


def _target_key_sort(key: str) -> tuple:
    goal, rest = key.split("-")[0], key.split("-")[1]
    return props.target_sort_key(f"{goal}.{rest}")


def _indicator_records(texts: dict[str, dict[str, str]], targets: set[str], url: str
                       ) -> list[IndicatorRecord]:
    records = []
    for key in texts["en"]:
        m = INDICATOR_KEY.match(key)
        if not m:
            raise UserError(f"{url}: unexpected key '{key}'; expected like '11-6-1-title'")
        target = f"{m[1]}.{m[2]}"
        if target not in targets:
            raise UserError(f"{url}: indicator '{key}' names target {target}, which is unknown")
        records.append(IndicatorRecord(
            code=f"{target}.{m[3]}",
            uri=f"http://metadata.un.org/sdg/{un_series_code(target, m[3])}",
            values={"name_en": texts["en"][key], "name_nb": texts["nb"].get(key),
                    "goals": [m[1]], "targets": [target],
                    "source_url": "https://unstats.un.org/sdgs/indicators/database/"},
        ))
    return sorted(records, key=lambda r: indicator_sort_key(r.code))


def un_series_code(target: str, number: str) -> str:
    """The UN's indicator code, e.g. 3.c.1 -> C030c01, 11.6.2 -> C110602."""
    goal, t = target.split(".")
    return f"C{int(goal):02d}{t.zfill(2)}{int(number):02d}"


def indicator_sort_key(code: str) -> tuple:
    parts = code.split(".")
    if len(parts) != 3 or not parts[2].isdigit():
        return (99, 0, code, 0)
    return (*props.target_sort_key(f"{parts[0]}.{parts[1]}"), int(parts[2]))
