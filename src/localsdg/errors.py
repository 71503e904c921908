"""The one exception type for problems a user can cause and fix, with the kinds an interface
answers differently (the web maps each to its HTTP status, the CLI exits 2 for all)."""

import re

from localsdg.messages import more

MAX_LINE = 1_000  # characters of a line of a message, or of one detail
MAX_MESSAGE = 6_000  # characters of a message
MAX_DETAILS = 12_000  # characters of the details together (a hundred problems of a line each)
MORE = re.compile(r"^\s*… and (\d+) more$")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class UserError(Exception):
    """A mistake in input (file, value, request): the message says where and what to do.

    The CLI prints it without a traceback; the API turns it into a 4xx answer with the same text.
    However large or strange the input it quotes, what it says is bounded: a control character
    is shown as its escape (\\x00), a line is cut after MAX_LINE characters, and the lines
    that do not fit in MAX_MESSAGE (or the details in MAX_DETAILS) are counted ("… and 12
    more") instead of listed.
    """

    def __init__(self, message: str, *, details: list[str] | None = None):
        lines = _bounded(message.split("\n"), MAX_MESSAGE)
        message = message if lines == [message] else "\n".join(lines)  # a Message kept whole
        super().__init__(message)
        self.message = message
        self.details = _bounded(details or [], MAX_DETAILS)

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {d}" for d in self.details)


def _bounded(lines: list[str], budget: int) -> list[str]:
    """The lines, each shown and cut to MAX_LINE, as many as fit in `budget` characters, then
    a count of the rest (counting a given "… and N more" as N)."""
    out: list[str] = []
    size = 0
    for i, line in enumerate(lines):
        shown = _shown(line)
        if size + len(shown) > budget and out:
            rest = sum(int(m[1]) if (m := MORE.match(x)) else 1 for x in lines[i:])
            out.append(more(rest))
            break
        out.append(line if shown == line else shown)  # a Message kept whole
        size += len(shown)
    return out


def _shown(line: str) -> str:
    line = CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", line)
    return line if len(line) <= MAX_LINE else line[:MAX_LINE - 1] + "…"


class NotFound(UserError):
    """Something asked for by name or code does not exist."""


class BadRequest(UserError):
    """A parameter or option that cannot be read as given."""


class TooLarge(UserError):
    """Input above a stated size limit."""


class SignInNeeded(UserError):
    """A change on a shared server by someone not signed in."""


class NotAllowed(UserError):
    """A change the signed-in user's role or areas do not cover."""


class TooMany(UserError):
    """Too many attempts in a short time (sign-in, computing scores): try again after
    `retry_after` seconds where that is known."""

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Conflict(UserError):
    """A change made on a revision of a record that someone else has changed since. Each clash
    names the field, the value sent ("yours"), the value now, who saved it and when, so that the
    user can choose and send the change again on the record's current `revision`."""

    def __init__(self, message: str, *, clashes: list[dict], revision: int,
                 changed: set[str] | None = None):
        super().__init__(message, details=[
            f"{c['field']}: yours {c['yours']!r}; now {c['now']!r}, saved by {c['by']} at "
            f"{c['at']:%Y-%m-%d %H:%M} UTC; send the change again with revision {revision} "
            "to keep yours" for c in clashes])
        # every field changed since (a form shown again keeps others' values in those that
        # do not clash)
        self.clashes, self.revision, self.changed = clashes, revision, changed or set()
