"""Documents: organiser PDFs (all agendas, master plan, table signs) and each participant's private
agenda (HTML page, PDF, calendar) reached through their unguessable link, with no organiser token.

The documents themselves are `scheduler.export`'s; these routes find the event, the version and
the person, and answer with the file under a name that keeps the people's letters.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import documents, service
from api import unmet as reasons
from api.deps import EventDep, SecretDep, SessionDep, SettingsDep
from api.prepared import documents as prepared_documents
from api.prepared.rows import CHANGED_AGENDAS, PreparedDocumentRow
from api.prepared.schemas import PreparedPublic
from api.routes._common import (
    NO_STORE,
    PRIVATE_HEADERS,
    Responses,
    VersionQuery,
    agenda_links,
    base_url,
    current_schedule,
    disposition,
    follow_headers,
    private_links,
    stored_version,
)
from api.routes._prepared import (
    FOLLOW_HEADERS,
    PREPARING,
    FromQuery,
    document_versions,
    file_or_follow,
    send,
    status_of,
)
from api.security import participant_token
from api.settings import Settings
from api.storage import EventRow, ParticipantRow
from scheduler.export.calendar import agenda_ics
from scheduler.export.filenames import FileName, file_name
from scheduler.export.html import agenda_page, link_problem_page
from scheduler.export.today import now_next
from scheduler.export.unmet_lines import participant_lines
from scheduler.i18n import LANGUAGES, parse_language

organiser = APIRouter(prefix="/api/events/{event_id}", tags=["documents"])
public = APIRouter(prefix="/agenda", tags=["participant agenda"])

AGENDA_NOT_FOUND = "Agenda not found"
ICS: Responses = {200: {"content": {"text/calendar": {}}, "description": "An iCalendar file."}}
PDF: Responses = {200: {"content": {"application/pdf": {}}, "description": "A PDF document."}}
ZIP: Responses = {200: {"content": {"application/zip": {}}, "description": "A ZIP archive."}}
# One 200 with both media types (`PDF | ZIP` would keep only the ZIP's).
PREPARED_FILE: Responses = {
    200: {
        "content": {"application/pdf": {}, "application/zip": {}},
        "description": "The document: a ZIP for agendas.zip, a PDF for the others.",
    }
}
STATUS_RESPONSES: Responses = {404: {"description": "No such version, or this document was not asked for."}}
FILE_RESPONSES: Responses = {
    404: {"description": "No such version, or this document was not asked for."},
    409: {"description": "The document is not done yet (or failed): follow its status."},
}
KindPath = Annotated[
    Literal["agendas.pdf", "agendas.zip", "changed-agendas.pdf"],
    Path(
        description="agendas.pdf: everyone's agendas in one PDF; agendas.zip: each person's PDF and calendar file; "
        "changed-agendas.pdf: the agendas of the people affected between `from` and `version` (GET …/diff/agendas.pdf)."
    ),
]


def _pdf(data: bytes, name: FileName, private: bool = False) -> Response:
    headers = disposition(name) | (PRIVATE_HEADERS if private else NO_STORE)
    return Response(data, media_type="application/pdf", headers=headers)


# --- organiser documents -------------------------------------------------------------------------


def _version_pdf(build: documents.Builder, row: EventRow, session: Session, version: int | None) -> Response:
    event, srow, schedule = current_schedule(session, row, version)
    assert srow is not None and schedule is not None
    document = build(row, event, srow, schedule)
    return _pdf(document.data, document.name)


@organiser.get("/agendas.pdf", response_class=Response, responses=PDF | PREPARING)
def all_agendas_pdf(
    row: EventDep, session: SessionDep, request: Request, settings: SettingsDep, version: VersionQuery = None
) -> Response:
    """Every participant's agenda in one PDF, one sheet per person and day (active people, in file
    order), each with a QR code of the person's private agenda page and its own page numbers.

    Rendered once per version away from the request (a worker, or a background process): the PDF
    when it is ready or gets ready within a few seconds, else 202 with where to follow it
    (`Location`, `Retry-After`); ask again, or download it from the status's `download_url`."""
    return file_or_follow("agendas.pdf", row, session, request, settings, stored_version(session, row, version).version)


@organiser.get("/agendas.zip", response_class=Response, responses=ZIP | PREPARING)
def all_agendas_zip(
    row: EventDep, session: SessionDep, request: Request, settings: SettingsDep, version: VersionQuery = None
) -> Response:
    """Every participant's agenda PDF and calendar file, `agendas/<id>.pdf` and `.ics`, in one ZIP;
    prepared like agendas.pdf (200 with the file, or 202 with where to follow it)."""
    return file_or_follow("agendas.zip", row, session, request, settings, stored_version(session, row, version).version)


