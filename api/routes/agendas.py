"""Documents: organiser PDFs (all agendas, master plan, table signs) and each participant's private
agenda (HTML page, PDF, calendar) reached through their unguessable link, with no organiser token."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse

from api import service
from api.deps import EventDep, SessionDep
from api.routes._common import NO_STORE, PRIVATE_HEADERS, VersionQuery, current_schedule, disposition, slug
from api.storage import EventRow, ParticipantRow
from scheduler.export.calendar import ScheduleVersion, agenda_ics
from scheduler.export.rendering import (
    AgendaData,
    build_agenda,
    build_plan,
    build_table_signs,
    change_lines,
    generated_note,
    render_html,
    render_pdf,
)

organiser = APIRouter(prefix="/api/events/{event_id}", tags=["documents"])
public = APIRouter(prefix="/agenda", tags=["participant agenda"])

AGENDA_NOT_FOUND = "Agenda not found"
PDF = {200: {"content": {"application/pdf": {}}, "description": "A PDF document."}}


def _pdf(data: bytes, filename: str, private: bool = False) -> Response:
    headers = disposition(filename) | (PRIVATE_HEADERS if private else NO_STORE)
    return Response(data, media_type="application/pdf", headers=headers)


# --- organiser documents -------------------------------------------------------------------------


@organiser.get("/agendas.pdf", response_class=Response, responses=PDF)
def all_agendas_pdf(row: EventDep, session: SessionDep, version: VersionQuery = None) -> Response:
    """Every participant's agenda in one PDF, one person per page (active people, in file order)."""
    event, srow, schedule = current_schedule(session, row, version)
    assert srow is not None
    agendas = [build_agenda(event, schedule, pid, srow.version) for pid, p in event.participants.items() if p.active]
    pdf = render_pdf("agendas.html", agendas=agendas, event_name=event.name, note=generated_note(srow.version))
    return _pdf(pdf, f"{slug(row.name)}-agendas-v{srow.version}.pdf")


@organiser.get("/plan.pdf", response_class=Response, responses=PDF)
def plan_pdf(row: EventDep, session: SessionDep, version: VersionQuery = None) -> Response:
    """The organiser's master plan: per day a grid of slots × tables (A4 landscape)."""
    event, srow, schedule = current_schedule(session, row, version)
    assert srow is not None
    pdf = render_pdf("plan.html", plan=build_plan(event, schedule, srow.version), note=generated_note(srow.version))
    return _pdf(pdf, f"{slug(row.name)}-plan-v{srow.version}.pdf")


@organiser.get("/table-signs.pdf", response_class=Response, responses=PDF)
def table_signs_pdf(row: EventDep, session: SessionDep, version: VersionQuery = None) -> Response:
    """One page per table: who sits there in each slot."""
    event, srow, schedule = current_schedule(session, row, version)
    assert srow is not None
    pdf = render_pdf("table_signs.html", signs=build_table_signs(event, schedule), event_name=event.name)
    return _pdf(pdf, f"{slug(row.name)}-table-signs-v{srow.version}.pdf")


def personal_agenda(session: SessionDep, row: EventRow, pid: str) -> AgendaData:
    """One person's agenda of the latest version, headed by the latest change to their meetings."""
    event, rows = service.load_event(row), service.schedule_rows(session, row.id)
    schedule = service.parse_schedule(event, rows[-1]) if rows else None
    agenda = build_agenda(event, schedule, pid, rows[-1].version if rows else None)
    since, changes = service.latest_change(event, rows, pid, schedule)
    if not changes:
        return agenda
    return dataclasses.replace(agenda, changes=change_lines(event, changes, pid), changed_since=since)


@organiser.get("/participants/{participant_id}/agenda.pdf", response_class=Response, responses=PDF)
def participant_agenda_pdf(row: EventDep, participant_id: str, session: SessionDep) -> Response:
    """One participant's agenda, for the organiser (the same document as the participant's own link)."""
    if participant_id not in service.load_event(row).participants:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Participant not found")
    agenda = personal_agenda(session, row, participant_id)
    version = agenda.schedule_version
    pdf = render_pdf("agenda.html", a=agenda, note=generated_note(version), links=None)
    return _pdf(pdf, f"agenda-{slug(agenda.person.name, 'participant')}.pdf")


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
    agenda = personal_agenda(session, row, p.pid)
    pdf = render_pdf("agenda.html", a=agenda, note=generated_note(agenda.schedule_version), links=None)
    return _pdf(pdf, f"agenda-{slug(agenda.person.name, 'participant')}.pdf", private=True)


@public.get(
    "/{token}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "An iCalendar file."}},
)
def my_agenda_ics(owner: OwnerDep, session: SessionDep) -> Response:
    """Your meetings as a calendar file; importing a later version updates or cancels the entries."""
    row, p = owner
    event = service.load_event(row)
    versions = [
        ScheduleVersion(s.version, s.created_at, service.parse_schedule(event, s))
        for s in service.schedule_rows(session, row.id)
    ]
    ics = agenda_ics(event, row.id, p.pid, versions)
    headers = disposition(f"{slug(row.name)}-{slug(p.name, 'agenda')}.ics") | PRIVATE_HEADERS
    return Response(ics, media_type="text/calendar; charset=utf-8", headers=headers)


@public.get("/{token}", response_class=HTMLResponse)
def my_agenda(owner: OwnerDep, session: SessionDep, request: Request) -> HTMLResponse:
    """Your agenda as a web page, with links to the PDF and the calendar file."""
    row, p = owner
    agenda = personal_agenda(session, row, p.pid)
    token = request.path_params["token"]
    links = {"pdf": f"/agenda/{token}.pdf", "ics": f"/agenda/{token}.ics"}
    html = render_html("agenda.html", a=agenda, note=generated_note(agenda.schedule_version), links=links)
    return HTMLResponse(html, headers=PRIVATE_HEADERS)


__all__ = ["organiser", "public"]
