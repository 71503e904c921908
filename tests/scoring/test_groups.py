"""Area groups read from a file: a whole classification stored once, compared within any of its
subgroups, and a bad line named while nothing is stored."""

from __future__ import annotations

import pytest

from localsdg.db.session import session_scope
from localsdg.errors import UserError
from localsdg.scoring.groups import import_group, list_groups, resolve
from tests.helpers import DATA, ENGINES, app_client, module_database, synced

MUNICIPALITIES = DATA / "norway" / "codes" / "kommuner_2024_merged.csv"


@pytest.fixture(scope="module", params=ENGINES)
def areas(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    gen = module_database(request.param, tmp_path_factory)
    url = next(gen)
    synced(url)
    yield url
    next(gen, None)


def test_a_classification_is_stored_with_its_subgroups(areas):
    with session_scope(areas) as s:
        report = import_group(s, MUNICIPALITIES, "fylker", "Fylkene 2024", "kommunenummer",
                              "fylkesnavn")
    assert report == {"group": "fylker", "members": 357, "subgroups": 15}
    with session_scope(areas) as s:
        telemark = resolve(s, "fylker/Telemark")
        county = resolve(s, "county:40")
        whole = resolve(s, "fylker")
    assert sorted(m.code for m in telemark.members) == sorted(m.code for m in county.members)
    assert len(county.members) == 17 and telemark.name == "Fylkene 2024: Telemark"
    assert len(whole.members) == 357 and {m.subgroup for m in whole.members} >= {"Oslo"}
    with session_scope(areas) as s, pytest.raises(UserError, match="subgroups: Agder, "):
        resolve(s, "fylker/Telemerk")


def test_the_api_shows_a_subgroup(areas, monkeypatch):

    monkeypatch.setenv("LOCALSDG_DATABASE_URL", areas)
    with session_scope(areas) as s:
        import_group(s, MUNICIPALITIES, "fylker", "Fylkene 2024", "kommunenummer", "fylkesnavn")
    body = app_client().get("/api/v1/groups/fylker/Vestfold").json()
    assert body["name"] == "Fylkene 2024: Vestfold" and len(body["members"]) == 6


def test_codes_written_as_numbers_are_read(areas, tmp_path):
    listed = tmp_path / "liste.csv"
    listed.write_text("Kommune;Navn\n301;Oslo\n4003;Skien\n", encoding="cp1252")
    with session_scope(areas) as s:
        import_group(s, listed, "mine", "Mine kommuner", "Kommune")
        assert [m.code for m in resolve(s, "mine").members] == ["0301", "4003"]


def test_a_bad_line_is_named_and_nothing_is_stored(areas, tmp_path):
    broken = tmp_path / "kommuner.csv"
    lines = MUNICIPALITIES.read_text(encoding="utf-8").splitlines()
    lines[3] = "9876,Ingensteds,Ingensteds,40,Telemark"
    lines.append(lines[1])  # 0301 again
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with session_scope(areas) as s:
        before = {g["id"] for g in list_groups(s)}
    with pytest.raises(UserError) as err, session_scope(areas) as s:
        import_group(s, broken, "brutt", "Brutt", "kommunenummer", "fylkesnavn")
    assert "kommuner.csv, line 4, column kommunenummer: '9876' is not a municipality" in str(
        err.value)
    assert f"line {len(lines)}, column kommunenummer: 0301 is listed already on line 2" in str(
        err.value)
    with session_scope(areas) as s:
        assert {g["id"] for g in list_groups(s)} == before
    missing = pytest.raises(UserError, match="no header line with the columns kommune_nr")
    with missing, session_scope(areas) as s:
        import_group(s, MUNICIPALITIES, "x", "X", "kommune_nr")
    with pytest.raises(UserError, match="group id 'county:40'"), session_scope(areas) as s:
        import_group(s, MUNICIPALITIES, "county:40", "X", "kommunenummer")
