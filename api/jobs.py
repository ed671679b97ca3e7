"""Background solves: one small `JobRunner` interface and a worker-process implementation.

The web process only ever writes a job row (state "queued") and tells the runner. The process
runner claims queued jobs in the database and starts one `multiprocessing` *spawn* process per
solve, so CP-SAT never runs in the web process. The worker writes live progress and the result
into the database itself; cancellation is a flag in the job row that the solver's `should_stop`
polls, with `terminate()` as the fallback after a grace period. The web process renews a heartbeat
on each job it runs; a "running" job whose heartbeat stops belonged to a server that died, and any
web process on the database marks it failed. Because everything a job is lives
in the database, a distributed queue (Celery, RQ, Arq, …) can replace `ProcessJobRunner` by
implementing the same four methods and calling `run_job` on its workers.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import threading
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from api.storage import Database, EventRow, JobRow, utcnow
from scheduler.domain import Schedule
from scheduler.problems import EventError, InvalidScheduleError, MatchdayError, NoScheduleError
from scheduler.results import MoveCosts, Progress, SolveOptions, relative_gap

log = logging.getLogger("matchday.jobs")

STOPPED_BY_SERVER = "the server stopped while this solve was running; start the solve again"


class JobRunner(Protocol):
    """What the web app needs from whatever runs solves."""

    def start(self) -> None:
        """Begin taking jobs; first settle jobs left "running" by a server that stopped."""

    def submit(self, job_id: str) -> None:
        """A job row in state "queued" exists; run it when there is capacity."""

    def cancel(self, job_id: str, *, immediately: bool = False) -> None:
        """The job's cancel flag is set; make sure it stops (at once when `immediately`)."""

    def shutdown(self) -> None:
        """Stop every worker and settle their jobs."""


def recover_interrupted(db: Database, message: str = STOPPED_BY_SERVER, *, stale_after: float | None = None) -> int:
    """Mark jobs left "running" by a server that stopped as failed; returns how many.

    With `stale_after`, only jobs whose heartbeat is missing or older than that many seconds: the
    web process that runs a job renews its heartbeat every few seconds, so a job of another live
    process on the same database is left alone. Without it, every running job is settled.
    """
    where = [JobRow.state == "running"]
    if stale_after is not None:
        cutoff = utcnow() - dt.timedelta(seconds=stale_after)
        where.append(or_(JobRow.heartbeat_at.is_(None), JobRow.heartbeat_at < cutoff))
    with db.session() as s:
        result = s.execute(update(JobRow).where(*where).values(state="failed", error=message, finished_at=utcnow()))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- the worker: runs in its own process -------------------------------------------------------


def run_job(database_url: str, job_id: str, solver_workers: int = 0, progress_interval: float = 0.5) -> None:
    """Solve one claimed job and store the result. Every failure ends as state "failed" + `error`.

    `solve` runs the independent checker on its result; a schedule it rejects is a bug, and ends
    the job "failed" with the broken rules listed in `error`: no version is stored.

    A repair job (`options["mode"] == "repair"`) starts from the stored version it names: its
    locked rows stay, the rest stays where it is unless moving pays (`MoveCosts`), and meetings
    before the cut-off are history.
    """
    # Imported here so that the web process never loads the solver.
    from api.service import add_schedule_version, load_event, parse_schedule, publish, schedule_row
    from scheduler.pipelines.solve import solve

    db = Database(database_url)
    try:
        with db.session() as s:
            job = s.get(JobRow, job_id)
            if job is None or job.state != "running":
                return
            event_row = s.get(EventRow, job.event_id)
            if event_row is None:
                return
            event = load_event(event_row)
            revision = event_row.revision
            time_limit = job.time_limit
            options = dict(job.options or {})
            base = previous = None
            if options.get("mode") == "repair":
                base = schedule_row(s, job.event_id, options.get("previous_version"))
                previous = parse_schedule(event, base) if base is not None else None
        if options.get("mode") == "repair" and previous is None:
            _finish(db, job_id, "failed", f"schedule version {options.get('previous_version')} to repair is gone")
            return
        reporter = _Reporter(db, job_id, progress_interval)
        try:
            result = solve(
                event,
                solve_options(options, time_limit=time_limit, workers=solver_workers, previous=previous),
                progress=reporter.progress,
                should_stop=reporter.should_stop,
            )
        except (NoScheduleError, MatchdayError, EventError) as exc:
            cancelled = reporter.cancelled()
            _finish(db, job_id, "cancelled" if cancelled else "failed", None if cancelled else str(exc))
            return
        except InvalidScheduleError as exc:  # the checker refused the solver's schedule: a bug, never a version
            log.error("job %s: %s", job_id, exc)
            _finish(db, job_id, "failed", str(exc))
            return
        with db.session() as s:
            job = s.get(JobRow, job_id, with_for_update=True)
            event_row = s.get(EventRow, job.event_id) if job is not None else None
            if job is None or event_row is None:  # the event was deleted meanwhile
                return
            if job.cancel_requested:
                _end(s, job_id, "cancelled")
                return
            if event_row.revision != revision:  # changes are refused while a solve runs; be safe anyway
                _end(s, job_id, "failed", "the event changed while this solve was running; start the solve again")
                return
            srow = add_schedule_version(
                session=s,
                row=event_row,
                event=event,
                schedule=result.schedule,
                kind="repair" if previous is not None else "solve",
                based_on=base,
                previous=previous,
                job_id=job_id,
                bound=result.bound,
                optimal=result.optimal,
                seconds=result.seconds,
                result={
                    "stats": result.stats.as_dict(),
                    "parameters": result.parameters,
                    "version": result.version,
                    "finished_at": result.finished_at,
                    "objective": result.objective,
                    "gap": result.gap,
                    "warnings": [w.as_dict() for w in result.warnings],
                    "repair": result.repair,
                    "cutoff": options.get("cutoff"),
                    "by": options.get("by", "api"),
                },
            )
            progress = {
                **reporter.snapshot(),
                "phase": "done",
                "points": result.stats.points,
                "bound": result.bound,
                "gap": result.gap,
                "holes": result.stats.holes,
                "meetings": result.stats.meetings,
                "elapsed": result.seconds,
            }
            if options.get("publish"):
                publish(session=s, row=event_row, version=srow.version, by=options.get("by", "api"))
            if not _end(s, job_id, "done", schedule_version=srow.version, progress=progress):
                s.rollback()  # the job was settled meanwhile (marked failed, say): the version is not stored
    except Exception as exc:  # noqa: BLE001 - any crash must end as a readable job error
        log.error("job %s crashed:\n%s", job_id, traceback.format_exc())
        _finish(db, job_id, "failed", f"internal error while solving: {type(exc).__name__}: {exc}")
    finally:
        db.dispose()


