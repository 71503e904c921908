import pytest

from localsdg.accounts.users import add_user, new_token
from localsdg.db.session import session_scope
from localsdg.sources.area_lists import sync_areas
from localsdg.sources.un_framework import sync_framework
from tests.helpers import HISTORY, MIRROR, PASSWORD, app_client, new_database


@pytest.fixture
def client(use_catalog):
    """The app on the real catalog (read only)."""
    return app_client()


@pytest.fixture
def writable(framework_db):
    """The app on a database of its own with the UN framework, for tests that change data."""
    return app_client()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """A PostgreSQL database (server mode) with the UN framework and the areas, and one user
    per role: its URL and the users' API tokens."""
    gen = new_database("postgresql", tmp_path_factory.mktemp("server"))
    url = next(gen)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOCALSDG_MIRROR", str(MIRROR))
        with session_scope(url) as s:
            sync_framework(s)
            sync_areas(s, HISTORY)
            add_user(s, "bodo.planner", "editor", [("municipality", "1804")], by="test",
                     password=PASSWORD)
            add_user(s, "curator", "curator", [], by="test")
            tokens = {name: new_token(s, name) for name in ("bodo.planner", "curator")}
    yield url, tokens
    next(gen, None)
