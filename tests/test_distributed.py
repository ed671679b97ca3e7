"""The procrastinate engine for real (issue 12, deliverable 2): two web processes and two workers on
127.0.0.1 over a fresh PostgreSQL database; six events solved through both web processes while one
worker is killed with SIGKILL mid-solve. Every job must end done with a schedule the library's
checker accepts, and the killed one must show that it was taken up again.

Runs when MATCHDAY_TEST_DATABASE_URL is a PostgreSQL URL (.ci/run sets it).
"""

from __future__ import annotations

import io
import os
import signal
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx2
import pytest
from api_helpers import API_DATA, TEST_DATABASE_URL, big_event, database_url
from pypdf import PdfReader
from server_process import Server, log_tail, started_server, started_worker
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from test_jobs_orphans import gone, solver_children, upload_http
from test_mail import Sink, sink  # noqa: F401 - the SMTP server fixture

from api.storage import JobRow
from scheduler.check.checker import check_schedule
from scheduler.io.loading import load_event_bytes
from scheduler.io.schedule_files import read_schedule_csv

pytestmark = pytest.mark.skipif(
    TEST_DATABASE_URL is None or make_url(TEST_DATABASE_URL).get_backend_name() != "postgresql",
    reason="needs MATCHDAY_TEST_DATABASE_URL=postgresql+psycopg://… (.ci/run sets it)",
)

WAIT = 240.0  # seconds for everything to settle: generous, a loaded 2-core machine runs this


