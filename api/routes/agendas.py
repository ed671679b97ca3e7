"""Documents: organiser PDFs (all agendas, master plan, table signs) and each participant's private
agenda (HTML page, PDF, calendar) reached through their unguessable link, with no organiser token.

The documents themselves are `scheduler.export`'s; these routes find the event, the version and
the person, and answer with the file under a name that keeps the people's letters.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from api import documents, service
from api import unmet as reasons
from api.deps import EventDep, SessionDep
from api.routes._common import NO_STORE, PRIVATE_HEADERS, Responses, VersionQuery, current_schedule, disposition
from api.storage import EventRow, ParticipantRow
from scheduler.export import pdf
from scheduler.export.calendar import agenda_ics
from scheduler.export.filenames import FileName, file_name
from scheduler.export.html import agenda_page
from scheduler.export.unmet_lines import participant_lines

organiser = APIRouter(prefix="/api/events/{event_id}", tags=["documents"])
public = APIRouter(prefix="/agenda", tags=["participant agenda"])

AGENDA_NOT_FOUND = "Agenda not found"
ICS: Responses = {200: {"content": {"text/calendar": {}}, "description": "An iCalendar file."}}
PDF: Responses = {200: {"content": {"application/pdf": {}}, "description": "A PDF document."}}


def _pdf(data: bytes, name: FileName, private: bool = False) -> Response:
    headers = disposition(name) | (PRIVATE_HEADERS if private else NO_STORE)
    return Response(data, media_type="application/pdf", headers=headers)


# --- organiser documents -------------------------------------------------------------------------


def _version_pdf(build: documents.Builder, row: EventRow, session: Session, version: int | None) -> Response:
    event, srow, schedule = current_schedule(session, row, version)
    assert srow is not None and schedule is not None
    document = build(row, event, srow, schedule)
    return _pdf(document.data, document.name)


@organiser.get("/agendas.pdf", response_class=Response, responses=PDF)
def all_agendas_pdf(row: EventDep, session: SessionDep, version: VersionQuery = None) -> Response:
    """Every participant's agenda in one PDF, one person per page (active people, in file order)."""
    return _version_pdf(documents.agendas_pdf, row, session, version)


@organiser.get("/plan.pdf", response_class=Response, responses=PDF)
def plan_pdf(row: EventDep, session: SessionDep, version: VersionQuery = None) -> Response:
    """The organiser's master plan: per day a grid of slots × tables (A4 landscape)."""
    return _version_pdf(documents.plan_pdf, row, session, version)


@organiser.get("/table-signs.pdf", response_class=Response, responses=PDF)
def table_signs_pdf(row: EventDep, session: SessionDep, version: VersionQuery = None) -> Response:
    """One page per table: who sits there in each slot."""
    return _version_pdf(documents.table_signs_pdf, row, session, version)


@organiser.get("/participants/{participant_id}/agenda.pdf", response_class=Response, responses=PDF)
def participant_agenda_pdf(row: EventDep, participant_id: str, session: SessionDep) -> Response:
    """One participant's agenda, for the organiser (the same document as the participant's own link)."""
    if participant_id not in service.load_event(row).participants:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Participant not found")
    agenda = documents.personal_agenda(session, row, participant_id)
    return _pdf(pdf.agenda_pdf(agenda), documents.agenda_file_name(agenda))


# --- participant links ---------------------------------------------------------------------------


def _owner(token: str, session: SessionDep) -> tuple[EventRow, ParticipantRow]:
    """The participant a link token belongs to; 404 for anything else, revealing nothing."""
    p = service.participant_by_token(session, token)
    event = session.get(EventRow, p.event_id) if p is not None else None
    if p is None or event is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=AGENDA_NOT_FOUND)
    return event, p


OwnerDep = Annotated[tuple[EventRow, ParticipantRow], Depends(_owner)]


@public.get("/{token}.pdf", response_class=Response, responses=PDF)
def my_agenda_pdf(owner: OwnerDep, session: SessionDep) -> Response:
    """Your agenda as an A4 PDF."""
    row, p = owner
    agenda = documents.personal_agenda(session, row, p.pid)
    return _pdf(pdf.agenda_pdf(agenda), documents.agenda_file_name(agenda), private=True)


@public.get(
    "/{token}.ics",
    response_class=Response,
    responses=ICS,
)
def my_agenda_ics(owner: OwnerDep, session: SessionDep) -> Response:
    """Your meetings as a calendar file; importing a later version updates or cancels the entries."""
    row, p = owner
    event = service.load_event(row)
    ics = agenda_ics(event, row.id, p.pid, service.published_versions(session, row, event))
    headers = disposition(file_name(row.name, p.name, ext="ics", fallback="agenda")) | PRIVATE_HEADERS
    return Response(ics, media_type="text/calendar; charset=utf-8", headers=headers)


@public.get("/{token}", response_class=HTMLResponse)
def my_agenda(owner: OwnerDep, session: SessionDep, request: Request) -> HTMLResponse:
    """Your agenda as a web page, with links to the PDF and the calendar file."""
    row, p = owner
    agenda = documents.personal_agenda(session, row, p.pid)
    srow = service.published_row(session, row)
    not_arranged: tuple[str, ...] = ()
    if srow is not None:
        event = service.load_event(row)
        schedule = service.parse_schedule(event, srow)
        not_arranged = participant_lines(event, schedule, reasons.version_unmet(event, srow, schedule), p.pid)
    token = request.path_params["token"]
    links = {"pdf": f"/agenda/{token}.pdf", "ics": f"/agenda/{token}.ics"}
    return HTMLResponse(agenda_page(agenda, links, not_arranged), headers=PRIVATE_HEADERS)


__all__ = ["organiser", "public"]
