"""Rendering pages: one Jinja2 environment per interface language, with URL helpers."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from localsdg import taxonomy as tx
from localsdg.catalog.indicators import indicator_name
from localsdg.reports import labels
from localsdg.web.i18n import COOKIE, LANGUAGES, choose, translations

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


def code_options(codes: tuple[tx.Code, ...], lang: str) -> list[tuple[str, str]]:
    """(code, label) pairs of a code list, for option groups and selects."""
    return [(c.code, c.label(lang)) for c in codes]


LOCALES = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}


def number(value: float | None, lang: str) -> str:
    """A figure the way readers of the language write it: 5 425 270 and 12,5 in Norwegian."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.###", locale=LOCALES[lang])


def score(value: float | None, lang: str) -> str:
    """A score (0–100) with one decimal, as every page and report shows it: 81,9 / 81.9."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.0", locale=LOCALES[lang])


@cache
def environment(lang: str) -> Environment:
    # Templates ship with the package: no look at their files' times on every page.
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False)
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["number"] = lambda value: number(value, lang)
    env.filters["score"] = lambda value: score(value, lang)
    env.globals.update(languages=LANGUAGES, url_with=url_with, tx=tx, code_options=code_options,
                       goal_colours=tx.GOAL_COLOURS, status=labels.status,
                       status_colours=labels.STATUS_COLOURS, trend=labels.TREND,
                       arrows=labels.ARROWS, not_measured=labels.NOT_MEASURED,
                       goal_name=lambda g: labels.goal_name(g, lang),
                       indicator_name=lambda ind: indicator_name(ind, lang),
                       group_title=lambda group, name: labels.group_title(
                           group, name, translations(lang).gettext))
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