def wait_for(what: str, condition: Callable[[], bool], timeout: float, logs: list[Server]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {s.log_path.name}:\n{log_tail(s, 25)}" for s in logs)
            raise AssertionError(f"{what}: not within {timeout:.0f} s\n{tails}")
        time.sleep(0.25)


def test_two_web_processes_and_two_workers_survive_a_killed_worker(tmp_path: Path) -> None:
    url = database_url(tmp_path / "distributed")  # a fresh database on the test server
    env = {
        "MATCHDAY_DATABASE_URL": url,
        "MATCHDAY_JOB_ENGINE": "procrastinate",
        "MATCHDAY_MAX_CONCURRENT_JOBS": "1",
        "MATCHDAY_WORKER_HEARTBEAT_SECONDS": "1",
        "MATCHDAY_WORKER_STALLED_SECONDS": "8",  # 8 heartbeats: no false alarm on a loaded machine
    }
    engine = create_engine(url)
    with ExitStack() as stack:
        webs = [stack.enter_context(started_server(tmp_path, env, name=f"web{i}")) for i in (1, 2)]
        workers = [stack.enter_context(started_worker(tmp_path, env, name=f"worker{i}")) for i in (1, 2)]
        logs = webs + workers
        clients = [stack.enter_context(httpx2.Client(base_url=w.url, timeout=30)) for w in webs]

        def live_workers() -> int:
            with engine.connect() as c:
                if c.scalar(text("SELECT to_regclass('procrastinate_workers')")) is None:
                    return 0
                return int(c.scalar(text("SELECT count(*) FROM procrastinate_workers")) or 0)

        wait_for("both workers registered", lambda: live_workers() >= 2, WAIT, logs)

        # The solve to interrupt: big enough to use its whole time limit.
        sample = {f: (API_DATA / n).read_bytes() for f, n in _FILES.items()}
        big = big_event(people=100)
        submitted: list[tuple[int, str, dict[str, str], dict[str, bytes], str]] = []

        def submit(index: int, files: dict[str, bytes], time_limit: float) -> str:
            client = clients[index % 2]  # alternate between the two web processes
            event_id, headers = upload_http(client, **files)
            r = client.post(f"/api/events/{event_id}/solve", json={"time_limit": time_limit}, headers=headers)
            assert r.status_code == 202, r.text
            job_id: str = r.json()["job_id"]
            submitted.append((index % 2, event_id, headers, files, job_id))
            return job_id

        victim_job = submit(0, big, time_limit=8)
        for i in range(1, 6):
            submit(i, sample, time_limit=2)

        # Kill the worker that runs the big solve once its child reports progress (mid-solve).
        def solving() -> bool:
            with engine.connect() as c:
                row = c.execute(select(JobRow.state, JobRow.progress).where(JobRow.id == victim_job)).one()
            return row.state == "running" and float((row.progress or {}).get("elapsed") or 0) > 0

        wait_for("the big solve under way", solving, WAIT, logs)
        with engine.connect() as c:
            owner = c.scalar(select(JobRow.worker).where(JobRow.id == victim_job))
        assert owner is not None
        owner_pid = int(owner.split(":")[1])
        [victim] = [w for w in workers if w.process.pid == owner_pid]
        children = solver_children(owner_pid)
        assert children, "the big solve's child process was not found"
        os.kill(owner_pid, signal.SIGKILL)
        victim.process.wait(timeout=WAIT)
        # Its solver child dies with it.
        wait_for("the killed worker's solver child to end", lambda: all(gone(c) for c in children), 15.0, logs)

        results: dict[str, dict[str, Any]] = {}

        def all_settled() -> bool:
            for web, _event_id, headers, _files, job_id in submitted:
                job = clients[web].get(f"/api/jobs/{job_id}", headers=headers).json()
                results[job_id] = job
            return all(j["state"] in ("done", "failed", "cancelled") for j in results.values())

        wait_for("all six solves settled", all_settled, WAIT, logs)
        assert [j["state"] for j in results.values()] == ["done"] * 6, results
        assert results[victim_job]["attempts"] >= 2, results[victim_job]
        assert all(j["attempts"] >= 1 for j in results.values())

        for web, event_id, headers, files, _job_id in submitted:
            csv = clients[1 - web].get(f"/api/events/{event_id}/schedule.csv", headers=headers)  # the other process
            assert csv.status_code == 200, csv.text
            event = load_event_bytes(files["event"], files["participants"], files["wishes"]).event
            schedule, _ = read_schedule_csv(csv.content, event)
            assert schedule.meetings, event_id
            assert check_schedule(event, schedule) == [], event_id
    engine.dispose()


def test_a_cancel_through_the_web_stops_the_solve_on_the_worker_within_seconds(tmp_path: Path) -> None:
    url = database_url(tmp_path / "cancel")
    env = {"MATCHDAY_DATABASE_URL": url, "MATCHDAY_JOB_ENGINE": "procrastinate", "MATCHDAY_CANCEL_GRACE_SECONDS": "2"}
    with ExitStack() as stack:
        web = stack.enter_context(started_server(tmp_path, env, name="web"))
        worker = stack.enter_context(started_worker(tmp_path, env, name="worker"))
        client = stack.enter_context(httpx2.Client(base_url=web.url, timeout=30))
        event_id, headers = upload_http(client, **big_event())
        r = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 300}, headers=headers)
        job_id = r.json()["job_id"]

        def progressing() -> bool:
            job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
            return bool(job["state"] == "running" and (job["progress"].get("elapsed") or 0) > 0)

        wait_for("the solve under way on the worker", progressing, WAIT, [web, worker])
        children = solver_children(worker.process.pid)
        assert children
        asked = time.monotonic()
        assert client.post(f"/api/jobs/{job_id}/cancel", headers=headers).status_code == 200

        def cancelled() -> bool:
            return bool(client.get(f"/api/jobs/{job_id}", headers=headers).json()["state"] == "cancelled")

        wait_for("the job cancelled", cancelled, 20.0, [web, worker])
        wait_for("the solver child gone", lambda: all(gone(c) for c in children), 10.0, [web, worker])
        assert time.monotonic() - asked < 20.0
        assert worker.process.poll() is None  # the worker itself carries on


_FILES = {"event": "event.toml", "participants": "participants.csv", "wishes": "wishes.csv"}


