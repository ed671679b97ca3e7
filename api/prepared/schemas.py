"""What the API answers about prepared documents and imports."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from api.prepared.rows import ImportRow
from api.schemas import ProblemPublic

State = Literal["queued", "running", "done", "failed"]


class PreparedPublic(BaseModel):
    """A document of everyone's agendas (or of the people a change affects), being or done rendering
    away from the request."""

    id: str
    event_id: str
    version: int = Field(description="The schedule version it shows.")
    from_version: int | None = Field(
        None, description="changed-agendas.pdf: the older version the changes are counted from; null for the others."
    )
    kind: Literal["agendas.pdf", "agendas.zip", "changed-agendas.pdf"]
    state: State = Field(description="queued → running → done (download it) or failed (ask again).")
    attempts: int = Field(description="How many times a process took it up (more than one: one of them stopped).")
    error: str | None = Field(None, description="Why it failed.")
    size: int | None = Field(None, description="Bytes, once done.")
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    status_url: str = Field(description="Where to follow it (this answer).")
    download_url: str | None = Field(None, description="Where to download it, once done.")


class ImportAccepted(BaseModel):
    """202: the upload was stored as it came; it is parsed and checked in the background."""

    id: str = Field(description="The import's id.")
    state: State
    organiser_token: str = Field(
        description="Bearer token of the import, and of the event it creates. Shown once: only its hash is stored."
    )
    status_url: str = Field(description="Follow the import here (with the token) until it is done or failed.")


class ImportPublic(BaseModel):
    """A big upload being parsed: done with the created event, or failed with the problems a small
    upload's 422 would have listed (file, row, column); nothing is stored then."""

    id: str
    state: State
    event_id: str | None = Field(None, description="The created event, once done.")
    detail: str | None = Field(None, description="Why it failed.")
    problems: list[ProblemPublic] = Field(default_factory=list)
    warnings: list[ProblemPublic] = Field(default_factory=list, description="Warnings found in the files, once done.")
    attempts: int
    created_at: dt.datetime
    finished_at: dt.datetime | None = None


class FilesReplaced(BaseModel):
    """200: the new file(s) were read in the request and stored as the event's next revision."""

    event_revision: int = Field(description="The event's revision after the change.")
    participants: int
    wishes: int
    warnings: list[ProblemPublic] = Field(description="Warnings the files now give.")
    hint: str = "Start a solve (POST /api/events/{id}/solve) to repair the schedule for the new files."


class ReplacementAccepted(BaseModel):
    """202: the new file(s) were stored as they came; they are read, checked and stored in the background."""

    id: str = Field(description="The replacement's id.")
    state: State
    base_revision: int = Field(description="The event's revision the files replace; another change first refuses them.")
    status_url: str = Field(description="Follow the replacement here until it is done or failed.")


class ReplacementPublic(BaseModel):
    """Big new files for an event being read: done (stored as `event_revision`), or failed with the
    problems a 422 would have listed (file, row, column) or the change that came first; nothing is
    stored then."""

    id: str
    event_id: str
    state: Literal["queued", "running", "checked", "done", "failed"] = Field(
        description="queued → running → done or failed; `checked`: sent from the organiser's page, read, and "
        "waiting for their confirmation there."
    )
    base_revision: int = Field(description="The event's revision the files were sent against.")
    event_revision: int | None = Field(None, description="The event's revision the files made, once done.")
    detail: str | None = Field(None, description="Why it failed.")
    problems: list[ProblemPublic] = Field(default_factory=list)
    warnings: list[ProblemPublic] = Field(default_factory=list, description="Warnings found in the files, once done.")
    attempts: int
    created_at: dt.datetime
    finished_at: dt.datetime | None = None


def outcome_of(upload: ImportRow) -> dict[str, Any]:
    """The fields a new upload's and a replacement's status share (`ImportPublic`,
    `ReplacementPublic`), from the row: how it ended, its problems and warnings, when."""
    return {
        "detail": upload.error,
        "problems": [ProblemPublic(**p) for p in upload.problems],
        "warnings": [ProblemPublic(**p) for p in upload.warnings],
        "attempts": upload.attempts,
        "created_at": upload.created_at,
        "finished_at": upload.finished_at,
    }
