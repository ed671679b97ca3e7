"""The API's answers about a document prepared away from the request (`api.prepared`), shared by
everyone's agendas (agendas.py) and the re-issued agendas of a change (diffs.py): the file when it
is ready or gets ready within `document_wait_seconds`, else 202 with where to follow it."""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from api.prepared import documents as prepared_documents
from api.prepared.rows import ACTIVE, CHANGED_AGENDAS, NO_VERSION, PreparedDocumentRow
from api.prepared.schemas import PreparedPublic
from api.routes._common import (
    MAX_VERSION,
    NO_STORE,
    Responses,
    accepted,
    base_url,
    disposition,
    follow_header_docs,
    stored_version,
)
from api.settings import Settings
from api.storage import EventRow

PREPARING: Responses = {
    202: {
        "model": PreparedPublic,
        "description": "Being prepared away from the request: follow `Location` (the status) and ask again.",
        "headers": follow_header_docs("status"),
    }
}
FOLLOW_HEADERS: Responses = {202: {"headers": follow_header_docs("status")}}
FromQuery = Annotated[
    int | None,
    Query(
        alias="from",
        ge=1,
        le=MAX_VERSION,
        description="changed-agendas.pdf only: the older version the changes are counted from; by default the "
        "one before `version`.",
    ),
]


def version_pair(session: Session, row: EventRow, old: int | None, new: int | None) -> tuple[int, int]:
    """(from, to) of a comparison: `new` (the latest by default) and `old` (by default the version
    before it); 404 when either is not kept, or when `new` is the first and there is nothing before."""
    to_row = stored_version(session, row, new)
    if old is None:
        if to_row.version == 1:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                detail="Version 1 is the first: there is no earlier version to compare it with",
            )
        old = to_row.version - 1
    return stored_version(session, row, old).version, to_row.version


def document_versions(
    session: Session, row: EventRow, kind: str, version: int | None, old: int | None
) -> tuple[int, int]:
    """(version, from_version) of a prepared document of `kind`: `from` belongs to changed-agendas.pdf
    only (422 with another kind, as a wrong query parameter is)."""
    if kind == CHANGED_AGENDAS:
        old_v, new_v = version_pair(session, row, old, version)
        return new_v, old_v
    if old is not None:
        error = {"type": "value_error", "loc": ("query", "from"), "input": old}
        raise RequestValidationError([error | {"msg": f"{kind} shows one version: 'from' is for {CHANGED_AGENDAS}"}])
    return stored_version(session, row, version).version, NO_VERSION


def _query(doc: PreparedDocumentRow) -> str:
    """The status's and file's query: the version, and the one compared with for changed agendas."""
    pair = f"&from={doc.from_version}" if doc.kind == CHANGED_AGENDAS and doc.from_version != NO_VERSION else ""
    return f"?version={doc.version}{pair}"


def status_of(doc: PreparedDocumentRow) -> PreparedPublic:
    base = f"/api/events/{doc.event_id}/prepared/{doc.kind}"
    return PreparedPublic(
        id=doc.id,
        event_id=doc.event_id,
        version=doc.version,
        from_version=doc.from_version if doc.kind == CHANGED_AGENDAS else None,
        kind=doc.kind,  # type: ignore[arg-type]
        state=doc.state,  # type: ignore[arg-type]
        attempts=doc.attempts,
        error=doc.error,
        size=doc.size,
        created_at=doc.created_at,
        started_at=doc.started_at,
        finished_at=doc.finished_at,
        status_url=f"{base}{_query(doc)}",
        download_url=f"{base}/file{_query(doc)}" if doc.state == "done" else None,
    )


def follow(doc: PreparedDocumentRow) -> JSONResponse:
    """202: where to follow a document being prepared, and when to look again."""
    body = status_of(doc)
    return accepted(body, body.status_url)


def send(session: Session, row: EventRow, doc: PreparedDocumentRow) -> Response | None:
    """The done document's bytes; None when it is not done."""
    document = prepared_documents.document_of(session, row, doc)
    if document is None:
        return None
    headers = disposition(document.name) | NO_STORE
    return Response(document.data, media_type=document.media_type, headers=headers)


def file_or_follow(
    kind: str,
    row: EventRow,
    session: Session,
    request: Request,
    settings: Settings,
    version: int,
    from_version: int = NO_VERSION,
) -> Response:
    """The document if it is prepared (or gets done within `document_wait_seconds`), else 202. The
    request only queues and waits: the rendering runs in the background (`api.prepared.runner`)."""
    db = request.app.state.db
    doc = prepared_documents.ask(
        db, session, row, version, kind, base_url(request, settings), request.app.state.background, from_version
    )
    if doc.state in ACTIVE:
        prepared_documents.wait_settled(db, doc.id, settings.document_wait_seconds)
        session.refresh(doc)
    return send(session, row, doc) or follow(doc)
