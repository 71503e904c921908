"""Messages: English where no language is chosen, the reader's language on pages, and whole
through the copies and pickles an answer goes through."""

import copy
import pickle
from dataclasses import asdict, dataclass

import polars as pl
import pytest

from localsdg.areas.lookup import AreaIndex
from localsdg.errors import UserError
from localsdg.messages import Message, located, said
from localsdg.observations.periods import parse_period
from localsdg.observations.store import FRAME, Problem, _repeats
from localsdg.present.formats import decimal_mark
from localsdg.present.i18n import translations

NUMBER = "'%(cell)s' is not a number; write e.g. 12.5, 12,5 or 12,5 %%"


@dataclass
class Report:
    lines: list[str]


@pytest.mark.parametrize("lang, expected", [
    ("en", "tall.csv, line 5, column verdi: 'x' is not a number; write e.g. 12.5, 12,5 or "
           "12,5 %"),
    ("nb", "tall.csv, linje 5, kolonne verdi: «x» er ikke et tall; skriv for eksempel 12.5, "
           "12,5 eller 12,5 %"),
    ("nn", "tall.csv, linje 5, kolonne verdi: «x» er ikkje eit tal; skriv til dømes 12.5, "
           "12,5 eller 12,5 %"),
])
def test_a_problem_in_each_language(lang, expected):
    problem = str(Problem("tall.csv, line 5, column verdi", Message(NUMBER, cell="x")))
    assert problem == "tall.csv, line 5, column verdi: 'x' is not a number; write e.g. " \
                      "12.5, 12,5 or 12,5 %"
    assert said(problem, translations(lang).gettext) == expected
    where, what = located(problem, translations(lang).gettext)
    assert f"{where}: {what}" == expected


def test_messages_stay_whole_through_errors_copies_and_pickles():
    message = Message(NUMBER, cell="50 %")
    error = UserError(message, details=[message])
    report = asdict(Report([message]))  # what ImportResult.as_dict does
    for kept in (error.message, error.details[0], report["lines"][0], copy.deepcopy(message),
                 pickle.loads(pickle.dumps(message))):
        assert isinstance(kept, Message) and kept == message
        assert said(kept, translations("nb").gettext).startswith("«50 %» er ikke et tall")


def test_plain_text_is_shown_as_it_is():
    assert said("tall.csv: no header", translations("nb").gettext) == "tall.csv: no header"
    assert located("no place here", translations("nb").gettext) == ("", "no place here")


def test_a_period_error_names_the_calendar_in_the_readers_language():
    with pytest.raises(UserError) as err:
        parse_period("2024-02-30")
    assert located(err.value.message, translations("nb").gettext) == (
        "", "«2024-02-30» er ikke en periode: den dagen finnes ikke i kalenderen")


def test_a_level_of_the_users_own_is_shown_as_written():
    """Only our level names are messages; any other text is a value, never a template."""
    index = AreaIndex.__new__(AreaIndex)  # no areas: every code is unknown
    index.codes = {}
    assert said(index.code("9998", "50%"), translations("nb").gettext).endswith(
        "for 50% på noe tidspunkt siden 1994")



@pytest.mark.parametrize("lang, expected", [
    ("en", "the same area, period and breakdown as t.csv, line 2, with another value (37291 "
           "there, 12.5 here)"),
    ("nb", "samme område, periode og inndeling som t.csv, linje 2, med en annen verdi "
           "(37291 der, 12,5 her)"),
])
def test_figures_in_a_message_take_the_readers_decimal_mark(lang, expected):
    rows = [(0, "t.csv, line 2", 1, "municipality", "1804", "2020", 2020, 2020, 37291.0, "",
             None, None, "", None),
            (1, "t.csv, line 3", 1, "municipality", "1804", "2020", 2020, 2020, 12.5, "",
             None, None, "", None)]
    # the problem of a key given twice with two values
    _, problems = _repeats(pl.DataFrame(rows, schema=FRAME, orient="row"), "refuse", [])
    shown = said(problems[0][1].message, translations(lang).gettext, decimal_mark(lang))
    assert shown.startswith(expected)
