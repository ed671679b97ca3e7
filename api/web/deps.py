"""Dependencies of the organiser's pages: the signed-in event and the CSRF check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.deps import SessionDep, idle_event
from api.storage import EventRow
from api.web.session import signed_in_event, verify_csrf


def web_event(event_id: str, request: Request, session: SessionDep) -> EventRow:
    """The event of the path, if this browser is signed in to it (else the sign-in page)."""
    return signed_in_event(request, session, event_id)


WebEventDep = Annotated[EventRow, Depends(web_event)]


def idle_web_event(row: WebEventDep, session: SessionDep) -> EventRow:
    """The signed-in event, if no solve of it is queued or running (409 page otherwise)."""
    return idle_event(row, session)


IdleWebEventDep = Annotated[EventRow, Depends(idle_web_event)]
CSRF = [Depends(verify_csrf)]  # `dependencies=CSRF` on every state-changing page route
