"""Rendering pages: one Jinja2 environment per interface language, with URL helpers."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment
from jinja2.filters import do_urlencode
from markupsafe import Markup

from localsdg import taxonomy as tx
from localsdg.catalog.indicators import split_ref
from localsdg.config import settings
from localsdg.present import templates
from localsdg.present.i18n import LANGUAGES
from localsdg.web.i18n import COOKIE, choose
from localsdg.web.tokens import CSRF, csrf_token

TEMPLATES = Path(__file__).with_name("templates")


def url_with(request: Request, drop: tuple[str, str] | None = None, path: str | None = None,
             **changes: object) -> str:
    """The current URL (or `path` with the current query) with query parameters changed:
    `drop=(key, value)` removes one value, keyword arguments replace a parameter (None
    removes it)."""
    items = [(k, v) for k, v in request.query_params.multi_items()
             if k != "lang" and (k, v) != drop and k not in changes]
    items += [(k, str(v)) for k, v in changes.items() if v is not None]
    query = urlencode(items)
    return (path or request.url.path) + (f"?{query}" if query else "")


def indicator_href(ref: str, tail: str = "") -> str:
    """The page of an indicator named 'SET/CODE' (`tail`: '/data', '/endre', …)."""
    set_id, code = split_ref(ref)
    return f"/indikator/{do_urlencode(set_id)}/{do_urlencode(code)}{tail}"


def code_options(codes: tuple[tx.Code, ...], lang: str) -> list[tuple[str, str]]:
    """(code, label) pairs of a code list, for option groups and selects."""
    return [(c.code, c.label(lang)) for c in codes]


def csrf_field(request: Request) -> Markup:
    """The hidden field that proves a form comes from this site (with a session only)."""
    token = csrf_token(request)
    return Markup(f'<input type="hidden" name="{CSRF}" value="{token}">') if token else Markup("")


def signed_in(request: Request) -> str:
    """The signed-in user's name ("" for a reader): forms show it as who makes the change."""
    user = request.scope.get("state", {}).get("user")
    return user.name if user else ""


@cache
def environment(lang: str) -> Environment:
    """The pages' environment: the shared one with the web's URL helpers."""
    env = templates.environment(TEMPLATES, lang)
    env.globals.update(url_with=url_with, code_options=code_options,
                       indicator_href=indicator_href, server_mode=lambda: settings().server,
                       signed_in=signed_in, csrf_field=csrf_field)
    return env


def render(request: Request, template: str, status: int = 200, **context: object
           ) -> HTMLResponse:
    return respond(request, page(request, template, **context), status)


def page(request: Request, template: str, **context: object) -> str:
    """A template rendered in the reader's language."""
    lang = choose(request)
    return environment(lang).get_template(template).render(request=request, lang=lang, **context)


def respond(request: Request, html: str, status: int = 200) -> HTMLResponse:
    """The page, remembering a language chosen with ?lang= in a cookie."""
    lang = choose(request)
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response
