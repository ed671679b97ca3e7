"""A solve job's life in the job table, in one place: queued → running → done / failed / cancelled.

Every change of `JobRow.state` that a runner makes goes through here, each one a conditional
UPDATE (`WHERE state = …`) so that several processes on one database never settle a job twice:
whoever changes the row first wins and the others see `False`. The runners (embedded.py, the
procrastinate task) decide *when*; this module decides *what* a transition writes.

A running job names its owner (`JobRow.worker`: host, pid and the process's start time) and the
owner renews `heartbeat_at` every few seconds. A job whose owner is a dead process on this machine
is settled at once; one whose owner is elsewhere is settled once its heartbeat is stale.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from functools import lru_cache
from typing import Any

import psutil  # type: ignore[import-untyped]
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from api.storage import Database, JobRow, utcnow

STOPPED_BY_SERVER = "the server stopped while this solve was running; start the solve again"


def worker_stopped(times: int) -> str:
    """The error of a job whose worker died `times` times, the last allowed attempt included."""
    return (
        f"the worker running this solve stopped {times} time{'s' if times != 1 else ''} "
        "(the machine or the worker process failed, or it ran out of memory); start the solve again, "
        "perhaps with a shorter time limit, and tell the operator if it happens again"
    )


def overran(time_limit: float, overrun: float) -> str:
    return (
        f"the solve did not stop within its time limit of {time_limit:g} s (plus {overrun:g} s to load and store) "
        "and was stopped; start the solve again"
    )


@lru_cache(maxsize=1)
def _identity(pid: int) -> str:
    return f"{socket.gethostname()}:{pid}:{psutil.Process(pid).create_time():.2f}"


def process_identity() -> str:
    """Who runs a job: host, pid and start time, so that a reused pid is not taken for its owner."""
    return _identity(os.getpid())


def owner_is_dead(owner: str | None) -> bool:
    """True only when `owner` is a process of this machine that no longer runs; unknown owners
    (another machine, none recorded) are judged by their heartbeat instead."""
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        return f"{psutil.Process(int(pid_text)).create_time():.2f}" != started
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return True
    except psutil.Error:  # access denied and the like: alive as far as we can tell
        return False


# --- transitions ---------------------------------------------------------------------------------


def _running_values(owner: str) -> dict[str, Any]:
    now = utcnow()
    return {
        "state": "running",
        "started_at": now,
        "heartbeat_at": now,
        "worker": owner,
        "attempts": JobRow.attempts + 1,
        "progress": {"phase": "starting", "elapsed": 0.0},
    }


def claim_next(db: Database, owner: str) -> str | None:
    """Move the oldest queued job to "running" for `owner`; None when no job is queued."""
    with db.session() as s:
        candidates = list(
            s.scalars(select(JobRow.id).where(JobRow.state == "queued").order_by(JobRow.submitted_at).limit(5))
        )
        for job_id in candidates:
            claimed = s.execute(
                update(JobRow).where(JobRow.id == job_id, JobRow.state == "queued").values(**_running_values(owner))
            )
            if claimed.rowcount:  # type: ignore[attr-defined]
                return job_id
    return None


def claim(db: Database, job_id: str, owner: str) -> bool:
    """Move one queued job to "running" for `owner`; False when it is not queued (any more)."""
    with db.session() as s:
        result = s.execute(
            update(JobRow).where(JobRow.id == job_id, JobRow.state == "queued").values(**_running_values(owner))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def requeue_or_fail(db: Database, job_id: str, max_attempts: int) -> str | None:
    """A running job lost its worker: back to "queued" for another attempt, or "failed" once it
    has had `max_attempts`. Returns the new state, or None when the job was not running."""
    with db.session() as s:
        attempts = s.scalar(select(JobRow.attempts).where(JobRow.id == job_id, JobRow.state == "running"))
        if attempts is None:
            return None
        if attempts >= max_attempts:
            return "failed" if end(s, job_id, "failed", worker_stopped(attempts)) else None
        requeued = s.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.state == "running")
            .values(
                state="queued",
                worker=None,
                heartbeat_at=None,
                progress={"phase": "waiting for another worker", "elapsed": 0.0},
            )
        )
        return "queued" if requeued.rowcount else None  # type: ignore[attr-defined]


def end(s: Session, job_id: str, state: str, error: str | None = None, **values: Any) -> bool:
    """End a job that is still "running" in this transaction; False, changing nothing, when it is
    not (any more): cancelled, or settled by another process meanwhile."""
    if error is not None:
        error = error.replace("\x00", "\\x00")  # PostgreSQL text cannot hold NUL; the job must still end
    result = s.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.state == "running")
        .values(state=state, error=error, finished_at=utcnow(), **values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def finish(db: Database, job_id: str, state: str, error: str | None = None) -> bool:
    with db.session() as s:
        return end(s, job_id, state, error)


def cancel_queued(db: Database, job_id: str) -> bool:
    """A queued job never starts once cancelled."""
    with db.session() as s:
        result = s.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.state == "queued")
            .values(state="cancelled", finished_at=utcnow())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def beat(db: Database, job_ids: list[str]) -> None:
    """Renew the heartbeat of the jobs this process runs, so no other process settles them."""
    if job_ids:
        with db.session() as s:
            s.execute(
                update(JobRow).where(JobRow.id.in_(job_ids), JobRow.state == "running").values(heartbeat_at=utcnow())
            )


def write_progress(db: Database, job_id: str, progress: dict[str, Any]) -> None:
    with db.session() as s:
        s.execute(update(JobRow).where(JobRow.id == job_id).values(progress=progress))


def cancel_flags(db: Database, job_ids: list[str]) -> tuple[set[str], set[str]]:
    """(the jobs among `job_ids` whose cancel was asked, the ones that still exist)."""
    if not job_ids:
        return set(), set()
    with db.session() as s:
        rows = s.execute(select(JobRow.id, JobRow.cancel_requested).where(JobRow.id.in_(job_ids))).all()
    return {job_id for job_id, flag in rows if flag}, {job_id for job_id, _ in rows}


def recover_interrupted(db: Database, message: str = STOPPED_BY_SERVER, *, stale_after: float | None = None) -> int:
    """Mark jobs left "running" by a process that stopped as failed; returns how many.

    With `stale_after`, only jobs whose owner is a dead process of this machine, or whose heartbeat
    is missing or older than that many seconds: the process that runs a job renews its heartbeat
    every few seconds, so a job of another live process on the same database is left alone.
    Without it, every running job is settled.
    """
    where = [JobRow.state == "running"]
    with db.session() as s:
        if stale_after is not None:
            cutoff = utcnow() - dt.timedelta(seconds=stale_after)
            owners = s.execute(
                select(JobRow.id, JobRow.worker).where(
                    JobRow.state == "running", JobRow.heartbeat_at.is_not(None), JobRow.heartbeat_at >= cutoff
                )
            ).all()
            dead = [job_id for job_id, owner in owners if owner_is_dead(owner)]
            where.append(or_(JobRow.heartbeat_at.is_(None), JobRow.heartbeat_at < cutoff, JobRow.id.in_(dead)))
        result = s.execute(update(JobRow).where(*where).values(state="failed", error=message, finished_at=utcnow()))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