@organiser.post(
    "/prepared/{kind}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PreparedPublic,
    responses=FOLLOW_HEADERS | {404: {"description": "No such version (changed-agendas.pdf: nor one before it)."}},
)
def prepare_document(
    row: EventDep,
    kind: KindPath,
    session: SessionDep,
    request: Request,
    settings: SettingsDep,
    response: Response,
    version: VersionQuery = None,
    old: FromQuery = None,
) -> PreparedPublic:
    """Start preparing everyone's agendas as one PDF or as a ZIP, or the agendas of the people affected
    between two versions (idempotent: asking again while it is queued, running or done changes
    nothing; a failed or outdated one is prepared again)."""
    new_v, old_v = document_versions(session, row, kind, version, old)
    doc = prepared_documents.ask(
        request.app.state.db,
        session,
        row,
        new_v,
        kind,
        base_url(request, settings),
        request.app.state.background,
        old_v,
    )
    body = status_of(doc)
    response.headers.update(follow_headers(body.status_url))
    return body


def _asked(session: Session, row: EventRow, kind: str, version: int | None, old: int | None) -> PreparedDocumentRow:
    new_v, old_v = document_versions(session, row, kind, version, old)
    doc = prepared_documents.find(session, row.id, new_v, kind, old_v)
    if doc is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"{_named(kind, new_v, old_v)} was not asked for")
    return doc


def _named(kind: str, version: int, from_version: int) -> str:
    return (
        f"{kind} of version {from_version} to {version}" if kind == CHANGED_AGENDAS else f"{kind} of version {version}"
    )


@organiser.get("/prepared/{kind}", response_model=PreparedPublic, responses=STATUS_RESPONSES)
def prepared_status(
    row: EventDep,
    kind: KindPath,
    session: SessionDep,
    response: Response,
    version: VersionQuery = None,
    old: FromQuery = None,
) -> PreparedPublic:
    """Where a prepared document stands: queued, running, done (with its `download_url`) or failed."""
    doc = _asked(session, row, kind, version, old)
    response.headers.update(NO_STORE)
    return status_of(doc)


@organiser.get("/prepared/{kind}/file", response_class=Response, responses=PREPARED_FILE | FILE_RESPONSES)
def prepared_file(
    row: EventDep, kind: KindPath, session: SessionDep, version: VersionQuery = None, old: FromQuery = None
) -> Response:
    """A prepared document's bytes, once done."""
    doc = _asked(session, row, kind, version, old)
    sent = send(session, row, doc)
    if sent is None:
        detail = f"{_named(kind, doc.version, doc.from_version)} is {doc.state}, not done"
        raise HTTPException(status.HTTP_409_CONFLICT, detail=detail)
    return sent


@organiser.get("/plan.pdf", response_class=Response, responses=PDF)
def plan_pdf(row: EventDep, session: SessionDep, version: VersionQuery = None) -> Response:
    """The organiser's master plan: per day a grid of slots × tables (A4 landscape)."""
    return _version_pdf(documents.plan_pdf, row, session, version)


@organiser.get("/table-signs.pdf", response_class=Response, responses=PDF)
def table_signs_pdf(row: EventDep, session: SessionDep, version: VersionQuery = None) -> Response:
    """One page per table: who sits there in each slot."""
    return _version_pdf(documents.table_signs_pdf, row, session, version)


@organiser.get("/participants/{participant_id}/agenda.pdf", response_class=Response, responses=PDF)
def participant_agenda_pdf(
    row: EventDep, participant_id: str, session: SessionDep, request: Request, settings: SettingsDep, secret: SecretDep
) -> Response:
    """One participant's agenda, for the organiser (the same document as the participant's own link)."""
    if participant_id not in service.load_event(row).participants:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Participant not found")
    links = private_links(request, settings, secret, session, row)
    document = documents.personal_agenda_pdf(request.app.state.pdf, session, row, participant_id, links)
    return _pdf(document.data, document.name)


# --- participant links ---------------------------------------------------------------------------


def _owner(session: Session, secret: str, token: str) -> tuple[EventRow, ParticipantRow] | EventRow | None:
    """The participant a link token belongs to and their event; for a link that no longer leads
    anywhere, the event it once led into (a replaced link) or None (a typo, a guess, a deleted event)."""
    p = service.participant_by_token(session, token)
    event = session.get(EventRow, p.event_id) if p is not None else None
    if p is not None and event is not None:
        return event, p
    return _replaced_link_event(session, token, secret)


def _replaced_link_event(session: Session, token: str, secret: str) -> EventRow | None:
    """The event of a link that was valid once and has since been replaced (its person's link
    version is higher now). Only people whose link was replaced are tried, one HMAC per old version."""
    if not token or len(token) > 100:
        return None
    for p in session.scalars(select(ParticipantRow).where(ParticipantRow.link_version > 1)):
        for version in range(1, p.link_version):
            if hmac.compare_digest(participant_token(secret, p.event_id, p.pid, version), token):
                return session.get(EventRow, p.event_id)
    return None


