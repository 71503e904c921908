import pytest

from tests.helpers import app_client


@pytest.fixture
def client(use_catalog):
    """The app on the real catalog (read only)."""
    return app_client()


@pytest.fixture
def writable(framework_db):
    """The app on a database of its own with the UN framework, for tests that change data."""
    return app_client()
