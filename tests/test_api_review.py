"""Regression tests for review findings: ids with surrounding spaces, versions beyond the database's
integer range, NaN in a JSON body, a recovered job that must stay failed, old versions that must
stay as they were stored, wish updates that keep what was not sent, and no caching of organiser
downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import claimed_solve, settings_for, solve, upload
from fastapi.testclient import TestClient

import scheduler.pipelines.solve
from api import jobs
from api.app import create_app
from api.routes import changes as change_routes
from api.settings import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("review") / "db.sqlite"
    with TestClient(create_app(settings_for(path)), raise_server_exceptions=False) as c:
        yield c


def _revision(client: TestClient, eid: str, h: dict[str, str]) -> int:
    revision: int = client.get(f"/api/events/{eid}", headers=h).json()["revision"]
    return revision


def _ids(client: TestClient, eid: str, h: dict[str, str]) -> list[str]:
    return [p["id"] for p in client.get(f"/api/events/{eid}/participants", headers=h).json()["data"]]


def _wish(client: TestClient, eid: str, h: dict[str, str], requester: str, target: str) -> dict[str, Any]:
    wishes = client.get(f"/api/events/{eid}/wishes", headers=h).json()["data"]
    return next(w for w in wishes if (w["requester"], w["target"]) == (requester, target))


# --- 1. ids with spaces around them -------------------------------------------------------------


def test_ids_with_spaces_are_read_as_the_loader_reads_them(client: TestClient) -> None:
    eid, h = upload(client)
    r = client.post(f"/api/events/{eid}/participants", json={"id": " p99 ", "name": "Late Comer"}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["participant"]["id"] == "p99"
    assert _ids(client, eid, h).count("p99") == 1

    r = client.post(f"/api/events/{eid}/wishes", json={"requester": " p1", "target": "p99\t"}, headers=h)
    assert r.status_code == 201, r.text
    assert (r.json()["wish"]["requester"], r.json()["wish"]["target"]) == ("p1", "p99")
    assert _wish(client, eid, h, "p1", "p99")["priority"] == 2

    r = client.post(f"/api/events/{eid}/participants", json={"id": "   ", "name": "Nobody"}, headers=h)
    assert r.status_code == 422


def test_a_change_whose_response_fails_stores_nothing(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    eid, h = upload(client)
    before = _revision(client, eid, h)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("response failed")

    monkeypatch.setattr(change_routes, "participant_view", broken)
    monkeypatch.setattr(change_routes, "_wish_public", broken)
    r = client.post(f"/api/events/{eid}/participants", json={"id": "p98", "name": "X"}, headers=h)
    assert r.status_code == 500
    r = client.post(f"/api/events/{eid}/wishes", json={"requester": "p1", "target": "p4"}, headers=h)
    assert r.status_code == 500
    monkeypatch.undo()

    assert _revision(client, eid, h) == before
    assert "p98" not in _ids(client, eid, h)
    assert not [
        w
        for w in client.get(f"/api/events/{eid}/wishes", headers=h).json()["data"]
        if (w["requester"], w["target"]) == ("p1", "p4")
    ]


# --- 2. versions beyond the database's integer range ----------------------------------------------


def test_versions_beyond_the_integer_range_are_422(client: TestClient) -> None:
    eid, h = upload(client)
    huge = [2**31, 2**63, 10**20]
    for v in huge:
        for path in (
            f"/api/events/{eid}/schedules/{v}",
            f"/api/events/{eid}/schedules/{v}.csv",
            f"/api/events/{eid}/schedule?version={v}",
            f"/api/events/{eid}/schedule.csv?version={v}",
            f"/api/events/{eid}/stats?version={v}",
            f"/api/events/{eid}/plan.pdf?version={v}",
            f"/api/events/{eid}/diff?from={v}",
            f"/api/events/{eid}/diff.csv?to={v}",
        ):
            r = client.get(path, headers=h)
            assert r.status_code == 422, (path, r.status_code, r.text[:200])
    r = client.get(f"/api/events/{eid}/schedules/{2**31 - 1}", headers=h)
    assert r.status_code == 404, r.text


# --- 3. NaN in a JSON number ----------------------------------------------------------------------


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_time_limit_is_422(client: TestClient, number: str) -> None:
    eid, h = upload(client)
    r = client.post(
        f"/api/events/{eid}/solve",
        content=f'{{"time_limit": {number}}}',
        headers=h | {"content-type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "time_limit"]
    assert client.get(f"/api/events/{eid}/jobs", headers=h).json() == []


# --- 4. a job marked failed by a starting server stays failed ------------------------------------


def test_a_job_recovered_while_its_worker_runs_stays_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings: Settings = settings_for(tmp_path / "db.sqlite")
    with claimed_solve(settings, time_limit=1) as (c, db, eid, job_id, h):
        real_solve = scheduler.pipelines.solve.solve

        def solve_then_recover(*args: Any, **kwargs: Any) -> Any:
            result = real_solve(*args, **kwargs)
            assert jobs.recover_interrupted(db) == 1  # another web process starts meanwhile
            return result

        monkeypatch.setattr(scheduler.pipelines.solve, "solve", solve_then_recover)
        jobs.run_job(settings.database_url, job_id, solver_workers=1)
        job = c.get(f"/api/jobs/{job_id}", headers=h).json()
        assert job["state"] == "failed"
        assert job["error"] == jobs.STOPPED_BY_SERVER
        assert job["schedule_version"] is None
        assert c.get(f"/api/events/{eid}/schedules", headers=h).json() == []


# --- 5. old versions stay as they were stored -----------------------------------------------------


def test_old_versions_are_served_as_stored(client: TestClient) -> None:
    eid, h = upload(client)
    solve(client, eid, h)
    csv_v1 = client.get(f"/api/events/{eid}/schedules/1.csv", headers=h).text
    json_v1 = client.get(f"/api/events/{eid}/schedules/1", headers=h).json()
    meetings = json_v1["meetings"]
    mutual = next(m for m in meetings if m["mutual"] and m["points"] > 0)
    other = next(
        m
        for m in meetings
        if {m["participant_a"], m["participant_b"]}.isdisjoint({mutual["participant_a"], mutual["participant_b"]})
    )

    # The JSON says what the stored schedule.csv says.
    rows = list(csv.DictReader(io.StringIO(csv_v1)))
    assert [
        (r["participant_a"], r["participant_b"], r["name_a"], r["mutual"] == "yes", int(r["points"])) for r in rows
    ] == [(m["participant_a"], m["participant_b"], m["name_a"], m["mutual"], m["points"]) for m in meetings]

    # Cancel the mutual meeting (its wishes become declined; ids with spaces name the pair), then
    # rename somebody of another meeting.
    pair = {"a": f" {mutual['participant_a']}", "b": f"{mutual['participant_b']} "}
    r = client.post(f"/api/events/{eid}/meetings/cancel", json=pair, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    r = client.patch(
        f"/api/events/{eid}/participants/{other['participant_a']}", json={"name": "Renamed Person"}, headers=h
    )
    assert r.status_code == 200, r.text

    assert client.get(f"/api/events/{eid}/schedules/1.csv", headers=h).text == csv_v1
    assert client.get(f"/api/events/{eid}/schedule.csv?version=1", headers=h).text == csv_v1
    assert client.get(f"/api/events/{eid}/schedules/1", headers=h).json() == json_v1
    assert client.get(f"/api/events/{eid}/schedule?version=1", headers=h).json() == json_v1
    latest = client.get(f"/api/events/{eid}/schedule.csv", headers=h).text
    assert "Renamed Person" not in latest and latest == client.get(f"/api/events/{eid}/schedules/2.csv", headers=h).text


# --- 6. updating a wish keeps the fields not sent -------------------------------------------------


def test_wish_update_changes_only_the_fields_sent(client: TestClient) -> None:
    eid, h = upload(client)
    r = client.post(
        f"/api/events/{eid}/wishes",
        json={"requester": "p1", "target": "p2", "priority": 1, "window": "09:00-10:00"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/events/{eid}/wishes", json={"requester": "p1", "target": "p2", "status": "declined"}, headers=h
    )
    assert r.status_code == 200, r.text
    expected = {"requester": "p1", "target": "p2", "priority": 1, "window": "09:00-10:00", "status": "declined"}
    assert r.json()["wish"] == expected
    assert _wish(client, eid, h, "p1", "p2") == expected

    r = client.post(f"/api/events/{eid}/wishes", json={"requester": "p1", "target": "p2", "window": None}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["wish"] == expected | {"window": ""}

    r = client.post(f"/api/events/{eid}/wishes", json={"requester": "p4", "target": "p1"}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["wish"] == {"requester": "p4", "target": "p1", "priority": 2, "window": "", "status": "requested"}


# --- organiser downloads are not cached -----------------------------------------------------------


def test_organiser_downloads_are_not_cached(client: TestClient) -> None:
    eid, h = upload(client)
    solve(client, eid, h)
    m = client.get(f"/api/events/{eid}/schedule", headers=h).json()["meetings"][0]
    r = client.post(
        f"/api/events/{eid}/meetings/pin", json={"a": m["participant_a"], "b": m["participant_b"]}, headers=h
    )
    assert r.status_code == 200, r.text
    for path in (
        "schedule",
        "schedule.csv",
        "schedules/1",
        "schedules/1.csv",
        "stats",
        "participants",
        "diff",
        "diff.csv",
        "diff/agendas.pdf",
        "agendas.pdf",
        "plan.pdf",
        "table-signs.pdf",
        f"participants/{m['participant_a']}/agenda.pdf",
    ):
        r = client.get(f"/api/events/{eid}/{path}", headers=h)
        assert r.status_code == 200, (path, r.text[:200])
        assert "no-store" in r.headers.get("cache-control", ""), path