def test_an_email_batch_is_sent_by_a_worker_and_readyz_sees_it(tmp_path: Path, sink: Sink) -> None:  # noqa: F811
    """With the procrastinate engine the web process only enqueues the batch; the worker sends it."""
    url = database_url(tmp_path / "mail")
    env = {
        "MATCHDAY_DATABASE_URL": url,
        "MATCHDAY_JOB_ENGINE": "procrastinate",
        "MATCHDAY_SECRET_KEY": "one key for every process of this service",
        "MATCHDAY_SMTP_HOST": "127.0.0.1",
        "MATCHDAY_SMTP_PORT": str(sink.port),
        "MATCHDAY_SMTP_SECURITY": "none",
        "MATCHDAY_MAIL_FROM": "Matchday <agenda@example.org>",
        "MATCHDAY_WORKER_HEARTBEAT_SECONDS": "1",
        "MATCHDAY_WORKER_STALLED_SECONDS": "8",
    }
    with ExitStack() as stack:
        web = stack.enter_context(started_server(tmp_path, env, name="web"))
        worker = stack.enter_context(started_worker(tmp_path, env, name="worker"))
        client = stack.enter_context(httpx2.Client(base_url=web.url, timeout=30))
        wait_for("the worker seen by /readyz", lambda: client.get("/readyz").status_code == 200, WAIT, [web, worker])
        assert client.get("/readyz").json()["checks"]["workers"]["detail"] == "1 worker seen"
        files = {f: (API_DATA / n).read_bytes() for f, n in _FILES.items()}
        event_id, headers = upload_http(client, **files)
        job_id = client.post(
            f"/api/events/{event_id}/solve", json={"time_limit": 2, "publish": True}, headers=headers
        ).json()["job_id"]
        wait_for(
            "the solve done",
            lambda: client.get(f"/api/jobs/{job_id}", headers=headers).json()["state"] == "done",
            WAIT,
            [web, worker],
        )
        worker.process.terminate()  # no worker: the web process must not send the batch itself
        worker.process.wait(timeout=WAIT)
        answer = client.post(f"/api/events/{event_id}/mail/agendas", headers=headers)
        assert answer.status_code == 202, answer.text
        batch_url = f"/api/events/{event_id}/mail/batches/{answer.json()['batch_id']}"
        time.sleep(3.0)  # long enough for the web process's own thread, were it still sending
        assert not sink.received and client.get(batch_url, headers=headers).json()["state"] != "done"
        worker = stack.enter_context(started_worker(tmp_path, env, name="worker2"))
        wait_for(
            "the batch sent by the new worker",
            lambda: client.get(batch_url, headers=headers).json()["state"] in ("done", "failed"),
            WAIT,
            [web, worker],
        )
        batch = client.get(batch_url, headers=headers).json()
        assert batch["state"] == "done", batch
        people = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
        addressed = sorted(p["email"] for p in people if p["email"] and p["status"] == "registered")
        assert sorted(to[0] for _, to in sink.envelopes) == addressed


def _follow(client: httpx2.Client, url: str, headers: dict[str, str], logs: list[Server]) -> dict[str, Any]:
    """Poll a status URL (an import, a prepared document) until it is done or failed."""
    answer: dict[str, Any] = {}

    def settled() -> bool:
        answer.update(client.get(url, headers=headers).json())
        return answer.get("state") in ("done", "failed")

    wait_for(f"{url} settled", settled, WAIT, logs)
    return answer


def _owner_pid(engine: Any, table: str, item_id: str) -> int:
    with engine.connect() as c:
        owner = c.scalar(text(f"SELECT worker FROM {table} WHERE id = :id"), {"id": item_id})  # noqa: S608 - fixed names
    return int(str(owner).split(":")[1])


