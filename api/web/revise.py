"""A whole new participants or wishes file for an existing event: judge it, show what it changes,
and only then apply it (a new revision of the event).

The checked file is not stored while the organiser looks at its changes: the confirmation page
carries it back in a hidden field, signed for this event and the revision it was judged against
(`api.web.uploads.seal`). Applying refuses a changed field, and a confirmation made before
another change of the event (its revision moved on): the organiser then uploads again.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import service
from api.deps import SecretDep, SessionDep, SettingsDep
from api.settings import current_limits
from api.storage import EventRow, unstorable_problems
from api.web.deps import IdleWebEventDep, WebEventDep
from api.web.errors import error_page
from api.web.file_changes import file_changes
from api.web.pages import PAGE_HEADERS, render
from api.web.uploads import UPLOAD_FORM, BadSeal, FormDep, TooLarge, Upload, read_upload, seal, unseal
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
    row: WebEventDep, request: Request, form: FormDep, secret: SecretDep, settings: SettingsDep
) -> HTMLResponse:
    """Judge the new file(s) with the event's other files; show what they change, store nothing."""
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
    try:
        loaded = load_event_bytes(row.event_toml, participants, wishes, limits=current_limits())
        unstorable = unstorable_problems(row.event_toml, participants, wishes, loaded.event.participants)
        if unstorable:
            raise EventError(unstorable + loaded.warnings)
    except EventError as exc:
        return _form(request, row, limit, status.HTTP_422_UNPROCESSABLE_CONTENT, problems=exc.problems)
    revision = row.revision or 1
    return render(
        request,
        "revise_confirm.html",
        event=row,
        section="overview",
        changes=file_changes(service.load_event(row), loaded.event),
        files=FILES,
        uploads=uploads,
        sealed={key: seal(secret, _purpose(row, revision, key), upload) for key, upload in uploads.items()},
        revision=revision,
        warnings=[p.as_dict() for p in summarised(loaded.warnings)],
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
