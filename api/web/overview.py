"""The event's overview: what was uploaded, the solve (start, live progress, cancel, result), what
is published, the downloads, and the organiser link."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from api import service
from api.deps import RunnerDep, SessionDep, SettingsDep
from api.solving import SolveRefused, SolveSettings, cancel_solve, latest_job, queue_solve
from api.storage import FINISHED_STATES, Database, EventRow, JobRow
from api.web.access import current_token
from api.web.deps import CSRF, WebEventDep
from api.web.pages import ENV, PAGE_HEADERS, render
from api.web.session import signed_in_event
from scheduler.domain import Event

router = APIRouter(include_in_schema=False)


def _now_local(event: Event) -> dt.datetime:
    """ "Now" at the venue, to the minute: the default cut-off of a re-solve."""
    return dt.datetime.now(ZoneInfo(event.timezone)).replace(tzinfo=None, second=0, microsecond=0)


def overview_context(request: Request, session: Any, row: EventRow, settings: Any) -> dict[str, Any]:
    event = service.load_event(row)
    latest = service.schedule_row(session, row.id)
    published = service.published_row(session, row)
    job = latest_job(session, row.id)
    return {
        "event": row,
        "section": "overview",
        "model": event,
        "latest": latest,
        "published": published,
        "current": latest is not None and (latest.result or {}).get("event_revision", 1) == row.revision,
        "job": job,
        "job_running": job is not None and job.state not in FINISHED_STATES,
        "default_time_limit": settings.default_time_limit,
        "max_time_limit": settings.max_time_limit,
        "now_local": _now_local(event),
        "api_token": current_token(request),
    }


@router.get("/events/{event_id}", response_class=HTMLResponse)
def overview(row: WebEventDep, request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    return render(request, "overview.html", **overview_context(request, session, row, settings))


def _to_overview(event_id: str, anchor: str = "solve") -> RedirectResponse:
    return RedirectResponse(f"/events/{event_id}#{anchor}", status_code=status.HTTP_303_SEE_OTHER, headers=PAGE_HEADERS)


@router.post("/events/{event_id}/solve", dependencies=CSRF)
def start_solve(
    row: WebEventDep,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    runner: RunnerDep,
    mode: Annotated[str, Form()] = "fresh",
    time_limit: Annotated[float | None, Form(gt=0)] = None,
    cutoff: Annotated[str, Form()] = "",
    move_cost: Annotated[int | None, Form(ge=0, le=1000)] = None,
    drop_cost: Annotated[int | None, Form(ge=0, le=1000)] = None,
) -> Response:
    """Start a solve (fresh) or a re-solve (repair from a cut-off); the overview then shows its progress."""
    if mode not in ("fresh", "repair"):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="Choose a fresh solve or a re-solve.")
    moment = None
    if mode == "repair" and cutoff.strip():
        try:
            moment = dt.datetime.fromisoformat(cutoff.strip())
        except ValueError:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                detail=f"'{cutoff}' is not a date and time (e.g. 2027-03-10T11:00).",
            ) from None
    asked = SolveSettings(
        time_limit=time_limit,
        mode=mode,
        cutoff=moment,
        move_cost=move_cost if mode == "repair" else None,
        drop_cost=drop_cost if mode == "repair" else None,
        by="browser",
    )
    try:
        queue_solve(session=session, row=row, runner=runner, settings=settings, asked=asked)
    except SolveRefused as exc:
        raise HTTPException(exc.status, detail=str(exc)) from None
    return _to_overview(row.id)


@router.post("/events/{event_id}/jobs/{job_id}/cancel", dependencies=CSRF)
def cancel(row: WebEventDep, job_id: str, session: SessionDep, runner: RunnerDep) -> Response:
    job = session.get(JobRow, job_id)
    if job is None or job.event_id != row.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such solve")
    cancel_solve(session=session, job=job, runner=runner)
    return _to_overview(row.id)


# --- live progress ----------------------------------------------------------------------------------

POLL_SECONDS = 0.5


def _job_snapshot(db: Database, request: Request, event_id: str, job_id: str) -> dict[str, Any] | None:
    """The job and its event, read in a fresh session (the stream outlives the request's session)."""
    with db.sessions() as session:
        row = signed_in_event(request, session, event_id)
        job = session.get(JobRow, job_id)
        if job is None or job.event_id != row.id:
            return None
        session.expunge_all()
        return {"event": row, "job": job}


@router.get("/events/{event_id}/jobs/{job_id}/progress", response_class=EventSourceResponse)
async def progress_stream(event_id: str, job_id: str, request: Request) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events for the solve panel: "progress" (the bar and figures, on every change),
    "phase" (one sentence for screen readers, on a change of phase) and, at the end, "done" (the
    job's state; the page then fetches its result), after which the stream closes."""
    db: Database = request.app.state.db
    last_html = last_phase = None
    while True:
        snap = await run_in_threadpool(_job_snapshot, db, request, event_id, job_id)
        if snap is None:
            return
        job: JobRow = snap["job"]
        if job.state in FINISHED_STATES:
            yield ServerSentEvent(raw_data=job.state, event="done")
            return
        html = ENV.get_template("web/_job_progress.html").render(**snap)
        if html != last_html:
            last_html = html
            yield ServerSentEvent(raw_data=_one_line(html), event="progress")
        phase = (job.progress or {}).get("phase") or job.state
        if phase != last_phase:
            last_phase = phase
            yield ServerSentEvent(raw_data=_phase_sentence(job, phase), event="phase")
        if await request.is_disconnected():
            return
        await asyncio.sleep(POLL_SECONDS)


def _one_line(html: str) -> str:
    """SSE data must not hold bare newlines in one field; HTML does not need them."""
    return " ".join(line.strip() for line in html.splitlines() if line.strip())


PHASES = {
    "queued": "Waiting for a free solver.",
    "starting": "Starting.",
    "candidates": "Reading who may meet whom, and when.",
    "greedy": "A first schedule is ready; improving it.",
    "bound": "The best possible score is known; searching for it.",
    "search": "Searching for a better schedule.",
    "polish": "Closing gaps in people's days.",
    "tables": "Choosing tables, keeping people where they sat.",
    "check": "Checking every rule once more.",
    "done": "Finishing.",
}


def _phase_sentence(job: JobRow, phase: str) -> str:
    return PHASES.get(phase, "Solving.")
