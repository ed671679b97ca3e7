"""Solves as background jobs: start (fresh or as a repair of the latest version), watch, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Request, status
from sqlalchemy import select

from api.deps import EventDep, JobDep, RunnerDep, SessionDep, SettingsDep
from api.routes._common import base_url
from api.schemas import JobCreated, JobPublic, ProgressPublic, SolveOptionsPublic, SolveRequest
from api.solving import SolveRefused, SolveSettings, cancel_solve, queue_solve
from api.storage import JobRow

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
        attempts=job.attempts or 0,
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
    try:
        job = queue_solve(
            session=session,
            row=row,
            runner=runner,
            settings=settings,
            asked=SolveSettings(**body.model_dump()),
        )
    except SolveRefused as exc:
        raise HTTPException(exc.status, detail=str(exc)) from None
    return JobCreated(
        job_id=job.id,
        state="queued",
        status_url=f"{base_url(request, settings)}/api/jobs/{job.id}",
        options=SolveOptionsPublic(**job.options),
    )


@router.get("/api/jobs/{job_id}", response_model=JobPublic)
def read_job(job: JobDep) -> JobPublic:
    """State (queued, running, done, failed, cancelled), live progress and, on failure, the error."""
    return job_public(job)


@router.post("/api/jobs/{job_id}/cancel", response_model=JobPublic)
def cancel_job(job: JobDep, session: SessionDep, runner: RunnerDep) -> JobPublic:
    """Ask a queued or running job to stop; a job that does not stop in time is terminated."""
    cancel_solve(session=session, job=job, runner=runner)
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
