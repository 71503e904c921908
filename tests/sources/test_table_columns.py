"""Columns found by meaning, on every real tidy table of ../shared/data that the demo maps by
hand (the hand mapping is the answer), and on table-driven edge cases."""

from pathlib import Path

import pytest

from localsdg.areas.lookup import AreaIndex
from localsdg.db.session import session_scope, upgrade
from localsdg.sources.demo import DATASETS
from localsdg.sources.table_columns import guess_columns, title
from tests.helpers import DATA, synced

TIDY = [d for d in DATASETS if d.mapping is not None and not d.path.endswith(".json")
        and not d.mapping.wide]
# Files whose every named role must be found; in the others two columns fit a role equally
# (FHI's 'År (intervall)' and 'År'; NAV's 'Andel …' and 'Antall'), and the user must say.
FOUND = {"fhi_drikkevann.csv", "fhi_selvmord_femaarig.csv", "dekningsgrad_barnehage.csv",
         "bor_trangt_2024.csv", "ssb_stromforbruk_telemark.csv", "sysselsetting_2025.csv",
         "mdir_klimagassutslipp_telemark_kommuner_2009-2024.csv"}


@pytest.fixture(scope="module")
def areas(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('areas') / 'areas.sqlite'}"
    upgrade(url)
    synced(url)
    with session_scope(url) as s:
        yield AreaIndex(s)


@pytest.mark.parametrize("dataset", TIDY, ids=[Path(d.path).name for d in TIDY])
def test_real_tables_get_the_columns_the_hand_mapping_names_or_none(areas, dataset):
    m = dataset.mapping
    guess = guess_columns(DATA / dataset.path, areas, encoding=m.encoding, sheet=m.sheet)
    for role in ("area", "period", "value"):
        found, wanted = getattr(guess, role), getattr(m, role)
        assert found in (None, wanted), f"{role}: {found} instead of {wanted}"
        if Path(dataset.path).name in FOUND and wanted:
            assert found == wanted, role
    assert set(m.dims) <= set(guess.dims) or not guess.period


@pytest.mark.parametrize(("text", "area", "period", "value", "dims"), [
    ("kommunenummer;år;verdi\n4003;2023;12,5\n1804;2024;..\n",
     "kommunenummer", "år", "verdi", ()),
    ("Kommune;Kjønn;År;Andel (%)\nSkien;Menn;2023;12,5\nBodø;Kvinner;2024;11\n",
     "Kommune", "År", "Andel (%)", ("Kjønn",)),
    ("municipality,year,value,sex\n0301,2020,1.5,female\n4601,2021,2,male\n",
     "municipality", "year", "value", ("sex",)),
    ("Region;Tid;Personer\nK-3001;2022K1;27879\nK-4003;2022K2;55513\n",
     "Region", "Tid", "Personer", ()),
    ("sted;periode;antall;andel\n4003;2024;1;2\n1804;2024;3;4\n", "sted", "periode", None, ()),
    ("SortKommune;Kommune;År;Verdi\n1;Skien;2023;5\n2;Bodø;2023;6\n3;Oslo;2024;7\n",
     "Kommune", "År", "Verdi", ()),
    ("Kommunenummer;Kommune;År;Andel\n4003;Skien;2023;0,5\n1804;Bodø;2023;0,6\n",
     "Kommunenummer", "År", "Andel", ()),
])
def test_planners_tables_get_their_columns_by_words_and_cells(areas, tmp_path, text, area,
                                                             period, value, dims):
    path = tmp_path / "egne.csv"
    path.write_text(text, encoding="utf-8")
    guess = guess_columns(path, areas)
    assert (guess.area, guess.period, guess.value, guess.dims) == (area, period, value, dims)


@pytest.mark.parametrize(("text", "expected"), [
    ("Andel innbyggere nær holdeplass\n\nKommune;År;Andel (%)\nSkien;2024;63,4\n",
     "Andel innbyggere nær holdeplass"),
    ('"Befolkning 1. januar";\n;\nKommune;År;Antall\nSkien;2024;55000\n', "Befolkning 1. januar"),
    ("Kommune;År;Andel (%)\nSkien;2024;63,4\n", None),
])
def test_a_title_above_the_columns_is_the_tables_own(tmp_path, text, expected):
    path = tmp_path / "tabell.csv"
    path.write_text(text, encoding="utf-8")
    assert title(path) == expected