def test_a_big_upload_and_all_agendas_are_done_by_workers_and_survive_a_killed_one(tmp_path: Path) -> None:
    """The web process only enqueues: a big upload waits for a worker, which parses it; everyone's
    agendas are rendered by a worker; a worker killed mid-render costs an attempt, not the document."""
    url = database_url(tmp_path / "prepared")
    env = {
        "MATCHDAY_DATABASE_URL": url,
        "MATCHDAY_JOB_ENGINE": "procrastinate",
        "MATCHDAY_SECRET_KEY": "one key for every process of this service",
        "MATCHDAY_UPLOAD_INLINE_BYTES": "5000",
        "MATCHDAY_DOCUMENT_WAIT_SECONDS": "0",
        "MATCHDAY_WORKER_HEARTBEAT_SECONDS": "1",
        "MATCHDAY_WORKER_STALLED_SECONDS": "8",
    }
    engine = create_engine(url)
    with ExitStack() as stack:
        web = stack.enter_context(started_server(tmp_path, env, name="web"))
        client = stack.enter_context(httpx2.Client(base_url=web.url, timeout=30))
        logs = [web]
        big = big_event(people=160)
        r = client.post(
            "/api/events",
            files={k: (n, big[k], "text/plain") for k, n in _FILES.items()},
        )
        assert r.status_code == 202, r.text
        accepted = r.json()
        headers = {"Authorization": f"Bearer {accepted['organiser_token']}"}
        time.sleep(3.0)  # long enough for the web process to parse it, were it to
        assert client.get(accepted["status_url"], headers=headers).json()["state"] == "queued"

        first = stack.enter_context(started_worker(tmp_path, env, name="worker1"))
        logs.append(first)
        imported = _follow(client, accepted["status_url"], headers, logs)
        assert imported["state"] == "done", imported
        assert _owner_pid(engine, "imports", accepted["id"]) == first.process.pid
        event_id = imported["event_id"]
        assert client.get(f"/api/events/{event_id}", headers=headers).json()["participants"] == 160

        # New big files for the event: the web process stores them, the worker reads and stores them.
        more = big_event(people=170)["participants"]  # ten more people; the wishes stay valid
        replaced = client.put(
            f"/api/events/{event_id}/files", files={"participants": ("p.csv", more, "text/csv")}, headers=headers
        )
        assert replaced.status_code == 202, replaced.text
        stored = _follow(client, replaced.headers["location"], headers, logs)
        assert stored["state"] == "done" and stored["event_revision"] == 2, stored
        assert _owner_pid(engine, "imports", replaced.json()["id"]) == first.process.pid
        assert client.get(f"/api/events/{event_id}", headers=headers).json()["participants"] == 170

        job_id = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 3}, headers=headers).json()["job_id"]
        wait_for(
            "the solve done",
            lambda: client.get(f"/api/jobs/{job_id}", headers=headers).json()["state"] == "done",
            WAIT,
            logs,
        )
        asked = client.get(f"/api/events/{event_id}/agendas.pdf", headers=headers)
        assert asked.status_code == 202, asked.text
        doc_id, status_url = asked.json()["id"], asked.headers["location"]

        def rendering() -> bool:
            return bool(client.get(status_url, headers=headers).json()["state"] == "running")

        wait_for("the agendas being rendered", rendering, WAIT, logs)
        assert _owner_pid(engine, "prepared_documents", doc_id) == first.process.pid
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=WAIT)
        second = stack.enter_context(started_worker(tmp_path, env, name="worker2"))
        logs.append(second)
        done = _follow(client, status_url, headers, logs)
        assert done["state"] == "done" and done["attempts"] >= 2, done
        assert _owner_pid(engine, "prepared_documents", doc_id) == second.process.pid
        pdf = client.get(f"/api/events/{event_id}/agendas.pdf", headers=headers)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.text[:200]
        assert pdf.headers["cache-control"] == "no-store"
        assert len(PdfReader(io.BytesIO(pdf.content)).pages) >= 160

        # The re-issued agendas of a change are a worker's too: a hand edit makes version 2.
        meeting = client.get(f"/api/events/{event_id}/schedule", headers=headers).json()["meetings"][0]
        pair = {"a": meeting["participant_a"], "b": meeting["participant_b"]}
        assert client.post(f"/api/events/{event_id}/meetings/cancel", json=pair, headers=headers).status_code == 200
        asked = client.get(f"/api/events/{event_id}/diff/agendas.pdf", headers=headers)
        assert asked.status_code == 202, asked.text
        changed = _follow(client, asked.headers["location"], headers, logs)
        assert changed["state"] == "done" and (changed["from_version"], changed["version"]) == (1, 2), changed
        assert _owner_pid(engine, "prepared_documents", changed["id"]) == second.process.pid
        pdf = client.get(f"/api/events/{event_id}/diff/agendas.pdf", headers=headers)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.text[:200]
        assert 1 <= len(PdfReader(io.BytesIO(pdf.content)).pages) < 160  # the two people's agendas only
    engine.dispose()
