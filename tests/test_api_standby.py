"""Standby pairs through the real app: the suggestions for the latest version, a confirmation that
stores a new version through the checker's gate, a refusal in words that stores nothing, 409
while a solve runs, and the routes are the organiser's only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import claimed_solve, client_for, settings_for, solve, upload
from factories import DaySpec, EventSpec, event_files, wish
from fastapi.testclient import TestClient

from api import service
from api.storage import EventRow
from scheduler.check.checker import check_schedule
from scheduler.domain import Schedule
from scheduler.io.schedule_files import read_schedule_csv
from scheduler.standby import as_absent

START = "2027-03-10T09:00"


def tight_event() -> dict[str, bytes]:
    """One slot: a and p (mutual, priority 1) outweigh p's one-sided wish for x, so a meets p and x
    is free; y and z meet too, and p also wished y, who is busy then."""
    people = ["a", "p", "x", "y", "z"]
    wishes = [wish("a", "p", 1), wish("p", "a", 1), wish("p", "x", 3), wish("y", "z", 1), wish("z", "y", 1)]
    wishes.append(wish("p", "y", 3))
    toml, participants, wishes_csv = event_files(people, wishes, EventSpec(tables=2, days=(DaySpec(end="09:20"),)))
    return {"event": toml, "participants": participants, "wishes": wishes_csv}


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, dict[str, str]]]:
    with client_for(tmp_path_factory.mktemp("standby") / "matchday.db") as client:
        event_id, headers = upload(client, **tight_event())
        solve(client, event_id, headers)
        yield client, event_id, headers


def stored(client: TestClient, event_id: str, version: int) -> tuple[Any, Schedule]:
    with client.app.state.db.sessions() as session:  # type: ignore[attr-defined]
        row = session.get(EventRow, event_id)
        assert row is not None
        event = service.load_event(row)
        srow = service.schedule_row(session, event_id, version)
        assert srow is not None
        return event, read_schedule_csv(srow.csv.encode(), event)[0]


def test_suggestions_then_a_confirmation_makes_a_checked_version(
    solved: tuple[TestClient, str, dict[str, str]],
) -> None:
    client, event_id, headers = solved
    r = client.get(f"/api/events/{event_id}/standby", params={"absent": "a", "at": START}, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    absent = body["absent"]["id"]
    assert body["at"].startswith(START) and body["event_id"] == event_id
    event, before = stored(client, event_id, body["version"])
    assert [f["meeting"]["start"] for f in body["freed"]] == sorted(f["meeting"]["start"] for f in body["freed"])
    assert len(body["freed"]) == len(before.for_person(absent))
    [freed] = body["freed"]
    assert freed["partner"]["id"] == "p" and freed["meeting"]["start"] == "09:00"
    assert [(s["with"]["id"], s["points"], s["freed_table"]) for s in freed["suggestions"]] == [("x", 1, True)]
    first = freed["suggestions"][0]
    assert first["confirm"] == {
        "absent": absent,
        "partner": freed["partner"]["id"],
        "with": first["with"]["id"],
        "table": first["table"],
    }
    r = client.post(f"/api/events/{event_id}/standby", json=first["confirm"], headers=headers)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["kind"] == "standby" and result["version"] == body["version"] + 1 and result["created"]
    assert result["based_on"] == body["version"]
    assert sorted(result["people_affected"]) == sorted({absent, freed["partner"]["id"], first["with"]["id"]})
    assert result["meeting"]["locked"] and result["meeting"]["table"] == first["table"]
    _, after = stored(client, event_id, result["version"])
    assert len(after) == len(before)
    marked = as_absent(event, absent)
    old = {str(v) for v in check_schedule(marked, before)}
    assert all(str(v) in old for v in check_schedule(marked, after))
    versions = client.get(f"/api/events/{event_id}/schedules", headers=headers)
    assert versions.status_code == 200, versions.text
    edit = next(v for v in versions.json() if v["version"] == result["version"])["edit"]
    assert edit == {
        "action": "standby",
        "a": absent,
        "b": freed["partner"]["id"],
        "locked": True,
        "replacement": first["with"]["id"],
    }


def test_a_refused_confirmation_stores_nothing(solved: tuple[TestClient, str, dict[str, str]]) -> None:
    client, event_id, headers = solved
    version = client.get(f"/api/events/{event_id}/schedule", headers=headers).json()["version"]
    body = {"absent": "z", "partner": "y", "with": "p"}  # p wished y but meets someone else then
    r = client.post(f"/api/events/{event_id}/standby", json=body, headers=headers)
    assert r.status_code == 422, r.text
    refused = r.json()
    assert "nothing was changed" in refused["detail"] and refused["violations"]
    assert client.get(f"/api/events/{event_id}/schedule", headers=headers).json()["version"] == version
    r = client.post(f"/api/events/{event_id}/standby", json={**body, "partner": "nobody"}, headers=headers)
    assert r.status_code == 404 and "'nobody' is not a participant" in r.json()["detail"]


def test_errors_in_words(solved: tuple[TestClient, str, dict[str, str]]) -> None:
    client, event_id, headers = solved
    url = f"/api/events/{event_id}/standby"
    r = client.get(url, params={"absent": "nobody", "at": START}, headers=headers)
    assert r.status_code == 404 and "'nobody' is not a participant" in r.json()["detail"]
    r = client.get(url, params={"absent": "a", "at": "2027-03-10T23:00"}, headers=headers)
    assert r.status_code == 422 and "outside the event" in r.json()["detail"]
    r = client.get(url, params={"absent": "y"}, headers=headers)  # now is outside the event: next meeting
    assert r.status_code == 200, r.text
    assert r.json()["at"].startswith(START)
    assert r.headers["cache-control"] == "no-store"
    assert client.get(url, params={"absent": "a", "at": START}).status_code == 401


def test_no_schedule_yet_and_409_while_a_solve_runs(tmp_path: Path) -> None:
    with claimed_solve(settings_for(tmp_path / "matchday.db"), 5) as (client, _db, event_id, job_id, headers):
        r = client.get(f"/api/events/{event_id}/standby", params={"absent": "p1", "at": START}, headers=headers)
        assert r.status_code == 404 and "No schedule yet" in r.json()["detail"]
        body = {"absent": "p1", "partner": "p2", "with": "p3"}
        r = client.post(f"/api/events/{event_id}/standby", json=body, headers=headers)
        assert r.status_code == 409 and job_id in r.json()["detail"]
