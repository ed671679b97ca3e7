"""Events: create (multipart or JSON), read, delete, and the participants with their private links.

Changes to the participants and wishes are in `changes.py`."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse
from sqlalchemy import select

from api import service
from api.deps import EventDep, RunnerDep, SecretDep, SessionDep, SettingsDep
from api.prepared import imports, state
from api.prepared.deps import ImportDep
from api.prepared.rows import ImportRow
from api.prepared.schemas import ImportAccepted, ImportPublic, outcome_of
from api.routes._common import (
    Responses,
    accepted,
    commit,
    current_schedule,
    follow_header_docs,
    no_store,
    participant_public,
    participant_view,
)
from api.schemas import (
    EventCreated,
    EventCreateJSON,
    EventPublic,
    InvalidEvent,
    ParticipantPublic,
    ParticipantsPublic,
    ProblemPublic,
)
from api.settings import Settings
from api.storage import ACTIVE_STATES, JobRow, ParticipantRow, delete_event, may_match
from scheduler.edits import participant_cells
from scheduler.problems import EventError, summarised

router = APIRouter(prefix="/api/events", tags=["events"])

_INVALID: Responses = {422: {"model": InvalidEvent, "description": "The files have problems; nothing was stored."}}
_ACCEPTED: Responses = {
    202: {
        "model": ImportAccepted,
        "description": "Large files: stored as they came and read in the background; follow `Location`.",
        "headers": follow_header_docs("import"),
    }
}


def _invalid(exc: EventError) -> JSONResponse:
    errors = len(exc.errors)
    return JSONResponse(
        status_code=422,
        content={
            "detail": f"{errors} problem{'s' if errors != 1 else ''} in the event files; nothing was stored",
            "problems": [p.as_dict() for p in summarised(exc.problems)],
        },
    )


def _create(
    session: SessionDep, request: Request, settings: Settings, secret: str, files: tuple[bytes, bytes, bytes]
) -> EventCreated | JSONResponse:
    if sum(len(f) for f in files) > settings.upload_inline_bytes:
        return _queue_import(session, request, files)
    try:
        created = service.create_event(
            session=session,
            secret=secret,
            event_toml=files[0],
            participants_csv=files[1],
            wishes_csv=files[2],
        )
    except EventError as exc:
        session.rollback()
        return _invalid(exc)
    session.commit()
    return EventCreated(
        id=created.row.id,
        organiser_token=created.organiser_token,
        warnings=[ProblemPublic(**p.as_dict()) for p in summarised(created.warnings)],
    )


def _queue_import(session: SessionDep, request: Request, files: tuple[bytes, bytes, bytes]) -> JSONResponse:
    """202: a big upload stored as it came, parsed in the background (a worker, or a background
    process of the web process), never in this request."""
    queued = imports.queue_import(session, files)
    background = request.app.state.background
    try:
        background.submit("import", queued.row.id)
    except Exception as exc:
        state.settle(request.app.state.db, ImportRow, queued.row.id, "failed", error=f"could not be queued: {exc}")
        raise
    body = ImportAccepted(
        id=queued.row.id,
        state="queued",
        organiser_token=queued.organiser_token,
        status_url=f"/api/events/imports/{queued.row.id}",
    )
    return accepted(body, body.status_url)


def read_upload(upload: UploadFile, limit: int) -> bytes:
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            detail=f"'{upload.filename or 'file'}' is larger than {limit} bytes",
        )
    return data


@router.post("", status_code=status.HTTP_201_CREATED, response_model=EventCreated, responses=_INVALID | _ACCEPTED)
def create_event(
    session: SessionDep,
    request: Request,
    settings: SettingsDep,
    secret: SecretDep,
    event: Annotated[UploadFile, File(description="event.toml")],
    participants: Annotated[UploadFile, File(description="participants.csv, or an .xlsx / .ods workbook")],
    wishes: Annotated[UploadFile, File(description="wishes.csv, or an .xlsx / .ods workbook")],
) -> EventCreated | JSONResponse:
    """Create an event from its three files (multipart); returns its id and the organiser token.

    Participants and wishes may be CSV (UTF-8, UTF-16 or Windows-1252; `,` `;` or tab) or Excel /
    OpenDocument workbooks; they are read by the library's loader, exactly as the CLI reads them.

    Files larger together than the server's `upload_inline_bytes` are stored as they came and read
    in the background: 202 with the organiser token and the import to follow (`Location`); the
    import ends with the created event, or with the problems a 422 would have listed."""
    limit = settings.max_upload_bytes
    files = (read_upload(event, limit), read_upload(participants, limit), read_upload(wishes, limit))
    return _create(session, request, settings, secret, files)


@router.post("/json", status_code=status.HTTP_201_CREATED, response_model=EventCreated, responses=_INVALID | _ACCEPTED)
def create_event_json(
    body: EventCreateJSON, session: SessionDep, request: Request, settings: SettingsDep, secret: SecretDep
) -> EventCreated | JSONResponse:
    """Create an event from the three files' contents sent as JSON text (each at most the upload limit)."""
    files = {"event": body.event, "participants": body.participants, "wishes": body.wishes}
    data = {name: text.encode("utf-8") for name, text in files.items()}
    for name, content in data.items():
        if len(content) > settings.max_upload_bytes:
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE, detail=f"'{name}' is larger than {settings.max_upload_bytes} bytes"
            )
    return _create(session, request, settings, secret, (data["event"], data["participants"], data["wishes"]))


