"""Single sign-on (OpenID Connect), when the server is configured for it (`config.Oidc`):
`/logg-inn/sso` sends the browser to the municipality's sign-in service with a fresh state,
nonce and PKCE verifier, kept until it returns in a short-lived HttpOnly cookie of this path
only; `/logg-inn/sso/svar` is the redirect URI registered at the service: it checks the answer,
and the local account of the name the service vouches for gets the same session as a password
sign-in. A refusal is the sign-in page with the reason in the reader's language; the details
go to the server's log."""

from __future__ import annotations

import logging
from urllib.parse import quote, unquote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from localsdg.accounts import sso
from localsdg.accounts.users import sign_in_as
from localsdg.config import Oidc, settings
from localsdg.errors import NotFound, UserError
from localsdg.present.i18n import translations
from localsdg.present.labels import N_
from localsdg.web.i18n import choose
from localsdg.web.pages.account import back_to, over_https, signed_in, signin_page
from localsdg.web.params import DB

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)
PENDING = "localsdg_sso"  # the cookie that holds the state, nonce and verifier of one sign-in
PATH = "/logg-inn/sso"
PENDING_MINUTES = 10
# Why nobody was signed in, by kind: the status and what the reader is told (message ids)
REFUSALS: dict[type[UserError], tuple[int, str]] = {
    sso.Cancelled: (401, N_("%(provider)s did not sign you in (%(error)s). Try again, or sign "
                            "in with a user name and password.")),
    sso.Unmatched: (400, N_("This answer from %(provider)s does not belong to a sign-in started "
                            "in this browser in the last 10 minutes. Start again.")),
    sso.Unreachable: (502, N_("%(provider)s could not be reached or did not answer as expected. "
                              "Try again later, or sign in with a user name and password.")),
    sso.Untrusted: (401, N_("The answer from %(provider)s could not be verified, so nobody was "
                            "signed in. Ask an administrator to check the single sign-on "
                            "settings.")),
    NotFound: (403, N_("%(provider)s knows you as %(name)s, but this server has no user of that "
                       "name. Ask an administrator to add you: localsdg users add %(name)s "
                       "--role ROLE.")),
}


@router.get(PATH)
def sso_start(request: Request, neste: str | None = None) -> Response:
    oidc, back = _configured(), back_to(neste)
    try:
        url, pending = sso.start(oidc, _redirect_uri(request))
    except sso.SignInFailed as exc:
        return _refused(request, oidc, back, exc)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(PENDING, _pack(pending, back), max_age=PENDING_MINUTES * 60,
                        httponly=True, samesite="lax", secure=over_https(request), path=PATH)
    return response


@router.get(f"{PATH}/svar")
def sso_answer(request: Request, session: DB) -> Response:
    oidc = _configured()
    pending, back = _unpack(request.cookies.get(PENDING, ""))
    name = ""
    try:
        name = sso.finish(oidc, _redirect_uri(request), pending, request.query_params)
        response = signed_in(request, sign_in_as(session, name), back)
    except (sso.SignInFailed, NotFound) as exc:
        response = _refused(request, oidc, back, exc, name)
    response.delete_cookie(PENDING, path=PATH)  # each state is answered once
    return response


def _configured() -> Oidc:
    oidc = settings().oidc
    if oidc is None:
        raise NotFound("single sign-on is not set up on this server (LOCALSDG_OIDC_ISSUER, "
                       "LOCALSDG_OIDC_CLIENT_ID)")
    return oidc


def _redirect_uri(request: Request) -> str:
    """This server's answer address as the browser reaches it (behind a proxy: the Host and
    X-Forwarded-Proto it forwards); the same address must be registered at the provider."""
    return str(request.url_for("sso_answer"))


def _refused(request: Request, oidc: Oidc, back: str, exc: UserError, name: str = ""
             ) -> Response:
    status, message = next(v for kind, v in REFUSALS.items() if isinstance(exc, kind))
    log.warning("single sign-on refused (%s): %s", type(exc).__name__, exc.message)
    said = translations(choose(request)).gettext(message) % {
        "provider": oidc.name, "name": name[:200], "error": getattr(exc, "error", "")}
    return signin_page(request, back, status, said=said)


def _pack(pending: sso.Pending, back: str) -> str:
    """The cookie's value: state, nonce and verifier (letters and digits) and the page to
    return to, joined by dots."""
    return ".".join([pending.state, pending.nonce, pending.verifier, quote(back, safe="/")])


def _unpack(value: str) -> tuple[sso.Pending | None, str]:
    parts = value.split(".", 3)
    if len(parts) != 4 or not all(parts[:3]):
        return None, "/"
    return sso.Pending(*parts[:3]), back_to(unquote(parts[3]))
