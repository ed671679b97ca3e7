"""Replacing an event's organiser token: the API twin of the web app's "Replace the organiser link"."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from api.deps import EventDep, SessionDep
from api.routes._common import commit
from api.security import digest, new_organiser_token

router = APIRouter(prefix="/api/events", tags=["events"])


class TokenRotated(BaseModel):
    id: str = Field(description="The event's id.")
    organiser_token: str = Field(
        description="The new bearer token for every organiser call on this event. Shown once: only its hash is "
        "stored. The old token, and the organiser link made from it, stop working at once."
    )


@router.post(
    "/{event_id}/token/rotate",
    response_model=TokenRotated,
    status_code=status.HTTP_200_OK,
    responses={401: {"description": "No or an unknown organiser token."}, 404: {"description": "Event not found."}},
)
def rotate_token(row: EventDep, session: SessionDep) -> TokenRotated:
    """Replace the organiser token (e.g. after it leaked): the old token and organiser link stop
    working everywhere, every browser signed in with them included; the answer holds the new one."""
    token = new_organiser_token()
    row.organiser_token_hash = digest(token)
    commit(session)
    return TokenRotated(id=row.id, organiser_token=token)
