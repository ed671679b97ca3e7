"""A whole new participants or wishes file for an existing event: judge it, show what it changes,
and only then apply it (a new revision of the event).

Small files (the event's three files together within `upload_inline_bytes`) are judged in the
request. The checked file is not stored while the organiser looks at its changes: the confirmation
page carries it back in a hidden field, signed for this event and the revision it was judged
against (`api.web.uploads.seal`). Applying refuses a changed field, and a confirmation made before
another change of the event (its revision moved on): the organiser then uploads again.

Bigger files are never parsed in a request (`api.prepared.replacements`): they are stored as they
came, the changes are worked out in the background while a page follows them (htmx polling, a
Refresh link without JavaScript), and the confirmation queues them to be stored in the background
too, which re-checks the event's revision in its one short write.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import service
from api.deps import SecretDep, SessionDep, SettingsDep
from api.prepared import replacements, state
from api.prepared.rows import ACTIVE, ImportRow
from api.settings import current_limits
from api.storage import EventRow, unstorable_problems
from api.web.deps import CSRF, IdleWebEventDep, WebEventDep
from api.web.errors import error_page
from api.web.imports import follow
from api.web.pages import PAGE_HEADERS, render
from api.web.uploads import UPLOAD_FORM, BadSeal, FormDep, TooLarge, Upload, read_upload, seal, unseal
from scheduler.file_changes import file_changes
from scheduler.io.loading import load_event_bytes
from scheduler.problems import EventError, Problem, summarised

router = APIRouter(include_in_schema=False)

FILES = (("participants", "Participants"), ("wishes", "Wishes"))


def _purpose(row: EventRow, revision: int, key: str) -> str:
    return f"revise:{row.id}:{revision}:{key}"


@router.get("/events/{event_id}/files", response_class=HTMLResponse)
def files_page(row: WebEventDep, request: Request, settings: SettingsDep) -> HTMLResponse:
    return _form(request, row, settings.max_upload_bytes)


@router.post("/events/{event_id}/files", response_class=HTMLResponse, dependencies=UPLOAD_FORM)
def check_files(
    row: WebEventDep, request: Request, form: FormDep, session: SessionDep, secret: SecretDep, settings: SettingsDep
) -> Response:
    """Judge the new file(s) with the event's other files; show what they change, store nothing.
    Big files are stored to be judged in the background, and a page follows them."""
    limit = settings.max_upload_bytes
    uploads: dict[str, Upload] = {}
    try:
        for key, _label in FILES:
            upload = read_upload(form, key, limit)
            if upload is not None:
                uploads[key] = upload
    except TooLarge as exc:
        return _form(request, row, limit, status.HTTP_413_CONTENT_TOO_LARGE, failure=str(exc))
    if not uploads:
        return _form(
            request,
            row,
            limit,
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            failure="Choose a new participants file, a new wishes file, or both.",
        )
    participants = uploads["participants"].data if "participants" in uploads else row.participants_csv
    wishes = uploads["wishes"].data if "wishes" in uploads else row.wishes_csv
    if len(row.event_toml) + len(participants) + len(wishes) > settings.upload_inline_bytes:
        return _queued(request, session, row, uploads)
    try:
        loaded = load_event_bytes(row.event_toml, participants, wishes, limits=current_limits())
        unstorable = unstorable_problems(row.event_toml, participants, wishes, loaded.event.participants)
        if unstorable:
            raise EventError(unstorable + loaded.warnings)
    except EventError as exc:
        return _form(request, row, limit, status.HTTP_422_UNPROCESSABLE_CONTENT, problems=exc.problems)
    revision = row.revision or 1
    hidden = {"revision": str(revision)} | {
        f"kept-{key}": seal(secret, _purpose(row, revision, key), upload) for key, upload in uploads.items()
    }
    return _confirmation(
        request,
        row,
        changes=replacements.summary(file_changes(service.load_event(row), loaded.event)),
        names={key: upload.name for key, upload in uploads.items()},
        warnings=[p.as_dict() for p in summarised(loaded.warnings)],
        action=f"/events/{row.id}/files/apply",
        hidden=hidden,
    )


def _confirmation(
    request: Request,
    row: EventRow,
    *,
    changes: dict[str, Any],
    names: dict[str, str],
    warnings: list[dict[str, Any]],
    action: str,
    hidden: dict[str, str],
) -> HTMLResponse:
    """The changes of valid new files (`replacements.summary`), with the form that applies them."""
    return render(
        request,
        "revise_confirm.html",
        event=row,
        section="overview",
        changes=changes,
        files=FILES,
        names=names,
        revision=row.revision or 1,
        warnings=warnings,
        action=action,
        hidden=hidden,
    )


@router.post("/events/{event_id}/files/apply", dependencies=UPLOAD_FORM)
def apply_files(
    row: IdleWebEventDep, request: Request, form: FormDep, session: SessionDep, secret: SecretDep, settings: SettingsDep
) -> Response:
    """Store the confirmed file(s) as the event's next revision, then back to the overview."""
    sent_revision = form.get("revision")
    revision = int(sent_revision) if isinstance(sent_revision, str) and sent_revision.isdigit() else 0
    files: dict[str, Upload] = {}
    for key, _label in FILES:
        value = form.get(f"kept-{key}")
        if isinstance(value, str) and value:
            try:
                files[key] = unseal(secret, _purpose(row, revision, key), value, settings.max_upload_bytes)
            except BadSeal:
                return _refused(request, status.HTTP_400_BAD_REQUEST, "This confirmation was changed on its way back.")
    if not files:
        return _refused(request, status.HTTP_400_BAD_REQUEST, "This confirmation holds no file to apply.")
    if revision != (row.revision or 1):
        return _refused(
            request,
            status.HTTP_409_CONFLICT,
            f"The event changed after the file was checked (it was revision {revision}, it is now revision "
            f"{row.revision}); these changes were worked out against the old one.",
        )
    try:
        service.store_files(
            session=session,
            secret=secret,
            row=row,
            participants_csv=files["participants"].data if "participants" in files else row.participants_csv,
            wishes_csv=files["wishes"].data if "wishes" in files else row.wishes_csv,
        )
    except EventError as exc:  # only if the library's rules changed in between: judged again, as ever
        session.rollback()
        return _form(
            request, row, settings.max_upload_bytes, status.HTTP_422_UNPROCESSABLE_CONTENT, problems=exc.problems
        )
    session.commit()
    return RedirectResponse(f"/events/{row.id}", status_code=status.HTTP_303_SEE_OTHER, headers=PAGE_HEADERS)


