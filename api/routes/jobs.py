"""Solves as background jobs: start (fresh or as a repair of the latest version), watch, cancel."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, HTTPException, Request, status
from sqlalchemy import select

from api.deps import EventDep, JobDep, RunnerDep, SessionDep, SettingsDep
from api.routes._common import base_url
from api.schemas import JobCreated, JobPublic, ProgressPublic, SolveOptionsPublic, SolveRequest
from api.service import active_job, schedule_row
from api.storage import FINISHED_STATES, EventRow, JobRow, lock_event

router = APIRouter(tags=["jobs"])


def job_public(job: JobRow) -> JobPublic:
    return JobPublic(
        id=job.id,
        event_id=job.event_id,
        state=job.state,  # type: ignore[arg-type]
        time_limit=job.time_limit,
        options=SolveOptionsPublic(**(job.options or {})),
        progress=ProgressPublic(**(job.progress or {})),
        error=job.error,
        cancel_requested=job.cancel_requested,
        schedule_version=job.schedule_version,
        submitted_at=job.submitted_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


@router.post(
    "/api/events/{event_id}/solve",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobCreated,
    responses={
        409: {"description": "A solve of this event is already queued or running, or a repair has no schedule."},
        422: {"description": "A bad time limit, or repair options for a fresh solve."},
    },
)
def start_solve(
    row: EventDep,
    session: SessionDep,
    settings: SettingsDep,
    runner: RunnerDep,
    request: Request,
    body: Annotated[SolveRequest | None, Body()] = None,
) -> JobCreated:
    """Queue a solve of the event; returns at once with the job id (poll GET /api/jobs/{job_id}).

    Once a schedule exists, the default is a *repair* of the latest version for the event as it
    is now (after cancellations, new people, wishes, moved or pinned meetings): locked meetings
    stay exactly, the others stay where they are unless moving them buys more than `move_cost`,
    meetings before `cutoff` are kept as history, and freed time is refilled. `mode: "fresh"`
    solves from scratch. Every solve stores a new schedule version; its entry in
    GET /api/events/{id}/schedules says what the repair bought.
    """
    body = body or SolveRequest()
    time_limit = body.time_limit if body.time_limit is not None else settings.default_time_limit
    if time_limit > settings.max_time_limit:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"time_limit may be at most {settings.max_time_limit:g} seconds",
        )
    lock_event(session, row)  # two requests at once must not queue two solves
    busy = active_job(session, row.id)
    if busy is not None:
        raise HTTPException(
            status.HTTP_409_CONFLICT, detail=f"A solve of this event is already {busy.state} (job {busy.id})"
        )
    options = _options(session, row, body)
    job = JobRow(event_id=row.id, state="queued", time_limit=time_limit, progress={}, options=options)
    session.add(job)
    session.commit()
    runner.submit(job.id)
    return JobCreated(
        job_id=job.id,
        state="queued",
        status_url=f"{base_url(request, settings)}/api/jobs/{job.id}",
        options=SolveOptionsPublic(**options),
    )


def _options(session: SessionDep, row: EventRow, body: SolveRequest) -> dict[str, Any]:
    """The job's options (`JobRow.options`) from the request, checked against the event."""
    latest = schedule_row(session, row.id)
    mode = body.mode or ("repair" if latest is not None else "fresh")
    if mode == "fresh":
        given = [k for k in ("cutoff", "move_cost", "drop_cost") if getattr(body, k) is not None]
        if given:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                detail=f"{', '.join(given)} only apply to a repair (mode 'repair', the default once a schedule exists)",
            )
        return {"mode": "fresh"}
    if latest is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail="There is no schedule to repair yet; solve with mode 'fresh' first",
        )
    options: dict[str, Any] = {"mode": "repair", "previous_version": latest.version}
    if body.cutoff is not None:
        options["cutoff"] = _local(body.cutoff, row.timezone).isoformat(timespec="minutes")
    if body.move_cost is not None:
        options["move_cost"] = body.move_cost
    if body.drop_cost is not None:
        options["drop_cost"] = body.drop_cost
    return options


def _local(moment: dt.datetime, timezone: str) -> dt.datetime:
    """A naive local time of the event (what the library's cut-off is)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


@router.get("/api/jobs/{job_id}", response_model=JobPublic)
def read_job(job: JobDep) -> JobPublic:
    """State (queued, running, done, failed, cancelled), live progress and, on failure, the error."""
    return job_public(job)


@router.post("/api/jobs/{job_id}/cancel", response_model=JobPublic)
def cancel_job(job: JobDep, session: SessionDep, runner: RunnerDep) -> JobPublic:
    """Ask a queued or running job to stop; a job that does not stop in time is terminated."""
    if job.state not in FINISHED_STATES:
        job.cancel_requested = True
        session.commit()
        runner.cancel(job.id)
        session.refresh(job)
    return job_public(job)


@router.delete("/api/jobs/{job_id}", response_model=JobPublic)
def delete_job(job: JobDep, session: SessionDep, runner: RunnerDep) -> JobPublic:
    """Same as POST /api/jobs/{job_id}/cancel."""
    return cancel_job(job, session, runner)


@router.get("/api/events/{event_id}/jobs", response_model=list[JobPublic])
def list_jobs(row: EventDep, session: SessionDep) -> list[JobPublic]:
    """Every solve of the event, newest first."""
    jobs = session.scalars(select(JobRow).where(JobRow.event_id == row.id).order_by(JobRow.submitted_at.desc()))
    return [job_public(j) for j in jobs]