@router.get("/imports/{import_id}", response_model=ImportPublic, dependencies=[Depends(no_store)])
def read_import(import_id: str, upload: ImportDep) -> ImportPublic:
    """Where a big upload stands: queued, running, done (`event_id`: the event, which the same
    organiser token now reaches) or failed (`problems`: file, row and column, as a 422 lists them;
    nothing was stored)."""
    return ImportPublic(
        id=upload.id,
        state=upload.state,  # type: ignore[arg-type]
        event_id=upload.event_id,
        **outcome_of(upload),
    )


@router.get("/{event_id}", response_model=EventPublic)
def read_event(row: EventDep, session: SessionDep) -> EventPublic:
    """The event's settings, counts and the latest schedule version."""
    event, srow = service.load_event(row), service.schedule_row(session, row.id)
    return EventPublic(
        id=row.id,
        name=row.name,
        timezone=row.timezone,
        dates=[d.date for d in event.days],
        slots=len(event.slots),
        tables=list(event.table_labels),
        participants=len(event.participants),
        wishes=len(event.wishes),
        objective=event.objective,
        created_at=row.created_at,
        revision=row.revision,
        latest_schedule_version=srow.version if srow else None,
        schedule_is_current=None if srow is None else (srow.result or {}).get("event_revision", 1) == row.revision,
        warnings=[ProblemPublic(**w) for w in row.warnings],
    )


@router.delete("/{event_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_event(row: EventDep, session: SessionDep, runner: RunnerDep) -> Response:
    """Delete the event and every personal datum of it; its links and tokens stop working."""
    jobs = list(session.scalars(select(JobRow.id).where(JobRow.event_id == row.id, JobRow.state.in_(ACTIVE_STATES))))
    for job_id in jobs:
        session.get(JobRow, job_id).cancel_requested = True  # type: ignore[union-attr]
    session.commit()
    for job_id in jobs:
        runner.cancel(job_id, immediately=True)
    delete_event(session, row.id)
    session.commit()
    service.forget(row.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{event_id}/participants", response_model=ParticipantsPublic, dependencies=[Depends(no_store)])
def list_participants(
    row: EventDep, session: SessionDep, settings: SettingsDep, secret: SecretDep, request: Request
) -> ParticipantsPublic:
    """Every participant with the URLs of their private agenda (page, PDF, calendar)."""
    _, _, schedule = current_schedule(session, row, required=False)
    count: Counter[str] = Counter()
    for m in schedule.meetings if schedule else ():
        count[m.a] += 1
        count[m.b] += 1
    people = service.participants_of(session, row.id)
    cells = participant_cells(row.participants_csv)
    data = [participant_public(request, settings, secret, p, count[p.pid], cells.get(p.pid)) for p in people]
    return ParticipantsPublic(data=data, count=len(data))


@router.post("/{event_id}/participants/{participant_id}/link", response_model=ParticipantPublic)
def reissue_link(
    row: EventDep,
    participant_id: str,
    session: SessionDep,
    settings: SettingsDep,
    secret: SecretDep,
    request: Request,
) -> ParticipantPublic:
    """Revoke one participant's private link and issue a new one (the old link then gives 404)."""
    p = (
        session.scalar(
            select(ParticipantRow).where(ParticipantRow.event_id == row.id, ParticipantRow.pid == participant_id)
        )
        if may_match(participant_id)
        else None
    )
    if p is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Participant not found")
    service.reissue_link(secret=secret, participant=p)
    # The answer is built before the commit: a failure then revokes nothing, and the organiser
    # never loses the old link without getting the new one.
    view = participant_view(request, settings, secret, session, row, p)
    commit(session)
    return view
