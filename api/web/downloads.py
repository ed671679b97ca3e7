"""Downloads from the event's pages: the documents of `api.documents`, for one version (the
latest by default), behind the organiser's sign-in. Everyone's agendas (one PDF, or a ZIP) and the
re-issued agendas of the people a publication affects are prepared away from the request
(`api.prepared`): a button queues them, a page follows them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from api import documents, service
from api.deps import SecretDep, SessionDep, SettingsDep
from api.prepared import documents as prepared
from api.prepared.rows import CHANGED_AGENDAS, NO_VERSION
from api.routes._common import (
    NO_STORE,
    VersionQuery,
    base_url,
    current_schedule,
    disposition,
    participant_public,
    private_links,
    stored_version,
)
from api.storage import EventRow
from api.web.deps import CSRF, WebEventDep
from api.web.pages import render
from scheduler.edits import participant_cells

router = APIRouter(include_in_schema=False)

# The agendas of a publication: the version published before it (participants saw it); absent for the first.
SinceQuery = VersionQuery

VERSION_DOCUMENTS: dict[str, documents.Builder] = {
    "schedule.csv": lambda row, _e, srow, _s: documents.schedule_csv(row, srow),
    "schedule.xlsx": lambda row, _e, srow, _s: documents.schedule_xlsx(row, srow),
    "plan.pdf": documents.plan_pdf,
    "table-signs.pdf": documents.table_signs_pdf,
}
# Everyone's agendas, and the agendas of the people a publication affects, take long to render: prepared away
# from the request (api/prepared/), followed on a page.
PREPARED = {
    "agendas.pdf": "all agendas (PDF)",
    "agendas.zip": "every participant's PDF and calendar file (ZIP)",
    CHANGED_AGENDAS: "the affected people's agendas (PDF)",
}
FIRST_AGENDAS = "the first agendas (PDF, everyone with a meeting)"  # changed-agendas.pdf of a first publication


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
    since: SinceQuery = None,
) -> Response:
    if what in PREPARED:  # the prepared document when it is done and current; else its page
        asked = _asked(session, row, what, version, since)
        doc = prepared.find(session, row.id, asked.version, what, asked.from_version)
        current = prepared.fingerprint(session, row, base_url(request, settings))
        document = prepared.document_of(session, row, doc) if doc and prepared.is_current(doc, current) else None
        if document is not None:
            return _send(document)
        return RedirectResponse(asked.page(row.id), status.HTTP_303_SEE_OTHER)
    builder = VERSION_DOCUMENTS.get(what)
    if builder is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"There is no download called '{what}'.")
    event, srow, schedule = current_schedule(session, row, version)
    assert srow is not None and schedule is not None
    return _send(builder(row, event, srow, schedule))


@dataclass(frozen=True)
class Asked:
    """Which prepared document a page or a download names: its kind and version, and for the agendas
    of a publication the version published before it (NO_VERSION: the first publication)."""

    kind: str
    version: int
    from_version: int = NO_VERSION

    @property
    def query(self) -> str:
        return f"?version={self.version}" + (f"&since={self.from_version}" if self.from_version else "")

    def page(self, event_id: str) -> str:
        return f"/events/{event_id}/prepared/{self.kind}{self.query}"

    @property
    def label(self) -> str:
        return FIRST_AGENDAS if self.kind == CHANGED_AGENDAS and not self.from_version else PREPARED[self.kind]

    @property
    def title(self) -> str:
        if self.kind != CHANGED_AGENDAS:
            return f"{self.label[0].upper()}{self.label[1:]}, version {self.version}"
        if not self.from_version:
            return f"Everyone's first agendas, version {self.version}"
        return f"Agendas of the people affected, version {self.from_version} to {self.version}"


def _asked(session: SessionDep, row: EventRow, kind: str, version: int | None, since: int | None) -> Asked:
    """404 for a kind that is not prepared, or a version that is not kept; `since` only counts for the
    agendas of a publication (the version participants saw before it)."""
    if kind not in PREPARED:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"There is no document called '{kind}' to prepare.")
    srow = stored_version(session, row, version)
    if kind != CHANGED_AGENDAS or since is None:
        return Asked(kind, srow.version)
    return Asked(kind, srow.version, stored_version(session, row, since).version)


def _asked_in_request(
    row: WebEventDep, kind: str, session: SessionDep, version: VersionQuery = None, since: SinceQuery = None
) -> Asked:
    """The document a prepared page's address names (its path's kind, its ?version= and ?since=)."""
    return _asked(session, row, kind, version, since)


AskedDep = Annotated[Asked, Depends(_asked_in_request)]


def progress_context(
    session: SessionDep, row: EventRow, request: Request, settings: SettingsDep, asked: Asked
) -> dict[str, Any]:
    """What templates/web/_prepared_progress.html shows of one document (also on the published page)."""
    doc = prepared.find(session, row.id, asked.version, asked.kind, asked.from_version)
    current = prepared.fingerprint(session, row, base_url(request, settings))
    outdated = doc is not None and doc.state == "done" and doc.fingerprint != current
    return {"asked": asked, "kind": asked.kind, "label": asked.label, "doc": doc, "outdated": outdated}


def ask(request: Request, session: SessionDep, row: EventRow, settings: SettingsDep, asked: Asked) -> None:
    """Queue the document in the background (nothing new when it is queued, running or done)."""
    prepared.ask(
        request.app.state.db,
        session,
        row,
        asked.version,
        asked.kind,
        base_url(request, settings),
        request.app.state.background,
        asked.from_version,
    )


def _context(
    session: SessionDep, row: EventRow, request: Request, settings: SettingsDep, asked: Asked
) -> dict[str, Any]:
    if asked.kind == CHANGED_AGENDAS:
        back = (f"/events/{row.id}/published{asked.query}", "← Published version")
    else:
        back = (f"/events/{row.id}#downloads", "← Overview")
    context = progress_context(session, row, request, settings, asked)
    return context | {"event": row, "section": "overview", "version": asked.version, "back": back}


@router.get("/events/{event_id}/prepared/{kind}", response_class=HTMLResponse)
def prepared_page(
    row: WebEventDep,
    asked: AskedDep,
    session: SessionDep,
    request: Request,
    settings: SettingsDep,
) -> HTMLResponse:
    """A document of agendas: the button that prepares it, its progress, then its download."""
    return render(request, "prepared.html", **_context(session, row, request, settings, asked))


@router.get("/events/{event_id}/prepared/{kind}/progress", response_class=HTMLResponse)
def prepared_progress(
    row: WebEventDep,
    asked: AskedDep,
    session: SessionDep,
    request: Request,
    settings: SettingsDep,
) -> HTMLResponse:
    """The live part of the page (polled by htmx while the document is being prepared)."""
    return render(request, "_prepared_progress.html", **_context(session, row, request, settings, asked))


@router.post("/events/{event_id}/prepared/{kind}", dependencies=CSRF)
def prepare(
    row: WebEventDep,
    asked: AskedDep,
    session: SessionDep,
    request: Request,
    settings: SettingsDep,
) -> RedirectResponse:
    """Queue the document (nothing new when it is queued, running or done), then show its page."""
    ask(request, session, row, settings, asked)
    return RedirectResponse(asked.page(row.id), status.HTTP_303_SEE_OTHER)


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
