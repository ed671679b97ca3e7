"""Solves (and other long work) as procrastinate tasks, on any number of `python -m api.worker` processes.

procrastinate is a maintained task queue that lives in PostgreSQL itself, so no broker is added.
The job table (`JobRow`) stays the truth the API shows; procrastinate only carries "run job X" to
a worker and knows which worker is alive (its heartbeats).

* Web processes (`ProcrastinateJobRunner`) write the queued `JobRow`, then defer the task; a cancel
  sets the row's flag (a queued job is cancelled at once).
* A worker's `solve` task claims the row (attempt + 1), runs the solve in a `SolveChild`, renews the
  row's heartbeat, and stops the child when the job is cancelled (within `cancel_grace`) or overruns.
* A worker that dies mid-solve stops its procrastinate heartbeat. Every worker sweeps for the
  procrastinate jobs of dead workers (`get_stalled_jobs`): a solve whose row is silent as well goes
  back to "queued" and its task is retried, so another worker takes it up, until it has had
  `job_max_attempts`; then it fails with a message saying so. The child of a killed worker dies with
  it (PR_SET_PDEATHSIG), so two children never solve one job.

Other long work registers on `tasks` (name, queue `QUEUE`) and is deferred with `defer_task`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import procrastinate
import psycopg
from procrastinate.jobs import Status
from procrastinate.schema import SchemaManager
from sqlalchemy import or_, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from api.jobs import state
from api.jobs.child import ChildSpec, SolveChild
from api.logs import job_context
from api.settings import Settings
from api.storage import Database, JobRow, utcnow

log = logging.getLogger("matchday.jobs")

QUEUE = "matchday"
NAMESPACE = "matchday"
SOLVE_TASK = f"{NAMESPACE}:solve"
WATCH_SECONDS = 0.5  # how often a worker's solve task looks at its child and the job's cancel flag
_SCHEMA_LOCK = 0x6D64_7072  # "mdpr": one process at a time applies procrastinate's schema

#: Every task a worker runs. Other long work (documents, e-mail batches) registers here with
#: `@tasks.task(name="…", queue=QUEUE)` in a module listed in TASK_MODULES, and the web defers it
#: with `defer_task(runner, "matchday:…", …)` (None in the embedded mode: do the work in place).
tasks = procrastinate.Blueprint()

#: Modules whose import registers more tasks on `tasks`; a worker imports them before it starts.
TASK_MODULES: tuple[str, ...] = ("api.mail.tasks", "api.prepared.tasks")


def conninfo(database_url: str) -> str:
    """libpq's URL for a SQLAlchemy one (postgresql+psycopg://… → postgresql://…)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(
            f"job_engine 'procrastinate' needs a PostgreSQL database_url, not {url.get_backend_name()!r}: "
            "set MATCHDAY_DATABASE_URL=postgresql+psycopg://user:password@host/database, "
            "or MATCHDAY_JOB_ENGINE=embedded"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_schema(database_url: str) -> bool:
    """Apply procrastinate's schema when the database lacks it; True when it did. Safe to run from
    several processes at once (an advisory lock)."""
    with psycopg.connect(conninfo(database_url), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            row = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if row is not None and row[0] is not None:
                return False
            with conn.transaction():
                conn.execute(SchemaManager.get_schema())
            log.info("applied procrastinate's schema")
            return True
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


def worker_app(database_url: str) -> procrastinate.App:
    """The app a worker runs (asynchronous connector), with every registered task."""
    for module in TASK_MODULES:
        importlib.import_module(module)
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url)))
    app.add_tasks_from(tasks, namespace=NAMESPACE)
    return app


#: Per task name: what settles the task's own row when the sweep stops retrying it (its worker died
#: `job_max_attempts` times), called with the worker's context, the task's arguments and the attempts.
GIVE_UP: dict[str, Callable[[WorkerContext, dict[str, Any], int], None]] = {}


# --- the web side ----------------------------------------------------------------------------------


