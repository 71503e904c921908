"""Who makes a change on the pages: the name written in a form, remembered in a cookie so that
it need not be written again (there are no accounts yet; the name is recorded with the change)."""

from __future__ import annotations

from fastapi import Request, Response
from starlette.datastructures import FormData

COOKIE = "localsdg_name"
MAX_NAME = 200


def name_of(request: Request, form: FormData | None = None) -> str:
    """The name given in the form, else the one remembered ("" when none)."""
    given = str(form.get("by") or "").strip() if form is not None else ""
    return (given or request.cookies.get(COOKIE, "").strip())[:MAX_NAME]


def remember(response: Response, by: str | None) -> Response:
    if by:
        response.set_cookie(COOKIE, by.strip()[:MAX_NAME], max_age=365 * 24 * 3600,
                            samesite="lax")
    return response
