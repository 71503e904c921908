"""Area codes however a file writes them: '301', 301, 'K-0301', 3.0 → '0301'."""

from __future__ import annotations


def municipality_code(raw: object) -> str:
    """'301', 301 or 'K-0301' → '0301'."""
    return _code(raw, 4)


def county_code(raw: object) -> str:
    """'3', 3 or 'F-03' → '03'."""
    return _code(raw, 2)


def strip_prefix(text: str) -> str:
    """SSB's statbank prefixes: K-0301, K.0301, K0301 (municipalities), F-03 (counties)."""
    text = text.strip()
    for prefix in ("K-", "K.", "F-", "K"):
        if text.startswith(prefix) and text[len(prefix):].isdigit():
            return text[len(prefix):]
    return text


def _code(raw: object, width: int) -> str:
    text = strip_prefix(str(raw))
    if text.endswith(".0"):
        text = text[:-2]
    return text.zfill(width) if text.isdigit() else text
