"""The browser's session cookie and the form token derived from it (against cross-site request
forgery), shared by the guard that checks them and the templates that write the token."""

from __future__ import annotations

import hashlib

from fastapi import Request

SESSION_COOKIE = "localsdg_session"
CSRF = "csrf"  # the hidden field of every form that changes something


def csrf_token(request: Request) -> str:
    """The token a form sent with this browser's session cookie must carry: derived from the
    session id, which another site can neither read nor guess ("" without a session)."""
    sid = request.cookies.get(SESSION_COOKIE, "")
    return hashlib.sha256(f"csrf:{sid}".encode()).hexdigest()[:32] if sid else ""
