"""Hand edits of the schedule: cancel, move or pin one meeting of the latest version.

Each edit stores a new schedule version (old versions stay downloadable) and answers with who
is affected, so that only their agendas are re-issued. A move that would break a hard rule is
refused (422) with the broken rules in words, and nothing changes. Edits are refused (409)
while a solve runs, since the solve would store a version that ignores them.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse

from api import changes, service
from api.deps import IdleEventDep, SecretDep, SessionDep, SettingsDep
from api.routes._common import base_url, commit
from api.routes.schedules import change_summary, meetings_public
from api.schemas import EditRefused, EditResult, MeetingMove, MeetingPin, MeetingRef, ViolationPublic
from api.storage import EventRow
from scheduler import edits
from scheduler.check.checker import Violation
from scheduler.domain import Event, Schedule

router = APIRouter(prefix="/api/events/{event_id}/meetings", tags=["hand edits"])

_RESPONSES: dict[int | str, dict[str, object]] = {
    404: {"description": "No schedule yet, or the pair has no meeting in the latest version."},
    409: {"description": "A solve of this event is queued or running."},
}


def violation_public(event: Event, v: Violation) -> ViolationPublic:
    slot = event.slots[v.slot] if v.slot is not None and 0 <= v.slot < len(event.slots) else None
    return ViolationPublic(
        rule=v.rule,
        code=v.code,
        message=str(v),
        people=list(v.people),
        day=slot.date if slot else None,
        slot=slot.number if slot else None,
    )


def _result(request: Request, settings: SettingsDep, row: EventRow, edit: changes.Edit) -> EditResult:
    event = service.load_event(row)
    srow = edit.version
    result = srow.result or {}
    meeting = None
    if edit.meeting is not None:
        meeting = meetings_public(event, Schedule.of([edit.meeting]))[0]
    diff_url = None
    if edit.created and result.get("based_on"):
        diff_url = f"{base_url(request, settings)}/api/events/{row.id}/diff?from={result['based_on']}&to={srow.version}"
    return EditResult(
        version=srow.version,
        created=edit.created,
        kind=result.get("kind", "solve"),
        based_on=result.get("based_on"),
        event_revision=result.get("event_revision", 1),
        meeting=meeting,
        changes=change_summary(result) if edit.created else None,
        people_affected=edit.people_affected,
        diff_url=diff_url,
    )


def _not_found(exc: edits.NotFound) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc))


_REFUSED: dict[int | str, dict[str, object]] = {
    422: {"model": EditRefused, "description": "The edit breaks hard rules; nothing was changed."}
}


def _refused(session: SessionDep, row: EventRow, exc: edits.EditRefused) -> JSONResponse:
    """The checker's gate refused a hand edit: 422 with every broken rule in words."""
    session.rollback()
    event = service.load_event(row)
    refused = EditRefused(detail=str(exc), violations=[violation_public(event, v) for v in exc.violations])
    return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content=refused.model_dump(mode="json"))


@router.post("/cancel", response_model=EditResult, responses=_RESPONSES | _REFUSED)
def cancel_meeting(
    row: IdleEventDep,
    body: MeetingRef,
    session: SessionDep,
    settings: SettingsDep,
    secret: SecretDep,
    request: Request,
) -> EditResult | JSONResponse:
    """Cancel one meeting: a new version without it, and both directions of the pair's wish are
    marked declined, so that no repair or refill brings it back. Refused when that breaks a rule
    (a [fairness] hole cap): a re-solve then re-plans around the cancellation."""
    try:
        edit = changes.cancel_meeting(session=session, secret=secret, row=row, a=body.a, b=body.b)
    except edits.NotFound as exc:
        raise _not_found(exc) from None
    except edits.EditRefused as exc:
        return _refused(session, row, exc)
    commit(session)
    return _result(request, settings, row, edit)


@router.post("/move", response_model=EditResult, responses=_RESPONSES | _REFUSED)
def move_meeting(
    row: IdleEventDep, body: MeetingMove, session: SessionDep, settings: SettingsDep, request: Request
) -> EditResult | JSONResponse:
    """Move one meeting to another slot (and table), locked there unless `locked` is false, so
    that later repairs keep it. Refused, with every broken rule in words, when the move breaks one."""
    event = service.load_event(row)
    slot = event.slot_at(body.day, body.slot)
    if slot is None:
        day = next((d for d in event.days if d.date == body.day), None)
        detail = (
            f"{body.day.isoformat()} is not a day of the event"
            if day is None
            else f"{body.day.isoformat()} has slots 1 to {len(day.slots)}, not {body.slot}"
        )
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=detail)
    try:
        edit = changes.move_meeting(
            session=session, row=row, a=body.a, b=body.b, slot=slot, table=body.table, locked=body.locked
        )
    except edits.NotFound as exc:
        raise _not_found(exc) from None
    except edits.EditRefused as exc:
        return _refused(session, row, exc)
    commit(session)
    return _result(request, settings, row, edit)


@router.post("/pin", response_model=EditResult, responses=_RESPONSES | _REFUSED)
def pin_meeting(
    row: IdleEventDep, body: MeetingPin, session: SessionDep, settings: SettingsDep, request: Request
) -> EditResult | JSONResponse:
    """Lock a meeting where it is (or unlock it with `locked: false`): repairs never move a locked
    meeting. Nobody's agenda changes; nothing is stored when it already is as asked."""
    try:
        edit = changes.pin_meeting(session=session, row=row, a=body.a, b=body.b, locked=body.locked)
    except edits.NotFound as exc:
        raise _not_found(exc) from None
    except edits.EditRefused as exc:
        return _refused(session, row, exc)
    commit(session)
    return _result(request, settings, row, edit)
