"""A solver child never outlives the process that started it, and a restart settles a dead server's
job at once (issue 12, finding 6): the real service as a subprocess, killed with SIGKILL mid-solve."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx2
import psutil  # type: ignore[import-untyped]
from api_helpers import API_DATA, big_event, event_files
from server_process import Server, log_tail, started_server

from api.jobs import STOPPED_BY_SERVER

WAIT = 60.0  # seconds: generous, the machine is shared


def upload_http(client: httpx2.Client, **replace: bytes) -> tuple[str, dict[str, str]]:
    r = client.post("/api/events", files=event_files(API_DATA, **replace))
    assert r.status_code == 201, r.text
    body = r.json()
    return body["id"], {"Authorization": f"Bearer {body['organiser_token']}"}


def poll_job(
    client: httpx2.Client, job_id: str, headers: dict[str, str], until: tuple[str, ...], timeout: float = WAIT
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        if job["state"] in until:
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['state']} after {timeout} s: {job}"
        time.sleep(0.2)


def solver_children(pid: int) -> list[psutil.Process]:
    """The solve child processes (`python -m api.jobs.child`) among a process's descendants."""
    found = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if "api.jobs.child" in child.cmdline():
                found.append(child)
        except psutil.NoSuchProcess:
            pass
    return found


def gone(process: psutil.Process) -> bool:
    """Ended: no such process, or a zombie nobody has reaped yet (it computes nothing)."""
    try:
        return bool(process.status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


def wait_for(what: str, condition: Any, timeout: float, server: Server | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        tail = f"; log:\n{log_tail(server)}" if server is not None else ""
        assert time.monotonic() < deadline, f"{what} not within {timeout} s{tail}"
        time.sleep(0.1)


def test_a_killed_server_leaves_no_solver_behind_and_a_restart_settles_its_job(tmp_path: Path) -> None:
    # A stale heartbeat settles a job after 10 minutes here: only the dead-owner check is prompt.
    env = {"MATCHDAY_JOB_STALE_SECONDS": "600"}
    with started_server(tmp_path, env, name="first") as server, httpx2.Client(base_url=server.url, timeout=30) as c:
        event_id, headers = upload_http(c, **big_event())
        r = c.post(f"/api/events/{event_id}/solve", json={"time_limit": 300}, headers=headers)
        assert r.status_code == 202, r.text
        job_id = r.json()["job_id"]
        poll_job(c, job_id, headers, until=("running",))
        children: list[psutil.Process] = []

        def started() -> bool:
            children[:] = solver_children(server.process.pid)
            return bool(children)

        wait_for("the solver child", started, WAIT, server)
        [child] = children
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=WAIT)
        started_at = time.monotonic()
        wait_for("the orphaned solver's end", lambda: gone(child), 10.0)
        assert time.monotonic() - started_at < 10.0

    with started_server(tmp_path, env, name="second") as again, httpx2.Client(base_url=again.url, timeout=30) as c:
        job = poll_job(c, job_id, headers, until=("failed", "done", "cancelled"), timeout=15.0)
        assert job["state"] == "failed" and job["error"] == STOPPED_BY_SERVER, job
        # The event is free again: a new solve starts and ends.
        r = c.post(f"/api/events/{event_id}/solve", json={"time_limit": 2}, headers=headers)
        assert r.status_code == 202, r.text
        assert poll_job(c, r.json()["job_id"], headers, until=("done", "failed"))["state"] == "done"
