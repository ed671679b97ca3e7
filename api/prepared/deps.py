"""The import a request's organiser token reaches (the token handed out with the 202 answer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import select

from api.deps import SessionDep, _bearer, _unauthorised
from api.prepared.rows import ImportRow
from api.security import digest
from api.storage import EventRow

IMPORT_NOT_FOUND = "Import not found"


def organiser_import(
    import_id: str,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ImportRow:
    """401 without a known token (as for events); 404 for a valid token of another import or event."""
    if credentials is None or not credentials.credentials:
        raise _unauthorised("Organiser token missing: send 'Authorization: Bearer <organiser_token>'")
    hashed = digest(credentials.credentials)
    row = session.scalar(select(ImportRow).where(ImportRow.token_hash == hashed))
    if row is None:
        if session.scalar(select(EventRow.id).where(EventRow.organiser_token_hash == hashed)) is None:
            raise _unauthorised("Organiser token not valid")
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=IMPORT_NOT_FOUND)
    if row.id != import_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=IMPORT_NOT_FOUND)
    return row


ImportDep = Annotated[ImportRow, Depends(organiser_import)]
