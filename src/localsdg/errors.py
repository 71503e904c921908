"""The one exception type for problems a user can cause and fix, with the kinds an interface
answers differently (the web maps each to its HTTP status, the CLI exits 2 for all)."""


class UserError(Exception):
    """A mistake in input (file, value, request): the message says where and what to do.

    The CLI prints it without a traceback; the API turns it into a 4xx answer with the same text.
    """

    def __init__(self, message: str, *, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {d}" for d in self.details)


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

    def __init__(self, message: str, *, clashes: list[dict], revision: int):
        super().__init__(message, details=[
            f"{c['field']}: yours {c['yours']!r}; now {c['now']!r}, saved by {c['by']} at "
            f"{c['at']:%Y-%m-%d %H:%M} UTC; send the change again with revision {revision} "
            "to keep yours" for c in clashes])
        self.clashes, self.revision = clashes, revision