class ProcrastinateJobRunner:
    """A web process's runner: enqueue only; workers solve."""

    def __init__(self, db: Database, settings: Settings):
        self.db = db
        self.settings = settings
        self.app = procrastinate.App(connector=procrastinate.SyncPsycopgConnector(conninfo=conninfo(db.url)))
        self._open = False

    def start(self) -> None:
        ensure_schema(self.db.url)
        self.app.open()
        self._open = True

    def submit(self, job_id: str) -> None:
        try:
            self.app.configure_task(SOLVE_TASK, queue=QUEUE).defer(job_id=job_id)
        except Exception:
            # Never leave a queued row that no worker will ever see: it would block the event's solves.
            state.cancel_queued(self.db, job_id)
            raise

    def defer(self, task_name: str, **kwargs: Any) -> int:
        """Defer any registered task (`tasks`); returns procrastinate's job id."""
        return self.app.configure_task(task_name, queue=QUEUE).defer(**kwargs)

    def workers_seen(self) -> int:
        """Workers whose heartbeat is recent (procrastinate's own table): /readyz's "workers seen"."""
        with self.db.session() as s:
            seen = s.scalar(
                text(
                    "SELECT count(*) FROM procrastinate_workers "
                    "WHERE last_heartbeat > now() - make_interval(secs => :seconds)"
                ),
                {"seconds": self.settings.worker_stalled_seconds},
            )
        return int(seen or 0)

    def cancel(self, job_id: str, *, immediately: bool = False) -> None:
        # A running job's worker sees the row's flag within WATCH_SECONDS.
        state.cancel_queued(self.db, job_id)

    def shutdown(self) -> None:
        if self._open:
            self.app.close()
            self._open = False


def defer_task(runner: object, task_name: str, **kwargs: Any) -> int | None:
    """Defer registered long work when the engine is procrastinate; None in the embedded mode,
    where the caller does the work itself (in its request, as before)."""
    if isinstance(runner, ProcrastinateJobRunner):
        return runner.defer(task_name, **kwargs)
    return None


# --- the worker side ----------------------------------------------------------------------------------


@dataclass
class WorkerContext:
    """What a worker's tasks share: set once by `api.worker` before it takes jobs."""

    db: Database
    settings: Settings
    owner: str


_context: WorkerContext | None = None


def configure_worker(db: Database, settings: Settings) -> WorkerContext:
    global _context
    _context = WorkerContext(db, settings, state.process_identity())
    return _context


def worker_context() -> WorkerContext:
    if _context is None:
        raise RuntimeError("the worker is not configured: start it with `python -m api.worker`")
    return _context


@tasks.task(name="solve", queue=QUEUE)
def solve(job_id: str) -> None:
    """Run one solve job (a `JobRow` id) in a child process and watch it until it ends."""
    ctx = worker_context()
    with job_context(job_id):  # the task's log lines carry the job id
        if not state.claim(ctx.db, job_id, ctx.owner):
            log.info("job %s is not queued any more (cancelled or settled); nothing to do", job_id)
            return
        run_claimed(ctx, job_id)


