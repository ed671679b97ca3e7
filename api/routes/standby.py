"""Standby pairs for no-shows: who can take an absent person's place in the latest version, and a
confirmation that stores the chosen replacement as a new version (`api.standby`).

`GET` asks `scheduler.standby` about the latest version: per meeting of the absent person still to
come at `at`, the ranked replacements for their partner in that slot. `POST` confirms one: the
absent person's meeting goes, the replacement comes, locked, through the checker's gate (422 in
words when it breaks a rule, nothing stored; 409 while a solve runs, whose version would ignore it).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api import standby as service
from api.deps import EventDep, IdleEventDep, SessionDep, SettingsDep
from api.routes._common import commit, no_store
from api.routes.meetings import _REFUSED, _refused, _result
from api.routes.schedules import meetings_public
from api.schemas import EditResult, IdText, MeetingPublic, PersonRef
from scheduler import edits
from scheduler.domain import Event, Schedule
from scheduler.standby import FreedMeeting, StandbyError

router = APIRouter(prefix="/api/events/{event_id}/standby", tags=["standby"], dependencies=[Depends(no_store)])


class StandbyPerson(PersonRef):
    organisation: str


class StandbyConfirm(BaseModel):
    """A suggestion to confirm: the absent person's meeting with `partner` becomes one of `partner`
    and `with`, in the same slot."""

    absent: IdText = Field(min_length=1, max_length=200)
    partner: IdText = Field(min_length=1, max_length=200)
    with_: IdText = Field(alias="with", min_length=1, max_length=200, description="Who takes the absent one's place.")
    table: str | None = Field(
        None,
        max_length=200,
        description="Table label; by default a fixed table of either, else the freed table, else the "
        "first free shared one.",
    )

    model_config = {"populate_by_name": True}


class StandbySuggestionPublic(BaseModel):
    rank: int
    with_: StandbyPerson = Field(alias="with", description="Who would take the absent person's place.")
    points: int = Field(description="What the pair is worth (formats.md's points).")
    mutual: bool
    asked_by: list[str] = Field(description="Who wished the meeting.")
    table: str
    freed_table: bool = Field(description="Whether it uses the table the absent person leaves.")
    added_holes: int = Field(description="Holes it adds to the two people's days (negative: closes one).")
    confirm: StandbyConfirm = Field(description="The body to POST to confirm this suggestion.")

    model_config = {"populate_by_name": True}


class FreedMeetingPublic(BaseModel):
    meeting: MeetingPublic = Field(description="The absent person's meeting that would go.")
    partner: StandbyPerson
    suggestions: list[StandbySuggestionPublic] = Field(description="Best first; empty when nothing fits.")


class StandbyPublic(BaseModel):
    event_id: str
    version: int = Field(description="The latest version, which the suggestions are for.")
    absent: StandbyPerson
    at: dt.datetime = Field(description="The local time asked about (the event's time zone).")
    freed: list[FreedMeetingPublic] = Field(description="The absent person's meetings still to come, in time order.")


_CONFIRM_RESPONSES: dict[int | str, dict[str, object]] = {
    404: {"description": "No schedule yet, or the absent person and the partner have no meeting in it."},
    409: {"description": "A solve of this event is queued or running."},
}
AbsentQuery = Annotated[
    str, Query(min_length=1, max_length=200, description="The participant id of the person absent.")
]
AtQuery = Annotated[
    dt.datetime | None,
    Query(
        description="Local time of the event, e.g. 2027-03-10T11:00; by default now, or the start of "
        "their next meeting when now is outside the event."
    ),
]


def _person(event: Event, pid: str) -> StandbyPerson:
    p = event.participants[pid]
    return StandbyPerson(id=p.id, name=p.name, organisation=p.organisation)


def freed_public(event: Event, absent: str, f: FreedMeeting) -> FreedMeetingPublic:
    suggestions = [
        StandbySuggestionPublic(
            rank=rank,
            with_=_person(event, s.other),
            points=s.points,
            mutual=s.mutual,
            asked_by=list(s.asked_by),
            table=s.meeting.table,
            freed_table=s.freed_table,
            added_holes=s.added_holes,
            confirm=StandbyConfirm(absent=absent, partner=s.partner, with_=s.other, table=s.meeting.table),
        )
        for rank, s in enumerate(f.suggestions, 1)
    ]
    meeting = meetings_public(event, Schedule.of([f.meeting]))[0]
    return FreedMeetingPublic(meeting=meeting, partner=_person(event, f.partner), suggestions=suggestions)


@router.get(
    "",
    response_model=StandbyPublic,
    response_model_by_alias=True,
    responses={
        404: {"description": "No schedule yet, or no such participant."},
        422: {"description": "The time lies outside the event."},
    },
)
def get_standby(
    row: EventDep,
    session: SessionDep,
    absent: AbsentQuery,
    at: AtQuery = None,
) -> StandbyPublic:
    """Who can take an absent person's place: per meeting of theirs still to come at `at` (one
    running then counts), the best replacements for the partner in that slot, ranked by points.
    Every suggestion, confirmed alone, passes the independent checker."""
    try:
        q = service.ask(session, row, absent, at)
    except edits.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
    except StandbyError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from None
    return StandbyPublic(
        event_id=row.id,
        version=q.version.version,
        absent=_person(q.event, absent),
        at=q.at,
        freed=[freed_public(q.event, absent, f) for f in q.freed],
    )


@router.post(
    "",
    response_model=EditResult,
    responses=_CONFIRM_RESPONSES | _REFUSED,
)
def confirm_standby(
    row: IdleEventDep, body: StandbyConfirm, session: SessionDep, settings: SettingsDep, request: Request
) -> EditResult | JSONResponse:
    """Confirm a suggestion: a new version in which the absent person's meeting with `partner` is
    replaced by a locked meeting of `partner` and `with` in the same slot. Refused, with every
    broken rule in words, when it would break one; nothing is stored then."""
    try:
        edit = service.confirm(
            session=session,
            row=row,
            absent=body.absent,
            partner=body.partner,
            other=body.with_,
            table=body.table,
        )
    except edits.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
    except edits.EditRefused as exc:
        return _refused(session, row, exc)
    commit(session)
    return _result(request, settings, row, edit)
