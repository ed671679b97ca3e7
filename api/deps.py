"""Dependencies shared by the routes, published as `Annotated` aliases.

Organiser auth: the Bearer token is looked up by its hash. No or an unknown token → 401 (which
says nothing about whether the event exists); a valid token for another event → 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.jobs import JobRunner
from api.security import digest
from api.service import active_job
from api.settings import Settings
from api.storage import Database, EventRow, JobRow, lock_event, may_match

EVENT_NOT_FOUND = "Event not found"
JOB_NOT_FOUND = "Job not found"

_bearer = HTTPBearer(auto_error=False, description="The organiser token returned when the event was created.")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.runner
    return runner


def get_secret(request: Request) -> str:
    secret: str = request.app.state.link_secret
    return secret


def get_session(db: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    with db.sessions() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]
SecretDep = Annotated[str, Depends(get_secret)]


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"})


def token_event(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> EventRow:
    """The event the organiser token belongs to."""
    if credentials is None or not credentials.credentials:
        raise _unauthorised("Organiser token missing: send 'Authorization: Bearer <organiser_token>'")
    row = session.scalar(select(EventRow).where(EventRow.organiser_token_hash == digest(credentials.credentials)))
    if row is None:
        raise _unauthorised("Organiser token not valid")
    return row


TokenEventDep = Annotated[EventRow, Depends(token_event)]


def organiser_event(event_id: str, owner: TokenEventDep) -> EventRow:
    """The event of the path, if the token is this event's; 404 otherwise."""
    if owner.id != event_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=EVENT_NOT_FOUND)
    return owner


EventDep = Annotated[EventRow, Depends(organiser_event)]


def idle_event(row: EventDep, session: SessionDep) -> EventRow:
    """The event of the path, if no solve of it is queued or running (409 otherwise): a change
    made under a running solve would be lost or half-applied when the solve stores its version."""
    lock_event(session, row)  # until the change commits; the check below is then still true
    busy = active_job(session, row.id)
    if busy is not None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail=f"A solve of this event is {busy.state} (job {busy.id}); wait for it or cancel it, "
            "then make the change",
        )
    return row


IdleEventDep = Annotated[EventRow, Depends(idle_event)]


def organiser_job(job_id: str, owner: TokenEventDep, session: SessionDep) -> JobRow:
    job = session.get(JobRow, job_id) if may_match(job_id) else None
    if job is None or job.event_id != owner.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=JOB_NOT_FOUND)
    return job


JobDep = Annotated[JobRow, Depends(organiser_job)]
