"""Editors at the same moment, on the real PostgreSQL and SQLite. 20 editors each add a tag to
the same indicator, or a priority to the same plan, at once: every change is kept, none is
answered with a server error, and the history replays to the record's current state. An edit
made on an older revision of a record keeps what others changed meanwhile, or, where it changes
the same field, is refused (409) with both values."""

from __future__ import annotations

import copy
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from localsdg.catalog.goals import goals_with_targets
from localsdg.db.schema import Plan, PlanChange
from localsdg.db.session import session_scope
from localsdg.planning import store
from localsdg.sources.area_lists import sync_areas
from tests.helpers import HISTORY, app_client

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


def _revision(html: str) -> int:
    return int(re.search(r'name="revision" value="(\d+)"', html).group(1))


def test_a_stale_indicator_edit_keeps_both_values_and_merges_untouched_fields(framework_db):
    """An edit made on an older revision: a field changed meanwhile by someone else and also
    by this form clashes (409, both values shown, nothing saved); a field only they changed
    stays as they left it; saving again on the revision shown keeps this form's value."""
    client = app_client()
    page = "/indikator/un-global/13.2.2/endre"
    seen = _revision(client.get(page).text)
    original = client.get(URL).json()["values"]["name_en"]
    assert client.patch(URL, json={"by": "them", "changes": [
        {"property": "name_en", "op": "set", "value": "Their name"},
        {"property": "notes", "op": "set", "value": "Their note"}]}).status_code == 200

    def post(revision: int, **fields: str):
        return client.post(page, data={"by": "me", "revision": str(revision),
                                       "shown": list(fields), **fields},
                           follow_redirects=False)

    clash = post(seen, name_en="My name", notes="")
    assert clash.status_code == 409
    assert "Their name" in clash.text and "My name" in clash.text
    assert "Their note" in clash.text  # shown again with what only they changed
    assert client.post(page, data={"by": "me", "revision": "²", "shown": ["unit"],
                                   "unit": "x"}).status_code == 400
    assert client.get(URL).json()["values"]["name_en"] == "Their name"
    merged = post(seen, name_en=original, unit="tonnes")  # name_en untouched on this form
    assert merged.status_code == 303
    values = client.get(URL).json()["values"]
    assert (values["name_en"], values["unit"]) == ("Their name", "tonnes")
    again = post(_revision(clash.text), name_en="My name", notes="Their note")
    assert again.status_code == 303
    assert client.get(URL).json()["values"]["name_en"] == "My name"
    assert client.get(URL).json()["values"]["notes"] == "Their note"
    history = client.get(f"{URL}/history").json()
    revisions = [h["revision"] for h in reversed(history) if h["revision"] is not None]
    assert revisions == sorted(revisions) and revisions[-1] == client.get(URL).json()["revision"]


def test_a_form_leaves_the_fields_it_did_not_show(framework_db):
    client = app_client()
    before = client.get(URL).json()["values"]
    answer = client.post("/indikator/un-global/13.2.2/endre",
                         data={"by": "me", "name_nb": "Bare navnet"}, follow_redirects=False)
    assert answer.status_code == 303
    after = client.get(URL).json()["values"]
    assert after == {**before, "name_nb": "Bare navnet"}


@pytest.fixture
def plan_db(framework_db: str) -> tuple[str, int]:
    with session_scope(framework_db) as s:
        sync_areas(s, HISTORY)
    with session_scope(framework_db) as s:
        plan_id = store.save(s, {"format": "localsdg-plan/1", "area": "1804",
                                 "name": "Samfunnsdelen"}, "planner", action="create")
    return framework_db, plan_id


def _replayed(changes: list[PlanChange]) -> dict:
    """The plan rebuilt from its history alone: the first change's whole plan, then each
    change to one item as the history records it."""
    document = copy.deepcopy(changes[0].new_value)
    for c in changes[1:]:
        section, name = c.part.split(": ", 1)
        items = document.setdefault(section, [])
        at = next((i for i, x in enumerate(items) if store.KEYS[section](x) == name), None)
        if c.new_value is None:
            items.pop(at)
        elif at is None:
            items.append(c.new_value)
        else:
            items[at] = c.new_value
    return document


def test_twenty_plan_editors_at_once_all_kept_and_the_history_replays(plan_db):
    url, plan_id = plan_db
    client = app_client()
    seen = _revision(client.get(f"/plan/{plan_id}").text)
    with session_scope(url) as s:
        targets = [t for g in goals_with_targets(s) for t in g["targets"]][:EDITORS]

    def add(target: dict) -> int:
        return client.post(f"/plan/{plan_id}/prioritet", follow_redirects=False, data={
            "by": f"editor {target['code']}", "revision": str(seen), "key": target["code"],
            "importance": "3", "influence": "2"}).status_code

    with ThreadPoolExecutor(EDITORS) as pool:
        answers = list(pool.map(add, targets))
    assert answers == [303] * EDITORS
    with session_scope(url) as s:
        row = s.get(Plan, plan_id)
        changes = list(s.scalars(select(PlanChange).where(PlanChange.plan_id == plan_id)
                                 .order_by(PlanChange.id)))
        assert sorted(p["target"] for p in row.document["priorities"]) == sorted(
            t["code"] for t in targets)
        assert [c.revision for c in changes] == list(range(1, EDITORS + 2))
        assert row.revision == EDITORS + 1
        assert _replayed(changes) == row.document


def test_a_stale_plan_edit_of_the_same_item_is_refused(plan_db):
    url, plan_id = plan_db
    client = app_client()
    form = {"by": "me", "key": "13.2", "importance": "5", "influence": "5"}
    assert client.post(f"/plan/{plan_id}/prioritet", data={**form, "revision": "1"},
                       follow_redirects=False).status_code == 303
    stale = client.post(f"/plan/{plan_id}/prioritet", follow_redirects=False,
                        data={**form, "importance": "1", "revision": "1"})
    assert stale.status_code == 409 and "«prioriteringer: 13.2»" in stale.text
    assert "Ingenting ble lagret." in stale.text and "Rett disse feltene" not in stale.text
    with session_scope(url) as s:
        assert s.get(Plan, plan_id).document["priorities"][0]["importance"] == 5
    assert client.post(f"/plan/{plan_id}/prioritet", follow_redirects=False, data={
        **form, "importance": "1", "revision": str(_revision(stale.text))}).status_code == 303


def test_a_stale_api_change_gets_409_with_both_values(framework_db):
    client = app_client()
    seen = client.get(URL).json()["revision"]

    def rename(name: str, revision: int):
        return client.patch(URL, json={"by": "api", "revision": revision, "changes": [
            {"property": "unit", "op": "set", "value": name}]})

    assert rename("tonnes", seen).status_code == 200
    stale = rename("kilos", seen)
    assert stale.status_code == 409
    assert "'kilos'" in stale.json()["problems"][0] and "'tonnes'" in stale.json()["problems"][0]
    assert client.get(URL).json()["values"]["unit"] == "tonnes"
    assert rename("kilos", seen + 1).status_code == 200