# --- files too big to judge in the request -------------------------------------------------------


def page_path(event_id: str, import_id: str) -> str:
    return f"/events/{event_id}/files/{import_id}"


def _queued(request: Request, session: SessionDep, row: EventRow, uploads: dict[str, Upload]) -> Response:
    """Store the new file(s) to be judged in the background; the browser goes to the page that follows them."""
    files = {key: (upload.name, upload.data) for key, upload in uploads.items()}
    upload = replacements.queue_replacement(session, row, files, stage="check")
    _submit(request, upload.id)
    return follow(request, page_path(row.id, upload.id))


def _submit(request: Request, import_id: str) -> None:
    try:
        request.app.state.background.submit("import", import_id)
    except Exception as exc:
        state.settle(request.app.state.db, ImportRow, import_id, "failed", error=f"could not be queued: {exc}")
        raise


def _replacement(session: SessionDep, row: EventRow, import_id: str) -> ImportRow:
    upload = session.get(ImportRow, import_id) if len(import_id) <= 32 else None
    if upload is None or upload.event_id != row.id or upload.base_revision is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail="These files are not known: they were for another event, or were applied or refused a day ago.",
        )
    return upload


@router.get("/events/{event_id}/files/{import_id}", response_class=HTMLResponse)
def replacement_page(row: WebEventDep, import_id: str, request: Request, session: SessionDep) -> Response:
    """While big files are read: the progress; then their changes to confirm, or their problems;
    once applied, the event's overview (as after applying small files)."""
    upload = _replacement(session, row, import_id)
    if upload.state == "done":
        return RedirectResponse(f"/events/{row.id}", status_code=status.HTTP_303_SEE_OTHER, headers=PAGE_HEADERS)
    if upload.state == "checked" and upload.changes is not None:
        return _confirmation(
            request,
            row,
            changes=upload.changes,
            names=upload.replaced or {},
            warnings=upload.warnings,
            action=f"{page_path(row.id, upload.id)}/apply",
            hidden={},
        )
    return render(
        request, "revise_import.html", event=row, section="overview", upload=upload, active=upload.state in ACTIVE
    )


@router.get("/events/{event_id}/files/{import_id}/progress", response_class=HTMLResponse)
def replacement_progress(row: WebEventDep, import_id: str, request: Request, session: SessionDep) -> Response:
    """The live part (polled by htmx); once settled, the whole page is loaded again to show the outcome."""
    upload = _replacement(session, row, import_id)
    response = render(request, "_revise_progress.html", event=row, upload=upload, active=upload.state in ACTIVE)
    if upload.state not in ACTIVE:
        response.headers["HX-Refresh"] = "true"
    return response


@router.post("/events/{event_id}/files/{import_id}/apply", dependencies=CSRF)
def apply_replacement(row: IdleWebEventDep, import_id: str, request: Request, session: SessionDep) -> Response:
    """Queue the confirmed big file(s) to be stored in the background, then follow them on their page.
    A change of the event since they were sent refuses them here already (and again when stored)."""
    upload = _replacement(session, row, import_id)
    if upload.state == "checked":
        base = upload.base_revision or 1
        if base != (row.revision or 1):
            replacements.refuse(session, upload.id, replacements.conflict_message(base, row.revision))
            return _refused(request, status.HTTP_409_CONFLICT, replacements.moved_on(base, row.revision) + ".")
        if replacements.confirm(session, upload):
            _submit(request, upload.id)
    return RedirectResponse(page_path(row.id, upload.id), status_code=status.HTTP_303_SEE_OTHER, headers=PAGE_HEADERS)


def _refused(request: Request, status_code: int, message: str) -> HTMLResponse:
    return error_page(
        request, status_code, message + " Nothing was changed.", "Upload the file again to see its changes."
    )


def _form(
    request: Request,
    row: EventRow,
    limit: int,
    status_code: int = status.HTTP_200_OK,
    failure: str = "",
    problems: list[Problem] | None = None,
) -> HTMLResponse:
    all_problems = [p.as_dict() for p in summarised(problems or [])]
    event = service.load_event(row)
    context: dict[str, Any] = {
        "event": row,
        "section": "overview",
        "model": event,
        "files": FILES,
        "failure": failure,
        "errors": [p for p in all_problems if p["severity"] == "error"],
        "warnings": [p for p in all_problems if p["severity"] == "warning"],
        "limit": limit,
    }
    return render(request, "revise.html", status_code=status_code, **context)
