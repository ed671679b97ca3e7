"""Standby pairs in the organiser's app: `/events/{id}/people/{pid}/standby?at=` lists, per meeting
of an absent person still to come, who can take their place (`api.standby`, the API's service),
each with a "Confirm" button.

The time defaults to now in the event's time zone, or the start of the person's next meeting when
now is outside the event. A confirmation posts here (CSRF), stores a new draft version through the
checker's gate (`by="browser"`) and comes back to this page with a notice (303); a refusal shows
the page again, 422, with the reason in words. While a solve runs, confirmations are refused (409).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import standby as service
from api.deps import SessionDep
from api.routes._common import commit
from api.storage import EventRow
from api.web.deps import CSRF, IdleWebEventDep, WebEventDep
from api.web.pages import PAGE_HEADERS, render
from scheduler import edits
from scheduler.check.checker import format_violation
from scheduler.standby import StandbyError

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=200)]


def _path(row: EventRow, pid: str) -> str:
    return f"/events/{row.id}/people/{pid}/standby"


def _parse_at(text: str) -> dt.datetime | None:
    if not text.strip():
        return None
    try:
        return dt.datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"'{text}' is not a local date and time like 2027-03-10T11:00"
        ) from None


def _page(
    request: Request,
    session: SessionDep,
    row: EventRow,
    pid: str,
    at: dt.datetime | None,
    status_code: int = 200,
    notice: str = "",
    error: str = "",
    violations: list[str] | None = None,
) -> HTMLResponse:
    try:
        q = service.ask(session, row, pid, at)
    except edits.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
    except StandbyError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from None
    return render(
        request,
        "standby.html",
        status_code=status_code,
        event=row,
        section="people",
        model=q.event,
        person=q.event.participants[pid],
        q=q,
        path=_path(row, pid),
        at_value=f"{q.at:%Y-%m-%dT%H:%M}",
        notice=notice,
        error=error,
        violations=violations or [],
    )


@router.get("/events/{event_id}/people/{participant_id}/standby", response_class=HTMLResponse)
def standby_page(
    row: WebEventDep,
    participant_id: str,
    request: Request,
    session: SessionDep,
    at: str = Query("", max_length=40),
    done: int | None = Query(None, ge=1),
) -> HTMLResponse:
    """Who can take the place of a person who did not turn up, per meeting of theirs still to come."""
    notice = ""
    if done is not None:
        notice = f"Replacement confirmed. This is version {done}, a draft: participants see it once you publish it."
    return _page(request, session, row, participant_id, _parse_at(at), notice=notice)


@router.post("/events/{event_id}/people/{participant_id}/standby", dependencies=CSRF)
def confirm(
    row: IdleWebEventDep,
    participant_id: str,
    request: Request,
    session: SessionDep,
    partner: Text,
    other: Text,
    table: Text,
    at: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Confirm one suggestion: a new draft version, then back to this page with a notice."""
    when = _parse_at(at)
    try:
        edit = service.confirm(
            session=session, row=row, absent=participant_id, partner=partner, other=other, table=table, by="browser"
        )
    except (edits.EditRefused, edits.NotFound) as exc:
        session.rollback()
        violations = [format_violation(v) for v in exc.violations] if isinstance(exc, edits.EditRefused) else []
        message = str(exc).removesuffix(".") + "."
        return _page(request, session, row, participant_id, when, 422, error=message, violations=violations)
    commit(session)
    query = urlencode({"at": at, "done": edit.version.version} if at else {"done": edit.version.version})
    url = f"{_path(row, participant_id)}?{query}"
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER, headers=PAGE_HEADERS)
