"""Starting a solve: the checks and the queued job that the API and the organiser's pages share.

Nothing here knows HTTP: a request that cannot start raises `SolveRefused` with the status a
route answers and a sentence for the organiser.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.jobs import JobRunner
from api.service import active_job, schedule_row
from api.settings import Settings
from api.storage import FINISHED_STATES, EventRow, JobRow, lock_event


class SolveRefused(Exception):
    """The solve cannot start; `status` is 409 (busy, nothing to repair) or 422 (bad options)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SolveSettings:
    """What the organiser asked for; None takes the server's or the library's default."""

    time_limit: float | None = None
    mode: str | None = None  # "fresh" or "repair"; default: repair once a schedule exists
    cutoff: dt.datetime | None = None
    move_cost: int | None = None
    drop_cost: int | None = None
    publish: bool = False
    by: str = "api"  # who asked: "api" or "browser", recorded with the version it makes


def queue_solve(
    *, session: Session, row: EventRow, runner: JobRunner, settings: Settings, asked: SolveSettings
) -> JobRow:
    """Check the request against the event, store a queued job, commit and hand it to the runner."""
    time_limit = asked.time_limit if asked.time_limit is not None else settings.default_time_limit
    if time_limit > settings.max_time_limit:
        raise SolveRefused(422, f"time_limit may be at most {settings.max_time_limit:g} seconds")
    lock_event(session, row)  # two requests at once must not queue two solves
    busy = active_job(session, row.id)
    if busy is not None:
        raise SolveRefused(409, f"A solve of this event is already {busy.state} (job {busy.id})")
    options = _options(session, row, asked)
    job = JobRow(event_id=row.id, state="queued", time_limit=time_limit, progress={}, options=options)
    session.add(job)
    session.commit()
    runner.submit(job.id)
    return job


def _options(session: Session, row: EventRow, asked: SolveSettings) -> dict[str, Any]:
    """The job's options (`JobRow.options`) from the request, checked against the event."""
    latest = schedule_row(session, row.id)
    mode = asked.mode or ("repair" if latest is not None else "fresh")
    publish = {"by": asked.by} | ({"publish": True} if asked.publish else {})
    if mode == "fresh":
        given = [k for k in ("cutoff", "move_cost", "drop_cost") if getattr(asked, k) is not None]
        if given:
            raise SolveRefused(
                422,
                f"{', '.join(given)} only apply to a repair (mode 'repair', the default once a schedule exists)",
            )
        return {"mode": "fresh"} | publish
    if latest is None:
        raise SolveRefused(409, "There is no schedule to repair yet; solve with mode 'fresh' first")
    options: dict[str, Any] = {"mode": "repair", "previous_version": latest.version}
    if asked.cutoff is not None:
        try:
            cutoff = local_time(asked.cutoff, row.timezone)
        except OverflowError:  # a moment at the very ends of the calendar, which no zone can shift
            raise SolveRefused(422, f"the cut-off {asked.cutoff.isoformat()} is not a time of this event") from None
        options["cutoff"] = cutoff.isoformat(timespec="minutes")
    if asked.move_cost is not None:
        options["move_cost"] = asked.move_cost
    if asked.drop_cost is not None:
        options["drop_cost"] = asked.drop_cost
    return options | publish


def local_time(moment: dt.datetime, timezone: str) -> dt.datetime:
    """A naive local time of the event (what the library's cut-off is)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def cancel_solve(*, session: Session, job: JobRow, runner: JobRunner) -> None:
    """Ask a queued or running job to stop; one that does not stop in time is terminated."""
    if job.state not in FINISHED_STATES:
        job.cancel_requested = True
        session.commit()
        runner.cancel(job.id)
        session.refresh(job)


def latest_job(session: Session, event_id: str) -> JobRow | None:
    """The event's most recent solve, whatever its state."""
    return session.scalar(
        select(JobRow).where(JobRow.event_id == event_id).order_by(JobRow.submitted_at.desc()).limit(1)
    )