def run_claimed(ctx: WorkerContext, job_id: str) -> None:
    """Solve a job this worker claimed; the child never outlives this call."""
    settings = ctx.settings
    with ctx.db.session() as s:
        time_limit = s.scalar(select(JobRow.time_limit).where(JobRow.id == job_id)) or 0.0
    child = SolveChild(
        ChildSpec(ctx.db.url, job_id, settings.solver_workers, settings.progress_interval, settings.solver_nice),
        time_limit=time_limit,
        overrun=settings.solve_overrun_seconds,
        cancel_grace=settings.cancel_grace_seconds,
    )
    try:
        child.start()
    except OSError as exc:
        state.finish(ctx.db, job_id, "failed", f"the solver process could not start: {exc}")
        return
    last_beat = 0.0
    try:
        while child.is_alive():
            try:
                if time.monotonic() - last_beat >= settings.worker_heartbeat_seconds:
                    last_beat = time.monotonic()
                    state.beat(ctx.db, [job_id])
                flagged, existing = state.cancel_flags(ctx.db, [job_id])
                verdict = child.verdict(cancel_requested=job_id in flagged, exists=job_id in existing)
            except SQLAlchemyError:  # a database hiccup: the child keeps solving, look again soon
                log.exception("job %s: could not read its row", job_id)
                verdict = None
            if verdict is not None:
                log.warning("job %s: stopping its solver process (%s)", job_id, verdict.error or verdict.state)
                child.stop()
                state.finish(ctx.db, job_id, verdict.state, verdict.error)
                return
            time.sleep(WATCH_SECONDS)
        state.finish(ctx.db, job_id, "failed", child.exit_message())  # a no-op when the child ended it
    finally:
        child.stop()  # the task was interrupted (worker shutting down): take the child along


async def sweep_stalled(app: procrastinate.App, ctx: WorkerContext) -> None:
    """Take up the solves of dead workers again (or fail them after `job_max_attempts`)."""
    from procrastinate.utils import sync_to_async

    settings = ctx.settings
    stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=settings.worker_stalled_seconds)
    for job in stalled:
        assert job.id is not None
        try:
            if job.task_name != SOLVE_TASK:  # other long work: run it again, up to the same limit
                if job.attempts + 1 < settings.job_max_attempts:
                    await app.job_manager.retry_job(job)
                else:
                    settle = GIVE_UP.get(job.task_name)
                    if settle is not None:  # its row must not stay "running" forever
                        await sync_to_async(settle, ctx, dict(job.task_kwargs), job.attempts + 1)
                    await app.job_manager.finish_job(job, status=Status.FAILED, delete_job=False)
                continue
            job_id = str(job.task_kwargs.get("job_id"))
            outcome = await sync_to_async(_settle_lost_solve, ctx, job_id)
            if outcome == "retry":
                log.warning("job %s: its worker stopped; another worker takes it up", job_id)
                await app.job_manager.retry_job(job)
            elif outcome == "finish":
                await app.job_manager.finish_job(job, status=Status.FAILED, delete_job=False)
        except Exception:  # noqa: BLE001 - another worker's sweep got there first, or a hiccup: next sweep
            log.debug("stalled job %s: left for the next sweep", job.id, exc_info=True)


def _settle_lost_solve(ctx: WorkerContext, job_id: str) -> str | None:
    """What to do with the procrastinate job of a dead worker's solve: "retry", "finish" or None (wait)."""
    cutoff = utcnow() - dt.timedelta(seconds=ctx.settings.worker_stalled_seconds)
    is_silent = or_(JobRow.heartbeat_at.is_(None), JobRow.heartbeat_at < cutoff)
    with ctx.db.session() as s:
        row = s.execute(select(JobRow.state, is_silent).where(JobRow.id == job_id)).one_or_none()
    if row is None:
        return "finish"  # the job (or its event) was deleted
    job_state, silent = row
    if job_state == "queued":
        return "retry"
    if job_state != "running":
        return "finish"
    if not silent:  # a fresh heartbeat: a live worker (re)claimed it meanwhile
        return None
    outcome = state.requeue_or_fail(ctx.db, job_id, ctx.settings.job_max_attempts)
    if outcome == "failed":
        log.error("job %s failed: %s", job_id, state.worker_stopped(ctx.settings.job_max_attempts))
        return "finish"
    return "retry" if outcome == "queued" else None


async def sweeper(app: procrastinate.App, ctx: WorkerContext) -> None:
    """Sweep every heartbeat interval, beside procrastinate's own loop, until cancelled."""
    while True:
        try:
            await sweep_stalled(app, ctx)
        except Exception:  # noqa: BLE001 - the sweeper must outlive a database hiccup
            log.exception("stalled-job sweep failed")
        await asyncio.sleep(ctx.settings.worker_heartbeat_seconds)
