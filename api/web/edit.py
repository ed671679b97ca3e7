"""Edit on the day, from the schedule grid: move a meeting to a lit cell, cancel it, pin or unpin it.

Each form posts here and calls `api.changes` exactly as the API's hand-edit routes do
(`by="browser"`); an accepted edit is a new version (a draft until published) and the browser
is sent back to the grid (303, so a reload repeats nothing). A refused edit (`EditRefused`,
`NotFound`) shows the grid again, 422, with the reason in words. While a solve runs every edit
is refused (409) by `IdleWebEventDep`, since the solve would store a version that ignores it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response

from api import changes, service
from api.deps import SecretDep, SessionDep
from api.routes._common import commit
from api.storage import EventRow
from api.web.deps import CSRF, IdleWebEventDep
from api.web.pages import PAGE_HEADERS
from api.web.schedule import View, grid_page
from scheduler import edits
from scheduler.check.checker import format_violation

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=200)]


def _back(row: EventRow, view: View, done: str, edit: changes.Edit) -> RedirectResponse:
    version = edit.version.version if edit.created else None
    url = view.url(
        row.id,
        "schedule-status",
        select="",
        confirm="",
        version=None,
        done=done if edit.created else "unchanged",
        v=version,
    )
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER, headers=PAGE_HEADERS)


def _refused(request: Request, session: SessionDep, row: EventRow, view: View, exc: Exception) -> Response:
    """The grid again, 422, saying in words why the edit was refused; nothing was stored."""
    session.rollback()
    violations = [format_violation(v) for v in exc.violations] if isinstance(exc, edits.EditRefused) else []
    message = str(exc).removesuffix(".") + "."
    return grid_page(request, session, row, view, placed=True, status_code=422, error=message, violations=violations)


def _view(day: int, page: int, person: str, a: str, b: str) -> View:
    return View(day=day, page=page, person=person, select=f"{a}~{b}")


@router.post("/events/{event_id}/schedule/move", dependencies=CSRF)
def move(
    row: IdleWebEventDep,
    request: Request,
    session: SessionDep,
    a: Text,
    b: Text,
    slot: Annotated[int, Form(ge=0)],
    table: Text,
    day: Annotated[int, Form(ge=1)] = 1,
    page: Annotated[int, Form(ge=1)] = 1,
    person: Text = "",
) -> Response:
    """Move the selected meeting to the cell whose "Move here" was pressed, pinned there."""
    view = _view(day, page, person, a, b)
    event = service.load_event(row)
    try:
        if slot >= len(event.slots):
            raise edits.NotFound(f"The event has {len(event.slots)} slots; there is no slot {slot + 1}")
        edit = changes.move_meeting(
            session=session, row=row, a=a, b=b, slot=event.slots[slot], table=table, locked=True, by="browser"
        )
    except (edits.EditRefused, edits.NotFound) as exc:
        return _refused(request, session, row, view, exc)
    commit(session)
    return _back(row, view, "moved", edit)


@router.post("/events/{event_id}/schedule/cancel", dependencies=CSRF)
def cancel(
    row: IdleWebEventDep,
    request: Request,
    session: SessionDep,
    secret: SecretDep,
    a: Text,
    b: Text,
    day: Annotated[int, Form(ge=1)] = 1,
    page: Annotated[int, Form(ge=1)] = 1,
    person: Text = "",
) -> Response:
    """Cancel the selected meeting (after the page asked to confirm): both agendas lose it and the
    pair's wish is declined, so no re-solve brings it back."""
    view = _view(day, page, person, a, b)
    try:
        edit = changes.cancel_meeting(session=session, secret=secret, row=row, a=a, b=b, by="browser")
    except (edits.EditRefused, edits.NotFound) as exc:
        return _refused(request, session, row, view, exc)
    commit(session)
    return _back(row, view, "cancelled", edit)


@router.post("/events/{event_id}/schedule/pin", dependencies=CSRF)
def pin(
    row: IdleWebEventDep,
    request: Request,
    session: SessionDep,
    a: Text,
    b: Text,
    locked: Annotated[bool, Form()],
    day: Annotated[int, Form(ge=1)] = 1,
    page: Annotated[int, Form(ge=1)] = 1,
    person: Text = "",
) -> Response:
    """Pin the selected meeting where it is (a re-solve keeps it), or unpin it."""
    view = _view(day, page, person, a, b)
    try:
        edit = changes.pin_meeting(session=session, row=row, a=a, b=b, locked=locked, by="browser")
    except (edits.EditRefused, edits.NotFound) as exc:
        return _refused(request, session, row, view, exc)
    commit(session)
    return _back(row, view, "pinned" if locked else "unpinned", edit)
