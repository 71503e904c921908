"""Interface languages: Bokmål (default), Nynorsk and English, from gettext catalogs.

Pages, reports and the command line are written with English message ids;
`locales/<lang>/LC_MESSAGES/messages.po` holds the Bokmål and Nynorsk text. The catalogs are
compiled in memory at start-up (no build step).
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).with_name("locales")
LANGUAGES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}
DEFAULT = "nb"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    po = LOCALES / lang / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
