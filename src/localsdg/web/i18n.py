"""The reader's language, as a request asks for it."""

from __future__ import annotations

from fastapi import Request

from localsdg.present.i18n import DEFAULT, LANGUAGES

COOKIE = "lang"


def choose(request: Request) -> str:
    """?lang= wins (and is remembered in a cookie), then the cookie, then Bokmål."""
    for value in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if value in LANGUAGES:
            return value
    return DEFAULT
