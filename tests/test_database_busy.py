"""A write that meets another process's SQLite write lock answers 503 with Retry-After, in words,
after the busy timeout, instead of a 500 "database is locked"; nothing is half-stored, and the
same request succeeds once the lock is gone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from api_helpers import upload
from fastapi.testclient import TestClient

from api import storage
from api.app import create_app
from api.settings import Settings


def test_a_locked_database_answers_503_with_retry_after_and_nothing_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "BUSY_TIMEOUT_MS", 200)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'busy.db'}", secret_key_file=tmp_path / "busy.key")
    with TestClient(create_app(settings)) as client:  # SQLite even where the other tests use PostgreSQL
        event_id, headers = upload(client)
        people = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
        change = f"/api/events/{event_id}/participants/{people[0]['id']}"
        other = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            r = client.patch(change, json={"status": "absent"}, headers=headers)
            assert r.status_code == 503, r.text
            assert r.headers["retry-after"] == "5" and "nothing was changed" in r.json()["detail"]
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert (
            client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"][0]["status"]
            == (people[0]["status"])
        )
        assert client.patch(change, json={"status": "absent"}, headers=headers).status_code == 200


def test_a_connection_the_database_server_dropped_answers_503_not_500() -> None:
    import asyncio

    from sqlalchemy.exc import OperationalError
    from starlette.requests import Request

    from api.web.errors import LOST, _database_busy

    request = Request({"type": "http", "method": "POST", "path": "/api/events/x/meetings/cancel", "headers": []})
    dropped = OperationalError(
        "UPDATE …", {}, Exception("terminating connection due to administrator command"), connection_invalidated=True
    )
    answer = asyncio.run(_database_busy(request, dropped))
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    assert LOST.encode() in answer.body
    other = OperationalError("SELECT …", {}, Exception("no such table: jobs"))
    assert asyncio.run(_database_busy(request, other)).status_code == 500
