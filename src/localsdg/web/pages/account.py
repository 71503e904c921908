"""Signing in and out on a shared server (server mode): a session cookie that scripts cannot
read (HttpOnly), sent only by this site's own pages (SameSite=Lax), over HTTPS only when the
server is reached by HTTPS. Single sign-on (`sso.py`) ends in the same session."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from localsdg.accounts.users import SESSION_DAYS, sign_in, sign_out
from localsdg.config import settings
from localsdg.errors import UserError
from localsdg.web.params import DB, in_worker
from localsdg.web.templating import render
from localsdg.web.tokens import SESSION_COOKIE

router = APIRouter(include_in_schema=False)


def back_to(path: str | None) -> str:
    """Where to go after signing in: a page of this site only."""
    return path if path and path.startswith("/") and not path.startswith("//") else "/"


def signin_page(request: Request, back: str, status: int = 200, name: str = "",
                error: UserError | None = None, said: str | None = None):
    """The sign-in page: the password form, the single sign-on button when one is configured,
    and why the last attempt failed (`error`'s message id, or `said` in the reader's
    language)."""
    oidc = settings().oidc
    return render(request, "signin.html", status=status, back=back, name=name, error=error,
                  said=said, sso=oidc.name if oidc else None)


@router.get("/logg-inn")
def sign_in_page(request: Request, neste: str | None = None):
    return signin_page(request, back_to(neste))


@router.post("/logg-inn")
async def sign_in_form(request: Request, session: DB):
    return await in_worker(request, _sign_in, session)


def _sign_in(request: Request, form: FormData, session: DB):
    name, back = str(form.get("name") or "").strip().lower()[:64], back_to(form.get("neste"))
    try:
        sid = sign_in(session, name, str(form.get("password") or ""))
    except UserError as exc:
        session.commit()  # the failure counts towards the pause
        return signin_page(request, back, 401 if "wrong" in exc.message else 429, name, exc)
    return signed_in(request, sid, back)


def signed_in(request: Request, sid: str, back: str) -> RedirectResponse:
    """On to `back` with the new session's cookie."""
    response = RedirectResponse(back, status_code=303)
    response.set_cookie(SESSION_COOKIE, sid, max_age=SESSION_DAYS * 24 * 3600, httponly=True,
                        samesite="lax", secure=over_https(request), path="/")
    return response


@router.post("/logg-ut")
def sign_out_form(request: Request, session: DB):
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        sign_out(session, sid)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def over_https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
