"""Helpers shared by the route modules."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.schemas import ParticipantPublic
from api.service import agenda_token, load_event, parse_schedule, participants_of, schedule_row
from api.settings import Settings
from api.storage import EventRow, ParticipantRow, ScheduleRow
from scheduler.domain import Event, Schedule
from scheduler.edits import participant_cells
from scheduler.export.filenames import FileName
from scheduler.i18n import parse_language
from scheduler.io.loading import whole_number
from scheduler.problems import EventError, summarised

NO_SCHEDULE = "No schedule yet: start a solve with POST /api/events/{id}/solve"
MAX_VERSION = 2**31 - 1  # the largest version a query or path may name (the column is a 32-bit integer)
Responses = dict[int | str, dict[str, Any]]  # a route's extra OpenAPI responses, by status code
VersionQuery = Annotated[
    int | None, Query(ge=1, le=MAX_VERSION, description="A kept version; the latest when omitted.")
]


def base_url(request: Request, settings: Settings) -> str:
    return (settings.public_base_url or str(request.base_url)).rstrip("/")


def agenda_links(request: Request, settings: Settings, token: str) -> dict[str, str]:
    root = f"{base_url(request, settings)}/agenda/{token}"
    return {"html": root, "pdf": f"{root}.pdf", "ics": f"{root}.ics"}


def private_links(request: Request, settings: Settings, secret: str, session: Session, row: EventRow) -> dict[str, str]:
    """Each participant's private agenda address (id → URL), printed as the QR codes of their agendas."""
    return {
        p.pid: agenda_links(request, settings, agenda_token(secret=secret, participant=p))["html"]
        for p in participants_of(session, row.id)
    }


def participant_public(
    request: Request,
    settings: Settings,
    secret: str,
    p: ParticipantRow,
    meetings: int,
    cells: dict[str, str] | None = None,
) -> ParticipantPublic:
    """A participant with their private links; `cells` are their raw participants.csv cells."""
    links = agenda_links(request, settings, agenda_token(secret=secret, participant=p))
    cells = cells or {}
    return ParticipantPublic(
        id=p.pid,
        name=p.name,
        organisation=p.organisation,
        email=p.email,
        role=p.role,
        country=p.country,
        status=p.status,
        available=cells.get("available", ""),
        max_meetings=whole_number(cells.get("max_meetings", "")),
        table=cells.get("table") or None,
        language=parse_language(cells.get("language", "")),
        meetings=meetings,
        agenda_url=links["html"],
        agenda_pdf_url=links["pdf"],
        agenda_ics_url=links["ics"],
    )


def invalid_change(exc: EventError) -> JSONResponse:
    """422 with the loader's problem records: the change would make the event invalid."""
    errors = len(exc.errors)
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={
            "detail": f"The change makes the event invalid ({errors} problem{'s' if errors != 1 else ''}); "
            "nothing was changed",
            "problems": [p.as_dict() for p in summarised(exc.problems)],
        },
    )


def commit(session: Session) -> None:
    """Commit, turning a clash with a simultaneous change (same new version number) into 409."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise HTTPException(
            status.HTTP_409_CONFLICT, detail="Another change was saved at the same moment; try again"
        ) from None


def stored_version(session: Session, row: EventRow, version: int | None = None) -> ScheduleRow:
    """One stored version of the schedule (the latest by default); 404 when absent."""
    srow = schedule_row(session, row.id, version)
    if srow is None:
        detail = NO_SCHEDULE if version is None else f"Schedule version {version} not found"
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=detail)
    return srow


def participant_view(
    request: Request, settings: Settings, secret: str, session: Session, row: EventRow, p: ParticipantRow
) -> ParticipantPublic:
    """One participant as the organiser sees them: links, cells and meetings in the latest version."""
    _, _, schedule = current_schedule(session, row, required=False)
    meetings = len(schedule.for_person(p.pid)) if schedule else 0
    return participant_public(
        request, settings, secret, p, meetings, participant_cells(row.participants_csv).get(p.pid)
    )


def current_schedule(
    session: Session, row: EventRow, version: int | None = None, required: bool = True
) -> tuple[Event, ScheduleRow | None, Schedule | None]:
    """The event and one version of its schedule (the latest by default); 404 when required and absent."""
    event = load_event(row)
    srow = stored_version(session, row, version) if required else schedule_row(session, row.id, version)
    if srow is None:
        return event, None, None
    return event, srow, parse_schedule(event, srow)


def disposition(name: FileName, inline: bool = False) -> dict[str, str]:
    """Content-Disposition for a download (RFC 6266): the ASCII twin as `filename` for old clients,
    the name with its people's letters as `filename*` (UTF-8, percent-encoded, RFC 8187)."""
    kind = "inline" if inline else "attachment"
    return {"Content-Disposition": f"{kind}; filename=\"{name.ascii}\"; filename*=UTF-8''{quote(name.name, safe='')}"}


# Organiser downloads holding personal data (names, e-mails, agendas): never kept by a cache.
NO_STORE = {"Cache-Control": "no-store"}


# Work that goes on away from the request (a big upload or replacement, a prepared document) is
# answered with 202: where to follow it, and when to ask again.
RETRY_AFTER = 2  # seconds


def follow_header_docs(what: str) -> dict[str, Any]:
    """The OpenAPI description of a 202's `Location` (the `what` to follow) and `Retry-After`."""
    return {
        "Location": {"description": f"The {what} to follow.", "schema": {"type": "string"}},
        "Retry-After": {"description": "Seconds to wait before asking again.", "schema": {"type": "integer"}},
    }


def follow_headers(status_url: str) -> dict[str, str]:
    """A 202's headers: where to follow the work, when to ask again, and never from a cache."""
    return {"Location": status_url, "Retry-After": str(RETRY_AFTER)} | NO_STORE


def accepted(body: BaseModel, status_url: str) -> JSONResponse:
    """202 with `body`, and where and when to follow it."""
    return JSONResponse(body.model_dump(mode="json"), status.HTTP_202_ACCEPTED, headers=follow_headers(status_url))


def no_store(response: Response) -> None:
    """A router dependency: its JSON responses carry `NO_STORE` (a route returning a `Response`
    of its own sets the headers itself)."""
    response.headers.update(NO_STORE)


PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