def wants_json(request: Request) -> bool:
    """A client that asks for JSON (and not for a page) keeps the API's JSON answer."""
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _link_problem(request: Request, event: EventRow | None) -> Response:
    """A friendly page for a wrong, replaced or expired agenda link, with the organiser's contact when
    the event is known (the same page for every link that never was, so a guess learns nothing);
    JSON `{"detail": "Agenda not found"}` for clients that ask for JSON."""
    if wants_json(request):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=AGENDA_NOT_FOUND)
    html = link_problem_page(service.load_event(event) if event is not None else None)
    return HTMLResponse(html, status_code=status.HTTP_404_NOT_FOUND, headers=PRIVATE_HEADERS)


def current_time() -> dt.datetime:
    """The clock the agenda page's "now / next" reads; tests override this dependency."""
    return dt.datetime.now(dt.UTC)


ClockDep = Annotated[dt.datetime, Depends(current_time)]


LangQuery = Annotated[
    str | None,
    Query(
        max_length=35,
        description="The agenda's language, e.g. fr or fr-FR (en, fr, de, da, fi, sv, lv, et, lt, pl); "
        "by default the participant's own (participants.csv `language`, else event.toml `language`). "
        "Another value is ignored.",
    ),
]


def _chosen(lang: str | None) -> str | None:
    """The supported language a `?lang=` names; None (the person's own) for none or another value."""
    return parse_language(lang) if lang else None


def _with_lang(url: str, language: str | None) -> str:
    return f"{url}?lang={language}" if language else url


def _own_link(request: Request, settings: Settings, token: str) -> dict[str, str]:
    links = agenda_links(request, settings, token)
    scheme, _, rest = links["ics"].partition("://")
    links["webcal"] = f"webcal://{rest}" if scheme in ("http", "https") else links["ics"]
    return links


@public.get("/{token}.pdf", response_class=Response, responses=PDF)
def my_agenda_pdf(
    token: str, session: SessionDep, secret: SecretDep, request: Request, settings: SettingsDep, lang: LangQuery = None
) -> Response:
    """Your agenda as an A4 PDF, one sheet per day, with a QR code of this page's address."""
    owner = _owner(session, secret, token)
    if not isinstance(owner, tuple):
        return _link_problem(request, owner)
    row, p = owner
    links = private_links(request, settings, secret, session, row) | {
        p.pid: _own_link(request, settings, token)["html"]
    }
    document = documents.personal_agenda_pdf(request.app.state.pdf, session, row, p.pid, links, _chosen(lang))
    return _pdf(document.data, document.name, private=True)


@public.get("/{token}.ics", response_class=Response, responses=ICS)
def my_agenda_ics(
    token: str, session: SessionDep, secret: SecretDep, request: Request, lang: LangQuery = None
) -> Response:
    """Your meetings as a calendar to subscribe to (webcal): the same address always answers with the
    latest published version, where a moved meeting keeps its UID with a higher SEQUENCE and a dropped
    one stays as a cancelled event, so calendar apps update their entries in place."""
    owner = _owner(session, secret, token)
    if not isinstance(owner, tuple):
        return _link_problem(request, owner)
    row, p = owner
    event = service.load_event(row)
    ics = agenda_ics(event, row.id, p.pid, service.published_versions(session, row, event), _chosen(lang))
    headers = disposition(file_name(row.name, p.name, ext="ics", fallback="agenda")) | PRIVATE_HEADERS
    return Response(ics, media_type="text/calendar; charset=utf-8", headers=headers)


@public.get("/{token}", response_class=HTMLResponse)
def my_agenda(
    token: str,
    session: SessionDep,
    secret: SecretDep,
    request: Request,
    settings: SettingsDep,
    clock: ClockDep,
    lang: LangQuery = None,
) -> Response:
    """Your agenda as a phone-first web page: the meeting under way and the next one on top, then
    every day, with buttons for the PDF, the calendar file and a calendar subscription; in your
    language, or the one `?lang=` chooses from the page's language links."""
    owner = _owner(session, secret, token)
    if not isinstance(owner, tuple):
        return _link_problem(request, owner)
    row, p = owner
    chosen = _chosen(lang)
    agenda = documents.personal_agenda(session, row, p.pid, chosen)
    srow = service.published_row(session, row)
    not_arranged: tuple[str, ...] = ()
    if srow is not None:
        event = service.load_event(row)
        schedule = service.parse_schedule(event, srow)
        unmet = reasons.version_unmet(event, srow, schedule)
        not_arranged = participant_lines(event, schedule, unmet, p.pid, agenda.language)
    links = _own_link(request, settings, token)
    local = {
        "pdf": _with_lang(f"/agenda/{token}.pdf", chosen),
        "ics": _with_lang(f"/agenda/{token}.ics", chosen),
        "webcal": _with_lang(links["webcal"], chosen),
    }
    languages = {code: f"/agenda/{token}?lang={code}" for code in LANGUAGES}
    html = agenda_page(agenda, local, not_arranged, now_next(agenda, clock), languages)
    return HTMLResponse(html, headers=PRIVATE_HEADERS)


__all__ = ["organiser", "public"]
