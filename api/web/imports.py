"""A new event from files too big to read in the request (more than `upload_inline_bytes`): the
upload is stored as it came and parsed in the background (`api.prepared.imports`), and this page
follows it, then shows the organiser link (the event created) or the problems, file by file.

The import's token (the event's organiser token to be) rides in a cookie scoped to this page only:
the browser that uploaded is the one that may see the result.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from api import service
from api.deps import SessionDep
from api.prepared import imports, state
from api.prepared.rows import ACTIVE, ImportRow
from api.security import digest
from api.storage import EventRow
from api.web.access import created_page
from api.web.pages import PAGE_HEADERS, render
from api.web.session import secure_cookies
from scheduler.problems import Problem

router = APIRouter(include_in_schema=False)

IMPORT_COOKIE = "matchday_import"


def page_path(import_id: str) -> str:
    return f"/events/new/imports/{import_id}"


def queued(request: Request, session: SessionDep, files: tuple[bytes, bytes, bytes]) -> Response:
    """Store the files, hand them to the background, and send the browser to the page that follows them."""
    queued = imports.queue_import(session, files)
    try:
        request.app.state.background.submit("import", queued.row.id)
    except Exception as exc:
        state.settle(request.app.state.db, ImportRow, queued.row.id, "failed", error=f"could not be queued: {exc}")
        raise
    path = page_path(queued.row.id)
    response = follow(request, path)
    response.set_cookie(
        IMPORT_COOKIE,
        queued.organiser_token,
        path=path,
        secure=secure_cookies(request),
        httponly=True,
        samesite="lax",
    )
    return response


def follow(request: Request, path: str) -> Response:
    """Send the browser to the page that follows long work: a 303, or for htmx's form post a full
    load of it (`HX-Redirect`). htmx would swap a followed redirect's page in under the form's own
    address, and the progress's final reload (`HX-Refresh`) would then show the empty form again
    (and the new event's link, kept in a cookie of the import page's path only, would be lost)."""
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=status.HTTP_200_OK, headers={"HX-Redirect": path} | PAGE_HEADERS)
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER, headers=PAGE_HEADERS)


def _import(request: Request, session: SessionDep, import_id: str) -> tuple[ImportRow, str]:
    token = request.cookies.get(IMPORT_COOKIE, "")
    row = session.scalar(select(ImportRow).where(ImportRow.token_hash == digest(token))) if token else None
    if row is None or row.id != import_id:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail="This upload is not known to this browser: it was made elsewhere, or its result was already shown.",
        )
    return row, token


@router.get("/events/new/imports/{import_id}", response_class=HTMLResponse)
def import_page(import_id: str, request: Request, session: SessionDep) -> Response:
    """While the files are read: the progress; then the created event's link (once), or the problems."""
    upload, token = _import(request, session, import_id)
    if upload.state == "done" and upload.event_id is not None:
        event = session.get(EventRow, upload.event_id)
        if event is not None:
            warnings = [Problem(**w) for w in upload.warnings]
            response = created_page(request, service.CreatedEvent(row=event, organiser_token=token, warnings=warnings))
            response.delete_cookie(IMPORT_COOKIE, path=page_path(import_id), secure=secure_cookies(request))
            return response
    return render(request, "import.html", upload=upload, active=upload.state in ACTIVE)


@router.get("/events/new/imports/{import_id}/progress", response_class=HTMLResponse)
def import_progress(import_id: str, request: Request, session: SessionDep) -> Response:
    """The live part (polled by htmx); once settled, the whole page is loaded again to show the outcome."""
    upload, _ = _import(request, session, import_id)
    response = render(request, "_import_progress.html", upload=upload, active=upload.state in ACTIVE)
    if upload.state not in ACTIVE:
        response.headers["HX-Refresh"] = "true"
    return response
