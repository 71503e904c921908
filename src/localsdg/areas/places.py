"""Finding a place by what a person types: a code (1804, 18), a name in any of its official forms
(Bodø, Kárášjohka, Guovdageaidnu), an old name (Skedsmo) or the start of a name; the areas of
today come first, and an old area leads to today's area with its code where there is one."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from localsdg.areas.lookup import name_key
from localsdg.areas.store import list_areas

LEVELS = ("municipality", "county")
CHOSEN = re.compile(r"^(?P<name>.*?)\s*\((?P<code>\d{2}|\d{4})\)\s*$")  # 'Bodø (1804)'


@dataclass(frozen=True)
class Place:
    level: str
    code: str
    name: str  # today's name
    matched: str  # the name or code that matched what was typed
    current: bool  # the area exists today


def places(session: Session) -> list[Place]:
    """Every municipality and county, today's first, each under every name it had."""
    rows = [a for lv in LEVELS for a in list_areas(session, lv)]
    today = {(a["level"], a["code"]): a["name"] for a in rows if a["valid_to"] is None}
    out = []
    for a in sorted(rows, key=lambda a: a["valid_to"] is not None):
        key = (a["level"], a["code"])
        current = key in today
        for form in {a["name"], a["short_name"]} - {None, ""}:
            for part in form.split(" - "):
                out.append(Place(a["level"], a["code"], today.get(key, a["name"]), part.strip(),
                                 current))
    return out


def find_places(session: Session, text: str, limit: int = 10) -> list[Place]:
    """The places `text` names, best first: a code, a whole name, then names that start with
    it; when nothing matches, names spelt alike."""
    text = text.strip()
    if m := CHOSEN.match(text):  # chosen from the list: name (code)
        text = m.group("code")
    if not text:
        return []
    every = places(session)
    key = name_key(text)
    found = ([p for p in every if p.code == text] if text.isdigit() else []) or \
        [p for p in every if name_key(p.matched) == key] or \
        [p for p in every if name_key(p.matched).startswith(key)]
    if not found:
        names = {name_key(p.matched) for p in every}
        close = set(difflib.get_close_matches(key, names, n=limit, cutoff=0.75))
        found = [p for p in every if name_key(p.matched) in close]
    today = {name_key(p.matched) for p in found if p.current}
    found = [p for p in found if p.current or name_key(p.matched) not in today]
    seen, out = set(), []
    for p in sorted(found, key=lambda p: (not p.current, p.level != "municipality", p.name)):
        if (p.level, p.code) not in seen:
            seen.add((p.level, p.code))
            out.append(p)
    return out[:limit]


def place_options(session: Session) -> list[str]:
    """'Bodø (1804)' for each municipality and county of today, for a list to choose from."""
    return sorted({f"{p.matched} ({p.code})" for p in places(session) if p.current})
