"""The embedded runner (the default): solves run in child processes that the web process starts.

One command, no extra server: a dispatcher thread claims queued jobs from the database (SQLite or
PostgreSQL), starts a `SolveChild` per job up to `max_concurrent`, renews their heartbeats, stops
the ones cancelled or over their wall-clock limit, and reaps the ones that ended. Several web
processes may share a database: claims are atomic, and each settles only jobs whose owner is dead
(a process of this machine that no longer runs, found at once) or silent (heartbeat stale).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select

from api.jobs import state
from api.jobs.child import ChildSpec, SolveChild
from api.storage import Database, JobRow

log = logging.getLogger("matchday.jobs")


@dataclass
class _Running:
    process: SolveChild


class ProcessJobRunner:
    """Runs each solve in a child process; a dispatcher thread claims jobs and watches children."""

    def __init__(
        self,
        db: Database,
        *,
        max_concurrent: int = 1,
        solver_workers: int = 0,
        progress_interval: float = 0.5,
        cancel_grace: float = 5.0,
        poll: float = 0.2,
        stale_after: float = 30.0,
        overrun: float = 60.0,
    ):
        self.db = db
        self.max_concurrent = max_concurrent
        self.solver_workers = solver_workers
        self.progress_interval = progress_interval
        self.cancel_grace = cancel_grace
        self.overrun = overrun
        self.poll = poll
        # A beat comes once per dispatcher pass at best: stale must mean several missed passes.
        self.stale_after = max(stale_after, 5 * poll)
        self.heartbeat = min(2.0, self.stale_after / 5)
        self.owner = state.process_identity()
        self._last_beat = 0.0
        self._running: dict[str, _Running] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._settle_stale()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="matchday-jobs", daemon=True)
        self._thread.start()

    def submit(self, job_id: str) -> None:
        self._wake.set()

    def cancel(self, job_id: str, *, immediately: bool = False) -> None:
        with self._lock:
            running = self._running.get(job_id)
            if running is not None:
                running.process.cancel_seen = running.process.cancel_seen or time.monotonic()
                if immediately:
                    self._kill(job_id, running, "cancelled", None)
        state.cancel_queued(self.db, job_id)
        self._wake.set()

    def shutdown(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            for job_id, running in list(self._running.items()):
                self._kill(job_id, running, "failed", state.STOPPED_BY_SERVER, grace=2.0)

    # The dispatcher thread: children are started here, so PR_SET_PDEATHSIG ties them to it.
    def _loop(self) -> None:
        while not self._stop.is_set():
            try:  # first and on its own: whatever else fails, this server's jobs stay alive
                if time.monotonic() - self._last_beat >= self.heartbeat:
                    self._last_beat = time.monotonic()
                    with self._lock:
                        ids = list(self._running)
                    state.beat(self.db, ids)
                    self._settle_stale()
            except Exception:  # noqa: BLE001 - the dispatcher must survive a database hiccup
                log.exception("job heartbeat error")
            try:
                self._reap()
                self._watch()
                self._launch()
            except Exception:  # noqa: BLE001
                log.exception("job dispatcher error")
            self._wake.wait(self.poll)
            self._wake.clear()

    def _settle_stale(self) -> None:
        """Fail the running jobs of servers that stopped: a dead owner on this machine, or silent."""
        settled = state.recover_interrupted(self.db, stale_after=self.stale_after)
        if settled:
            log.warning("%d job(s) were left running by a stopped server and are marked failed", settled)

    def _reap(self) -> None:
        with self._lock:
            for job_id, running in list(self._running.items()):
                if running.process.is_alive():
                    continue
                del self._running[job_id]
                # A no-op when the child ended the job itself, as it should.
                state.finish(self.db, job_id, "failed", running.process.exit_message())

    def _watch(self) -> None:
        """Stop the children whose job was cancelled (after a grace), deleted, or ran over its limit."""
        with self._lock:
            ids = list(self._running)
        if not ids:
            return
        flagged, existing = state.cancel_flags(self.db, ids)
        with self._lock:
            for job_id in ids:
                running = self._running.get(job_id)
                if running is None:
                    continue
                verdict = running.process.verdict(cancel_requested=job_id in flagged, exists=job_id in existing)
                if verdict is not None:
                    log.warning("job %s: stopping its solver process (%s)", job_id, verdict.error or verdict.state)
                    self._kill(job_id, running, verdict.state, verdict.error)

    def _launch(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                if len(self._running) >= self.max_concurrent:
                    return
            job_id = state.claim_next(self.db, self.owner)
            if job_id is None:
                return
            with self.db.session() as s:
                time_limit = s.scalar(select(JobRow.time_limit).where(JobRow.id == job_id)) or 0.0
            child = SolveChild(
                ChildSpec(self.db.url, job_id, self.solver_workers, self.progress_interval),
                time_limit=time_limit,
                overrun=self.overrun,
                cancel_grace=self.cancel_grace,
            )
            # Registered before it starts (the job already shows "running"), so that whoever sees
            # the job running, a cancel for instance, finds its process.
            failure: Exception | None = None
            with self._lock:
                self._running[job_id] = _Running(child)
                try:
                    child.start()
                except Exception as exc:  # noqa: BLE001
                    del self._running[job_id]
                    failure = exc
            if failure is not None:
                state.finish(self.db, job_id, "failed", f"the solver process could not start: {failure}")

    def _kill(self, job_id: str, running: _Running, end_state: str, error: str | None, grace: float = 0.0) -> None:
        """Stop a child (caller holds the lock) and settle its job."""
        running.process.stop(grace)
        self._running.pop(job_id, None)
        state.finish(self.db, job_id, end_state, error)
