"""Messages a user reads that an interface can show in the reader's language.

A `Message` is the English text itself (a `str`, so the command line, the API and logs use it
unchanged) that also keeps its gettext message id and the values put into it. A page shows it
with `said`, which translates the id and the values that are messages themselves, and the
words of a place in a file (", line 5, column år"), and writes its figures with the reader's
decimal mark.
"""

from __future__ import annotations

import re
from collections.abc import Callable

PLACE_WORDS = re.compile(r", (line|row|column|feature|sheet|header)(?=[ ,]|$)")


class Message(str):
    """English text made from a message id with %(name)s places and its values."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Message:
        text = super().__new__(cls, template % values)
        text.template, text.values = template, values
        return text

    def __reduce__(self) -> tuple:  # copies and pickles made again from id and values
        return _made, (self.template, self.values)


class Figure(float):
    """A number put into a message: written as given, without a needless .0 (37291, 12.5);
    `said` writes it with the reader's decimal mark."""

    def __str__(self) -> str:
        return repr(float(self)).removesuffix(".0")


def placed(where: object, problem: str) -> Message:
    """A problem at a place in a file ('tall.csv, line 5: …'), which `located` splits into
    the place and the reason, each in the reader's language."""
    return Message("%(where)s: %(problem)s", where=str(where), problem=problem)


def more(count: int) -> Message:
    """The line that ends a list cut short: '… and 12 more'."""
    return Message("… and %(count)d more", count=count)


def _made(template: str, values: dict[str, object]) -> Message:
    return Message(template, **values)


def said(text: object, gettext: Callable[[str], str], decimal: str = ".") -> str:
    """The text in the reader's language where it is a message, else as it is. Values named
    where… are places in a file; figures are written with the `decimal` mark."""
    if not isinstance(text, Message):
        return str(text)
    values = {name: said(value, gettext, decimal) if isinstance(value, Message)
              else place(value, gettext) if name.startswith("where")
              else str(value).replace(".", decimal) if isinstance(value, Figure) else value
              for name, value in text.values.items()}
    return gettext(text.template) % values


def located(text: object, gettext: Callable[[str], str], decimal: str = "."
            ) -> tuple[str, str]:
    """A problem as its place and what is wrong, each in the reader's language; no place
    where it names none."""
    if isinstance(text, Message):
        if set(text.values) != {"where", "problem"}:
            return "", said(text, gettext, decimal)
        return (place(text.values["where"], gettext),
                said(text.values["problem"], gettext, decimal))
    where, sep, what = str(text).partition(": ")
    return (place(where, gettext), what) if sep else ("", str(text))


def place(where: object, gettext: Callable[[str], str]) -> str:
    """A place in a file ('tall.csv, line 5, column år') with its words translated."""
    return PLACE_WORDS.sub(lambda m: f", {gettext(m[1])}", str(where))
