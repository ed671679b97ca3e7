"""Downloads from the event's pages: the documents of `api.documents`, for one version (the
latest by default), behind the organiser's sign-in."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from api import documents, service
from api.deps import SecretDep, SessionDep, SettingsDep
from api.routes._common import (
    NO_STORE,
    VersionQuery,
    current_schedule,
    disposition,
    participant_public,
    private_links,
)
from api.web.deps import WebEventDep
from scheduler.edits import participant_cells

router = APIRouter(include_in_schema=False)

VERSION_DOCUMENTS: dict[str, documents.Builder] = {
    "schedule.csv": lambda row, _e, srow, _s: documents.schedule_csv(row, srow),
    "schedule.xlsx": lambda row, _e, srow, _s: documents.schedule_xlsx(row, srow),
    "agendas.pdf": documents.agendas_pdf,
    "plan.pdf": documents.plan_pdf,
    "table-signs.pdf": documents.table_signs_pdf,
    "agendas.zip": documents.agendas_zip,
}


def _send(document: documents.Document) -> Response:
    return Response(document.data, media_type=document.media_type, headers=disposition(document.name) | NO_STORE)


@router.get("/events/{event_id}/download/participant-links.csv")
def participant_links(
    row: WebEventDep, request: Request, session: SessionDep, settings: SettingsDep, secret: SecretDep
) -> Response:
    cells = participant_cells(row.participants_csv)
    people = []
    for p in service.participants_of(session, row.id):
        public = participant_public(request, settings, secret, p, 0, cells.get(p.pid))
        people.append(
            documents.LinkRow(
                public.id,
                public.name,
                public.organisation,
                public.email,
                public.status,
                public.agenda_url,
                public.agenda_pdf_url,
                public.agenda_ics_url,
            )
        )
    return _send(documents.participant_links_csv(row, people))


@router.get("/events/{event_id}/download/{what}")
def version_document(
    row: WebEventDep,
    what: str,
    session: SessionDep,
    request: Request,
    settings: SettingsDep,
    secret: SecretDep,
    version: VersionQuery = None,
) -> Response:
    builder = VERSION_DOCUMENTS.get(what)
    if builder is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"There is no download called '{what}'.")
    event, srow, schedule = current_schedule(session, row, version)
    assert srow is not None and schedule is not None
    if what == "agendas.pdf":  # each printed agenda carries its person's private link as a QR code
        links = private_links(request, settings, secret, session, row)
        return _send(documents.agendas_pdf(row, event, srow, schedule, links))
    return _send(builder(row, event, srow, schedule))


@router.get("/events/{event_id}/people/{participant_id}/agenda.pdf")
def person_agenda_pdf(
    row: WebEventDep,
    participant_id: str,
    session: SessionDep,
    request: Request,
    settings: SettingsDep,
    secret: SecretDep,
) -> Response:
    """One participant's agenda as they see it through their link (the published version), with
    that link as a QR code."""
    if participant_id not in service.load_event(row).participants:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="There is no such participant in this event.")
    links = private_links(request, settings, secret, session, row)
    return _send(documents.personal_agenda_pdf(request.app.state.pdf, session, row, participant_id, links))
