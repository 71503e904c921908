"""Every interface text has a Bokmål and a Nynorsk translation."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

SRC = Path(__file__).resolve().parents[2] / "src" / "localsdg"
TRANSLATED = [SRC / "web", SRC / "reports", SRC / "present"]  # pages, reports, shared wording
METHODS = [("**/templates/**.html", "jinja2.ext.babel_extract"), ("**.py", "python")]
PLACE = re.compile(r"%\((\w+)\)")
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}


def _message_ids() -> set:
    found = set()
    for folder in TRANSLATED:
        for _file, _line, message, _comments, _context in extract_from_dir(
                folder, METHODS, options_map=OPTIONS):
            found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_catalog_translates_every_message(lang):
    with (SRC / "present" / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog
                  if m.id and (m.string if isinstance(m.string, str) else all(m.string))}
    missing = sorted(_message_ids() - translated)
    assert not missing, f"untranslated in {lang}: {missing}"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_every_message_a_page_may_show_is_translated(lang):
    """Every Message("…") written anywhere (an importer's problem, a file's refusal) has a
    translation: a page shows each in the reader's language."""
    with (SRC / "present" / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        translated = {m.id: m.string for m in read_po(fh) if m.id and m.string}
    templates = {message for *_, message, _comments, _context in extract_from_dir(
        SRC, [("**.py", "python")], keywords={"Message": None})}
    assert sorted(templates - set(translated)) == []
    assert [t for t in templates if set(PLACE.findall(t)) != set(PLACE.findall(translated[t]))
            ] == []  # the translation uses the values the message has