def solve_options(
    options: dict[str, Any], *, time_limit: float, workers: int, previous: Schedule | None
) -> SolveOptions:
    """The library's options from a job's stored options (see `JobRow.options`)."""
    defaults = MoveCosts()
    cutoff = options.get("cutoff")
    return SolveOptions(
        time_limit=time_limit,
        workers=workers,
        previous=previous,
        cutoff=dt.datetime.fromisoformat(cutoff) if cutoff and previous is not None else None,
        move_costs=MoveCosts(
            move_slot=int(options.get("move_cost", defaults.move_slot)),
            drop=int(options.get("drop_cost", defaults.drop)),
        ),
    )


def _end(s: Session, job_id: str, state: str, error: str | None = None, **values: Any) -> bool:
    """End a job that is still "running" in this transaction; False, changing nothing, when it is
    not (any more): cancelled, or marked failed by `recover_interrupted` meanwhile."""
    if error is not None:
        error = error.replace("\x00", "\\x00")  # PostgreSQL text cannot hold NUL; the job must still end
    result = s.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.state == "running")
        .values(state=state, error=error, finished_at=utcnow(), **values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _finish(db: Database, job_id: str, state: str, error: str | None) -> None:
    with db.session() as s:
        _end(s, job_id, state, error)


@dataclass
class _Reporter:
    """Throttled progress writes and cancel-flag reads for one running job."""

    db: Database
    job_id: str
    interval: float
    _last_write: float = 0.0
    _last_check: float = 0.0
    _cancelled: bool = False
    _latest: dict[str, Any] = field(default_factory=dict)

    def progress(self, p: Progress) -> None:
        self._latest = {
            "phase": p.phase,
            "elapsed": round(p.elapsed, 2),
            "points": p.points,
            "bound": p.bound,
            "gap": relative_gap(p.points, p.bound),
            "holes": p.holes,
            "meetings": p.meetings,
        }
        now = time.monotonic()
        if now - self._last_write >= self.interval:
            self._last_write = now
            with self.db.session() as s:
                s.execute(update(JobRow).where(JobRow.id == self.job_id).values(progress=self._latest))

    def snapshot(self) -> dict[str, Any]:
        return dict(self._latest)

    def should_stop(self) -> bool:
        now = time.monotonic()
        if not self._cancelled and now - self._last_check >= min(self.interval, 0.25):
            self._last_check = now
            with self.db.session() as s:
                flag = s.scalar(select(JobRow.cancel_requested).where(JobRow.id == self.job_id))
            self._cancelled = flag is None or bool(flag)  # a deleted job stops too
        return self._cancelled

    def cancelled(self) -> bool:
        self._last_check = 0.0
        return self.should_stop()


# --- the runner: lives in the web process --------------------------------------------------------


@dataclass
class _Running:
    process: BaseProcess
    cancel_seen: float | None = None


class ProcessJobRunner:
    """Runs each solve in a fresh spawn process; a dispatcher thread claims jobs and reaps workers."""

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
    ):
        self.db = db
        self.max_concurrent = max_concurrent
        self.solver_workers = solver_workers
        self.progress_interval = progress_interval
        self.cancel_grace = cancel_grace
        self.poll = poll
        # A beat comes once per dispatcher pass at best: stale must mean several missed passes.
        self.stale_after = max(stale_after, 5 * poll)
        self.heartbeat = min(2.0, self.stale_after / 5)
        self._last_beat = 0.0
        self._ctx = multiprocessing.get_context("spawn")
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
                running.cancel_seen = running.cancel_seen or time.monotonic()
                if immediately:
                    self._kill(job_id, running, "cancelled", None)
        with self.db.session() as s:  # a queued job never starts
            s.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.state == "queued")
                .values(state="cancelled", finished_at=utcnow())
            )
        self._wake.set()

    def shutdown(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            for job_id, running in list(self._running.items()):
                self._kill(job_id, running, "failed", STOPPED_BY_SERVER)

    # The dispatcher thread.
    def _loop(self) -> None:
        while not self._stop.is_set():
            try:  # first and on its own: whatever else fails, this server's jobs stay alive
                if time.monotonic() - self._last_beat >= self.heartbeat:
                    self._beat()
                    self._settle_stale()
            except Exception:  # noqa: BLE001 - the dispatcher must survive a database hiccup
                log.exception("job heartbeat error")
            try:
                self._reap()
                self._enforce_cancels()
                self._launch()
            except Exception:  # noqa: BLE001
                log.exception("job dispatcher error")
            self._wake.wait(self.poll)
            self._wake.clear()

    def _beat(self) -> None:
        """Renew the heartbeat of the jobs this process runs, so no other process settles them."""
        self._last_beat = time.monotonic()
        with self._lock:
            ids = list(self._running)
        if ids:
            with self.db.session() as s:
                s.execute(
                    update(JobRow).where(JobRow.id.in_(ids), JobRow.state == "running").values(heartbeat_at=utcnow())
                )

    def _settle_stale(self) -> None:
        """Fail the running jobs of servers that stopped: their heartbeat is older than `stale_after`."""
        settled = recover_interrupted(self.db, stale_after=self.stale_after)
        if settled:
            log.warning("%d job(s) were left running by a stopped server and are marked failed", settled)

    def _reap(self) -> None:
        with self._lock:
            for job_id, running in list(self._running.items()):
                if running.process.is_alive():
                    continue
                running.process.join()
                del self._running[job_id]
                code = running.process.exitcode
                _finish(
                    self.db,
                    job_id,
                    "failed",
                    f"the solver process stopped unexpectedly (exit code {code}); start the solve again",
                )

    def _enforce_cancels(self) -> None:
        with self._lock:
            ids = list(self._running)
        if not ids:
            return
        with self.db.session() as s:
            flagged = set(s.scalars(select(JobRow.id).where(JobRow.id.in_(ids), JobRow.cancel_requested)))
            existing = set(s.scalars(select(JobRow.id).where(JobRow.id.in_(ids))))
        now = time.monotonic()
        with self._lock:
            for job_id in ids:
                running = self._running.get(job_id)
                if running is None:
                    continue
                if job_id not in existing:
                    self._kill(job_id, running, "cancelled", None)
                elif job_id in flagged:
                    running.cancel_seen = running.cancel_seen or now
                    if now - running.cancel_seen >= self.cancel_grace:
                        log.warning("job %s did not stop within %.1f s; terminating it", job_id, self.cancel_grace)
                        self._kill(job_id, running, "cancelled", None)

    def _launch(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                if len(self._running) >= self.max_concurrent:
                    return
            job_id = self._claim()
            if job_id is None:
                return
            process = self._ctx.Process(
                target=run_job,
                args=(self.db.url, job_id, self.solver_workers, self.progress_interval),
                name=f"matchday-solve-{job_id}",
                daemon=True,
            )
            # Registered before it starts (the job already shows "running"), so that whoever sees
            # the job running, a cancel for instance, finds its process.
            failure: Exception | None = None
            with self._lock:
                self._running[job_id] = _Running(process)
                try:
                    process.start()
                except Exception as exc:  # noqa: BLE001
                    del self._running[job_id]
                    failure = exc
            if failure is not None:
                _finish(self.db, job_id, "failed", f"the solver process could not start: {failure}")

    def _claim(self) -> str | None:
        """Move the oldest queued job to "running"; atomic, so several web processes may share a database."""
        with self.db.session() as s:
            candidates = list(
                s.scalars(select(JobRow.id).where(JobRow.state == "queued").order_by(JobRow.submitted_at).limit(5))
            )
            for job_id in candidates:
                claimed = s.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id, JobRow.state == "queued")
                    .values(
                        state="running",
                        started_at=utcnow(),
                        heartbeat_at=utcnow(),
                        progress={"phase": "starting", "elapsed": 0.0},
                    )
                )
                if claimed.rowcount:  # type: ignore[attr-defined]
                    return job_id
        return None

    def _kill(self, job_id: str, running: _Running, state: str, error: str | None) -> None:
        """Terminate a worker (caller holds the lock) and settle its job."""
        process = running.process
        if process.is_alive():
            process.terminate()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
        self._running.pop(job_id, None)
        _finish(self.db, job_id, state, error)
