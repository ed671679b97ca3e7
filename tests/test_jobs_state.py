"""The job table's transitions (api/jobs/state.py), the dead-worker sweep's decisions, and the solve
child's limits, each without a second server process where one is not needed."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_helpers import API_DATA, IdleRunner, big_event, settings_for, upload, wait_for_job
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.app import create_app
from api.jobs import ProcessJobRunner, state
from api.jobs.child import ChildSpec, SolveChild
from api.jobs.procrastinate_runner import WorkerContext, _settle_lost_solve, conninfo
from api.settings import Settings
from api.storage import Database, JobRow, utcnow

Queued = tuple[TestClient, Database, Settings, str, dict[str, str]]


@pytest.fixture
def queued(tmp_path: Path) -> Iterator[Queued]:
    """An app whose jobs stay queued, with one queued solve: (client, db, settings, job id, headers)."""
    settings = settings_for(tmp_path / "state.db")
    with TestClient(create_app(settings, runner_factory=lambda db, s: IdleRunner())) as client:
        event_id, headers = upload(client)
        r = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 5}, headers=headers)
        assert r.status_code == 202, r.text
        db = Database(settings.database_url)
        try:
            yield client, db, settings, r.json()["job_id"], headers
        finally:
            db.dispose()


def test_a_job_is_taken_up_again_after_a_dead_worker_then_failed_with_a_clear_message(queued: Queued) -> None:
    client, db, _settings, job_id, headers = queued
    assert state.claim(db, job_id, "host:1:0")
    assert not state.claim(db, job_id, "host:2:0")  # one owner at a time
    job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
    assert (job["state"], job["attempts"]) == ("running", 1)

    assert state.requeue_or_fail(db, job_id, max_attempts=2) == "queued"
    job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
    assert (job["state"], job["attempts"], job["error"]) == ("queued", 1, None)

    assert state.claim(db, job_id, "host:3:0")
    assert state.requeue_or_fail(db, job_id, max_attempts=2) == "failed"
    job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
    assert (job["state"], job["attempts"]) == ("failed", 2)
    assert job["error"].startswith("the worker running this solve stopped 2 times")
    assert state.requeue_or_fail(db, job_id, max_attempts=2) is None  # settled: nothing changes


def test_the_sweep_leaves_a_job_with_a_fresh_heartbeat_alone(queued: Queued) -> None:
    client, db, settings, job_id, headers = queued
    ctx = WorkerContext(db, settings.model_copy(update={"worker_stalled_seconds": 30.0}), "me:1:0")
    assert _settle_lost_solve(ctx, job_id) == "retry"  # still queued: the task is simply run again
    assert state.claim(db, job_id, "host:1:0")
    assert _settle_lost_solve(ctx, job_id) is None  # its heartbeat is fresh: a live worker has it
    with db.session() as s:
        s.execute(update(JobRow).where(JobRow.id == job_id).values(heartbeat_at=utcnow() - dt.timedelta(minutes=2)))
    assert _settle_lost_solve(ctx, job_id) == "retry"
    assert client.get(f"/api/jobs/{job_id}", headers=headers).json()["state"] == "queued"
    state.cancel_queued(db, job_id)
    assert _settle_lost_solve(ctx, job_id) == "finish"  # cancelled meanwhile: procrastinate's job ends


def test_a_dead_owner_on_this_machine_is_settled_at_once_a_live_one_is_not(queued: Queued) -> None:
    client, db, _settings, job_id, headers = queued
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    dead = state.process_identity().replace(f":{os.getpid()}:", f":{ended.pid}:")
    assert state.owner_is_dead(dead)
    assert not state.owner_is_dead(state.process_identity())
    assert not state.owner_is_dead("another-host:1:0")  # judged by its heartbeat instead
    assert not state.owner_is_dead(None)

    assert state.claim(db, job_id, state.process_identity())
    assert state.recover_interrupted(db, stale_after=600) == 0  # alive, heartbeat fresh
    with db.session() as s:
        s.execute(update(JobRow).where(JobRow.id == job_id).values(worker=dead))
    assert state.recover_interrupted(db, stale_after=600) == 1  # fresh heartbeat, but its owner is gone
    job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
    assert job["state"] == "failed" and job["error"] == state.STOPPED_BY_SERVER


def test_the_wall_clock_limit_and_the_cancel_grace() -> None:
    child = SolveChild(ChildSpec("sqlite://", "j"), time_limit=10, overrun=5, cancel_grace=2)
    start = child.started
    assert child.verdict(cancel_requested=False, exists=True, now=start + 14) is None
    ended = child.verdict(cancel_requested=False, exists=True, now=start + 16)
    assert ended is not None and ended.state == "failed" and "time limit of 10 s" in (ended.error or "")
    assert child.verdict(cancel_requested=True, exists=True, now=start + 1) is None  # it may stop by itself
    assert child.verdict(cancel_requested=True, exists=True, now=start + 3.5) == ("cancelled", None)
    assert child.verdict(cancel_requested=False, exists=False, now=start + 1) == ("cancelled", None)


def test_a_solve_over_its_wall_clock_limit_is_killed_from_outside(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "overrun.db")

    def runner(db: Database, s: Settings) -> ProcessJobRunner:
        # No time at all to load and store: the child is killed once the solver's own limit is up.
        return ProcessJobRunner(db, solver_workers=1, progress_interval=0.1, overrun=0.01)

    with TestClient(create_app(settings, runner_factory=runner)) as client:
        event_id, headers = upload(client, API_DATA, **big_event())
        r = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 1}, headers=headers)
        job = wait_for_job(client, r.json()["job_id"], headers, timeout=60)
        assert job["state"] == "failed", job
        assert job["error"].startswith("the solve did not stop within its time limit of 1 s"), job
        assert not client.app.state.runner._running  # type: ignore[attr-defined]
        # The event is free again.
        again = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 1}, headers=headers)
        assert again.status_code == 202, again.text
        client.post(f"/api/jobs/{again.json()['job_id']}/cancel", headers=headers)


def test_the_procrastinate_engine_refuses_sqlite_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="needs a PostgreSQL database_url"):
        Settings(database_url="sqlite:///matchday.db", job_engine="procrastinate")
    with pytest.raises(ValueError, match="needs a PostgreSQL database_url"):
        conninfo("sqlite:///matchday.db")
    assert conninfo("postgresql+psycopg://u:p@127.0.0.1:5432/d") == "postgresql://u:p@127.0.0.1:5432/d"
