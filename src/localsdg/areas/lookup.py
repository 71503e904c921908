"""Finding the area a statistics file means: by code (however it is written) or by name."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from localsdg.areas.codes import county_code, municipality_code, strip_prefix
from localsdg.areas.history import in_force
from localsdg.db.schema import Area
from localsdg.messages import Message

NATION = ("country", "NOR")
NATION_NAMES = {"hele landet", "landet", "norge", "noreg", "norway", "nation", "0", "00", "0000"}
QUALIFIER = re.compile(r"\s*\((?:t\.o\.m\.|f\.o\.m\.|-|\d{4})[^)]*\)\s*$", re.IGNORECASE)
# 'Våler (Innlandet)', 'Våler i Innlandet'
COUNTY_QUALIFIER = re.compile(r"(.+?)(?:\s*\(([^()]+)\)|\s+i\s+(\S.*))")
SEPARATOR = re.compile(r"\s+[-–]\s+")  # between the forms of a name: 'Harstad - Hárstták'


@dataclass(frozen=True)
class AreaRef:
    level: str
    code: str


# 0301, 301, 3.0, K0301; anything after SSB's prefixes K-, K. and F- (K-Rest is meant as a code)
CODE = re.compile(r"^(?:K-|K\.|F-|K?\d{1,4}(?:\.0)?$)")


def looks_like_code(raw: str) -> bool:
    return bool(CODE.match(raw.strip()))


def name_key(name: str) -> str:
    """'ÅS', 'Ås' and 'Oslo - Oslove' → comparable keys ('ås', 'oslo')."""
    name = QUALIFIER.sub("", name.strip())
    return re.sub(r"\s+", " ", SEPARATOR.split(name)[0]).casefold().strip()


class AreaIndex:
    """Every area version, for resolving codes and names read from files."""

    def __init__(self, session: Session):
        self.versions = list(session.scalars(select(Area)))
        self.codes: dict[tuple[str, str], list[Area]] = defaultdict(list)
        self.names: dict[str, list[Area]] = defaultdict(list)
        for a in self.versions:
            self.codes[(a.level, a.code)].append(a)
            if a.level != "country":  # every form of a name: 'Kárášjohka - Karasjok'
                for n in {a.name, a.short_name} - {None, ""}:
                    for key in {name_key(part) for part in SEPARATOR.split(n)}:
                        self.names[key].append(a)

    def __bool__(self) -> bool:
        return bool(self.versions)

    def by_code(self, raw: object, level: str | None = None) -> AreaRef | None:
        """'301', 301, 'K-0301', '03', 3, 'NOR' → the area, if such a code was ever valid."""
        text = str(raw).strip()
        if text.casefold() in NATION_NAMES:
            return AreaRef(*NATION)
        for lvl in [level] if level else self._levels_for(text):
            code = {"municipality": municipality_code, "county": county_code}.get(
                lvl, lambda t: str(t).strip().upper())(text)
            if (lvl, code) in self.codes:
                return AreaRef(lvl, code)
        return None

    def in_force(self, ref: AreaRef, year: int) -> bool:
        """Whether the area's code was in force in `year`."""
        return any(in_force(a, year) for a in self.codes[(ref.level, ref.code)])

    def code(self, raw: object, level: str | None = None) -> AreaRef | str:
        """The area a code means, or a message saying it is none."""
        return self.by_code(raw, level) or Message(
            "'%(code)s' is not a %(level)s code valid at any time since 1994", code=raw,
            level=_level_name(level))

    @staticmethod
    def _levels_for(text: str) -> list[str]:
        digits = strip_prefix(text).removesuffix(".0")
        if digits.isdigit():
            return ["county"] if len(digits) <= 2 else ["municipality"]
        return ["country"]

    def by_name(self, name: str, *, county: str | None = None, year: int | None = None,
                level: str | None = None) -> AreaRef | str:
        """The area with this name, or a message saying why it is not one area."""
        key = name_key(name)
        if key in NATION_NAMES:
            return AreaRef(*NATION)
        found = [a for a in self.names.get(key, []) if level is None or a.level == level]
        if county:
            counties = {a.code for a in self.names.get(name_key(county), [])
                        if a.level == "county"}
            found = [a for a in found if a.level == "county" or a.parent_code in counties]
        if year is not None:
            dated = [a for a in found if in_force(a, year)]
            found = dated or [a for a in found if a.valid_to is None]
        refs = sorted({AreaRef(a.level, a.code) for a in found}, key=lambda r: (r.level, r.code))
        if len(refs) == 1:
            return refs[0]
        if not refs and (m := COUNTY_QUALIFIER.fullmatch(name.strip())):
            # 'OS (INNLANDET)': the publisher's qualifier, not part of the official name ('Os')
            again = self.by_name(m.group(1), county=m.group(2) or m.group(3), year=year,
                                 level=level)
            if isinstance(again, AreaRef):
                return again
        if not refs:
            return Message("no %(level)s is called '%(name)s'", name=name,
                           level=_level_name(level))
        listed = ", ".join(f"{r.code} ({r.level})" for r in refs)
        return Message("'%(name)s' names several areas (%(listed)s); give the level or the "
                       "county, or use codes", name=name, listed=listed)


LEVEL_NAMES = {None: Message("municipality or county"), "municipality": Message("municipality"),
               "county": Message("county"), "country": Message("country")}


def _level_name(level: str | None) -> str:
    """The level as a message shows it: translated where it is one of ours, else as given."""
    return LEVEL_NAMES.get(level, level)

