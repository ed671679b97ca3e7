"""Planning the tables before the day: start the planning, follow it, read the table of counts.

The planning is stateless (nothing is stored): with JavaScript, the form's htmx POST answers a
panel that opens a server-sent-event stream, which runs the planning and sends the progress bar
while it runs and the result table at the end; closing the page stops it. Without JavaScript the
plain POST runs the planning and answers the page with the result (up to a minute).
"""

from __future__ import annotations

import asyncio
import hmac
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent

from api import service
from api.capacity import PlanningBusy, plan_event
from api.storage import Database, EventRow
from api.web.deps import CSRF, WebEventDep
from api.web.pages import ENV, is_htmx, render
from api.web.session import CSRF_COOKIE, csrf_token, signed_in_event
from scheduler.planning import CapacityPlan
from scheduler.problems import MatchdayError

router = APIRouter(include_in_schema=False)

PHASES = {
    "starting": "Starting.",
    "bounds": "Computing the best possible points with unlimited tables.",
    "tables": "Trying table counts.",
    "slots": "Trying one slot fewer and one more a day.",
    "done": "Finishing.",
}


def _context(row: EventRow, **extra: Any) -> dict[str, Any]:
    event = service.load_event(row)
    return {"event": row, "section": "overview", "model": event, "plan": None, "error": None, **extra}


@router.get("/events/{event_id}/capacity", response_class=HTMLResponse)
def capacity_page(row: WebEventDep, request: Request) -> HTMLResponse:
    return render(request, "capacity.html", **_context(row))


@router.post("/events/{event_id}/capacity", dependencies=CSRF, response_class=HTMLResponse)
async def start_planning(row: WebEventDep, request: Request) -> HTMLResponse:
    """htmx: the live panel (its stream runs the planning); a plain form: the planning, then the page."""
    if is_htmx(request):
        return render(request, "_capacity_live.html", event=row, progress=_progress("starting", 0, 0))
    try:
        plan = await run_in_threadpool(plan_event, row)
    except PlanningBusy as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    except MatchdayError as exc:
        return render(request, "capacity.html", status_code=422, **_context(row, error=str(exc)))
    return render(request, "capacity.html", **_context(row, plan=plan))


def _progress(phase: str, done: int, total: int) -> dict[str, Any]:
    pct = 0 if total <= 0 else min(100, round(100 * done / total))
    return {"phase": phase, "done": done, "total": total, "pct": pct, "sentence": PHASES.get(phase, "Planning.")}


def _stream_row(db: Database, request: Request, event_id: str) -> EventRow:
    """The signed-in event, read in a fresh session (the stream outlives the request's session)."""
    with db.sessions() as session:
        row = signed_in_event(request, session, event_id)
        session.expunge_all()
        return row


def stream_allowed(row: WebEventDep, request: Request, csrf: str = "") -> None:
    """The stream starts work, so it asks for this browser's CSRF token in the query, as a form
    would (its cookie is SameSite=Strict: another site cannot start it); checked before it opens."""
    del row  # signed in to the event: checked by the dependency itself
    if not request.cookies.get(CSRF_COOKIE) or not hmac.compare_digest(csrf, csrf_token(request)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Start the planning from its page.")


@router.get(
    "/events/{event_id}/capacity/stream",
    response_class=EventSourceResponse,
    dependencies=[Depends(stream_allowed)],
)
async def planning_stream(event_id: str, request: Request) -> AsyncIterator[ServerSentEvent]:
    """Runs the planning: "progress" (the bar, on every step), "phase" (a sentence for screen
    readers, on a change of phase), "result" (the table, or why there is none), then "done"."""
    db: Database = request.app.state.db
    row = await run_in_threadpool(_stream_row, db, request, event_id)
    loop = asyncio.get_running_loop()
    steps: asyncio.Queue[tuple[str, int, int]] = asyncio.Queue()
    stop = threading.Event()

    def on_progress(phase: str, done: int, total: int) -> None:
        loop.call_soon_threadsafe(steps.put_nowait, (phase, done, total))

    work = asyncio.ensure_future(run_in_threadpool(plan_event, row, None, on_progress, stop.is_set))
    last_phase = None
    try:
        while not work.done():
            try:
                phase, done, total = await asyncio.wait_for(steps.get(), timeout=0.5)
            except TimeoutError:
                if await request.is_disconnected():
                    return
                continue
            html = ENV.get_template("web/_capacity_progress.html").render(progress=_progress(phase, done, total))
            yield ServerSentEvent(raw_data=_one_line(html), event="progress")
            if phase != last_phase:
                last_phase = phase
                yield ServerSentEvent(raw_data=PHASES.get(phase, "Planning."), event="phase")
        plan: CapacityPlan | None = None
        error = None
        try:
            plan = work.result()
        except (PlanningBusy, MatchdayError) as exc:
            error = str(exc)
        finished = "Planning finished: the result is below." if plan is not None else "The planning stopped."
        yield ServerSentEvent(raw_data=f'<p class="hint">{finished}</p>', event="progress")
        yield ServerSentEvent(raw_data=finished, event="phase")
        html = ENV.get_template("web/_capacity_result.html").render(event=row, plan=plan, error=error)
        yield ServerSentEvent(raw_data=_one_line(html), event="result")
        yield ServerSentEvent(raw_data="done", event="done")
    finally:
        stop.set()  # a closed page stops the planning at its next step


def _one_line(html: str) -> str:
    """SSE data must not hold bare newlines in one field; HTML does not need them."""
    return " ".join(line.strip() for line in html.splitlines() if line.strip())
