"""The unmet wishes through the real app: per event and per person, for the latest or a kept version,
after a repair with a cut-off, each row confirmed by the independent oracle on the stored event and
version; and the routes are the organiser's only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from api_helpers import client_for, solve, upload
from fastapi.testclient import TestClient

from api import service
from api.storage import EventRow
from benchmarks.unmet_oracle import Oracle
from scheduler.io.schedule_files import read_schedule_csv
from scheduler.unmet import REASONS

DAY = "2027-03-10"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with client_for(tmp_path_factory.mktemp("unmet") / "matchday.db") as c:
        yield c


@pytest.fixture(scope="module")
def repaired(client: TestClient) -> dict[str, Any]:
    """The sample event solved (version 1), then p7 cancels and a repair from 09:20 makes version 2."""
    event_id, headers = upload(client)
    solve(client, event_id, headers)
    r = client.patch(f"/api/events/{event_id}/participants/p7", json={"status": "cancelled"}, headers=headers)
    assert r.status_code == 200, r.text
    solve(client, event_id, headers, cutoff=f"{DAY}T07:20:00Z")  # 09:20 in Helsinki
    return {"id": event_id, "headers": headers}


def _confirm(client: TestClient, event_id: str, body: dict[str, Any], cutoff: dt.datetime | None) -> None:
    """Every unmet wish of the stored version once, with the first true reason and right blockers."""
    with client.app.state.db.sessions() as session:  # type: ignore[attr-defined]
        row = session.get(EventRow, event_id)
        assert row is not None
        event = service.load_event(row)
        srow = service.schedule_row(session, event_id, body["version"])
        assert srow is not None
        schedule, _ = read_schedule_csv(srow.csv.encode(), event)
    oracle = Oracle(event, schedule, cutoff)
    wishes = {(w.requester, w.target): w for w in event.wishes}
    rows = body["unmet"]
    assert [(u["requester"]["id"], u["target"]["id"]) for u in rows] == [
        (w.requester, w.target) for w in oracle.unmet_wishes()
    ]
    for u in rows:
        w = wishes[(u["requester"]["id"], u["target"]["id"])]
        assert u["reason"] == oracle.true_reasons(w)[0]
        assert oracle.blocker_problems(w, u["reason"], tuple(u["blockers"])) == []
        assert u["requester"]["name"] == event.participants[w.requester].name and u["detail"]
    assert body["counts"] == {r: sum(1 for u in rows if u["reason"] == r) for r in REASONS}


def test_the_event_route_explains_the_latest_version_with_its_cutoff(
    client: TestClient, repaired: dict[str, Any]
) -> None:
    r = client.get(f"/api/events/{repaired['id']}/unmet", headers=repaired["headers"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["event_id"], body["version"], body["cutoff"]) == (repaired["id"], 2, f"{DAY}T09:20:00")
    assert r.headers["cache-control"] == "no-store"
    gone = [u for u in body["unmet"] if "p7" in (u["requester"]["id"], u["target"]["id"])]
    assert gone and all((u["reason"], u["blockers"]) == ("not_both_present", ["p7"]) for u in gone)
    _confirm(client, repaired["id"], body, dt.datetime(2027, 3, 10, 9, 20))


def test_a_kept_version_is_explained_against_the_event_as_it_is_now(
    client: TestClient, repaired: dict[str, Any]
) -> None:
    r = client.get(f"/api/events/{repaired['id']}/unmet", params={"version": 1}, headers=repaired["headers"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["version"] == 1 and body["cutoff"] is None
    _confirm(client, repaired["id"], body, None)


def test_the_person_route_splits_their_own_wishes_from_those_made_to_them(
    client: TestClient, repaired: dict[str, Any]
) -> None:
    url = f"/api/events/{repaired['id']}"
    everyone = client.get(f"{url}/unmet", headers=repaired["headers"]).json()["unmet"]
    r = client.get(f"{url}/participants/p7/unmet", headers=repaired["headers"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["participant"]["id"] == "p7" and body["version"] == 2
    assert body["asked"] == [u for u in everyone if u["requester"]["id"] == "p7"]
    assert body["asked_by"] == [u for u in everyone if u["target"]["id"] == "p7"]
    # p7 cancelled after 09:20: what they asked and did not get before then is not_both_present
    assert body["asked"] and all(u["reason"] == "not_both_present" for u in body["asked"] + body["asked_by"])


def test_unknown_participant_or_version_is_404_and_other_tokens_get_nothing(
    client: TestClient, repaired: dict[str, Any]
) -> None:
    url, headers = f"/api/events/{repaired['id']}", repaired["headers"]
    assert client.get(f"{url}/participants/nobody/unmet", headers=headers).status_code == 404
    assert client.get(f"{url}/unmet", params={"version": 99}, headers=headers).status_code == 404
    assert client.get(f"{url}/unmet").status_code == 401
    _other, other_headers = upload(client)
    assert client.get(f"{url}/unmet", headers=other_headers).status_code == 404
    assert client.get(f"{url}/participants/p7/unmet", headers=other_headers).status_code == 404
    fresh, fresh_headers = upload(client)
    assert client.get(f"/api/events/{fresh}/unmet", headers=fresh_headers).status_code == 404  # no schedule yet
