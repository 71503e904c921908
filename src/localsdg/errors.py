"""The one exception type for problems a user can cause and fix."""


class UserError(Exception):
    """A mistake in input (file, value, request): the message says where and what to do.

    The CLI prints it without a traceback; the API turns it into a 4xx answer with the same text.
    """

    def __init__(self, message: str, *, details: list[str] | None = None, status: int = 422):
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.status = status

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {d}" for d in self.details)
