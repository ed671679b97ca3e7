"""The service on PostgreSQL: an end-to-end run, and what a server database needed from storage.

The tests marked `needs_postgres` run only when MATCHDAY_TEST_DATABASE_URL names a PostgreSQL
database the role may create databases from (see tests/api_helpers.py), e.g.

    MATCHDAY_TEST_DATABASE_URL=postgresql+psycopg://matchday:matchday@127.0.0.1/matchday

The others check behaviour that must not depend on the database (input PostgreSQL cannot store is
refused alike everywhere; long text and large scores are kept everywhere), so they run on the
temporary SQLite file by default and on the server when it is configured.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from api_helpers import (
    API_DATA,
    TEST_DATABASE_URL,
    client_for,
    database_url,
    event_files,
    on_server,
    pdf_pages,
    settings_for,
    solve,
    squash,
    upload,
    wait_for_job,
)
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from api.app import create_app
from api.storage import Database, get_or_create_secret

_IS_POSTGRES = on_server() and make_url(TEST_DATABASE_URL or "").get_backend_name() == "postgresql"

needs_postgres = pytest.mark.skipif(
    not _IS_POSTGRES,
    reason="needs PostgreSQL: set MATCHDAY_TEST_DATABASE_URL, e.g. "
    "postgresql+psycopg://matchday:matchday@127.0.0.1/matchday (a role allowed to create databases)",
)


def _in_time_zone(url: str, zone: str) -> str:
    """The same database, with connections whose session time zone is `zone` (libpq `options`)."""
    return make_url(url).update_query_dict({"options": f"-c timezone={zone}"}).render_as_string(hide_password=False)


def _utc(stamp: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(stamp)
    assert moment.utcoffset() == dt.timedelta(0), stamp
    return moment


@needs_postgres
def test_end_to_end_on_postgresql_and_after_a_restart(tmp_path: Path) -> None:
    # A session time zone far from UTC: the API must still answer in UTC, as on SQLite.
    url = _in_time_zone(database_url(tmp_path / "e2e.db"), "Asia/Tokyo")
    settings = settings_for(tmp_path / "e2e.db", database_url=url)
    with TestClient(create_app(settings)) as first:
        db: Database = first.app.state.db  # type: ignore[attr-defined]
        assert db.engine.dialect.name == "postgresql"
        columns = {c["name"]: c["type"] for c in inspect(db.engine).get_columns("schedules")}
        assert columns["bound"].python_type is int and "BIGINT" in str(columns["bound"]).upper()

        event_id, headers = upload(first)
        job = solve(first, event_id, headers)
        assert job["schedule_version"] == 1 and job["progress"]["phase"] == "done"  # written by the worker
        assert _utc(job["submitted_at"]) <= _utc(job["started_at"]) <= _utc(job["finished_at"])
        assert abs(_utc(job["finished_at"]) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)

        schedule = first.get(f"/api/events/{event_id}/schedule", headers=headers).json()
        assert schedule["version"] == 1 and len(schedule["meetings"]) >= 5 and schedule["points"] > 0
        csv_v1 = first.get(f"/api/events/{event_id}/schedule.csv", headers=headers).text
        assert "Søren Dybdahl" in csv_v1
        stats = first.get(f"/api/events/{event_id}/stats", headers=headers).json()
        assert stats["meetings"] == len(schedule["meetings"])

        r = first.get(f"/api/events/{event_id}/agendas.pdf", headers=headers)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/pdf")
        pages = pdf_pages(r.content)
        assert len(pages) == 8 and "SørenDybdahl" in squash(pages[0])

        links = first.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
        r = first.patch(f"/api/events/{event_id}/participants/p2", json={"status": "cancelled"}, headers=headers)
        assert r.status_code == 200 and r.json()["event_revision"] == 2
        repair = solve(first, event_id, headers)  # repairs version 1 for the cancellation
        assert repair["schedule_version"] == 2

    with TestClient(create_app(settings)) as second:  # a restart: everything is still there
        versions = second.get(f"/api/events/{event_id}/schedules", headers=headers).json()
        assert [v["version"] for v in versions] == [1, 2] and versions[1]["kind"] == "repair"
        assert second.get(f"/api/events/{event_id}/schedules/1.csv", headers=headers).text == csv_v1
        latest = second.get(f"/api/events/{event_id}/schedule", headers=headers).json()
        assert latest["version"] == 2
        assert all("p2" not in (m["participant_a"], m["participant_b"]) for m in latest["meetings"])
        again = second.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
        assert [p["agenda_url"] for p in again] == [p["agenda_url"] for p in links]  # same secret
        assert "Søren Dybdahl" in second.get(links[0]["agenda_url"]).text
        r = second.get(f"/api/events/{event_id}/agendas.pdf", headers=headers)
        assert r.status_code == 200 and len(pdf_pages(r.content)) == 7  # p2 cancelled
        jobs = second.get(f"/api/events/{event_id}/jobs", headers=headers).json()
        assert [j["state"] for j in jobs] == ["done", "done"]
        assert second.get(f"/api/events/{event_id}", headers=headers).json()["revision"] == 2


@needs_postgres
def test_processes_starting_together_create_one_schema_and_one_secret(tmp_path: Path) -> None:
    url = database_url(tmp_path / "race.db")
    databases = [Database(url) for _ in range(4)]
    secrets: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(databases))

    def boot(db: Database) -> None:
        try:
            start.wait()
            db.upgrade()
            secrets.append(get_or_create_secret(db, "participant_links"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=boot, args=(db,)) for db in databases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for db in databases:
        db.dispose()
    assert not errors, errors
    assert len(secrets) == 4 and len(set(secrets)) == 1


# --- the same on every database ----------------------------------------------------------------


def test_nul_characters_are_refused_on_every_database(tmp_path: Path) -> None:
    toml = (API_DATA / "event.toml").read_bytes()
    people = (API_DATA / "participants.csv").read_bytes()
    with client_for(tmp_path / "nul.db") as c:
        r = c.post("/api/events", files=event_files(event=toml.replace(b'name = "Nordic', b'name = "N\\u0000ordic')))
        assert r.status_code == 422 and r.json()["problems"][0]["code"] == "nul_character"
        assert "'name'" in r.json()["problems"][0]["message"]
        r = c.post("/api/events", files=event_files(participants=people.replace(b"Dybdahl", b"Dyb\x00dahl")))
        assert r.status_code == 422
        problem = r.json()["problems"][0]
        assert (problem["code"], problem["file"], problem["row"]) == ("nul_character", "participants.csv", 2)

        event_id, headers = upload(c)
        r = c.post(f"/api/events/{event_id}/participants", json={"id": "late", "name": "La\u0000te"}, headers=headers)
        assert r.status_code == 422 and r.json()["problems"][0]["code"] == "nul_character"
        assert c.get(f"/api/events/{event_id}", headers=headers).json()["revision"] == 1  # nothing changed
        assert c.get("/api/jobs/a%00b", headers=headers).status_code == 404
        assert c.post(f"/api/events/{event_id}/participants/p%001/link", headers=headers).status_code == 404


def test_long_text_and_large_scores_are_kept_on_every_database(tmp_path: Path) -> None:
    long_name = "Ω" * 1500
    toml = (API_DATA / "event.toml").read_bytes().replace(
        b'name = "Nordic', f'name = "{long_name}'.encode()
    ) + b"\n[weights]\npriority_points = { 1 = 1000000, 2 = 1000000, 3 = 1000000 }\nmutual_multiplier = 1000000\n"
    people = (API_DATA / "participants.csv").read_bytes().replace(b"Dybdahl", ("Ł" * 1200).encode())
    too_long = ("p" * 201).encode()
    with client_for(tmp_path / "long.db") as c:
        event_id, headers = upload(c, event=toml, participants=people)
        job = solve(c, event_id, headers)
        stats = c.get(f"/api/events/{event_id}/stats", headers=headers).json()
        assert stats["bound"] > 2**31 and job["progress"]["bound"] == stats["bound"]  # a 64-bit score
        assert c.get(f"/api/events/{event_id}", headers=headers).json()["name"].startswith(long_name)
        people_now = c.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
        assert people_now[0]["name"] == "Søren " + "Ł" * 1200

        r = c.post("/api/events", files=event_files(participants=people + too_long + b",Too Long,Org\n"))
        assert r.status_code == 422 and [p["code"] for p in r.json()["problems"]] == ["id_too_long"]


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; their results in order."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int) -> None:
        start.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_simultaneous_changes_of_one_event_queue_up(tmp_path: Path) -> None:
    with client_for(tmp_path / "race.db") as c:
        event_id, headers = upload(c)
        solve(c, event_id, headers)
        meetings = c.get(f"/api/events/{event_id}/schedule", headers=headers).json()["meetings"][:4]
        url = f"/api/events/{event_id}/meetings/pin"
        pins = [
            lambda m=m: c.post(url, json={"a": m["participant_a"], "b": m["participant_b"]}, headers=headers)
            for m in meetings
        ]
        assert [r.status_code for r in _at_once(pins)] == [200] * 4
        versions = c.get(f"/api/events/{event_id}/schedules", headers=headers).json()
        # each edit built on the one before: none was lost, no version number was taken twice
        assert [(v["version"], v["based_on"]) for v in versions] == [(1, None), (2, 1), (3, 2), (4, 3), (5, 4)]
        latest = c.get(f"/api/events/{event_id}/schedule", headers=headers).json()["meetings"]
        assert sum(m["locked"] for m in latest) == 4

        solves = [lambda: c.post(f"/api/events/{event_id}/solve", json={"time_limit": 1}, headers=headers)] * 3
        codes = sorted(r.status_code for r in _at_once(solves))
        assert codes == [202, 409, 409]
        jobs = c.get(f"/api/events/{event_id}/jobs", headers=headers).json()
        wait_for_job(c, jobs[0]["id"], headers)
