"""Request and response bodies of the HTTP API (kept apart from the storage models)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field


class ProblemPublic(BaseModel):
    """One problem in the uploaded files, exactly as the CLI reports it."""

    severity: Literal["error", "warning"]
    code: str = Field(description="Short machine-readable kind, e.g. 'unknown_participant'.")
    message: str = Field(description="A sentence for a person.")
    file: str | None = Field(None, description="event.toml, participants.csv or wishes.csv.")
    row: int | None = Field(
        None, description="Row as a spreadsheet shows it (header is row 1); for event.toml the line."
    )
    column: str | None = Field(None, description="Column, or the setting in event.toml.")


class InvalidEvent(BaseModel):
    """422: the files have errors; nothing was stored."""

    detail: str
    problems: list[ProblemPublic]


# --- events ------------------------------------------------------------------------------------


class EventCreateJSON(BaseModel):
    """The same three files as the multipart upload, as text."""

    event: str = Field(description="Contents of event.toml.")
    participants: str = Field(description="Contents of participants.csv.")
    wishes: str = Field(description="Contents of wishes.csv.")


class EventCreated(BaseModel):
    id: str = Field(description="The event's id.")
    organiser_token: str = Field(
        description="Bearer token for every organiser call on this event. "
        "Shown once: only its hash is stored."
    )
    warnings: list[ProblemPublic] = Field(default_factory=list, description="Warnings found in the files.")


class EventPublic(BaseModel):
    id: str
    name: str
    timezone: str
    dates: list[dt.date]
    slots: int = Field(description="Meeting slots over the whole event.")
    tables: list[str] = Field(description="Shared table labels.")
    participants: int
    wishes: int
    objective: str
    created_at: dt.datetime
    latest_schedule_version: int | None
    warnings: list[ProblemPublic]


class ParticipantPublic(BaseModel):
    id: str = Field(description="The id from participants.csv.")
    name: str
    organisation: str
    email: str
    role: str
    country: str
    status: str
    meetings: int = Field(description="Meetings in the latest schedule.")
    agenda_url: str = Field(
        description="Private agenda page; anyone with this link sees this person's agenda."
    )
    agenda_pdf_url: str
    agenda_ics_url: str


class ParticipantsPublic(BaseModel):
    data: list[ParticipantPublic]
    count: int


# --- jobs --------------------------------------------------------------------------------------


class SolveRequest(BaseModel):
    time_limit: float | None = Field(
        None, gt=0, description="Seconds for the whole solve; the server's default when omitted."
    )


class JobCreated(BaseModel):
    job_id: str
    state: str = "queued"
    status_url: str


class ProgressPublic(BaseModel):
    phase: str | None = Field(None, description="starting, greedy, bound, search, polish or done.")
    points: int | None = Field(None, description="Points of the best schedule so far.")
    bound: int | None = Field(None, description="Proven upper bound on points.")
    gap: float | None = Field(None, description="(bound - points) / bound.")
    holes: int | None = None
    elapsed: float | None = Field(None, description="Seconds since the solve started.")


class JobPublic(BaseModel):
    id: str
    event_id: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    time_limit: float
    progress: ProgressPublic
    error: str | None = Field(None, description="Why the job failed, for a person.")
    cancel_requested: bool
    schedule_version: int | None = Field(None, description="The schedule version this job produced.")
    submitted_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


# --- schedules ---------------------------------------------------------------------------------


class MeetingPublic(BaseModel):
    day: dt.date
    slot: int
    start: str
    end: str
    table: str
    participant_a: str
    participant_b: str
    name_a: str
    name_b: str
    organisation_a: str
    organisation_b: str
    mutual: bool
    points: int
    locked: bool


class SchedulePublic(BaseModel):
    event_id: str
    version: int
    job_id: str | None
    created_at: dt.datetime
    meetings: list[MeetingPublic]
    points: int
    bound: int | None
    gap: float | None
    optimal: bool


class ScheduleVersionPublic(BaseModel):
    version: int
    job_id: str | None
    created_at: dt.datetime
    meetings: int
    points: int | None


class TableUse(BaseModel):
    table: str
    meetings: int
    slots: int = Field(description="Slots in which the table could host a meeting.")
    share: float = Field(description="meetings / slots.")


class PersonRef(BaseModel):
    id: str
    name: str


class StatsPublic(BaseModel):
    version: int
    meetings: int
    mutual_meetings: int
    points: int
    bound: int | None
    gap: float | None
    optimal: bool
    holes: int
    max_holes_per_person: int
    people_left_out: list[PersonRef] = Field(
        description="Active people who could have met somebody and did not."
    )
    wished_pairs: int
    table_use: list[TableUse]
    solve: dict[str, Any] = Field(default_factory=dict, description="Solver parameters, version and timing.")
