"""A whole new participants.csv and/or wishes.csv for an existing event (the API's side of the
organiser's "New participants or wishes" page, without its confirmation step).

Files within `upload_inline_bytes` (the event's three files together) are read in the request and
stored as the next revision, as a change of one row is. Bigger ones are never parsed in a request
(issue 12, finding 2): stored as they came, answered 202 with the replacement to follow, read and
checked in the background (`api.prepared.replacements`), then stored in one short transaction that
re-checks the event's revision, so a change made meanwhile wins and the files are refused with a
message saying so.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile, status
from fastapi.responses import JSONResponse

from api import service
from api.deps import EventDep, IdleEventDep, SecretDep, SessionDep, SettingsDep
from api.prepared import replacements, state
from api.prepared.rows import ImportRow
from api.prepared.schemas import FilesReplaced, ReplacementAccepted, ReplacementPublic, outcome_of
from api.routes._common import Responses, accepted, commit, follow_header_docs, invalid_change, no_store
from api.routes.events import read_upload
from api.schemas import InvalidEvent, ProblemPublic
from scheduler.problems import EventError, summarised

router = APIRouter(prefix="/api/events/{event_id}/files", tags=["changes"])

REPLACEMENT_NOT_FOUND = "Replacement not found"

_RESPONSES: Responses = {
    400: {"description": "The multipart body could not be read."},  # a malformed body, refused by the form parser
    202: {
        "model": ReplacementAccepted,
        "description": "Large files: stored as they came and read in the background; follow `Location`.",
        "headers": follow_header_docs("replacement"),
    },
    409: {"description": "A solve of this event is queued or running."},
    422: {"model": InvalidEvent, "description": "The files make the event invalid; nothing was changed."},
}


def _status_url(event_id: str, import_id: str) -> str:
    return f"/api/events/{event_id}/files/imports/{import_id}"


@router.put("", response_model=FilesReplaced, responses=_RESPONSES)
def replace_files(
    row: IdleEventDep,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    secret: SecretDep,
    participants: Annotated[
        UploadFile | None, File(description="The whole new participants.csv, or an .xlsx / .ods workbook")
    ] = None,
    wishes: Annotated[
        UploadFile | None, File(description="The whole new wishes.csv, or an .xlsx / .ods workbook")
    ] = None,
) -> FilesReplaced | JSONResponse:
    """Replace the event's participants and/or wishes with whole new files (multipart; a file not
    sent stays as it is), checked with the event's settings by the library's loader; the next
    revision of the event. People keep their private links; new people get one.

    Files larger together with the event's other files than the server's `upload_inline_bytes`
    are stored as they came and read in the background: 202 with the replacement to follow
    (`Location`), which ends stored, or with the problems a 422 would have listed, or refused
    because the event changed first (nothing is stored then)."""
    limit = settings.max_upload_bytes
    sent = {
        key: (upload.filename or f"{key}.csv", read_upload(upload, limit))
        for key, upload in (("participants", participants), ("wishes", wishes))
        if upload is not None
    }
    sent = {key: file for key, file in sent.items() if file[1]}
    if not sent:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail="Send a participants file, a wishes file, or both"
        )
    new_participants = sent["participants"][1] if "participants" in sent else row.participants_csv
    new_wishes = sent["wishes"][1] if "wishes" in sent else row.wishes_csv
    if len(row.event_toml) + len(new_participants) + len(new_wishes) > settings.upload_inline_bytes:
        upload = replacements.queue_replacement(session, row, sent, stage="apply")
        try:
            request.app.state.background.submit("import", upload.id)
        except Exception as exc:
            state.settle(request.app.state.db, ImportRow, upload.id, "failed", error=f"could not be queued: {exc}")
            raise
        body = ReplacementAccepted(
            id=upload.id,
            state="queued",
            base_revision=upload.base_revision or 1,
            status_url=_status_url(row.id, upload.id),
        )
        return accepted(body, body.status_url)
    try:
        loaded = service.store_files(
            session=session, secret=secret, row=row, participants_csv=new_participants, wishes_csv=new_wishes
        )
    except EventError as exc:
        session.rollback()
        return invalid_change(exc)
    answer = FilesReplaced(
        event_revision=row.revision,
        participants=len(loaded.event.participants),
        wishes=len(loaded.event.wishes),
        warnings=[ProblemPublic(**p.as_dict()) for p in summarised(loaded.warnings)],
    )
    commit(session)
    return answer


@router.get("/imports/{import_id}", response_model=ReplacementPublic, dependencies=[Depends(no_store)])
def read_replacement(row: EventDep, import_id: str, session: SessionDep) -> ReplacementPublic:
    """Where big new files stand: queued, running, done (`event_revision`: the revision they made)
    or failed (`problems`: file, row and column, as a 422 lists them; or `detail`: the change that
    came first). Nothing is stored when it fails."""
    upload = session.get(ImportRow, import_id) if len(import_id) <= 32 else None
    if upload is None or upload.event_id != row.id or upload.base_revision is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=REPLACEMENT_NOT_FOUND)
    return ReplacementPublic(
        id=upload.id,
        event_id=row.id,
        state=upload.state,  # type: ignore[arg-type]
        base_revision=upload.base_revision,
        event_revision=upload.base_revision + 1 if upload.state == "done" else None,
        **outcome_of(upload),
    )
