"""Every property an indicator carries, with how its values are checked and stored.

One registry serves file import, classification, the API and search facets, so a value is
validated the same way wherever it enters. Multi-valued properties live in `indicator_value`;
single-valued ones are columns of `indicator`. Unknown is None (single) or [] (multi).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from localsdg import taxonomy as tx
from localsdg.messages import Message

MULTI_SEPARATOR = "|"
TARGET_PATTERN = re.compile(r"^(1[0-7]|[1-9])\.([1-9][0-9]?|[a-j])$")
# a target in a list a person wrote, with a point or a decimal comma ('4.1, 4,6'), or other text
TARGET_WORD = re.compile(r"\d{1,2}[.,][0-9a-z]{1,2}\b|[^\s,;]+", re.IGNORECASE)
MAX_TEXT = 300  # multi-valued free text (tags) must fit the value column
MAX_FIELD = 20_000  # any other text: a name or a description, not a whole file
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab and line breaks aside


@dataclass(frozen=True)
class Property:
    name: str
    group: str  # the taxonomy dimension: data, goal, perspective, quality, description
    kind: str  # code, open (code list, other text kept), text, url, bool, target
    multi: bool = False
    codelist: tx.CodeList | None = None
    facet: str | None = None  # facet name in search, when the property is a facet

    def allowed(self, targets: Collection[str] = ()) -> list[str]:
        if self.codelist:
            return self.codelist.allowed
        if self.kind == "bool":
            return tx.BOOLEAN.allowed
        if self.kind == "target":
            return sorted(targets, key=target_sort_key)
        return []

    def parse(self, raw: object, targets: Collection[str] = ()) -> object:
        """Turn a raw value (text, list, bool) into the stored form, or raise ValueError
        whose argument is the reason as a Message (str(exc) is its English text)."""
        if self.multi:
            items = raw if isinstance(raw, list | tuple) else split_multi(raw)
            values = [self._one(item, targets) for item in items]
            return sorted({v for v in values if v is not None}, key=self.sort_key)
        return self._one(raw, targets)

    def _one(self, raw: object, targets: Collection[str]) -> object:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            code = tx.BOOLEAN.normalise(str(raw)) or {"1": "true", "0": "false"}.get(str(raw))
            if code is None:
                raise ValueError(self._bad(raw, targets))
            return code == "true"
        text = checked_text(str(raw).strip())
        if self.kind == "open":
            return self.codelist.normalise(text) or text  # type: ignore[union-attr]
        if self.codelist is not None:
            code = self.codelist.normalise(text)
            if code is None:
                raise ValueError(self._bad(text, targets))
            return code
        if self.kind == "target":
            code = text.lower().removeprefix("target ").strip()
            if not TARGET_PATTERN.match(code) or (targets and code not in targets):
                raise ValueError(self._bad(text, targets))
            return code
        if self.kind == "url" and not re.match(r"^https?://\S+$", text):
            raise ValueError(Message("'%(value)s' is not a web address; write it as https://…",
                                     value=text))
        if self.multi and (len(text) > MAX_TEXT or MULTI_SEPARATOR in text):
            raise ValueError(Message("'%(value)s…' is too long or contains '%(separator)s'",
                                     value=text[:40], separator=MULTI_SEPARATOR))
        return text

    def _bad(self, value: object, targets: Collection[str]) -> Message:
        return not_allowed(value, self.allowed(targets))

    def sort_key(self, value: object) -> object:
        if self.kind == "target":
            return target_sort_key(str(value))
        if self.codelist is not None:  # known codes in list order, other text after them
            pos = self.codelist.position(str(value))
            return (pos, "") if pos is not None else (len(self.codelist.codes), str(value))
        return (0, str(value).casefold())

    def to_text(self, value: object) -> str:
        """The value as written in CSV/XLSX cells and change records."""
        if value is None:
            return ""
        if isinstance(value, list | tuple):
            return MULTI_SEPARATOR.join(self.to_text(v) for v in value)
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)


def not_allowed(value: object, allowed: list[str]) -> Message:
    """Why a value is refused, with the first 20 allowed values (and how many there are)."""
    if len(allowed) > 20:
        return Message("'%(value)s' is not an allowed value; allowed: %(allowed)s, … "
                       "(%(count)d in all)", value=value, allowed=", ".join(allowed[:20]),
                       count=len(allowed))
    return Message("'%(value)s' is not an allowed value; allowed: %(allowed)s", value=value,
                   allowed=", ".join(allowed))


def checked_text(text: str) -> str:
    """Text to store, or the ValueError saying why it cannot be (a Message): a control
    character (tab and line breaks aside), or more than MAX_FIELD characters."""
    if bad := CONTROL.search(text):
        raise ValueError(Message("the value contains a NUL character; remove it")
                         if bad[0] == chr(0) else
                         Message("the value contains a control character; remove it"))
    if len(text) > MAX_FIELD:
        raise ValueError(Message("the value has %(count)s characters; at most %(most)s",
                                 count=len(text), most=MAX_FIELD))
    return text


def target_codes(text: object) -> list[str]:
    """The targets of a list as a person writes them ('4.1, 4,6; 11.A' is 4.1, 4.6 and 11.a),
    each as its code; what is no target is kept as written, for the checks to name."""
    return [re.sub(r"(?<=\d),", ".", word).lower()
            for word in TARGET_WORD.findall(str(text or ""))]


def split_multi(raw: object) -> list[str]:
    if raw is None:
        return []
    return [part.strip() for part in str(raw).split(MULTI_SEPARATOR) if part.strip()]


def target_sort_key(code: str) -> tuple[int, int, str]:
    goal, _, rest = code.partition(".")
    return (int(goal), 0, f"{int(rest):03d}") if rest.isdigit() else (int(goal), 1, rest)


def _text(name: str, group: str = "description") -> Property:
    return Property(name, group, "text")


PROPERTIES: dict[str, Property] = {
    p.name: p
    for p in (
        _text("name_nb"),
        _text("name_en"),
        _text("description_nb"),
        _text("description_en"),
        _text("unit"),
        Property("direction", "description", "code", codelist=tx.DIRECTIONS),
        Property("data_owner", "data", "open", codelist=tx.DATA_OWNERS, facet="data_owner"),
        Property("source_url", "data", "url"),
        _text("source_note", "data"),
        _text("notation", "data"),
        Property("periodicity", "data", "code", codelist=tx.PERIODICITY, facet="periodicity"),
        Property("goals", "goal", "code", multi=True, codelist=tx.GOALS, facet="goal"),
        Property("targets", "goal", "target", multi=True, facet="target"),
        Property("tbl", "goal", "code", multi=True, codelist=tx.TBL, facet="tbl"),
        Property("priority_tags", "perspective", "text", multi=True, facet="priority_tag"),
        Property("development_areas", "perspective", "code", multi=True,
                 codelist=tx.DEVELOPMENT_AREAS, facet="development_area"),
        Property("evaluation_steps", "perspective", "code", multi=True,
                 codelist=tx.EVALUATION_STEPS, facet="evaluation_step"),
        Property("distribution", "perspective", "code", multi=True, codelist=tx.DISTRIBUTION,
                 facet="distribution"),
        Property("quality_class", "quality", "code", codelist=tx.QUALITY_CLASSES,
                 facet="quality_class"),
        *(Property(f"ess_{c.code}", "quality", "bool") for c in tx.ESS_PRINCIPLES.codes),
        Property("geography_level", "data", "code", codelist=tx.GEOGRAPHY_LEVELS,
                 facet="geography_level"),
        _text("notes"),
    )
}

MULTI = [p for p in PROPERTIES.values() if p.multi]
SINGLE = [p for p in PROPERTIES.values() if not p.multi]


def get(name: str) -> Property:
    try:
        return PROPERTIES[name]
    except KeyError:
        raise ValueError(Message("unknown property '%(name)s'; known: %(known)s", name=name,
                                 known=", ".join(PROPERTIES))) from None
