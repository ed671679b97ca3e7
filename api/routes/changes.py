"""On-the-day changes to the event: a person cancels, is absent, arrives late (availability), a
late registrant, a new wish. Each change edits the stored files, is checked by the library's
loader (422 with its problem records, nothing stored, when invalid) and bumps the event revision;
the next solve repairs the schedule for it. Changes are refused (409) while a solve runs."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import select

from api import changes
from api.deps import EventDep, IdleEventDep, SecretDep, SessionDep, SettingsDep
from api.routes._common import commit, invalid_change, participant_view
from api.schemas import (
    InvalidEvent,
    ParticipantChanged,
    ParticipantCreate,
    ParticipantUpdate,
    WishChanged,
    WishCreate,
    WishesPublic,
    WishPublic,
)
from api.storage import EventRow, ParticipantRow
from scheduler import edits
from scheduler.io.columns import priority_of
from scheduler.problems import EventError

router = APIRouter(prefix="/api/events/{event_id}", tags=["changes"])

_RESPONSES: dict[int | str, dict[str, object]] = {
    409: {"description": "A solve of this event is queued or running."},
    422: {
        "model": InvalidEvent,
        "description": "The change would make the event invalid; nothing was changed.",
    },
}


def _changed(
    request: Request, settings: SettingsDep, secret: str, session: SessionDep, row: EventRow, pid: str
) -> ParticipantChanged:
    """The response to a participant change; built before the commit, so that a failure stores nothing."""
    p = session.scalar(select(ParticipantRow).where(ParticipantRow.event_id == row.id, ParticipantRow.pid == pid))
    assert p is not None
    return ParticipantChanged(
        event_revision=row.revision,
        participant=participant_view(request, settings, secret, session, row, p),
        warnings=row.warnings,  # type: ignore[arg-type]
    )


@router.patch(
    "/participants/{participant_id}",
    response_model=ParticipantChanged,
    responses=_RESPONSES | {404: {"description": "No such participant."}},
)
def update_participant(
    row: IdleEventDep,
    participant_id: str,
    body: ParticipantUpdate,
    session: SessionDep,
    settings: SettingsDep,
    secret: SecretDep,
    request: Request,
) -> ParticipantChanged | JSONResponse:
    """Change one person: status (cancelled, absent, registered), availability, cap, details.

    Only the fields sent change; null clears one. The schedule is not touched: start a solve to
    repair it (the person's meetings go, or fit their new hours, and freed time is refilled).
    """
    values = body.model_dump(include=body.model_fields_set)
    if not values:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="Send at least one field to change")
    try:
        changes.update_participant(session=session, secret=secret, row=row, pid=participant_id, values=values)
    except edits.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
    except EventError as exc:
        session.rollback()
        return invalid_change(exc)
    changed = _changed(request, settings, secret, session, row, participant_id)
    commit(session)
    return changed


@router.post(
    "/participants",
    status_code=status.HTTP_201_CREATED,
    response_model=ParticipantChanged,
    responses=_RESPONSES,
)
def add_participant(
    row: IdleEventDep,
    body: ParticipantCreate,
    session: SessionDep,
    settings: SettingsDep,
    secret: SecretDep,
    request: Request,
) -> ParticipantChanged | JSONResponse:
    """Register a late participant; returns their private agenda links (add their wishes next)."""
    values = {"id": body.id} | body.model_dump(exclude={"id"}, exclude_none=True)
    try:
        changes.add_participant(session=session, secret=secret, row=row, values=values)
    except EventError as exc:
        session.rollback()
        return invalid_change(exc)
    changed = _changed(request, settings, secret, session, row, body.id)
    commit(session)
    return changed


def _wish_public(cells: dict[str, str]) -> WishPublic:
    return WishPublic(
        requester=cells["requester"],
        target=cells["target"],
        priority=priority_of(cells["priority"]) or 2,  # the loader accepted the file: never the fallback
        window=cells["window"],
        status="declined" if cells["status"].lower() == "declined" else "requested",
    )


@router.get("/wishes", response_model=WishesPublic)
def list_wishes(row: EventDep) -> WishesPublic:
    """Every wish that counts (the first row of each requester → target), declined ones included."""
    data = [_wish_public(c) for c in edits.wish_cells(row.wishes_csv)]
    return WishesPublic(data=data, count=len(data))


@router.post(
    "/wishes",
    status_code=status.HTTP_201_CREATED,
    response_model=WishChanged,
    responses=_RESPONSES | {200: {"model": WishChanged, "description": "An existing wish was updated."}},
)
def put_wish(
    row: IdleEventDep, body: WishCreate, session: SessionDep, secret: SecretDep, response: Response
) -> WishChanged | JSONResponse:
    """Add a wish (201), or update the existing requester → target row (200): priority, window,
    status. The next solve schedules it if it fits; `declined` takes a pair out for good. An update
    changes only the fields sent (null clears the window)."""
    try:
        _, created = changes.put_wish(
            session=session, secret=secret, row=row, values=body.model_dump(), sent=body.model_fields_set
        )
    except EventError as exc:
        session.rollback()
        return invalid_change(exc)
    # Built before the commit: a failure here stores nothing.
    cells = next(
        c for c in edits.wish_cells(row.wishes_csv) if (c["requester"], c["target"]) == (body.requester, body.target)
    )
    changed = WishChanged(
        event_revision=row.revision,
        created=created,
        wish=_wish_public(cells),
        warnings=row.warnings,  # type: ignore[arg-type]
    )
    commit(session)
    if not created:
        response.status_code = status.HTTP_200_OK
    return changed
