"""Numbers the way readers of each language write them, for pages and reports alike."""

from __future__ import annotations

from babel.numbers import format_decimal, get_decimal_symbol

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


def estimate(value: float | None, lang: str) -> str:
    """A figure localsdg computed (a projection, a yearly change): one decimal, so that it does
    not look more precise than the straight line it comes from; small figures (shares such as
    0,008 a year) with up to three, so that they do not look like 0."""
    if value is None:
        return ""
    pattern = "#,##0.#" if abs(value) >= 1 or value == 0 else "#,##0.###"
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


def change(value: float | None, lang: str) -> str:
    """A computed change with its sign: +1,5 / −0,008 (an estimate, see `estimate`)."""
    if value is None:
        return ""
    return ("+" if value > 0 else "") + estimate(value, lang)


def decimal_mark(lang: str) -> str:
    """The mark between whole and decimal part: ',' in Norwegian, '.' in English."""
    return get_decimal_symbol(LOCALES[lang])
