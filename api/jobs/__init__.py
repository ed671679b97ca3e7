"""Background solves: one `JobRunner` interface, two engines, and the job table's transitions.

* `state`: the job row's life (queued → running → done / failed / cancelled, attempts, heartbeat),
  the one place that changes `JobRow.state`;
* `child`: one solve in a child process (cancel, a hard wall-clock limit from outside, no orphans);
* `solve`: the work that child does (`run_job`);
* `embedded`: the default runner, child processes of the web process itself (SQLite or PostgreSQL);
* `procrastinate_runner`: web processes enqueue, `python -m api.worker` processes solve
  (MATCHDAY_JOB_ENGINE=procrastinate, PostgreSQL only).

`make_runner` picks the engine from the settings. procrastinate is imported only when chosen.
"""

from __future__ import annotations

from api.jobs.base import JobRunner
from api.jobs.embedded import ProcessJobRunner
from api.jobs.solve import run_job, solve_options
from api.jobs.state import STOPPED_BY_SERVER, recover_interrupted
from api.settings import Settings
from api.storage import Database

__all__ = [
    "STOPPED_BY_SERVER",
    "JobRunner",
    "ProcessJobRunner",
    "make_runner",
    "recover_interrupted",
    "run_job",
    "solve_options",
]


def make_runner(db: Database, settings: Settings) -> JobRunner:
    """The runner the settings ask for (`job_engine`)."""
    if settings.job_engine == "procrastinate":
        from api.jobs.procrastinate_runner import ProcrastinateJobRunner

        return ProcrastinateJobRunner(db, settings)
    return ProcessJobRunner(
        db,
        max_concurrent=settings.max_concurrent_jobs,
        solver_workers=settings.solver_workers,
        progress_interval=settings.progress_interval,
        cancel_grace=settings.cancel_grace_seconds,
        stale_after=settings.job_stale_seconds,
        overrun=settings.solve_overrun_seconds,
    )
