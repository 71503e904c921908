"""Finding a place by what a person types: a code (1804, 18), a name in any of its official forms
(Bodø, Kárášjohka, Guovdageaidnu), an old name (Skedsmo) or the start of a name; the areas of
today come first, and an old name of an area of today leads to it."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from localsdg.areas.lookup import AreaIndex, name_key
from localsdg.db.schema import Area
from localsdg.db.state import remember

LEVELS = ("municipality", "county")
CHOSEN = re.compile(r"^(?P<name>.*?)\s*\((?P<code>\d{2}|\d{4})\)\s*$")  # 'Bodø (1804)'
# 'Bodø kommune', 'Nordland fylkeskommune': the kind of area after its name
KIND = re.compile(r"^(?P<name>.+?)\s+(?P<kind>kommune|herad|municipality|fylkeskommune|fylke|"
                  r"county)$", re.IGNORECASE)
KIND_LEVELS = {"kommune": "municipality", "herad": "municipality", "municipality": "municipality",
               "fylkeskommune": "county", "fylke": "county", "county": "county"}


@dataclass(frozen=True)
class Place:
    level: str
    code: str
    name: str  # today's name (the newest where the code is no longer used)
    matched: str  # the form of the name, or the code, that matched what was typed
    current: bool  # the code is in use today


def find_places(session: Session, text: str, limit: int = 10) -> list[Place]:
    """The places `text` names, best first: a code, a whole name, then names that start with
    it; when nothing matches, names spelt alike. A name followed by its kind ('Bodø kommune',
    'Nordland fylke') names an area of that kind."""
    text = text.strip()
    if m := CHOSEN.match(text):  # chosen from the list: name (code)
        text = m.group("code")
    if not text:
        return []
    index = AreaIndex(session)
    if text.isdigit():
        ref = index.by_code(text)
        return [_place(index, _newest(index, ref.level, ref.code), text)] if ref else []
    levels = LEVELS
    if (m := KIND.match(text)) and name_key(text) not in index.names:
        text, levels = m["name"], (KIND_LEVELS[m["kind"].casefold()],)
    key = name_key(text)
    keys = [k for k in index.names if k == key] or \
        sorted(k for k in index.names if k.startswith(key)) or \
        difflib.get_close_matches(key, list(index.names), n=limit, cutoff=0.75)
    found = [_place(index, a, _form(a, k)) for k in keys for a in index.names[k]
             if a.level in levels]
    today = {name_key(p.matched) for p in found if p.current}
    found = [p for p in found if p.current or name_key(p.matched) not in today]
    seen, out = set(), []
    for p in sorted(found, key=lambda p: (not p.current, p.level != "municipality", p.name)):
        if (p.level, p.code) not in seen:
            seen.add((p.level, p.code))
            out.append(p)
    return out[:limit]


def named_places(session: Session, text: str) -> list[Place]:
    """The municipalities and counties of today that `text` names whole (any official form of
    the name, or an old one), for a search box that also finds places: no prefixes or near
    spellings, so that a word such as 'klima' finds no place. Kept while the areas are
    unchanged."""
    key = name_key(text.strip()) if text.strip() else ""
    return remember(session, ("named places",), lambda: _whole_names(session),
                    "lookup").get(key, []) if key else []


def places_in(session: Session, text: str) -> tuple[list[Place], str]:
    """The places a search names, and the words to search the indicators for: the whole text
    names them (then the whole text is searched too), or its first or last words do
    ("klimagassutslipp Trondheim", "Nord-Fron barnehage": then the other words are)."""
    if found := named_places(session, text):
        return found, text
    parts = text.split()
    for n in range(len(parts) - 1, 0, -1):
        for place, rest in ((parts[-n:], parts[:-n]), (parts[:n], parts[n:])):
            if found := named_places(session, " ".join(place)):
                return found, " ".join(rest)
    return [], text


def _whole_names(session: Session) -> dict[str, list[Place]]:
    index = AreaIndex(session)
    out: dict[str, list[Place]] = {}
    for key, versions in index.names.items():
        found = {(p.level, p.code): p for p in (_place(index, a, _form(a, key))
                                                  for a in versions if a.level in LEVELS)
                 if p.current}
        if found:
            out[key] = sorted(found.values(), key=lambda p: (p.level != "municipality", p.name))
    return out


def place_options(session: Session) -> list[str]:
    """'Bodø (1804)' for every form of the name of each municipality and county of today."""
    index = AreaIndex(session)
    return sorted({f"{_form(a, k)} ({a.code})" for k, versions in index.names.items()
                   for a in versions if a.level in LEVELS and a.valid_to is None})


def _newest(index: AreaIndex, level: str, code: str) -> Area:
    return max(index.codes[(level, code)], key=lambda v: v.valid_from or 0)


def _place(index: AreaIndex, a: Area, matched: str) -> Place:
    newest = _newest(index, a.level, a.code)
    return Place(a.level, a.code, newest.name, matched, newest.valid_to is None)


def _form(a: Area, key: str) -> str:
    """The form of the area's name (e.g. the Sámi one) that `key` stands for."""
    return next(part.strip() for n in (a.name, a.short_name) if n for part in n.split(" - ")
                if name_key(part) == key)
