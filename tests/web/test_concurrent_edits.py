"""Editors at the same moment, on the real PostgreSQL and SQLite: 20 editors each add a tag to
the same indicator at once. Every change is kept, none is answered with a server error, and the
history replays to the indicator's values (each change's old value is the previous one's new)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.helpers import app_client

EDITORS = 20
URL = "/api/v1/sets/un-global/indicators/13.2.2"


def test_twenty_editors_add_tags_at_once_and_the_history_replays(framework_db):
    client = app_client()

    def add(n: int) -> int:
        return client.patch(URL, json={"by": f"editor {n}", "changes": [
            {"property": "priority_tags", "op": "add", "value": [f"tag-{n:02}"]}]}).status_code

    with ThreadPoolExecutor(EDITORS) as pool:
        answers = list(pool.map(add, range(EDITORS)))
    assert answers == [200] * EDITORS
    tags = client.get(URL).json()["values"]["priority_tags"]
    assert sorted(tags) == [f"tag-{n:02}" for n in range(EDITORS)]
    changes = [h for h in reversed(client.get(f"{URL}/history").json())
               if h["property"] == "priority_tags"]
    assert len(changes) == EDITORS
    for before, after in zip(changes, changes[1:], strict=False):
        assert after["old"] == before["new"]  # each change saw the one before it
    assert changes[-1]["new"].split("|") == sorted(tags)  # the last change is the state
