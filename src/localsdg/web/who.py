"""Who makes a change: the signed-in user where there is one (always on a server), else the
name written in a form, remembered in a cookie so that it need not be written again, or the
`by` an API request gives (the open, embedded default has no accounts)."""

from __future__ import annotations

from fastapi import Request, Response
from starlette.datastructures import FormData

from localsdg.errors import SignInNeeded
from localsdg.web.auth import user_of

COOKIE = "localsdg_name"
MAX_NAME = 200


def name_of(request: Request, form: FormData | None = None) -> str:
    """The signed-in user, else the name given in the form, else the one remembered ("" when
    none)."""
    user = user_of(request)
    if user:
        return user.name
    given = str(form.get("by") or "").strip() if form is not None else ""
    return (given or request.cookies.get(COOKIE, "").strip())[:MAX_NAME]


def recorded(request: Request, given: str | None) -> str:
    """Who an API change is recorded under: the signed-in user (token or session), else the
    `by` given, which is then needed: without it nobody can be credited (401)."""
    user = user_of(request)
    if user:
        return user.name
    if not (given or "").strip():
        raise SignInNeeded("by: say who makes the change (on a server: sign in, or send "
                           "Authorization: Bearer TOKEN)")
    return given.strip()[:MAX_NAME]


def remember(response: Response, by: str | None) -> Response:
    if by:
        response.set_cookie(COOKIE, by.strip()[:MAX_NAME], max_age=365 * 24 * 3600,
                            samesite="lax")
    return response
