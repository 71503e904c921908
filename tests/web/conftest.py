import pytest
from fastapi.testclient import TestClient

from localsdg.web.app import create_app


@pytest.fixture
def client(use_catalog):
    """The app on the real catalog (read only)."""
    return TestClient(create_app())


@pytest.fixture
def writable(framework_db):
    """The app on a database of its own with the UN framework, for tests that change data."""
    return TestClient(create_app())
